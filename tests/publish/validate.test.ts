import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import { CSV_OPTIONS } from '../../src/core/csv.ts';
import { fileDigest } from '../../src/publish/datapackage.ts';
import { makeWorkspace, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';
import { query } from '../helpers/duckdb.ts';
import { validate } from '../helpers/validate.ts';

test('validate names the duplicated key and the required column that holds nulls, as the column is spelled', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-validate-'));
  const file = join(dir, 'documents.parquet');
  await query(`COPY (SELECT * FROM (VALUES ('a', NULL), ('a', DATE '2020-01-01'), ('b', NULL)) t(doc_id, issued_date)) TO '${file}' (FORMAT parquet)`);
  const { bytes, sha256 } = await fileDigest(file);
  const fields = [
    { name: 'doc_id', type: 'string', constraints: { required: true } },
    { name: 'issued_date', type: 'date', constraints: { required: true } },
  ];
  const resource = { name: 'documents-parquet', path: 'documents.parquet', format: 'parquet', bytes, hash: `sha256:${sha256}`, rows: 3, schema: { fields, primaryKey: ['doc_id'] } };
  await writeFile(join(dir, 'datapackage.json'), JSON.stringify({ resources: [resource] }));
  const report = await validate(dir);
  assert.deepEqual(report, { resources: 1, problems: ['documents-parquet: 1 rows with duplicate keys', 'documents-parquet: 2 rows with null issued_date'] });
});

test('validate reads a CSV whose record is longer than DuckDB reads by default (2 MB): any CSV zhengce writes, a release validates', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-validate-'));
  // An 870,000-character title, as a release of earlier code could publish it (2.3 MB in UTF-8), in zhengce's CSV dialect.
  const title = '融信中国已于公开市场回购合计本金额1191万美元的部分票据'.repeat(30_000);
  await writeFile(
    join(dir, 'documents.csv'),
    stringify(
      [
        { doc_id: 'a', title },
        { doc_id: 'b', title: '短' },
      ],
      CSV_OPTIONS.spreadsheet,
    ),
  );
  const { bytes, sha256 } = await fileDigest(join(dir, 'documents.csv'));
  assert.ok(bytes > 2_097_152, `${bytes} bytes`);
  const fields = [
    { name: 'doc_id', type: 'string' },
    { name: 'title', type: 'string' },
  ];
  const entry = { path: 'documents.csv', rows: 2, bytes, hash: `sha256:${sha256}` };
  const resource = { name: 'documents', path: 'documents.csv', format: 'csv', bytes, hash: `sha256:${sha256}`, rows: 2, x_files: [entry], schema: { fields, primaryKey: ['doc_id'] } };
  await writeFile(join(dir, 'datapackage.json'), JSON.stringify({ resources: [resource] }));
  assert.deepEqual(await validate(dir), { resources: 1, problems: [] });
});

test('validate refuses datapackage.json paths that leave the release, naming the resource, and never quotes such a file', async () => {
  const ws = await makeWorkspace({ posts: [join(SAMPLE_POSTS, '2021-12-08-202112082206885265.md')] });
  const run = await runInProcess(ws.file, ws.cwd);
  assert.equal(run.code, 0, run.stderr);
  // A copy of a real release, beside a file it must not read.
  const root = await mkdtemp(join(tmpdir(), 'zhengce-crafted-'));
  const release = join(root, 'release');
  await cp(join(ws.out, 'latest'), release, { recursive: true, dereference: true });
  const secret = join(root, 'passwd.csv');
  await writeFile(secret, 'root:x:0:0:SECRET-LINE:/root:/bin/bash\n');
  await symlink('../passwd.csv', join(release, 'link.csv'));
  const pkg = JSON.parse(await readFile(join(release, 'datapackage.json'), 'utf8'));
  const documents = pkg.resources.find((r: { x_table: string; format: string }) => r.x_table === 'documents' && r.format === 'csv');
  await symlink(documents.path, join(release, 'same.csv'));
  const crafted = (name: string, path: string) => ({ ...documents, name, path });
  pkg.resources.push(
    crafted('up', '../passwd.csv'),
    crafted('deep', 'a/../../passwd.csv'),
    crafted('absolute', secret),
    crafted('etc', '/etc/passwd'),
    crafted('link', 'link.csv'),
    crafted('inside-link', 'same.csv'),
  );
  await writeFile(join(release, 'datapackage.json'), JSON.stringify(pkg));

  const report = await validate(release);
  assert.deepEqual(report.problems, [
    'resource "up": path "../passwd.csv" climbs out with "..": refused, not read (a release lists only its own files)',
    'resource "deep": path "a/../../passwd.csv" climbs out with "..": refused, not read (a release lists only its own files)',
    `resource "absolute": path ${JSON.stringify(secret)} is an absolute path: refused, not read (a release lists only its own files)`,
    'resource "etc": path "/etc/passwd" is an absolute path: refused, not read (a release lists only its own files)',
    'resource "link": path "link.csv" is a symlink to a file outside the release: refused, not read (a release lists only its own files)',
  ]);
  const cli = await runCli(['validate', release], ws.cwd);
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(cli.stdout, /5 problem\(s\)/);
  assert.doesNotMatch(cli.stdout + cli.stderr, /SECRET-LINE|root:x:0:0/);

  // datapackage.json itself may be the link out.
  await rm(join(release, 'datapackage.json'));
  await symlink('../passwd.csv', join(release, 'datapackage.json'));
  const linked = await runCli(['validate', release], ws.cwd);
  assert.equal(linked.code, 1, linked.stderr);
  assert.match(linked.stdout, /datapackage\.json is a symlink to a file outside the release: refused, not read/);
  assert.doesNotMatch(linked.stdout + linked.stderr, /SECRET-LINE|root:x:0:0/);
});
