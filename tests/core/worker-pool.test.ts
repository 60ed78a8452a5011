import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerPool } from '../../src/core/worker-pool.ts';

test('a worker thread that dies fails only its own job, and the next job gets a new thread', { timeout: 20_000 }, async () => {
  const pool = new WorkerPool<string, string>(new URL('./exiting-job.ts', import.meta.url), 1);
  try {
    assert.equal(await pool.run('a'), 'done a');
    await assert.rejects(pool.run('exit'), /the worker thread exited \(code 3\)/);
    assert.equal(await pool.run('b'), 'done b');
  } finally {
    await pool.close();
  }
});
