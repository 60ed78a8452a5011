import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, copyFile, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeWorkspace, ROOT, runCli } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';

const POSTS = join(ROOT, 'pipelines', 'sample', 'posts');
const BIN = join(ROOT, 'bin', 'zhengce.js');
/** The run's checkpoints, in order: rows staged, store updated (uncommitted), files written aside, folder renamed, store committed. */
const STAGES = ['staged', 'applied', 'written', 'renamed', 'committed'];

/** Starts a run that holds at `stage`, waits until it is there, and kills it with SIGKILL. */
async function killAt(stage: string, cwd: string, file: string, out: string): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'run', file], { cwd, env: { ...process.env, ZHENGCE_TEST_PAUSE: stage }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 300; i++) {
    if (await access(join(out, `paused-${stage}`)).then(() => true, () => false)) break;
    await sleep(50);
  }
  await access(join(out, `paused-${stage}`));
  child.kill('SIGKILL');
  await exited;
}

async function releaseFolders(out: string): Promise<string[]> {
  return (await readdir(join(out, 'releases'))).sort();
}

async function docCount(dir: string): Promise<number> {
  const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${dir}/documents.parquet'`);
  return Number(n);
}

for (const stage of STAGES) {
  test(`SIGKILL at "${stage}" leaves the last release and latest intact, and the next run completes`, async () => {
    const ws = await makeWorkspace({ posts: [join(POSTS, '2022-01-06-202201062238656632.md'), join(POSTS, 'govcn-2019-01-21-content_5359620.html')] });
    const first = await runCli(['run', ws.file], ws.cwd);
    assert.equal(first.code, 0, first.stderr);
    const [r1] = await releaseFolders(ws.out);
    await sleep(1100); // a new release id
    await copyFile(join(POSTS, 'govcn-2019-02-13-content_5365341.html'), join(ws.postsDir, 'govcn-2019-02-13-content_5365341.html'));

    await killAt(stage, ws.cwd, ws.file, ws.out);
    // Whatever the moment, latest still shows a complete, valid release.
    const shown = join(ws.out, await readlink(join(ws.out, 'latest')));
    assert.equal((await runCli(['validate', shown], ws.cwd)).code, 0);
    if (stage !== 'committed') assert.equal(shown, join(ws.out, 'releases', r1));
    assert.equal(await docCount(join(ws.out, 'releases', r1)), 2);

    const next = await runCli(['run', ws.file], ws.cwd);
    assert.equal(next.code, 0, next.stderr + next.stdout);
    const folders = await releaseFolders(ws.out);
    assert.ok(folders.every((f) => !f.startsWith('.')), `no staging folder is left: ${folders}`);
    assert.equal(folders.length, 2, `one new release, no orphan: ${folders}`);
    const latest = join(ws.out, await readlink(join(ws.out, 'latest')));
    assert.equal(latest, join(ws.out, 'releases', folders[1]));
    assert.equal(await docCount(latest), 3);
    assert.equal((await runCli(['validate', latest], ws.cwd)).code, 0);
    const releases = await query<{ release_id: string }>(`SELECT release_id FROM '${latest}/releases.parquet' ORDER BY 1`);
    assert.deepEqual(releases.map((r) => r.release_id), folders);
    const history = JSON.parse(await readFile(join(ws.out, 'latest.json'), 'utf8'));
    assert.equal(history.release_id, folders[1]);
    const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${ws.out}/history/documents.parquet' WHERE _valid_to IS NULL`);
    assert.equal(Number(n), 3, 'history/ is in step with the newest release');
  });
}
