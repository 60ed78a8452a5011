import { availableParallelism } from 'node:os';
import { JobBudgetError, moduleBeside, WorkerPool } from '../core/worker-pool.ts';
import type { ExtractJob, ExtractResult } from './extract-job.ts';

/** Below this many posts a run extracts inline: starting workers would cost more than it saves. */
const INLINE_POSTS = 200;

/** A post this large goes to a worker thread even in a small run, so that its time and memory are bounded. */
const LARGE_POST_BYTES = 512 * 1024;

export interface ExtractBudget {
  /** Milliseconds parse+extract of one post may take on a worker thread. */
  ms: number;
  /** Heap of each worker thread, in MB. */
  heapMb: number;
}

/** Far above what a real post needs: a 340 KB plan of 4,000 items takes about 0.3 s. */
export const DEFAULT_EXTRACT_BUDGET: ExtractBudget = { ms: 60_000, heapMb: 512 };

/**
 * Parses and extracts posts on worker threads once a run has more than a few hundred, so the main
 * thread keeps reading, hashing and loading DuckDB while the other cores extract. A post that overruns
 * the budget is rejected by name; the run goes on.
 */
export class ExtractPool {
  private seen = 0;
  private readonly pool: WorkerPool<ExtractJob, ExtractResult>;

  // One core stays with the main thread, which reads, hashes and loads DuckDB meanwhile.
  constructor(
    private readonly size = Math.max(1, availableParallelism() - 1),
    private readonly budget = DEFAULT_EXTRACT_BUDGET,
  ) {
    this.pool = new WorkerPool(moduleBeside('extract-job', import.meta.url), Math.max(1, size), { jobMs: budget.ms, heapMb: budget.heapMb });
  }

  extract(job: ExtractJob): Promise<ExtractResult> {
    const inline = ++this.seen <= INLINE_POSTS || this.size <= 0;
    // The parsers and extractors load with the first post to extract: a run with no changed post never needs them.
    if (inline && job.post.bytes.length <= LARGE_POST_BYTES) return import('./extract-job.ts').then(({ default: extractPost }) => extractPost(job));
    return this.pool.run(job).catch((err: Error): ExtractResult => {
      if (!(err instanceof JobBudgetError)) throw err;
      const over = err.budget === 'time' ? `took longer than ${this.budget.ms / 1000} s` : `needed more than ${this.budget.heapMb} MB of heap`;
      return {
        ok: false,
        stage: 'extract',
        message: `parse+extract ${over}, the budget for one post, and was stopped: the post is left out of this run. Check it for unusual size or structure (a text this costly is likely malformed) and report it if it reads normally.`,
      };
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
