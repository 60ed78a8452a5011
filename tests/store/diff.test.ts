import assert from 'node:assert/strict';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { quote, sqlString } from '../../src/core/sql.ts';
import { VERSIONED } from '../../src/core/tables.ts';
import { diffReleases } from '../../src/store/diff.ts';

/** A release folder holding a Parquet file for every versioned table: empty but for the given rows (SQL VALUES per table). */
async function release(dir: string, rows: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await db.connect();
  try {
    for (const t of VERSIONED) {
      await conn.run(`CREATE TABLE ${quote(t.name)} (${t.columns.map((c) => `${quote(c.name)} ${c.type}`).join(', ')})`);
      if (rows[t.name]) await conn.run(`INSERT INTO ${quote(t.name)} BY NAME ${rows[t.name]}`);
      await conn.run(`COPY ${quote(t.name)} TO ${sqlString(join(dir, `${t.name}.parquet`))} (FORMAT parquet)`);
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return dir;
}

const doc = (id: string, title: string, publishedAt: string) =>
  `SELECT '${id}' AS doc_id, '${title}' AS title, TIMESTAMPTZ '${publishedAt} 12:00:00+00' AS published_at, '国务院' AS issuer, 1 AS version`;
const provision = (id: string, text: string) => `SELECT '${id}' AS doc_id, 1 AS part, '1' AS path, 1 AS level, '一、' AS label, '${text}' AS text, 1 AS ord`;

test('zhengce diff dates and orders a document that changed only below the documents table like the others', async () => {
  const root = await mkdtemp(join(tmpdir(), 'zhengce-diff-'));
  const before = await release(join(root, 'a'), {
    documents: [doc('d1', '甲', '2020-03-01'), doc('d2', '乙', '2021-03-01'), doc('d3', '丙', '2019-03-01')].join(' UNION ALL '),
    provisions: provision('d1', '旧条文'),
  });
  const after = await release(join(root, 'b'), {
    documents: [doc('d1', '甲', '2020-03-01'), doc('d2', '乙（修订）', '2021-03-01'), doc('d4', '丁', '2022-03-01')].join(' UNION ALL '),
    provisions: provision('d1', '新条文'),
  });
  const d = await diffReleases(before, after);
  // d1 changed only in provisions: it is dated from the release and sorts before the later d2.
  assert.deepEqual(
    d.documents.map((x) => [x.change, x.doc_id, x.title, x.published_at?.slice(0, 10) ?? null, x.issuer]),
    [
      ['added', 'd4', '丁', '2022-03-01', '国务院'],
      ['changed', 'd1', '甲', '2020-03-01', '国务院'],
      ['changed', 'd2', '乙（修订）', '2021-03-01', '国务院'],
      ['removed', 'd3', '丙', '2019-03-01', '国务院'],
    ],
  );
  const d1 = d.documents.find((x) => x.doc_id === 'd1')!;
  assert.deepEqual([d1.changed_columns, d1.provisions], [[], { inserted: 0, updated: 1, deleted: 0 }]);
  assert.deepEqual(d.documents.find((x) => x.doc_id === 'd2')!.changed_columns, ['title']);
});
