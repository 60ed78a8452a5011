import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliError } from '../../src/core/errors.ts';
import { writeFileAtomic, writeFolderAside } from '../../src/core/files.ts';

test('writeFileAtomic that cannot rename into place leaves no temporary file and names the target', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-atomic-'));
  const target = join(dir, 'status.json');
  // A folder where the file should go: the write aside succeeds, the rename fails.
  await mkdir(target);
  await assert.rejects(writeFileAtomic(target, '{}\n'), (err: Error) => {
    assert.ok(err instanceof CliError, String(err));
    assert.match(err.message, new RegExp(`^${target}: a folder stands where a file is written \\(EISDIR`));
    return true;
  });
  assert.deepEqual(await readdir(dir), ['status.json']);
});

test('writeFolderAside puts a new folder in place of the old one whole; a write that fails leaves the old one and no temporary folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-aside-'));
  const site = join(dir, 'site');
  await mkdir(join(dir, '.site.tmp'));
  await writeFile(join(dir, '.site.tmp', 'half.js'), 'left by a killed run');
  await writeFolderAside(site, (tmp) => writeFile(join(tmp, 'app.js'), 'one'));
  assert.deepEqual(await readdir(dir), ['site']);
  assert.deepEqual(await readdir(site), ['app.js']);
  await writeFolderAside(site, (tmp) => writeFile(join(tmp, 'app2.js'), 'two'));
  assert.deepEqual(await readdir(site), ['app2.js'], 'nothing of the old folder is kept');
  await assert.rejects(
    writeFolderAside(site, async (tmp) => {
      await writeFile(join(tmp, 'app3.js'), 'three');
      throw new Error('the build failed');
    }),
    /the build failed/,
  );
  assert.deepEqual(await readdir(dir), ['site']);
  assert.equal(await readFile(join(site, 'app2.js'), 'utf8'), 'two');
});
