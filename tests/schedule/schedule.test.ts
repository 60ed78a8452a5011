import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FEW_POSTS, logLines, makeWorkspace, runCli } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';
import { exists, exitWithin, startCli, waitFor } from './process.ts';

const EVERY_SECOND = 'schedule: "* * * * * *"\n';

async function releaseFolders(out: string): Promise<string[]> {
  return (await readdir(join(out, 'releases')).catch(() => [] as string[])).sort();
}

/** No staging folder left, and latest names a release folder holding every file a release has. */
async function assertWholeRelease(out: string): Promise<string> {
  const folders = await releaseFolders(out);
  assert.deepEqual(
    folders.filter((n) => n.startsWith('.')),
    [],
    'no .tmp-* staging folder left',
  );
  const latest = await readlink(join(out, 'latest'));
  const id = latest.replace(/^releases\//, '');
  assert.ok(folders.includes(id), `${latest} among ${folders}`);
  const files = await readdir(join(out, 'releases', id), { recursive: true });
  for (const f of ['datapackage.json', 'CHANGELOG.md', 'views.sql', 'changes/all.parquet', 'csv/changes/all.csv']) assert.ok(files.includes(f), `${f} in ${files}`);
  assert.ok(
    files.some((f) => f.startsWith('csv/documents/')),
    `documents CSV parts in ${files}`,
  );
  assert.equal(JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')).release_id, id);
  return id;
}

test('schedule runs a pipeline on its cron, logs the next run, and exits 0 on SIGTERM with a whole release', async (t) => {
  const ws = await makeWorkspace({ id: 'every-second', posts: FEW_POSTS, extra: EVERY_SECOND });
  const proc = startCli(t, ['schedule', ws.file], ws.cwd);
  await waitFor('a release', () => exists(join(ws.out, 'latest.json')), 45_000, proc);
  // The scheduler records itself while it lives (status shows a next run only then), and a second one is refused.
  assert.equal(JSON.parse(await readFile(join(ws.out, 'schedule.lock'), 'utf8')).pid, proc.child.pid);
  const second = await runCli(['schedule', ws.file], ws.cwd);
  assert.equal(second.code, 75, second.stderr);
  assert.match(second.stderr, new RegExp(`pipeline every-second is already scheduled by pid ${proc.child.pid} on .*schedule\\.lock\\); stop that zhengce schedule first`));
  proc.child.kill('SIGTERM');
  const { code } = await exitWithin(proc, 30_000);
  assert.equal(code, 0, proc.stderr());
  await assertWholeRelease(ws.out);
  assert.equal(await exists(join(ws.out, 'run.lock')), false, 'the lock is released');
  assert.equal(await exists(join(ws.out, 'schedule.lock')), false, 'and so is the record of the scheduler');

  const lines = logLines(proc.stdout());
  const scheduled = lines.find((l) => l.stage === 'schedule' && l.schedule === '* * * * * *');
  assert.ok(scheduled, proc.stdout());
  assert.equal(scheduled.pipeline, 'every-second');
  assert.equal(scheduled.timezone, 'Asia/Shanghai');
  assert.match(String(scheduled.next_run), /^\d{4}-\d{2}-\d{2}T/);
  assert.ok(
    lines.some((l) => l.stage === 'shutdown' && l.signal === 'SIGTERM'),
    proc.stdout(),
  );
});

test('SIGTERM while a run is about to compare stops it before publishing: exit 0, the previous state stands', async (t) => {
  const ws = await makeWorkspace({ id: 'stopped', posts: FEW_POSTS, extra: EVERY_SECOND });
  const proc = startCli(t, ['schedule', ws.file], ws.cwd, { ZHENGCE_TEST_PAUSE: 'staged' });
  await waitFor('the run to pause', () => exists(join(ws.out, 'paused-staged')), 45_000, proc);
  proc.child.kill('SIGTERM');
  const { code } = await exitWithin(proc, 30_000);
  assert.equal(code, 0, proc.stderr());
  assert.deepEqual(await releaseFolders(ws.out), [], 'nothing published, no staging folder');
  const status = JSON.parse(await readFile(join(ws.out, 'status.json'), 'utf8'));
  assert.equal(status.last_run.status, 'stopped');
  assert.match(status.last_run.error, /stopped before comparing/);
  const done = logLines(proc.stdout()).find((l) => l.stage === 'done');
  assert.equal(done?.level, 40, 'a stop is logged as a warning, not as a failure');
  // The next run (in process) completes normally.
  const next = await runInProcess(ws.file, ws.cwd);
  assert.equal(next.code, 0, next.stderr);
  await assertWholeRelease(ws.out);
});

test('SIGTERM while a release is being written lets the publish step finish: exit 0, the release whole', async (t) => {
  const ws = await makeWorkspace({ id: 'finishing', posts: FEW_POSTS, extra: EVERY_SECOND });
  const proc = startCli(t, ['schedule', ws.file], ws.cwd, { ZHENGCE_TEST_PAUSE: 'written' });
  await waitFor('the run to pause', () => exists(join(ws.out, 'paused-written')), 45_000, proc);
  proc.child.kill('SIGTERM');
  const { code } = await exitWithin(proc, 30_000);
  assert.equal(code, 0, proc.stderr());
  const id = await assertWholeRelease(ws.out);
  const status = JSON.parse(await readFile(join(ws.out, 'status.json'), 'utf8'));
  assert.equal(status.last_run.status, 'ok');
  assert.equal(status.last_run.release_id, id);
});

test('a named pipeline without a schedule is an error', async () => {
  const ws = await makeWorkspace({ id: 'unscheduled' });
  const r = await runCli(['schedule', ws.file], ws.cwd);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /pipeline unscheduled .* has no schedule/);
});

test('with no pipeline named, schedule takes every pipelines/*.yaml and skips those without a schedule', async (t) => {
  const ws = await makeWorkspace({ id: 'nightly', extra: 'schedule: "0 3 * * *"\n' });
  await mkdir(join(ws.cwd, 'pipelines'));
  await rename(ws.file, join(ws.cwd, 'pipelines', 'nightly.yaml'));
  await writeFile(join(ws.cwd, 'pipelines', 'manual.yaml'), 'id: manual\nsource:\n  type: dir\n  path: posts\n');
  const proc = startCli(t, ['schedule'], ws.cwd);
  await waitFor('the schedule to start', () => proc.stdout().includes('next run at'), 15_000, proc);
  proc.child.kill('SIGINT');
  const { code } = await exitWithin(proc, 30_000);
  assert.equal(code, 0, proc.stderr());
  const lines = logLines(proc.stdout());
  assert.ok(
    lines.some((l) => l.pipeline === 'manual' && /not scheduled/.test(String(l.msg))),
    proc.stdout(),
  );
  const nightly = lines.find((l) => l.pipeline === 'nightly' && l.stage === 'schedule');
  assert.match(String(nightly?.next_run), /T19:00:00\.000Z$/, '03:00 in Asia/Shanghai');
});
