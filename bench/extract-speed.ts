import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { extractDocument } from '../src/extract/index.ts';
import { parsePost } from '../src/parse/index.ts';
import type { RawPost } from '../src/core/types.ts';

/**
 * parse+extract posts/s on one thread over the bundled posts, with the files already in memory:
 * the median of 7 timed passes of 10 rounds each, so one GC pause does not decide it, after a warm-up of 40 rounds
 * (1,400 posts): the optimizing JIT needs that long, and a run of thousands of posts spends its time in that steady state.
 */
export async function benchExtract(postsDir: string, passes = 7, rounds = 10): Promise<{ postsPerSecond: number; mbPerSecond: number }> {
  const names = (await readdir(postsDir)).sort();
  const raws: RawPost[] = await Promise.all(
    names.map(async (n) => ({ source: 'dir', sourceId: n, url: n, bytes: await readFile(join(postsDir, n)), contentType: null, revision: null, fetchedAt: '' })),
  );
  const bytes = raws.reduce((s, r) => s + r.bytes.length, 0);
  for (let i = 0; i < 4 * rounds; i++) for (const r of raws) extractDocument(parsePost(r));
  const seconds: number[] = [];
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) for (const r of raws) extractDocument(parsePost(r));
    seconds.push((performance.now() - t0) / 1000);
  }
  const median = seconds.sort((a, b) => a - b)[passes >> 1];
  return { postsPerSecond: (rounds * raws.length) / median, mbPerSecond: (rounds * bytes) / 1e6 / median };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchExtract(join(import.meta.dirname, '..', 'pipelines', 'sample', 'posts')));
