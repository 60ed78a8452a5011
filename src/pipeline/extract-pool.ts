import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RawPost } from '../core/types.ts';
import { extractPost, type ExtractResult } from './extract-job.ts';

/** Below this many posts a run extracts inline: starting workers would cost more than it saves. */
const INLINE_POSTS = 200;

/**
 * Parses and extracts posts on worker threads once a run has more than a few hundred, so the main
 * thread keeps reading, hashing and loading DuckDB while the other cores extract.
 */
export class ExtractPool {
  private workers: Worker[] = [];
  private next = 0;
  private seen = 0;
  private readonly pending = new Map<number, { resolve: (r: ExtractResult) => void; reject: (e: Error) => void }>();
  private ids = 0;

  // One core stays with the main thread, which reads, hashes and loads DuckDB meanwhile.
  constructor(private readonly size = Math.max(1, availableParallelism() - 1)) {}

  extract(raw: RawPost): Promise<ExtractResult> {
    if (++this.seen <= INLINE_POSTS || this.size <= 0) return Promise.resolve(extractPost(raw));
    if (this.workers.length === 0) this.start();
    const id = this.ids++;
    const worker = this.workers[this.next++ % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The bytes are copied, not transferred: the source may still hold them (e.g. for a snapshot).
      worker.postMessage({ id, raw });
    });
  }

  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(new URL('./extract-worker.mjs', import.meta.url));
      worker.on('message', ({ id, result }: { id: number; result: ExtractResult }) => {
        this.pending.get(id)?.resolve(result);
        this.pending.delete(id);
      });
      worker.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      this.workers.push(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
