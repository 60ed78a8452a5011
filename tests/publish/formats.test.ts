import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { makeWorkspace, SAMPLE_POSTS } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';
import { runInProcess } from '../helpers/run.ts';
import { validate } from '../helpers/validate.ts';

const POSTS = ['2022-01-06-202201062238656632.md', 'govcn-2019-02-13-content_5365341.html'].map((p) => join(SAMPLE_POSTS, p));

test('formats: [csv, parquet, arrow] adds an Arrow IPC file per table with the same rows and typed columns', async () => {
  const ws = await makeWorkspace({ posts: POSTS, formats: ['csv', 'parquet', 'arrow'] });
  const r = await runInProcess(ws.file, ws.cwd);
  assert.equal(r.code, 0, r.stderr);
  const dir = join(ws.out, 'latest');
  // One Arrow file per part, as for Parquet.
  const arrowParts = async (t: string) =>
    Promise.all(
      (await readdir(join(dir, t)))
        .filter((f) => f.endsWith('.arrow'))
        .sort()
        .map(async (f) => tableFromIPC(await readFile(join(dir, t, f)))),
    );
  const provisions = await arrowParts('provisions');
  const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${dir}/provisions/*.parquet'`);
  assert.equal(
    provisions.reduce((sum, p) => sum + p.numRows, 0),
    Number(n),
  );
  const parts = await arrowParts('documents');
  assert.equal(
    parts.reduce((sum, p) => sum + p.numRows, 0),
    2,
  );
  const documents = parts.find((p) => p.toArray().some((d) => d.source_id === '2022-01-06-202201062238656632'))!;
  assert.equal(String(documents.schema.fields.find((f) => f.name === 'published_at')!.type), 'Timestamp<MICROSECOND, UTC>');
  assert.equal(String(documents.schema.fields.find((f) => f.name === 'issued_date')!.type), 'Date32<DAY>');
  const plan = documents.toArray().find((d) => d.source_id === '2022-01-06-202201062238656632')!;
  assert.equal(Number(plan.published_at), Date.parse('2022-01-06T07:04:39Z'));
  assert.deepEqual((await validate(dir)).problems, []);
});

test('formats: [csv] publishes CSV only, with no Parquet left behind and no views', async () => {
  const ws = await makeWorkspace({ posts: POSTS, formats: ['csv'] });
  const r = await runInProcess(ws.file, ws.cwd);
  assert.equal(r.code, 0, r.stderr);
  const files = await readdir(join(ws.out, 'latest'), { recursive: true });
  assert.ok(
    files.some((f) => f.startsWith(join('csv', 'documents', ''))),
    files.join(' '),
  );
  assert.deepEqual(
    files.filter((f) => f.includes('parquet')),
    [],
  );
  assert.deepEqual((await validate(join(ws.out, 'latest'))).problems, []);
});
