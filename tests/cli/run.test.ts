import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { worseExit } from '../../src/cli/run.ts';
import { makeWorkspace, ROOT, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';

const POSTS = ['2021-12-08-202112082206672930.md', '2021-12-08-202112082206885192.md'].map((f) => join(SAMPLE_POSTS, f));
const EMPTY = join(ROOT, 'tests', 'fixtures', 'bad', 'empty.md');

/** Adds pipeline `<id>.yaml` to the workspace, reading its own posts folder holding `posts`. */
async function addPipeline(cwd: string, id: string, posts: string[]): Promise<string> {
  const dir = join(cwd, `posts-${id}`);
  await mkdir(dir, { recursive: true });
  for (const p of posts) await cp(p, join(dir, p.split('/').pop()!));
  const file = join(cwd, `${id}.yaml`);
  await writeFile(file, `id: ${id}\nsource:\n  type: dir\n  path: posts-${id}\npublish:\n  formats: [csv]\n`);
  return file;
}

/** A lock held by this (live) test process: a run of the pipeline is refused with exit 75. */
async function holdLock(cwd: string, id: string): Promise<void> {
  await mkdir(join(cwd, 'output', id), { recursive: true });
  await writeFile(join(cwd, 'output', id, 'run.lock'), `${JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString() })}\n`);
}

const released = async (cwd: string, id: string): Promise<string | null> =>
  readFile(join(cwd, 'output', id, 'latest.json'), 'utf8').then(
    (t) => (JSON.parse(t) as { release_id: string }).release_id,
    () => null,
  );

test('exit precedence of several pipelines: failed 1 > busy 75 > partial 2 > ok 0', () => {
  assert.equal(worseExit(0, 2), 2);
  assert.equal(worseExit(2, 0), 2);
  assert.equal(worseExit(2, 75), 75);
  assert.equal(worseExit(75, 2), 75);
  assert.equal(worseExit(75, 1), 1);
  assert.equal(worseExit(1, 75), 1);
  assert.equal(worseExit(0, 0), 0);
});

test('run with a bad pipeline name or invalid YAML among good ones runs nothing and names each problem', async () => {
  const ws = await makeWorkspace({ id: 'good', posts: POSTS });
  await writeFile(join(ws.cwd, 'broken.yaml'), 'id: broken\nsource: [unclosed\n');
  const r = await runCli(['run', ws.file, 'no-such-pipeline', 'broken.yaml'], ws.cwd);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no pipelines\/no-such-pipeline\.yaml/);
  assert.match(r.stderr, /invalid pipeline .*broken\.yaml: not valid YAML/);
  assert.match(r.stderr, /nothing was run/);
  assert.equal(await released(ws.cwd, 'good'), null, 'the valid pipeline named first did not run');
});

test('run goes on after a failed pipeline and exits with the most severe code', async () => {
  const ws = await makeWorkspace({ id: 'good', posts: POSTS });
  const failing = await addPipeline(ws.cwd, 'failing', [EMPTY]);
  const partial = await addPipeline(ws.cwd, 'partial', [...POSTS, EMPTY]);
  const busy = await addPipeline(ws.cwd, 'busy', POSTS);
  await holdLock(ws.cwd, 'busy');

  // failed first, then ok: the failure does not stop the next pipeline, and wins.
  const r1 = await runCli(['run', failing, ws.file], ws.cwd);
  assert.equal(r1.code, 1, r1.stderr);
  assert.match(r1.stderr, /pipeline failing: nothing could be published/);
  assert.ok(await released(ws.cwd, 'good'), 'the pipeline after the failed one ran and published');

  // busy first, then partial: the partial one still publishes; 75 outranks 2.
  const r2 = await runCli(['run', busy, partial], ws.cwd);
  assert.equal(r2.code, 75, r2.stderr);
  assert.match(r2.stderr, /another run holds .*busy.*run\.lock/);
  assert.ok(await released(ws.cwd, 'partial'), 'the pipeline after the refused one ran and published');

  // partial, busy and failed together: 1 outranks 75 and 2; each refusal and failure is on stderr.
  const r3 = await runCli(['run', partial, failing, busy], ws.cwd);
  assert.equal(r3.code, 1, r3.stderr);
  assert.match(r3.stderr, /pipeline failing: nothing could be published/);
  assert.match(r3.stderr, /another run holds .*busy/);

  // ok (no change since its last run), then partial: 2.
  const r4 = await runCli(['run', ws.file, partial], ws.cwd);
  assert.equal(r4.code, 2, r4.stderr);
});
