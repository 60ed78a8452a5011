import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger, systemClock } from '../../src/core/effects.ts';
import type { SourceContext } from '../../src/core/source.ts';
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
  const source = dirSource({ path: posts, label: 'posts', maxPostBytes: 30_000 });
  const ctx = (previous: ReadonlyMap<string, string | null> = new Map()): SourceContext => ({ previous, cursor: null, rawDir: join(root, 'raw'), clock: systemClock, logger: silentLogger });
  return { posts, source, ctx };
}

test('ids keep their sub-folder; a second file with the same id and an oversized file are failed by name', async () => {
  const f = await folder();
  await copyFile(PLAN, join(f.posts, 'a', 'plan.md'));
  await copyFile(NEWS, join(f.posts, 'b', 'plan.md'));
  await copyFile(NEWS, join(f.posts, 'b', 'plan.html'));
  await writeFile(join(f.posts, 'big.md'), 'x'.repeat(30_001));
  const { events } = await runSource(f.source, f.ctx());
  const posts = events.flatMap((e) => (e.kind === 'post' ? [[e.post.sourceId, e.post.url]] : []));
  assert.deepEqual(posts.sort(), [['a/plan', 'posts/a/plan.md'], ['b/plan', 'posts/b/plan.html']]);
  const failed = events.flatMap((e) => (e.kind === 'failed' ? [e.error.message] : []));
  assert.equal(failed.length, 2);
  assert.match(failed.find((m) => m.includes('share'))!, /two files share the id "b\/plan"/);
  assert.match(failed.find((m) => m.includes('limit'))!, /big\.md is 30001 bytes, over the limit of 30000/);
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
  assert.deepEqual(again.events.map((e) => e.kind), ['unchanged']);
  // A new mtime makes it read again, and its new content is seen.
  await utimes(file, new Date(), new Date());
  const touched = await runSource(f.source, f.ctx(previous));
  assert.deepEqual(touched.events.map((e) => e.kind), ['post']);
});

test('the stat index is only trusted when the store holds the same revision', async () => {
  const f = await folder();
  await copyFile(PLAN, join(f.posts, 'a', 'plan.md'));
  await runSource(f.source, f.ctx());
  // A run whose results were never saved (killed before its store commit) leaves no previous revision.
  const again = await runSource(f.source, f.ctx(new Map()));
  assert.deepEqual(again.events.map((e) => e.kind), ['post']);
});
