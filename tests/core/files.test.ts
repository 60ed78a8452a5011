import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliError } from '../../src/core/errors.ts';
import { writeFileAtomic } from '../../src/core/files.ts';

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
