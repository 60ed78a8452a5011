import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, readlink, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeWorkspace, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { RunClock, runInProcess } from '../helpers/run.ts';

const FIRST = join(SAMPLE_POSTS, '2022-01-06-202201062238656632.md');
const SECOND = join(SAMPLE_POSTS, 'govcn-2019-02-13-content_5365341.html');

/**
 * The runs that make a test's releases run in process, each on a clock a second ahead of the one before (its own release
 * id, with no wait); the refusal of a store that does not know the releases is shown once by the real command.
 */
const clock = new RunClock();
const run = (ws: { file: string; cwd: string }) => runInProcess(ws.file, ws.cwd, { clock: clock.next() });

/** Every file under `dir` with its size and mtime, so a test can tell that nothing was touched. */
async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const lines: string[] = [];
  for (const e of entries) {
    const path = join(e.parentPath, e.name);
    const s = await stat(path);
    lines.push(`${path.slice(dir.length)} ${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`);
  }
  return lines.sort();
}

test("a run leaves alone what it did not write in releases/: a user's folder, a file, and a .tmp- folder without zhengce's marker", async () => {
  const ws = await makeWorkspace({ posts: [FIRST] });
  await run(ws).then((r) => assert.equal(r.code, 0, r.stderr));
  const releases = join(ws.out, 'releases');
  await mkdir(join(releases, 'v1.0'));
  await writeFile(join(releases, 'v1.0', 'NOTES.txt'), 'notes of the user\n');
  await writeFile(join(releases, 'CHANGES.md'), '# my changes\n');
  await mkdir(join(releases, '.tmp-mine'));
  await writeFile(join(releases, '.tmp-mine', 'keep.txt'), 'keep\n');
  await copyFile(SECOND, join(ws.postsDir, 'govcn-2019-02-13-content_5365341.html'));

  const second = await run(ws);
  assert.equal(second.code, 0, second.stderr + second.stdout);
  assert.equal(await readFile(join(releases, 'v1.0', 'NOTES.txt'), 'utf8'), 'notes of the user\n');
  assert.equal(await readFile(join(releases, 'CHANGES.md'), 'utf8'), '# my changes\n');
  assert.equal(await readFile(join(releases, '.tmp-mine', 'keep.txt'), 'utf8'), 'keep\n');
  const published = (await readdir(releases)).filter((n) => /^\d{4}-/.test(n));
  assert.equal(published.length, 2, `two releases: ${published}`);
  assert.equal(await readlink(join(ws.out, 'latest')), join('releases', published.sort()[1]));
  const inRelease = await readdir(join(releases, published[1]));
  assert.ok(!inRelease.some((n) => n.startsWith('.zhengce')), `the staging marker is gone from the placed release: ${inRelease}`);
});

test('with store.duckdb moved away, the next run refuses by name, exits 1 and touches no release', async () => {
  const ws = await makeWorkspace({ posts: [FIRST] });
  await run(ws).then((r) => assert.equal(r.code, 0, r.stderr));
  await copyFile(SECOND, join(ws.postsDir, 'govcn-2019-02-13-content_5365341.html'));
  await run(ws).then((r) => assert.equal(r.code, 0, r.stderr));
  const published = (await readdir(join(ws.out, 'releases'))).sort();
  assert.equal(published.length, 2);
  await rename(join(ws.out, 'store.duckdb'), join(ws.cwd, 'store.backup.duckdb'));
  const before = await snapshot(join(ws.out, 'releases'));
  const latestBefore = await readlink(join(ws.out, 'latest'));

  const refused = await runCli(['run', ws.file], ws.cwd);
  assert.equal(refused.code, 1, refused.stderr + refused.stdout);
  for (const id of published) assert.match(refused.stderr, new RegExp(id), `the message names ${id}`);
  assert.match(refused.stderr, /has no record of/);
  assert.match(refused.stderr, /Restore the store\.duckdb that published them, or move those folders out of releases\//);
  assert.deepEqual(await snapshot(join(ws.out, 'releases')), before, 'every release is as it was');
  assert.equal(await readlink(join(ws.out, 'latest')), latestBefore, 'latest is as it was');
});

test('a store restored from an older backup refuses to run over the newer releases it does not know', async () => {
  const ws = await makeWorkspace({ posts: [FIRST] });
  await run(ws).then((r) => assert.equal(r.code, 0, r.stderr));
  const backup = join(ws.cwd, 'store.backup.duckdb');
  await copyFile(join(ws.out, 'store.duckdb'), backup);
  await copyFile(SECOND, join(ws.postsDir, 'govcn-2019-02-13-content_5365341.html'));
  await run(ws).then((r) => assert.equal(r.code, 0, r.stderr));
  const [, newer] = (await readdir(join(ws.out, 'releases'))).sort();
  await copyFile(backup, join(ws.out, 'store.duckdb'));
  const before = await snapshot(join(ws.out, 'releases'));

  const refused = await run(ws);
  assert.equal(refused.code, 1, refused.stderr + refused.stdout);
  assert.match(refused.stderr, new RegExp(`record of: ${newer}\\.`), 'the message names only the release the store does not know');
  assert.deepEqual(await snapshot(join(ws.out, 'releases')), before);
});
