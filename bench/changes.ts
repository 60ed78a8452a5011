// The keyed change computation between two releases of 1M provision rows, as the store runs it.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { TABLES } from '../src/core/tables.ts';
import { keyedDiffSql } from '../src/store/keyed-diff.ts';

const ROWS = 1_000_000;

export async function benchChanges(): Promise<{ rows: number; changes: number; seconds: number }> {
  const db = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '512MB' });
  const conn = await db.connect();
  try {
    const provisions = TABLES.find((t) => t.name === 'provisions')!;
    // 1M rows of provision-like text; the new release edits 1 % of them, drops 0.5 % and adds 0.5 %.
    await conn.run(`CREATE TABLE old AS SELECT lpad(CAST(i // 50 AS VARCHAR), 16, '0') AS doc_id, 1 AS part,
        CAST(i // 10 % 5 + 1 AS VARCHAR) || '.' || CAST(i % 10 + 1 AS VARCHAR) AS path, 2 AS level, CAST(i // 10 % 5 + 1 AS VARCHAR) AS parent_path,
        '（' || CAST(i % 10 + 1 AS VARCHAR) || '）' AS label, '推进要素市场化配置改革' || CAST(i AS VARCHAR) AS heading,
        repeat('支持具备条件的地区结合实际大胆改革探索，尊重基层首创精神。', 4) || CAST(i AS VARCHAR) AS text, CAST(i % 50 AS INTEGER) AS ord
      FROM range(${ROWS}) t(i)`);
    await conn.run(`CREATE TABLE new AS
      SELECT * REPLACE (CASE WHEN hash(doc_id, path) % 100 = 0 THEN text || '（修订）' ELSE text END AS text) FROM old WHERE hash(doc_id, path) % 200 <> 1
      UNION ALL SELECT * REPLACE (path || '.9' AS path) FROM old WHERE hash(doc_id, path) % 200 = 2`);
    const started = performance.now();
    await conn.run(`CREATE TABLE changes AS ${keyedDiffSql(provisions, 'SELECT * FROM old', 'SELECT * FROM new')}`);
    const seconds = (performance.now() - started) / 1000;
    const [{ n }] = (await conn.runAndReadAll('SELECT count(*)::INT AS n FROM changes')).getRowObjectsJson() as { n: number }[];
    return { rows: ROWS, changes: n, seconds: Number(seconds.toFixed(2)) };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await benchChanges()));
