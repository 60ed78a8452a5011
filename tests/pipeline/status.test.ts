import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readStatus, writeStatus, type LastRun } from '../../src/pipeline/status.ts';

const run = (run_id: string, status: LastRun['status']): LastRun => ({
  run_id,
  pipeline: 'p',
  started_at: '2024-05-01T00:00:00.000Z',
  finished_at: '2024-05-01T00:00:01.000Z',
  duration_ms: 1000,
  status,
  fetched: 1,
  unchanged: 0,
  rejected: status === 'partial' ? 1 : 0,
  failed: 0,
  release_id: null,
  error: status === 'skipped' ? 'another run holds run.lock' : null,
  failures: status === 'partial' ? [{ source_id: 'bad', url: 'posts/bad.md', stage: 'parse', reason: 'empty' }] : [],
});

test('a skipped run and the real run writing status.json at once both stand: neither erases the other', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-status-'));
  for (let i = 0; i < 20; i++) {
    const [real, skipped] = [run(`real-${i}`, 'partial'), run(`skipped-${i}`, 'skipped')];
    await Promise.all([writeStatus(dir, real), writeStatus(dir, skipped)]);
    const s = await readStatus(dir);
    assert.deepEqual([s?.last_run, s?.last_skipped], [real, skipped], `round ${i}`);
  }
  assert.deepEqual(await readdir(dir), ['status.json'], 'no lock or temporary file is left');
});
