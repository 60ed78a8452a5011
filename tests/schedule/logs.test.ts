import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { logLines, makeWorkspace, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';
import { query } from '../helpers/duckdb.ts';

test('every JSON log line of a run names the pipeline, the run and the stage; the last one the counts and duration', async () => {
  const ws = await makeWorkspace({ id: 'logged' });
  const r = await runCli(['run', ws.file], ws.cwd);
  assert.equal(r.code, 0, r.stderr);
  const lines = logLines(r.stdout);
  assert.ok(lines.length >= 2, r.stdout);
  const runId = lines[0].run_id;
  assert.match(String(runId), /^[0-9a-f-]{36}$/);
  for (const l of lines) {
    assert.equal(l.pipeline, 'logged', JSON.stringify(l));
    assert.equal(l.run_id, runId, JSON.stringify(l));
    assert.equal(typeof l.stage, 'string', JSON.stringify(l));
  }
  const done = lines.at(-1)!;
  assert.equal(done.stage, 'done');
  assert.equal(done.status, 'ok');
  assert.equal(done.fetched, 35);
  for (const k of ['unchanged', 'rejected', 'failed', 'duration_ms']) assert.equal(typeof done[k], 'number', k);

  const [row] = await query<Record<string, unknown>>(
    `ATTACH '${join(ws.out, 'store.duckdb')}' AS s (READ_ONLY); SELECT run_id, pipeline, status, fetched, release_id, error, finished_at >= started_at AS ordered FROM s.runs`,
  );
  assert.deepEqual(row, { run_id: runId, pipeline: 'logged', status: 'ok', fetched: 35, release_id: done.release_id, error: null, ordered: true });
});

test('a failed run logs its error with the cause and records it', async () => {
  // One post is enough for a first run to record (in process); the failed run is the real command's.
  const ws = await makeWorkspace({ id: 'broken', posts: [join(SAMPLE_POSTS, '2022-01-06-202201062238656632.md')] });
  assert.equal((await runInProcess(ws.file, ws.cwd)).code, 0);
  await rm(ws.postsDir, { recursive: true });
  const r = await runCli(['run', ws.file], ws.cwd);
  assert.equal(r.code, 1, r.stderr);
  const done = logLines(r.stdout).at(-1)!;
  assert.equal(done.stage, 'done');
  assert.equal(done.status, 'failed');
  assert.equal(done.level, 50);
  const err = done.err as { message: string; stack: string };
  assert.match(err.message, /cannot read the posts folder .*the previous release stands/);
  assert.match(err.stack, /caused by: .*ENOENT/, 'the cause travels with the error');
  const runs = await query<{ status: string; error: string }>(`ATTACH '${join(ws.out, 'store.duckdb')}' AS s (READ_ONLY); SELECT status, error FROM s.runs ORDER BY started_at`);
  assert.deepEqual(
    runs.map((x) => x.status),
    ['ok', 'failed'],
  );
  assert.match(runs[1].error, /cannot read the posts folder .*the previous release stands/);
});
