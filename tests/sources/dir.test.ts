import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger, systemClock } from '../../src/core/effects.ts';
import type { SourceContext, SourceEvent } from '../../src/core/source.ts';
import { dirSource } from '../../src/sources/dir.ts';
import { ROOT } from '../helpers/cli.ts';
import { revisionsOf, runSource } from '../helpers/server.ts';

const PLAN = join(ROOT, 'pipelines', 'sample', 'posts', '2022-01-06-202201062238656632.md');
const NEWS = join(ROOT, 'pipelines', 'sample', 'posts', '2021-12-08-202112082206885265.md');

async function folder() {
  const root = await mkdtemp(join(tmpdir(), 'zhengce-dir-'));
  const posts = join(root, 'posts');
  await mkdir(join(posts, 'a'), { recursive: true });
  await mkdir(join(posts, 'b'), { recursive: true });
  const sourceAt = (path: string) => dirSource({ type: 'dir', path, max_post_bytes: 30_000 }, { cwd: root });
  const ctx = (previous: ReadonlyMap<string, string | null> = new Map()): SourceContext => ({ previous, cursor: null, rawDir: join(root, 'raw'), clock: systemClock, logger: silentLogger });
  return { root, posts, source: sourceAt('posts'), sourceAt, ctx };
}

const postIds = (events: SourceEvent[]) => events.flatMap((e) => (e.kind === 'post' ? [e.post.sourceId] : [])).sort();
const failures = (events: SourceEvent[]) => new Map(events.flatMap((e) => (e.kind === 'failed' ? [[e.error.sourceId, e.error.message] as const] : [])));

test('ids keep their sub-folder; a second file with the same id and an oversized file are failed by name', async () => {
  const f = await folder();
  await copyFile(PLAN, join(f.posts, 'a', 'plan.md'));
  await copyFile(NEWS, join(f.posts, 'b', 'plan.md'));
  await copyFile(NEWS, join(f.posts, 'b', 'plan.html'));
  await writeFile(join(f.posts, 'big.md'), 'x'.repeat(30_001));
  const { events } = await runSource(f.source, f.ctx());
  const posts = events.flatMap((e) => (e.kind === 'post' ? [[e.post.sourceId, e.post.url]] : []));
  assert.deepEqual(posts.sort(), [
    ['a/plan', 'posts/a/plan.md'],
    ['b/plan', 'posts/b/plan.html'],
  ]);
  const failed = events.flatMap((e) => (e.kind === 'failed' ? [e.error.message] : []));
  assert.equal(failed.length, 2);
  assert.match(
    failed.find((m) => m.includes('share'))!,
    /two files share the id "b\/plan"/,
  );
  assert.match(
    failed.find((m) => m.includes('limit'))!,
    /big\.md is 30001 bytes, over the limit of 30000/,
  );
});

test('an unchanged file is not read again: a run over unchanged files costs a stat each', async () => {
  const f = await folder();
  const file = join(f.posts, 'a', 'plan.md');
  await copyFile(PLAN, file);
  const mtime = new Date('2026-01-01T00:00:00Z'); // a whole second, which utimes restores exactly
  await utimes(file, mtime, mtime);
  const first = await runSource(f.source, f.ctx());
  const previous = revisionsOf(first.events);
  // Same size and mtime, other bytes: only a file that is read again could notice.
  const original = await readFile(file);
  const edited = Buffer.from(original.toString('utf8').replace('国', '图'), 'utf8'); // 3 bytes for 3 bytes
  assert.equal(edited.length, original.length);
  assert.ok(!edited.equals(original));
  await writeFile(file, edited);
  await utimes(file, mtime, mtime);
  const again = await runSource(f.source, f.ctx(previous));
  assert.deepEqual(
    again.events.map((e) => e.kind),
    ['unchanged'],
  );
  // A new mtime makes it read again, and its new content is seen.
  await utimes(file, new Date(), new Date());
  const touched = await runSource(f.source, f.ctx(previous));
  assert.deepEqual(
    touched.events.map((e) => e.kind),
    ['post'],
  );
});

test('the stat index is only trusted when the store holds the same revision', async () => {
  const f = await folder();
  await copyFile(PLAN, join(f.posts, 'a', 'plan.md'));
  await runSource(f.source, f.ctx());
  // A run whose results were never saved (killed before its store commit) leaves no previous revision.
  const again = await runSource(f.source, f.ctx(new Map()));
  assert.deepEqual(
    again.events.map((e) => e.kind),
    ['post'],
  );
});

test('a file gone between the listing and its read (a git pull at work) is failed by name; the others are read', async () => {
  const f = await folder();
  await copyFile(PLAN, join(f.posts, 'a', 'plan.md'));
  await copyFile(NEWS, join(f.posts, 'b', 'news.md'));
  await copyFile(NEWS, join(f.posts, 'c.md'));
  // The source lists the whole folder before its first event and waits at each event: deleting a file
  // after the first one is the window a git pull hits, made deterministic.
  const run = f.source(f.ctx());
  const first = await run.next();
  assert.ok(!first.done && first.value.kind === 'post' && first.value.post.sourceId === 'a/plan');
  await rm(join(f.posts, 'b', 'news.md'));
  const rest: SourceEvent[] = [];
  for (let step = await run.next(); !step.done; step = await run.next()) rest.push(step.value);
  assert.deepEqual(postIds(rest), ['c']);
  assert.deepEqual([...failures(rest).keys()], ['b/news']);
  assert.match(failures(rest).get('b/news')!, /^b\/news\.md was listed but is gone \(moved or deleted while the folder was read/);
  // The next run no longer lists it: it is a removal then (no event), not a failure.
  const next = await runSource(f.source, f.ctx());
  assert.deepEqual(postIds(next.events), ['a/plan', 'c']);
  assert.equal(failures(next.events).size, 0);
});

test('symbolic links inside the folder are followed; broken ones, ones leading out and loops are failed by name', async () => {
  const f = await folder();
  await copyFile(PLAN, join(f.posts, 'a', 'plan.md'));
  await copyFile(NEWS, join(f.root, 'outside.md'));
  await mkdir(join(f.root, 'elsewhere'));
  await copyFile(NEWS, join(f.root, 'elsewhere', 'far.md'));
  await symlink(join(f.posts, 'a', 'plan.md'), join(f.posts, 'linked.md')); // a file inside
  await symlink('a', join(f.posts, 'alias')); // a folder inside, relative target
  await symlink('..', join(f.posts, 'a', 'loop')); // posts/a/loop -> posts: a folder it is inside
  await symlink(join(f.root, 'outside.md'), join(f.posts, 'out.md'));
  await symlink(join(f.root, 'elsewhere'), join(f.posts, 'outdir'));
  await symlink(join(f.posts, 'nothing.md'), join(f.posts, 'broken.md'));
  await symlink(join(f.root, 'outside.md'), join(f.posts, 'notes.txt')); // not named as a post: ignored like any such file
  // The folder itself may be named through a link; what is inside is judged by real paths.
  await symlink(f.posts, join(f.root, 'posts-link'));
  for (const path of [f.posts, join(f.root, 'posts-link')]) {
    const { events } = await runSource(f.sourceAt(path), f.ctx());
    assert.deepEqual(postIds(events), ['a/plan', 'alias/plan', 'linked']);
    const failed = failures(events);
    // The loop is met twice: once in a/, once in a/ walked again through alias/.
    assert.deepEqual([...failed.keys()].sort(), ['a/loop', 'alias/loop', 'broken', 'out', 'outdir']);
    assert.match(failed.get('a/loop')!, /^a\/loop is a symbolic link to .*\/posts, a folder it is inside \(a loop\); not followed/);
    assert.match(failed.get('broken')!, /^broken\.md is a broken symbolic link \(ENOENT\)/);
    assert.match(failed.get('out')!, /^out\.md is a symbolic link to .*\/outside\.md, outside the posts folder .*\/posts; not followed/);
    assert.match(failed.get('outdir')!, /^outdir is a symbolic link to .*\/elsewhere, outside the posts folder/);
  }
});
