import { Worker } from 'node:worker_threads';

interface Job<In, Out> {
  input: In;
  resolve: (o: Out) => void;
  reject: (e: Error) => void;
}

interface Thread<In, Out> {
  worker: Worker;
  /** Its handler is loaded: time from now on is the jobs' own. */
  ready: boolean;
  /** Jobs posted to this thread and not answered yet, in order: a thread answers them in turn, so the first is running. */
  queue: Job<In, Out>[];
  /** Stops the running job when it overruns the pool's time budget. */
  timer?: NodeJS.Timeout;
}

export interface PoolLimits {
  /** Milliseconds one job may run before its thread is stopped and the job fails with a JobBudgetError. */
  jobMs?: number;
  /** Heap (V8 old generation) of each thread in MB; a job that needs more fails with a JobBudgetError. */
  heapMb?: number;
}

/** A job that overran the pool's time or memory budget. */
export class JobBudgetError extends Error {
  constructor(
    message: string,
    readonly budget: 'time' | 'memory',
  ) {
    super(message);
  }
}

/** The module `name` (no extension) beside the module at `base`: `.ts` from the sources, `.js` from the compiled dist/. */
export function moduleBeside(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/**
 * Worker threads that each run one TypeScript module's default export, `(input) => output`.
 * Workers start on the first job, so a pool that is never used costs nothing. A thread that dies
 * (an uncaught error, running out of memory, overrunning the time budget) fails only the job it was
 * running; the jobs queued behind it go to a new thread.
 */
export class WorkerPool<In, Out> {
  private threads: Thread<In, Out>[] = [];
  private next = 0;
  private closing = false;

  constructor(
    private readonly module: URL,
    private readonly size: number,
    private readonly limits: PoolLimits = {},
  ) {}

  run(input: In): Promise<Out> {
    return new Promise((resolve, reject) => this.dispatch({ input, resolve, reject }));
  }

  private dispatch(job: Job<In, Out>): void {
    while (this.threads.length < this.size) this.threads.push(this.spawn());
    const thread = this.threads[this.next++ % this.threads.length];
    thread.queue.push(job);
    thread.worker.postMessage({ input: job.input });
    if (thread.queue.length === 1) this.arm(thread);
  }

  /** Starts the time budget of the thread's running job, once its handler is loaded. */
  private arm(thread: Thread<In, Out>): void {
    const ms = this.limits.jobMs;
    if (ms === undefined || !thread.ready || thread.queue.length === 0) return;
    thread.timer = setTimeout(() => this.fail(thread, new JobBudgetError(`the job ran longer than its budget of ${ms} ms`, 'time')), ms);
  }

  private spawn(): Thread<In, Out> {
    const heap = this.limits.heapMb;
    const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), {
      workerData: { module: this.module.href },
      ...(heap === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: heap } }),
    });
    const thread: Thread<In, Out> = { worker, ready: false, queue: [] };
    worker.on('message', (m: { ready: true } | { output?: Out; error?: string }) => {
      if ('ready' in m) {
        thread.ready = true;
        this.arm(thread);
        return;
      }
      clearTimeout(thread.timer);
      const job = thread.queue.shift();
      if (m.error !== undefined) job?.reject(new Error(m.error));
      else job?.resolve(m.output as Out);
      this.arm(thread);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.fail(thread, memory ? new JobBudgetError(`the job needed more than its heap budget of ${heap} MB`, 'memory') : err);
    });
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(thread, new Error(`the worker thread exited (code ${code})`));
    });
    return thread;
  }

  /** Ends a thread: its running job fails with `err`, the jobs queued behind it go to a new thread. */
  private fail(thread: Thread<In, Out>, err: Error): void {
    const index = this.threads.indexOf(thread);
    if (index < 0) return; // already gone: 'exit' follows 'error' and a stopped thread's exit
    this.threads.splice(index, 1);
    clearTimeout(thread.timer);
    void thread.worker.terminate();
    // A thread that died before its handler loaded would kill any thread: its jobs fail rather than loop.
    const [running, ...queued] = thread.queue;
    running?.reject(err);
    for (const job of queued) {
      if (thread.ready) this.dispatch(job);
      else job.reject(err);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const threads = this.threads;
    this.threads = [];
    for (const t of threads) clearTimeout(t.timer);
    await Promise.all(threads.map((t) => t.worker.terminate()));
    this.closing = false;
  }
}
