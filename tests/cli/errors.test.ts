// File-system failures of a run, as an operator reads them: the path, the cause in words, what to do; a stack only with -v.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeWorkspace, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';

const POSTS = ['2021-12-08-202112082206885265.md', '2021-12-08-202112082206896686.md'].map((p) => join(SAMPLE_POSTS, p));

/** A stack trace line, as Node prints one. */
const STACK = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

/**
 * Mounts a tmpfs at `dir` (a folder of the test's own temporary workspace) for as long as the test runs;
 * false when this machine does not let the test mount one (not root, no CAP_SYS_ADMIN), after skipping it.
 */
function mountTmpfs(t: TestContext, dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    t.skip(`cannot mount a tmpfs here to simulate the disk (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`);
    return false;
  }
  t.after(() => execFileSync('umount', [dir]));
  return true;
}

/** Every file under `dir` whose name marks it temporary. */
async function tempFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((f) => /\.tmp$|\.tmp-|\/\.tmp/.test(f));
}

test('an output folder under a regular file: the message names the path, the cause and what to do, with no stack trace unless -v', async () => {
  const ws = await makeWorkspace({ posts: POSTS });
  await writeFile(join(ws.cwd, 'output'), 'a file where the output folder should be\n');
  const res = await runCli(['run', ws.file], ws.cwd);
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, new RegExp(`zhengce: ${join(ws.cwd, 'output', 'test')}: a part of the path is a file, not a folder .*; move that file away or choose another output folder`));
  assert.doesNotMatch(res.stderr, STACK, res.stderr);
  const verbose = await runCli(['run', '-v', ws.file], ws.cwd);
  assert.equal(verbose.code, 1, verbose.stderr);
  assert.match(verbose.stderr, STACK, 'with -v the stack follows the message');
});

test('a read-only output folder: EROFS named with the path and what to do', async (t) => {
  const ws = await makeWorkspace({ posts: POSTS });
  await mkdir(ws.out, { recursive: true });
  if (!mountTmpfs(t, ws.out, 'ro,size=64k')) return;
  const res = await runCli(['run', ws.file], ws.cwd);
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, new RegExp(`zhengce: ${ws.out}/\\S+: the file system is read-only .*; mount it read-write or choose another output folder`));
  assert.doesNotMatch(res.stderr, STACK, res.stderr);
});

for (const formats of [['parquet'], ['csv']]) {
  test(`a disk that fills while the release's ${formats} files are written: the disk-full cause and the file are named, and nothing is left behind`, async (t) => {
    const ws = await makeWorkspace({ posts: POSTS, formats });
    const releases = join(ws.out, 'releases');
    await mkdir(releases, { recursive: true });
    // The store and raw snapshots fit on the real disk; the release folder is on a 16 kB one.
    if (!mountTmpfs(t, releases, 'size=16k')) return;
    const res = await runCli(['run', ws.file], ws.cwd);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, new RegExp(`zhengce: ${releases}/\\.tmp-\\S+/\\w+\\.${formats[0]}: the disk is full .*; free space on that disk`), res.stderr);
    assert.doesNotMatch(res.stderr, /transaction is aborted/i);
    assert.doesNotMatch(res.stderr, STACK, res.stderr);
    assert.deepEqual(await readdir(releases), [], 'the half-written release folder is removed');
    assert.deepEqual(await tempFiles(ws.out), []);
  });
}

test('a disk full from the start: the store file is named, and no temporary status.json is left', async (t) => {
  const ws = await makeWorkspace({ posts: POSTS });
  await mkdir(ws.out, { recursive: true });
  if (!mountTmpfs(t, ws.out, 'size=8k')) return;
  const res = await runCli(['run', ws.file], ws.cwd);
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, new RegExp(`zhengce: ${ws.out}/store\\.duckdb: the disk is full`), res.stderr);
  assert.deepEqual(await tempFiles(ws.out), []);
});
