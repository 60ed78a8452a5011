import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import type { Column } from '../../src/core/tables.ts';
import { writeArrow } from '../../src/publish/arrow.ts';
import { writeCsvFile } from '../../src/publish/csv.ts';

const COLUMNS: Column[] = [{ name: 'n', type: 'INTEGER', en: 'n', zh: 'n' }];

/** File descriptors this process holds (Linux). */
const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length;

async function* rows<T>(chunks: T[][], failAfter?: number): AsyncGenerator<T[]> {
  for (const [i, c] of chunks.entries()) {
    if (i === failAfter) throw new Error('the store failed mid-table');
    yield c;
  }
}

test('writeArrow: rows read back; a failing row source or an unwritable file rejects and leaves no file open', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-writers-'));
  await writeArrow(rows([[[0], [1]], [[2]]]), COLUMNS, join(dir, 'ok.arrow'));
  assert.deepEqual(
    tableFromIPC(await readFile(join(dir, 'ok.arrow')))
      .toArray()
      .map((r) => r.n),
    [0, 1, 2],
  );

  const before = await openFiles();
  await assert.rejects(writeArrow(rows([[[0]], [[1]]], 1), COLUMNS, join(dir, 'bad.arrow')), /failed mid-table/);
  await new Promise((r) => setImmediate(r));
  assert.equal(await openFiles(), before, 'the write stream of a failed source is closed');
  // The file cannot be opened while rows arrive: the stream's error rejects the write instead of crashing the process.
  await assert.rejects(writeArrow(rows([[[0]]]), COLUMNS, join(dir, 'missing', 'x.arrow')), { code: 'ENOENT' });
});

test('writeCsvFile: each flavour as documented; an unwritable file rejects the write instead of crashing the process', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-writers-'));
  const cells = [['0'], ['=1+1'], [null]];
  assert.equal((await writeCsvFile(join(dir, 'p.csv'), COLUMNS, 'program', rows([cells]))).rows, 3);
  assert.equal(await readFile(join(dir, 'p.csv'), 'utf8'), 'n\r\n0\r\n=1+1\r\n\r\n');
  await writeCsvFile(join(dir, 's.csv'), COLUMNS, 'spreadsheet', rows([cells]));
  assert.equal(await readFile(join(dir, 's.csv'), 'utf8'), "\ufeffn\r\n0\r\n'=1+1\r\n\r\n");
  const many = Array.from({ length: 100 }, () => Array.from({ length: 1000 }, (_, i) => [String(i)]));
  await assert.rejects(writeCsvFile(join(dir, 'missing', 'x.csv'), COLUMNS, 'program', rows(many)), { code: 'ENOENT' });
});
