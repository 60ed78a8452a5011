// Sorting in slices: the same rows in the same order as one ORDER BY, on made-up rows and on a real release.
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TABLE_BY_NAME } from '../../src/core/tables.ts';
import { writeCsvFile } from '../../src/publish/csv.ts';
import { openDuckDB } from '../../src/store/duckdb.ts';
import { releaseRows } from '../../src/store/queries.ts';
import { PART_COLUMN, sortedRows, sortIntoTable } from '../../src/store/sorted.ts';
import { makeWorkspace } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';

test('sortIntoTable: slices of the order key give exactly the rows and order of one ORDER BY, NULLs and ties included', async (t) => {
  const db = await openDuckDB(':memory:');
  const conn = db.conn;
  t.after(() => db.close());
  // 1,000 rows: the leading column has 13 values, ties and NULLs; the second breaks ties.
  await conn.run(`CREATE TABLE t AS SELECT CASE WHEN i % 17 = 0 THEN NULL ELSE chr(CAST(97 + (i * 7) % 13 AS INTEGER)) END AS a, (i * 31) % 1000 AS b, 'row ' || i AS c FROM range(1000) r(i)`);
  const rows = { select: 'SELECT a, b, c FROM t', order: ['a', 'b'] };
  const expected = (await conn.runAndReadAll('SELECT a, b, c FROM t ORDER BY a, b')).getRowObjectsJson();

  const sliced = await sortIntoTable(conn, 'sorted', rows, 100);
  assert.equal(sliced.rows, 1000);
  assert.ok(sliced.slices > 5, `sliced into ${sliced.slices}`);
  assert.deepEqual((await conn.runAndReadAll('SELECT * FROM sorted')).getRowObjectsJson(), expected);

  const whole = await sortIntoTable(conn, 'sorted', rows, 1000);
  assert.deepEqual(whole, { rows: 1000, slices: 1 });
  assert.deepEqual((await conn.runAndReadAll('SELECT * FROM sorted')).getRowObjectsJson(), expected);

  // A leading column with one value (a release's changes all share their release_id) or none at all
  // is still cut, on the columns after it.
  for (const a of ["'r1'", 'NULL']) {
    await conn.run(`UPDATE t SET a = ${a}`);
    const cut = await sortIntoTable(conn, 'sorted', rows, 100);
    assert.ok(cut.rows === 1000 && cut.slices > 5, `a = ${a}: ${JSON.stringify(cut)}`);
    assert.deepEqual((await conn.runAndReadAll('SELECT * FROM sorted')).getRowObjectsJson(), (await conn.runAndReadAll('SELECT a, b, c FROM t ORDER BY a, b')).getRowObjectsJson());
  }
});

test('a release table written from slices is byte for byte the same table written from one sort', async () => {
  const ws = await makeWorkspace();
  const r = await runInProcess(ws.file, ws.cwd);
  assert.equal(r.code, 0, r.stderr);
  const db = await openDuckDB(join(ws.out, 'store.duckdb'));
  await db.conn.run("SET TimeZone = 'Asia/Shanghai'");
  const sliced = await mkdtemp(join(tmpdir(), 'zhengce-sliced-'));
  const whole = await mkdtemp(join(tmpdir(), 'zhengce-whole-'));
  try {
    // documents lead with published_at, NULL for some posts; provisions with doc_id.
    for (const name of ['documents', 'provisions']) {
      const spec = TABLE_BY_NAME.get(name)!;
      const rows = releaseRows(spec, '');
      const tagged = { select: `SELECT 'all' AS ${PART_COLUMN}, * FROM (${rows.select})`, order: [PART_COLUMN, ...rows.order] };
      for (const [dir, slice] of [
        [sliced, 10],
        [whole, undefined],
      ] as const) {
        const sorted = await sortedRows(db.conn, `t_${name}`, tagged, spec.columns, slice);
        assert.ok(sorted.total > 10 * 2, `${name}: ${sorted.total} rows, enough for several slices`);
        await writeCsvFile(join(dir, `${name}.csv`), spec.columns, 'spreadsheet', sorted.csvRows(null, 'spreadsheet'));
        await sorted.writeParquet(null, join(dir, `${name}.parquet`));
        await sorted.close();
      }
      for (const format of ['csv', 'parquet']) {
        const file = `${name}.${format}`;
        assert.ok((await readFile(join(sliced, file))).equals(await readFile(join(whole, file))), file);
      }
    }
  } finally {
    db.close();
  }
});

test('sorted rows: a write that fails inside a transaction is reported as itself, and freeing the rows after it does not throw', async (t) => {
  const db = await openDuckDB(':memory:');
  t.after(() => db.close());
  await db.conn.run('CREATE TABLE t AS SELECT range AS i FROM range(10)');
  await db.conn.run('BEGIN TRANSACTION');
  const sorted = await sortedRows(db.conn, 's', { select: `SELECT 'all' AS ${PART_COLUMN}, i FROM t`, order: [PART_COLUMN, 'i'] }, [{ name: 'i', type: 'INTEGER', en: 'i', zh: 'i' }]);
  // A COPY to a full disk fails the same way: DuckDB aborts the transaction, and every later statement fails.
  await assert.rejects(db.conn.run(`SELECT CASE WHEN i = 3 THEN error('No space left on device') END FROM s`), /No space left on device/);
  await assert.rejects(sorted.writeParquet(null, join(await mkdtemp(join(tmpdir(), 'zhengce-')), 'x.parquet')), /aborted/);
  await sorted.close();
  await db.conn.run('ROLLBACK');
});
