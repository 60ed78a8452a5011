import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireLock, schedulerLockFile } from '../../src/pipeline/lock.ts';
import { FEW_POSTS, logLines, makeWorkspace, ROOT, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';

interface Run {
  status: string;
  run_id: string;
  fetched: number;
  rejected: number;
  error: string | null;
  failures: { source_id: string; stage: string; reason: string }[];
}

interface Status {
  pipeline: string;
  last_run: Run | null;
  last_skipped: Run | null;
  last_release: string | null;
  running: unknown;
  schedule: string | null;
  scheduler: { pid: number } | null;
  next_run: string | null;
}

async function statusJson(file: string, cwd: string): Promise<Status> {
  const r = await runCli(['status', '--json', file], cwd);
  assert.equal(r.code, 0, r.stderr);
  const { pipelines } = JSON.parse(r.stdout) as { pipelines: Status[] };
  assert.equal(pipelines.length, 1);
  return pipelines[0];
}

test('status before any run, then after an ok run: last run, last release, and a next run only while a scheduler lives', async () => {
  const ws = await makeWorkspace({ id: 'watched', extra: 'schedule: "0 3 * * *"\n' });
  const before = await statusJson(ws.file, ws.cwd);
  assert.equal(before.last_run, null);
  assert.equal(before.last_release, null);
  assert.equal(before.next_run, null, 'no zhengce schedule runs: the schedule fires nothing');
  assert.match((await runCli(['status', ws.file], ws.cwd)).stdout, /next run\s+none: no zhengce schedule is running for it \("0 3 \* \* \*", Asia\/Shanghai\)/);

  // This test process stands for a live scheduler: it holds the pipeline's schedule.lock as `zhengce schedule` does.
  await mkdir(ws.out, { recursive: true });
  const scheduler = await acquireLock(schedulerLockFile(ws.out), new Date());
  const scheduled = await statusJson(ws.file, ws.cwd);
  // 03:00 in Asia/Shanghai (the default time zone) is 19:00 UTC.
  assert.match(String(scheduled.next_run), /T19:00:00\.000Z$/);
  assert.ok(new Date(scheduled.next_run!).getTime() > Date.now());
  assert.equal(scheduled.scheduler?.pid, process.pid);
  await scheduler.release();

  // The runs this file makes for status to read run in process (tests/helpers/run.ts); status itself is the real command.
  assert.equal((await runInProcess(ws.file, ws.cwd)).code, 0);
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
  assert.match(text.stdout, /next run\s+none: no zhengce schedule is running/);

  // A scheduler that died leaves its record: judged as a lock is, it schedules nothing.
  const dead = spawnSync(process.execPath, ['-e', '0']);
  await writeFile(schedulerLockFile(ws.out), JSON.stringify({ pid: dead.pid, host: hostname(), started_at: new Date().toISOString() }));
  assert.equal((await statusJson(ws.file, ws.cwd)).next_run, null);
});

test('status after a partial run names the failed posts', async () => {
  const ws = await makeWorkspace({ id: 'partly', posts: FEW_POSTS });
  await copyFile(join(ROOT, 'tests', 'fixtures', 'bad', 'empty.md'), join(ws.postsDir, 'empty.md'));
  const run = await runInProcess(ws.file, ws.cwd);
  assert.equal(run.code, 2, run.stderr);
  const s = await statusJson(ws.file, ws.cwd);
  assert.equal(s.last_run!.status, 'partial');
  assert.equal(s.last_run!.rejected, 1);
  assert.deepEqual(
    s.last_run!.failures.map((f) => f.source_id),
    ['empty'],
  );
  assert.ok(s.last_release, 'a release stands');
  assert.equal(s.next_run, null, 'no schedule key');

  const text = await runCli(['status', ws.file], ws.cwd);
  assert.match(text.stdout, /last run\s+partial/);
  assert.match(text.stdout, /failures\s+1\n\s+empty \(\w+\): /);
  assert.match(text.stdout, /next run\s+not scheduled/);
});

test('a run refused for the lock is kept apart: last_run keeps the real run and its failures', async () => {
  const ws = await makeWorkspace({ id: 'kept', posts: FEW_POSTS });
  await copyFile(join(ROOT, 'tests', 'fixtures', 'bad', 'empty.md'), join(ws.postsDir, 'empty.md'));
  assert.equal((await runInProcess(ws.file, ws.cwd)).code, 2);
  const real = (await statusJson(ws.file, ws.cwd)).last_run!;
  assert.equal(real.status, 'partial');

  // A lock naming this test process, which is alive: the next run (the real command: to a run in this process, that pid would be its own) is refused.
  const lock = join(ws.out, 'run.lock');
  await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString() }));
  const refused = await runCli(['run', ws.file], ws.cwd);
  assert.equal(refused.code, 75, refused.stderr);

  const s = await statusJson(ws.file, ws.cwd);
  assert.deepEqual(s.last_run, real, 'the real run and its failures stand');
  assert.equal(s.last_skipped!.status, 'skipped');
  assert.notEqual(s.last_skipped!.run_id, real.run_id);
  assert.match(String(s.last_skipped!.error), new RegExp(`another run holds .*pid ${process.pid} on `));
  const file = JSON.parse(await readFile(join(ws.out, 'status.json'), 'utf8'));
  assert.deepEqual([file.last_run.run_id, file.last_skipped.run_id], [real.run_id, s.last_skipped!.run_id], 'status.json itself keeps both');

  const text = await runCli(['status', ws.file], ws.cwd);
  assert.match(text.stdout, /last run\s+partial/);
  assert.match(text.stdout, /failures\s+1\n\s+empty \(\w+\): /);
  assert.match(text.stdout, new RegExp(`last skipped\\s+at \\S+: another run holds .*pid ${process.pid} on `));

  // The next real run replaces last_run and leaves the record of the refusal.
  await rm(lock);
  assert.equal((await runInProcess(ws.file, ws.cwd)).code, 2);
  const after = await statusJson(ws.file, ws.cwd);
  assert.notEqual(after.last_run!.run_id, real.run_id);
  assert.equal(after.last_skipped!.run_id, s.last_skipped!.run_id);
});

test('control characters in post file names reach neither the log nor status raw', async () => {
  const ws = await makeWorkspace({ id: 'escapes', posts: [] });
  await mkdir(ws.postsDir);
  // ESC [31m (colour), the one-byte C1 CSI U+009B and an OSC title sequence ending in BEL.
  const rejected = 'bad\x1b[31mred\u009b2J';
  const kept = '\x1b]0;owned\x07post';
  await copyFile(join(ROOT, 'tests', 'fixtures', 'bad', 'empty.md'), join(ws.postsDir, `${rejected}.md`));
  await copyFile(join(SAMPLE_POSTS, '2021-12-08-202112082206672930.md'), join(ws.postsDir, `${kept}.md`));
  const raw = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

  const pretty = await runCli(['run', '--log-format', 'pretty', ws.file], ws.cwd);
  assert.equal(pretty.code, 2, pretty.stderr);
  assert.doesNotMatch(pretty.stdout, raw);
  assert.match(pretty.stdout, /rejected bad\\x1b\[31mred\\x9b2J: the file is empty/, 'the post is named recognisably');
  assert.match(pretty.stdout, /2 fetched, 0 unchanged, 1 rejected/, 'the post under an ESC name is read like any other');

  const json = await runInProcess(ws.file, ws.cwd);
  assert.equal(json.code, 2, json.stderr);
  assert.doesNotMatch(json.stdout, raw, 'JSON log lines escape C1 too');

  const text = await runCli(['status', ws.file], ws.cwd);
  assert.doesNotMatch(text.stdout, raw);
  assert.match(text.stdout, /failures\s+1\n\s+bad\\x1b\[31mred\\x9b2J \(parse\): /);
  const statusJsonText = await runCli(['status', '--json', ws.file], ws.cwd);
  assert.doesNotMatch(statusJsonText.stdout, raw);
  const s = JSON.parse(statusJsonText.stdout).pipelines[0] as Status;
  assert.deepEqual(
    s.last_run!.failures.map((f) => f.source_id),
    [rejected],
    'JSON keeps the name itself',
  );
  assert.ok(
    logLines(json.stdout).some((l) => l.source_id === rejected),
    'and so do JSON log lines',
  );
});

test('an output folder shared by mistake: the second pipeline is refused at load with the first, at run time alone, and status shows whose folder it is', async () => {
  const ws = await makeWorkspace({ id: 'first', posts: FEW_POSTS });
  assert.equal((await runInProcess(ws.file, ws.cwd)).code, 0);
  const other = join(ws.cwd, 'second.yaml');
  await writeFile(other, `id: second\nsource: {type: dir, path: posts}\npublish: {dir: output/first}\n`);
  const statusBefore = await readFile(join(ws.out, 'status.json'), 'utf8');

  const together = await runCli(['run', ws.file, other], ws.cwd);
  assert.equal(together.code, 1);
  assert.match(together.stderr, /\(first\) and .*second\.yaml \(second\) both publish into .*output\/first: an output folder belongs to one pipeline[^]*nothing was run/);

  const alone = await runInProcess(other, ws.cwd);
  assert.equal(alone.code, 1, alone.stderr);
  assert.match(
    alone.stderr,
    /output\/first belongs to pipeline "first" \(source: dir .*\/posts\), as its store\.duckdb records; pipeline "second" of .*second\.yaml .* was refused and nothing was changed/,
  );
  assert.equal(await readFile(join(ws.out, 'status.json'), 'utf8'), statusBefore, 'status.json untouched');

  const s = await statusJson(other, ws.cwd);
  assert.equal(s.last_run, null, "the first pipeline's run is not shown as the second's");
  assert.equal((s as Status & { output_owner: string }).output_owner, 'first');
  assert.match((await runCli(['status', other], ws.cwd)).stdout, /output\s+.*output\/first holds the runs of pipeline first, not of second: runs of second there are refused/);

  // Handed over on purpose, the folder is the second's: its run is recorded, and the first's is refused in turn.
  const adopted = await runCli(['run', '--adopt', other], ws.cwd); // the real command: its --adopt flag
  assert.equal(adopted.code, 0, adopted.stderr);
  assert.equal((await statusJson(other, ws.cwd)).last_run!.status, 'ok');
  assert.equal((await runInProcess(ws.file, ws.cwd)).code, 1);
});
