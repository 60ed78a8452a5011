import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { logLines, makeWorkspace, runCli } from '../helpers/cli.ts';
import { exists, exitWithin, startCli, waitFor } from '../schedule/process.ts';

const BOOT_ID = '/proc/sys/kernel/random/boot_id';

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), counted after the name's closing ')'. */
async function startTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

test('one run per pipeline: a second run exits 75 naming the holder; a killed holder\'s lock is taken over', async () => {
  const ws = await makeWorkspace({ id: 'locked' });
  const holder = startCli(['run', ws.file], ws.cwd, { ZHENGCE_TEST_PAUSE: 'staged' });
  await waitFor('the run to pause', () => exists(join(ws.out, 'paused-staged')), 15_000, holder);

  const lock = JSON.parse(await readFile(join(ws.out, 'run.lock'), 'utf8'));
  assert.deepEqual([lock.pid, lock.host], [holder.child.pid, hostname()]);
  assert.match(lock.started_at, /^\d{4}-\d{2}-\d{2}T/);
  if (await exists(BOOT_ID)) {
    assert.equal(lock.boot_id, (await readFile(BOOT_ID, 'utf8')).trim());
    assert.equal(lock.pid_start_ticks, await startTicks(holder.child.pid!));
  }

  const second = await runCli(['run', ws.file], ws.cwd);
  assert.equal(second.code, 75, second.stderr);
  assert.match(second.stderr, new RegExp(`pid ${holder.child.pid} on ${hostname()} since`));
  const refused = logLines(second.stdout).find((l) => l.status === 'skipped');
  assert.ok(refused, second.stdout);
  assert.equal((refused.holder as { pid: number }).pid, holder.child.pid);
  // The refusal is kept in status.json only (the store belongs to the holder), and status reads it while the lock is held.
  const status = await runCli(['status', '--json', ws.file], ws.cwd);
  assert.equal(status.code, 0, status.stderr);
  const [s] = JSON.parse(status.stdout).pipelines;
  assert.equal(s.last_skipped.status, 'skipped');
  assert.equal(s.last_run, null, 'a refused run is no last run');
  assert.equal(s.running.pid, holder.child.pid);
  assert.equal(s.stale_lock, null);

  holder.child.kill('SIGKILL');
  await exitWithin(holder, 10_000);
  assert.ok(await exists(join(ws.out, 'run.lock')), 'a killed run leaves its lock');

  const next = await runCli(['run', ws.file], ws.cwd);
  assert.equal(next.code, 0, next.stderr);
  const takeover = logLines(next.stdout).find((l) => l.stage === 'lock' && /took over a stale lock/.test(String(l.msg)));
  assert.ok(takeover, next.stdout);
  assert.equal((takeover.stale_holder as { pid: number }).pid, holder.child.pid);
  assert.equal(await exists(join(ws.out, 'run.lock')), false, 'the lock is released after the run');
  assert.equal(JSON.parse(await readFile(join(ws.out, 'status.json'), 'utf8')).last_run.status, 'ok');
});

test('a second signal exits at once; the next run takes over the lock and completes the release', async () => {
  const ws = await makeWorkspace({ id: 'twice', extra: 'schedule: "* * * * * *"\n' });
  const proc = startCli(['schedule', ws.file], ws.cwd, { ZHENGCE_TEST_PAUSE: 'written' });
  await waitFor('the run to pause', () => exists(join(ws.out, 'paused-written')), 15_000, proc);
  // Two different signals sent together are both delivered: whichever comes second must end the process at once.
  proc.child.kill('SIGTERM');
  proc.child.kill('SIGINT');
  const { code } = await exitWithin(proc, 10_000);
  assert.ok(code === 130 || code === 143, `exit ${code}\n${proc.stdout()}\n${proc.stderr()}`);

  const next = await runCli(['run', ws.file], ws.cwd);
  assert.equal(next.code, 0, next.stderr + next.stdout);
  assert.ok(logLines(next.stdout).some((l) => l.stage === 'lock' && /took over a stale lock/.test(String(l.msg))), next.stdout);
  const folders = await readdir(join(ws.out, 'releases'));
  assert.deepEqual(folders.filter((n) => n.startsWith('.')), [], 'no staging folder left');
  const latest = (await readlink(join(ws.out, 'latest'))).replace(/^releases\//, '');
  assert.ok(folders.includes(latest));
  assert.ok((await readdir(join(ws.out, 'releases', latest))).includes('datapackage.json'));
});

test('a lock whose pid now names another live process (another start time or boot) is taken over; its live holder\'s is not', async (t) => {
  if (!(await exists(BOOT_ID))) {
    t.skip('no /proc: locks are judged by pid alone');
    return;
  }
  const ws = await makeWorkspace({ id: 'reused' });
  await mkdir(ws.out, { recursive: true });
  const bootId = (await readFile(BOOT_ID, 'utf8')).trim();
  // This test process stands for the live process that now has the pid: it runs, under a start time and boot id of its own.
  const live = { pid: process.pid, host: hostname(), started_at: '2020-01-01T00:00:00.000Z', boot_id: bootId, pid_start_ticks: await startTicks(process.pid) };
  const lockPath = join(ws.out, 'run.lock');
  const writeLock = (holder: object): Promise<void> => writeFile(lockPath, `${JSON.stringify(holder)}\n`);
  const status = async (): Promise<{ json: Record<string, unknown>; text: string }> => {
    const [json, text] = await Promise.all([runCli(['status', '--json', ws.file], ws.cwd), runCli(['status', ws.file], ws.cwd)]);
    assert.equal(json.code, 0, json.stderr);
    return { json: JSON.parse(json.stdout).pipelines[0], text: text.stdout };
  };

  await writeLock(live);
  const refused = await runCli(['run', ws.file], ws.cwd);
  assert.equal(refused.code, 75, `the real holder keeps its lock\n${refused.stderr}`);
  assert.match(refused.stderr, new RegExp(`pid ${process.pid} on `));
  assert.equal(((await status()).json.running as { pid: number }).pid, process.pid);

  const cases = [
    { name: 'another start time', holder: { ...live, pid_start_ticks: live.pid_start_ticks + 1 }, because: /now belongs to another process \(another start time\)/ },
    { name: 'another boot', holder: { ...live, boot_id: '00000000-0000-4000-8000-000000000000' }, because: /booted since/ },
  ];
  for (const c of cases) {
    await writeLock(c.holder);
    const s = await status();
    assert.equal(s.json.running, null, `${c.name}: no run is going`);
    assert.match(String((s.json.stale_lock as { because: string }).because), c.because, c.name);
    assert.doesNotMatch(s.text, /running now/, c.name);
    assert.match(s.text, new RegExp(`stale lock\\s+pid ${process.pid} .*the next run takes it over`), c.name);

    const run = await runCli(['run', ws.file], ws.cwd);
    assert.equal(run.code, 0, `${c.name}\n${run.stderr}`);
    const takeover = logLines(run.stdout).find((l) => l.stage === 'lock' && /took over a stale lock/.test(String(l.msg)));
    assert.ok(takeover, `${c.name}: a log line names the takeover\n${run.stdout}`);
    assert.equal(takeover.level, 40, 'logged as a warning');
    assert.match(String(takeover.because), c.because);
    assert.deepEqual(takeover.stale_holder, c.holder);
    assert.equal(await exists(lockPath), false, `${c.name}: the lock is released after the run`);
  }

  // A lock written before start times were kept names only the pid: while that pid runs, the lock stands.
  const { boot_id: _boot, pid_start_ticks: _ticks, ...pidOnly } = live;
  await writeLock(pidOnly);
  assert.equal((await runCli(['run', ws.file], ws.cwd)).code, 75);
  await rm(lockPath);
});
