import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireLock, inspectLock, LockBusyError } from '../../src/pipeline/lock.ts';
import { FEW_POSTS, logLines, makeWorkspace, runCli } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';
import { exists, exitWithin, startCli, waitFor } from '../schedule/process.ts';

const BOOT_ID = '/proc/sys/kernel/random/boot_id';

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), counted after the name's closing ')'. */
async function startTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

test("one run per pipeline: a second run exits 75 naming the holder; a killed holder's lock is taken over", async (t) => {
  const ws = await makeWorkspace({ id: 'locked', posts: FEW_POSTS });
  const holder = startCli(t, ['run', ws.file], ws.cwd, { ZHENGCE_TEST_PAUSE: 'staged' });
  await waitFor('the run to pause', () => exists(join(ws.out, 'paused-staged')), 45_000, holder);

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

  // The run that takes over runs in process: the lock names the killed process, not this one.
  const next = await runInProcess(ws.file, ws.cwd);
  assert.equal(next.code, 0, next.stderr);
  const takeover = logLines(next.stdout).find((l) => l.stage === 'lock' && /took over a stale lock/.test(String(l.msg)));
  assert.ok(takeover, next.stdout);
  assert.equal((takeover.stale_holder as { pid: number }).pid, holder.child.pid);
  assert.equal(await exists(join(ws.out, 'run.lock')), false, 'the lock is released after the run');
  assert.equal(JSON.parse(await readFile(join(ws.out, 'status.json'), 'utf8')).last_run.status, 'ok');
});

test('a second signal exits at once; the next run takes over the lock and completes the release', async (t) => {
  const ws = await makeWorkspace({ id: 'twice', posts: FEW_POSTS, extra: 'schedule: "* * * * * *"\n' });
  const proc = startCli(t, ['schedule', ws.file], ws.cwd, { ZHENGCE_TEST_PAUSE: 'written' });
  await waitFor('the run to pause', () => exists(join(ws.out, 'paused-written')), 45_000, proc);
  // Two different signals sent together are both delivered: whichever comes second must end the process at once.
  proc.child.kill('SIGTERM');
  proc.child.kill('SIGINT');
  const { code } = await exitWithin(proc, 10_000);
  assert.ok(code === 130 || code === 143, `exit ${code}\n${proc.stdout()}\n${proc.stderr()}`);

  const next = await runInProcess(ws.file, ws.cwd);
  assert.equal(next.code, 0, next.stderr + next.stdout);
  assert.ok(
    logLines(next.stdout).some((l) => l.stage === 'lock' && /took over a stale lock/.test(String(l.msg))),
    next.stdout,
  );
  const folders = await readdir(join(ws.out, 'releases'));
  assert.deepEqual(
    folders.filter((n) => n.startsWith('.')),
    [],
    'no staging folder left',
  );
  const latest = (await readlink(join(ws.out, 'latest'))).replace(/^releases\//, '');
  assert.ok(folders.includes(latest));
  assert.ok((await readdir(join(ws.out, 'releases', latest))).includes('datapackage.json'));
});

test("a lock whose pid now names another live process (another start time or boot) is taken over; its live holder's is not", async (t) => {
  if (!(await exists(BOOT_ID))) {
    t.skip('no /proc: locks are judged by pid alone');
    return;
  }
  const ws = await makeWorkspace({ id: 'reused', posts: FEW_POSTS });
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

  // A lock written before start times were kept names only the pid: while that pid runs, and started before the lock was taken, the lock stands.
  const { boot_id: _boot, pid_start_ticks: _ticks, ...pidOnly } = live;
  await writeLock({ ...pidOnly, started_at: new Date().toISOString() });
  assert.equal((await runCli(['run', ws.file], ws.cwd)).code, 75);
  await rm(lockPath);
});

/** A process whose child has exited and is never reaped: the child stays a zombie (state Z) while the parent sleeps. */
async function zombie(): Promise<{ pid: number; parent: ChildProcess }> {
  const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
  const pid = Number(line.toString().trim());
  await waitFor('the child to become a zombie', async () => (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].startsWith('Z'), 10_000);
  return { pid, parent };
}

test('a lock held by a killed process its parent has not reaped yet (a zombie) is stale', async (t) => {
  if (!(await exists(BOOT_ID))) {
    t.skip('no /proc: locks are judged by pid alone');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-lock-'));
  const { pid, parent } = await zombie();
  t.after(() => parent.kill('SIGKILL'));
  const bootId = (await readFile(BOOT_ID, 'utf8')).trim();
  const holder = { pid, host: hostname(), started_at: new Date().toISOString(), boot_id: bootId, pid_start_ticks: await startTicks(pid) };
  await writeFile(join(dir, 'run.lock'), `${JSON.stringify(holder)}\n`);
  process.kill(pid, 0); // the pid still answers a signal check: only its state says it is gone

  assert.match(String((await inspectLock(join(dir, 'run.lock')))?.staleBecause), /has exited \(a zombie its parent has not reaped yet\)/);
  const lock = await acquireLock(join(dir, 'run.lock'), new Date());
  assert.deepEqual(lock.tookOver?.holder, holder);
  await lock.release();
});

test('a lock without boot id or start time (older code) is stale once its pid names a process started after the lock was taken', async (t) => {
  if (!(await exists(BOOT_ID))) {
    t.skip('no /proc: locks are judged by pid alone');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-lock-'));
  const file = join(dir, 'run.lock');
  const before = new Date(Date.now() - 3_600_000).toISOString();
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => sleeper.kill('SIGKILL'));
  await waitFor('the process to start', () => exists(`/proc/${sleeper.pid}/stat`), 5_000);
  const pid = sleeper.pid!;

  // Taken an hour before that process started: another process held it, and is gone.
  await writeFile(file, `${JSON.stringify({ pid, host: hostname(), started_at: before })}\n`);
  assert.match(String((await inspectLock(file))?.staleBecause), new RegExp(`its pid ${pid} now belongs to a process started after the lock was taken`));
  const lock = await acquireLock(file, new Date());
  assert.equal(lock.tookOver?.holder.started_at, before);
  await lock.release();

  // Taken after it started: it may be the holder, and the lock stands.
  const after = new Date(Date.now() + 1000).toISOString();
  await writeFile(file, `${JSON.stringify({ pid, host: hostname(), started_at: after })}\n`);
  assert.equal((await inspectLock(file))?.staleBecause, null);
  await assert.rejects(acquireLock(file, new Date()), LockBusyError);
});
