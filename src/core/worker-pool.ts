import { Worker } from 'node:worker_threads';

type Pending<Out> = { resolve: (o: Out) => void; reject: (e: Error) => void };

interface Thread<Out> {
  worker: Worker;
  /** Jobs posted to this thread and not answered yet. */
  pending: Map<number, Pending<Out>>;
}

/**
 * Worker threads that each run one TypeScript module's default export, `(input) => output`.
 * Workers start on the first job, so a pool that is never used costs nothing. A thread that dies
 * (an uncaught error, running out of memory) fails only the jobs it held; the next job starts a new one.
 */
export class WorkerPool<In, Out> {
  private threads: Thread<Out>[] = [];
  private next = 0;
  private ids = 0;
  private closing = false;

  constructor(
    private readonly module: URL,
    private readonly size: number,
  ) {}

  run(input: In): Promise<Out> {
    while (this.threads.length < this.size) this.threads.push(this.spawn());
    const id = this.ids++;
    const thread = this.threads[this.next++ % this.threads.length];
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, input });
    });
  }

  private spawn(): Thread<Out> {
    const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { module: this.module.href } });
    const thread: Thread<Out> = { worker, pending: new Map() };
    worker.on('message', ({ id, output, error }: { id: number; output?: Out; error?: string }) => {
      const p = thread.pending.get(id);
      thread.pending.delete(id);
      if (error !== undefined) p?.reject(new Error(error));
      else p?.resolve(output as Out);
    });
    const die = (err: Error): void => {
      const index = this.threads.indexOf(thread);
      if (index < 0) return; // already gone: 'exit' follows 'error'
      this.threads.splice(index, 1); // the next job starts a new thread
      for (const p of thread.pending.values()) p.reject(err);
      thread.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => {
      if (!this.closing) die(new Error(`the worker thread exited (code ${code})`));
    });
    return thread;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    this.threads = [];
    this.closing = false;
  }
}
