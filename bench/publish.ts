// Publish time of the release writer versus DuckDB's raw COPY of the same tables (CSV + Parquet),
// over the bundled posts' tables repeated to ~200k provision rows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { noProgress, silentLogger, systemClock } from '../src/core/effects.ts';
import { quote } from '../src/core/sql.ts';
import { orderOf, TABLES } from '../src/core/tables.ts';
import { validatePipeline } from '../src/pipeline/config.ts';
import { runPipeline } from '../src/pipeline/run.ts';
import { writeCsvFile } from '../src/publish/csv.ts';
import { openDuckDB } from '../src/store/duckdb.ts';
import { PART_COLUMN, sortedRows } from '../src/store/sorted.ts';

const COPIES = 300;
const SAMPLE = join(import.meta.dirname, '..', 'pipelines', 'sample', 'posts');

export async function benchPublish(): Promise<{ rows: number; publishSeconds: number; copySeconds: number; ratio: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-bench-publish-'));
  const db = await openDuckDB(':memory:', { threads: '2', memory_limit: '512MB' });
  const conn = db.conn;
  try {
    const config = validatePipeline({ id: 'bench-publish', source: { type: 'dir', path: SAMPLE } }, 'bench');
    await runPipeline({ file: 'bench', config, cwd: dir, outputDir: join(dir, 'output') }, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} });
    const tables = TABLES.filter((t) => t.kind === 'versioned' && t.columns.some((c) => c.name === 'doc_id'));
    for (const t of tables) {
      await conn.run(`CREATE TABLE ${t.name} AS SELECT * REPLACE (doc_id || '-' || CAST(c AS VARCHAR) AS doc_id)
        FROM read_parquet('${join(dir, 'output', 'latest', t.name, '*.parquet')}'), range(${COPIES}) r(c)`);
    }
    const [{ n }] = (await conn.runAndReadAll('SELECT count(*)::INT AS n FROM provisions')).getRowObjectsJson() as { n: number }[];
    const order = (t: (typeof tables)[number]) => orderOf(t).map(quote).join(', ');

    let started = performance.now();
    for (const t of tables) {
      const sorted = await sortedRows(conn, `sorted_${t.name}`, { select: `SELECT 'all' AS ${PART_COLUMN}, * FROM ${t.name}`, order: [PART_COLUMN, ...orderOf(t)] }, t.columns);
      await writeCsvFile(join(dir, `${t.name}.csv`), t.columns, 'spreadsheet', sorted.csvRows(null, 'spreadsheet'));
      await sorted.writeParquet(null, join(dir, `${t.name}.parquet`));
      await sorted.close();
    }
    const publishSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    for (const t of tables) {
      await conn.run(`COPY (SELECT * FROM ${t.name} ORDER BY ${order(t)}) TO '${join(dir, `raw-${t.name}.csv`)}' (FORMAT csv, HEADER)`);
      await conn.run(`COPY (SELECT * FROM ${t.name} ORDER BY ${order(t)}) TO '${join(dir, `raw-${t.name}.parquet`)}' (FORMAT parquet, COMPRESSION zstd)`);
    }
    const copySeconds = (performance.now() - started) / 1000;
    return { rows: n, publishSeconds: Number(publishSeconds.toFixed(2)), copySeconds: Number(copySeconds.toFixed(2)), ratio: Number((publishSeconds / copySeconds).toFixed(2)) };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await benchPublish()));
