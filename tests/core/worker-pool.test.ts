import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobBudgetError, WorkerPool } from '../../src/core/worker-pool.ts';

const JOB = new URL('./misbehaving-job.ts', import.meta.url);

test('a worker thread that dies fails only its own job, and the next job gets a new thread', { timeout: 20_000 }, async () => {
  const pool = new WorkerPool<string, string>(JOB, 1);
  try {
    assert.equal(await pool.run('a'), 'done a');
    await assert.rejects(pool.run('exit'), /the worker thread exited \(code 3\)/);
    assert.equal(await pool.run('b'), 'done b');
  } finally {
    await pool.close();
  }
});

test('a job over its time budget fails by itself; the jobs queued behind it on its thread still run', { timeout: 20_000 }, async () => {
  const pool = new WorkerPool<string, string>(JOB, 1, { jobMs: 300 });
  try {
    // All three are posted to the one thread at once: 'b' and 'c' wait behind the job that never ends.
    const [spin, b, c] = [pool.run('spin'), pool.run('b'), pool.run('c')];
    await assert.rejects(spin, (e) => e instanceof JobBudgetError && e.budget === 'time' && /longer than its budget of 300 ms/.test(e.message));
    assert.deepEqual(await Promise.all([b, c]), ['done b', 'done c']);
  } finally {
    await pool.close();
  }
});

test('a job over its heap budget fails by itself; the jobs queued behind it still run', { timeout: 30_000 }, async () => {
  const pool = new WorkerPool<string, string>(JOB, 1, { heapMb: 64 });
  try {
    const [hog, b] = [pool.run('hog'), pool.run('b')];
    await assert.rejects(hog, (e) => e instanceof JobBudgetError && e.budget === 'memory' && /heap budget of 64 MB/.test(e.message));
    assert.equal(await b, 'done b');
  } finally {
    await pool.close();
  }
});
