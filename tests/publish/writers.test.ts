import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import type { Column } from '../../src/core/tables.ts';
import { writeArrow } from '../../src/publish/arrow.ts';
import { writeCsv } from '../../src/publish/csv.ts';

const COLUMNS: Column[] = [{ name: 'n', type: 'INTEGER', en: 'n', zh: 'n' }];
const ROWS = 'SELECT range::INT AS n FROM range(3)';

/** File descriptors this process holds (Linux). */
const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length;

async function setup(t: TestContext): Promise<{ conn: DuckDBConnection; dir: string }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  t.after(() => {
    conn.closeSync();
    db.closeSync();
  });
  return { conn, dir: await mkdtemp(join(tmpdir(), 'zhengce-writers-')) };
}

test('writeArrow: rows read back; a failed query or an unwritable file rejects and leaves no file open', async (t) => {
  const { conn, dir } = await setup(t);
  await writeArrow(conn, ROWS, COLUMNS, join(dir, 'ok.arrow'));
  assert.deepEqual(tableFromIPC(await readFile(join(dir, 'ok.arrow'))).toArray().map((r) => r.n), [0, 1, 2]);

  const before = await openFiles();
  await assert.rejects(writeArrow(conn, 'SELECT n FROM no_such_table', COLUMNS, join(dir, 'bad.arrow')), /no_such_table/);
  await new Promise((r) => setImmediate(r));
  assert.equal(await openFiles(), before, 'the write stream of a failed query is closed');

  // The file cannot be opened while DuckDB computes: the stream's error rejects the write instead of crashing the process.
  await assert.rejects(writeArrow(conn, ROWS, COLUMNS, join(dir, 'missing', 'x.arrow')), { code: 'ENOENT' });
});

test('writeCsv: an unwritable file rejects the write instead of crashing the process', async (t) => {
  const { conn, dir } = await setup(t);
  assert.equal((await writeCsv(conn, ROWS, COLUMNS, join(dir, 'ok.csv'))).rows, 3);
  assert.equal(await readFile(join(dir, 'ok.csv'), 'utf8'), '\ufeffn\r\n0\r\n1\r\n2\r\n');
  await assert.rejects(writeCsv(conn, 'SELECT range::INT AS n FROM range(100000)', COLUMNS, join(dir, 'missing', 'x.csv')), { code: 'ENOENT' });
});
