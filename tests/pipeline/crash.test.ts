import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test, type TestContext } from 'node:test';
import { makeWorkspace, SAMPLE_POSTS as POSTS } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';
import { runInProcess } from '../helpers/run.ts';
import { validate } from '../helpers/validate.ts';
import { exists, startCli, waitFor } from '../schedule/process.ts';

/**
 * The run's checkpoints, in order: rows staged, store updated (uncommitted), parts written and linked aside, store
 * committed, folder renamed into place, the first history/ partition written (latest already moved).
 */
const STAGES = ['staged', 'applied', 'written', 'committed', 'renamed', 'history'];

/** Starts a run that holds at `stage`, waits until it is there, and kills it with SIGKILL. */
async function killAt(t: TestContext, stage: string, cwd: string, file: string, out: string): Promise<void> {
  const run = startCli(t, ['run', file], cwd, { ZHENGCE_TEST_PAUSE: stage });
  // The later stages come after a whole release is written: on a loaded 2-core machine that takes a while.
  await waitFor(`the run to pause at "${stage}"`, () => exists(join(out, `paused-${stage}`)), 45_000, run);
  run.child.kill('SIGKILL');
  await run.exited;
}

async function releaseFolders(out: string): Promise<string[]> {
  return (await readdir(join(out, 'releases'))).sort();
}

async function docCount(dir: string): Promise<number> {
  const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${dir}/documents/*.parquet'`);
  return Number(n);
}

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
/** The workspace as the first release left it, copied into place before each stage. */
let firstRelease: string;

before(async () => {
  ws = await makeWorkspace({ posts: [join(POSTS, '2022-01-06-202201062238656632.md'), join(POSTS, 'govcn-2019-01-21-content_5359620.html')] });
  const first = await runInProcess(ws.file, ws.cwd);
  assert.equal(first.code, 0, first.stderr);
  firstRelease = join(await mkdtemp(join(tmpdir(), 'zhengce-crash-')), 'first-release');
  execFileSync('cp', ['-a', ws.cwd, firstRelease]);
});

for (const stage of STAGES) {
  test(`SIGKILL at "${stage}" leaves the last release and latest intact, and the next run completes`, async (t) => {
    // Each stage starts from the first release, in the same folder: the store records its source by absolute path.
    await rm(ws.cwd, { recursive: true, force: true });
    execFileSync('cp', ['-a', firstRelease, ws.cwd]);
    const [r1] = await releaseFolders(ws.out);
    await copyFile(join(POSTS, 'govcn-2019-02-13-content_5365341.html'), join(ws.postsDir, 'govcn-2019-02-13-content_5365341.html'));

    await killAt(t, stage, ws.cwd, ws.file, ws.out);
    // Whatever the moment, latest still shows a complete, valid release.
    const shown = join(ws.out, await readlink(join(ws.out, 'latest')));
    assert.deepEqual((await validate(shown)).problems, []);
    if (stage !== 'renamed' && stage !== 'history') assert.equal(shown, join(ws.out, 'releases', r1));
    else {
      // The new folder is in place and the store committed, only latest may not have moved yet: it shows r1 or the new release.
      const fresh = (await releaseFolders(ws.out)).filter((f) => f !== r1 && !f.startsWith('.'));
      assert.equal(fresh.length, 1, `one new release folder: ${fresh}`);
      assert.ok([r1, fresh[0]].map((f) => join(ws.out, 'releases', f)).includes(shown), `latest shows ${shown}`);
    }
    assert.equal(await docCount(join(ws.out, 'releases', r1)), 2);

    const next = await runInProcess(ws.file, ws.cwd);
    assert.equal(next.code, 0, next.stderr + next.stdout);
    const folders = await releaseFolders(ws.out);
    assert.ok(
      folders.every((f) => !f.startsWith('.')),
      `no staging folder is left: ${folders}`,
    );
    assert.equal(folders.length, 2, `one new release, no orphan: ${folders}`);
    const latest = join(ws.out, await readlink(join(ws.out, 'latest')));
    assert.equal(latest, join(ws.out, 'releases', folders[1]));
    assert.equal(await docCount(latest), 3);
    assert.deepEqual((await validate(latest)).problems, []);
    const releases = await query<{ release_id: string }>(`SELECT release_id FROM '${latest}/releases/*.parquet' ORDER BY 1`);
    assert.deepEqual(
      releases.map((r) => r.release_id),
      folders,
    );
    const history = JSON.parse(await readFile(join(ws.out, 'latest.json'), 'utf8'));
    assert.equal(history.release_id, folders[1]);
    const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM read_parquet('${ws.out}/history/documents/release_id=*/data.parquet', hive_partitioning = true) WHERE _op = 'insert'`);
    assert.equal(Number(n), 3, 'history/ is in step with the newest release');
    for (const table of (await readdir(join(ws.out, 'history'), { withFileTypes: true })).filter((e) => e.isDirectory())) {
      const partitions = (await readdir(join(ws.out, 'history', table.name))).sort();
      assert.deepEqual(
        partitions,
        folders.map((f) => `release_id=${f}`),
        `history/${table.name}: one whole partition per release, nothing left aside`,
      );
    }
  });
}
