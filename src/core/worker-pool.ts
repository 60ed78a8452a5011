import { Worker } from 'node:worker_threads';

type Pending<Out> = { resolve: (o: Out) => void; reject: (e: Error) => void };

/**
 * Worker threads that each run one TypeScript module's default export, `(input) => output`.
 * Workers start on the first job, so a pool that is never used costs nothing.
 */
export class WorkerPool<In, Out> {
  private workers: Worker[] = [];
  private next = 0;
  private ids = 0;
  private readonly pending = new Map<number, Pending<Out>>();

  constructor(
    private readonly module: URL,
    private readonly size: number,
  ) {}

  run(input: In): Promise<Out> {
    if (this.workers.length === 0) this.start();
    const id = this.ids++;
    const worker = this.workers[this.next++ % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, input });
    });
  }

  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { module: this.module.href } });
      worker.on('message', ({ id, output, error }: { id: number; output?: Out; error?: string }) => {
        const p = this.pending.get(id);
        this.pending.delete(id);
        if (error !== undefined) p?.reject(new Error(error));
        else p?.resolve(output as Out);
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
