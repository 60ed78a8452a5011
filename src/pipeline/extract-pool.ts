import { availableParallelism } from 'node:os';
import type { RawPost } from '../core/types.ts';
import { WorkerPool } from '../core/worker-pool.ts';
import { extractPost, type ExtractResult } from './extract-job.ts';

/** Below this many posts a run extracts inline: starting workers would cost more than it saves. */
const INLINE_POSTS = 200;

/**
 * Parses and extracts posts on worker threads once a run has more than a few hundred, so the main
 * thread keeps reading, hashing and loading DuckDB while the other cores extract.
 */
export class ExtractPool {
  private seen = 0;
  private readonly pool: WorkerPool<RawPost, ExtractResult>;

  // One core stays with the main thread, which reads, hashes and loads DuckDB meanwhile.
  constructor(private readonly size = Math.max(1, availableParallelism() - 1)) {
    this.pool = new WorkerPool(new URL('./extract-job.ts', import.meta.url), Math.max(1, size));
  }

  extract(raw: RawPost): Promise<ExtractResult> {
    if (++this.seen <= INLINE_POSTS || this.size <= 0) return Promise.resolve(extractPost(raw));
    return this.pool.run(raw);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
