import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileDigest } from '../../src/publish/datapackage.ts';
import { validateRelease } from '../../src/publish/validate.ts';
import { query } from '../helpers/duckdb.ts';

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
  const report = await validateRelease(dir);
  assert.deepEqual(report, { resources: 1, problems: ['documents.parquet: 1 rows with duplicate keys', 'documents.parquet: 2 rows with null issued_date'] });
});
