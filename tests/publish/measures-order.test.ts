// Measures are published as the document reads them (doc_id, ord) in CSV, Parquet and `zhengce export`,
// not by their key (part, path, measure_no), which sorts the path 10.29 before 9.28.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { makeWorkspace, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';
import { runInProcess } from '../helpers/run.ts';

// 要素市场化 plan: 九、 (paths 9.x) comes before 十、 (10.x); the 职业教育 plan is a second document.
const POSTS = ['2022-01-06-202201062238656632.md', 'govcn-2019-02-13-content_5365341.html'].map((p) => join(SAMPLE_POSTS, p));

interface Row {
  doc_id: string;
  path: string;
  ord: number;
}

/** Rows in document order: each document's rows together (parts come in part order), ord 1, 2, 3 … within it, 9.x paths before 10.x. */
function assertDocumentOrder(rows: Row[], where: string): void {
  assert.ok(rows.length > 100, `${where}: ${rows.length} rows`);
  const docs = [...new Set(rows.map((r) => r.doc_id))];
  assert.equal(docs.length, 2, where);
  const runs = rows.filter((r, i) => i === 0 || rows[i - 1].doc_id !== r.doc_id).length;
  assert.equal(runs, docs.length, `${where}: each document's measures together`);
  for (const doc of docs) {
    const ords = rows.filter((r) => r.doc_id === doc).map((r) => Number(r.ord));
    assert.deepEqual(
      ords,
      ords.map((_, i) => i + 1),
      `${where}: ord of ${doc}`,
    );
  }
  const paths = rows.map((r) => r.path);
  const lastNine = paths.length - 1 - [...paths].reverse().findIndex((p) => p.startsWith('9.'));
  const firstTen = paths.findIndex((p) => p.startsWith('10.'));
  assert.ok(lastNine < paths.length && firstTen > lastNine, `${where}: 九、 before 十、 (${lastNine}, ${firstTen})`);
}

test('measures in CSV, Parquet and zhengce export are in document order (doc_id, ord)', async () => {
  const ws = await makeWorkspace({ posts: POSTS });
  const run = await runInProcess(ws.file, ws.cwd);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const dir = join(ws.out, 'latest');

  const csv = parse(await readFile(join(ws.out, 'downloads', 'measures.csv')), { bom: true, columns: true }) as Row[];
  assertDocumentOrder(csv, 'downloads/measures.csv');
  const csvParts: Row[] = [];
  for (const part of (await readdir(join(dir, 'csv', 'measures'))).sort()) csvParts.push(...(parse(await readFile(join(dir, 'csv', 'measures', part)), { columns: true }) as Row[]));
  assertDocumentOrder(csvParts, 'csv/measures/*.csv');

  const parts = (await readdir(join(dir, 'measures'))).filter((f) => f.endsWith('.parquet')).sort();
  const parquet: Row[] = [];
  for (const part of parts) parquet.push(...(await query<Row>(`SELECT doc_id, path, ord FROM read_parquet('${join(dir, 'measures', part)}')`)));
  assertDocumentOrder(parquet, 'measures/*.parquet');

  const out = join(ws.cwd, 'exported');
  const exported = await runCli(['export', '-p', ws.file, 'latest', '--table', 'measures', '--format', 'csv', '--out', out], ws.cwd);
  assert.equal(exported.code, 0, exported.stderr + exported.stdout);
  assertDocumentOrder(parse(await readFile(join(out, 'measures.csv')), { bom: true, columns: true }) as Row[], 'zhengce export');
});
