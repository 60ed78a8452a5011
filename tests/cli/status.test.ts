import assert from 'node:assert/strict';
import { copyFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeWorkspace, ROOT, runCli } from '../helpers/cli.ts';

interface Status {
  pipeline: string;
  last_run: { status: string; run_id: string; fetched: number; rejected: number; failures: { source_id: string; stage: string; reason: string }[] } | null;
  last_release: string | null;
  running: unknown;
  schedule: string | null;
  next_run: string | null;
}

async function statusJson(file: string, cwd: string): Promise<Status> {
  const r = await runCli(['status', '--json', file], cwd);
  assert.equal(r.code, 0, r.stderr);
  const { pipelines } = JSON.parse(r.stdout) as { pipelines: Status[] };
  assert.equal(pipelines.length, 1);
  return pipelines[0];
}

test('status before any run, then after an ok run: last run, last release, next scheduled time', async () => {
  const ws = await makeWorkspace({ id: 'watched', extra: 'schedule: "0 3 * * *"\n' });
  const before = await statusJson(ws.file, ws.cwd);
  assert.equal(before.last_run, null);
  assert.equal(before.last_release, null);
  // 03:00 in Asia/Shanghai (the default time zone) is 19:00 UTC.
  assert.match(String(before.next_run), /T19:00:00\.000Z$/);
  assert.ok(new Date(before.next_run!).getTime() > Date.now());

  assert.equal((await runCli(['run', ws.file], ws.cwd)).code, 0);
  const after = await statusJson(ws.file, ws.cwd);
  assert.equal(after.pipeline, 'watched');
  assert.equal(after.last_run!.status, 'ok');
  assert.equal(after.last_run!.fetched, 35);
  assert.deepEqual(after.last_run!.failures, []);
  assert.equal(join('releases', after.last_release!), await readlink(join(ws.out, 'latest')));
  assert.equal(after.running, null);
  assert.equal(after.schedule, '0 3 * * *');

  const text = await runCli(['status', ws.file], ws.cwd);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /last run\s+ok at /);
  assert.match(text.stdout, new RegExp(`last release\\s+${after.last_release}`));
  assert.match(text.stdout, /next run\s+\d{4}-\d{2}-\d{2}T19:00:00\.000Z/);
});

test('status after a partial run names the failed posts', async () => {
  const ws = await makeWorkspace({ id: 'partly' });
  await copyFile(join(ROOT, 'tests', 'fixtures', 'bad', 'empty.md'), join(ws.postsDir, 'empty.md'));
  const run = await runCli(['run', ws.file], ws.cwd);
  assert.equal(run.code, 2, run.stderr);
  const s = await statusJson(ws.file, ws.cwd);
  assert.equal(s.last_run!.status, 'partial');
  assert.equal(s.last_run!.rejected, 1);
  assert.deepEqual(s.last_run!.failures.map((f) => f.source_id), ['empty']);
  assert.ok(s.last_release, 'a release stands');
  assert.equal(s.next_run, null, 'no schedule key');

  const text = await runCli(['status', ws.file], ws.cwd);
  assert.match(text.stdout, /last run\s+partial/);
  assert.match(text.stdout, /failures\s+1\n\s+empty \(\w+\): /);
  assert.match(text.stdout, /next run\s+not scheduled/);
});
