import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { extractDocument } from '../src/extract/index.ts';
import { parsePost } from '../src/parse/index.ts';
import type { RawPost } from '../src/core/types.ts';

/** parse+extract posts/s on one thread over the bundled posts, with the files already in memory. */
export async function benchExtract(postsDir: string, rounds = 60): Promise<{ postsPerSecond: number; mbPerSecond: number }> {
  const names = (await readdir(postsDir)).sort();
  const raws: RawPost[] = await Promise.all(
    names.map(async (n) => ({ source: 'dir', sourceId: n, url: n, bytes: await readFile(join(postsDir, n)), contentType: null, revision: null, fetchedAt: '' })),
  );
  const bytes = raws.reduce((s, r) => s + r.bytes.length, 0);
  for (const r of raws) extractDocument(parsePost(r)); // warm up the JIT
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) for (const r of raws) extractDocument(parsePost(r));
  const seconds = (performance.now() - t0) / 1000;
  return { postsPerSecond: (rounds * raws.length) / seconds, mbPerSecond: (rounds * bytes) / 1e6 / seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchExtract(join(import.meta.dirname, '..', 'pipelines', 'sample', 'posts')));
