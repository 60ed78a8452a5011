import assert from 'node:assert/strict';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { logLines, makeWorkspace, runCli } from '../helpers/cli.ts';
import { exists, exitWithin, startCli, waitFor } from '../schedule/process.ts';

test('one run per pipeline: a second run exits 75 naming the holder; a killed holder\'s lock is taken over', async () => {
  const ws = await makeWorkspace({ id: 'locked' });
  const holder = startCli(['run', ws.file], ws.cwd, { ZHENGCE_TEST_PAUSE: 'staged' });
  await waitFor('the run to pause', () => exists(join(ws.out, 'paused-staged')), 15_000, holder);

  const lock = JSON.parse(await readFile(join(ws.out, 'run.lock'), 'utf8'));
  assert.deepEqual([lock.pid, lock.host], [holder.child.pid, hostname()]);
  assert.match(lock.started_at, /^\d{4}-\d{2}-\d{2}T/);

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
  assert.equal(s.last_run.status, 'skipped');
  assert.equal(s.running.pid, holder.child.pid);

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
