import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { noProgress, silentLogger, type Clock } from '../../src/core/effects.ts';
import { docId } from '../../src/core/hash.ts';
import { validatePipeline } from '../../src/pipeline/config.ts';
import { DEFAULT_EXTRACT_BUDGET, type ExtractBudget } from '../../src/pipeline/extract-pool.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { ROOT } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';
import { revisedPlan } from '../helpers/revised-plan.ts';

/** A dir pipeline in a temporary folder of its own, run in-process with a clock that moves one minute per call. */
async function workspace() {
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-large-'));
  const posts = join(cwd, 'posts');
  await mkdir(posts);
  const config = validatePipeline({ id: 'large', source: { type: 'dir', path: 'posts' } }, 'large');
  const pipeline = { file: 'large', config, cwd, outputDir: join(cwd, 'output') };
  let t = Date.parse('2026-01-01T00:00:00Z');
  const clock: Clock = { now: () => new Date((t += 60_000)) };
  return {
    posts,
    out: pipeline.outputDir,
    run: (extractBudget?: ExtractBudget) => runPipeline(pipeline, { clock, logger: silentLogger, progress: noProgress, env: {}, extractBudget }),
  };
}

describe('large posts', () => {
  test('a 5 × 800-item plan and its reworded revision: both runs complete and every item is redlined', { timeout: 60_000 }, async () => {
    // Before the alignment was bounded, the second run compared 16M pairs: over a minute, then out of heap at 512 MB.
    const ws = await workspace();
    const { v1, v2 } = revisedPlan(5, 800);
    await writeFile(join(ws.posts, 'plan.md'), v1);
    const first = await ws.run();
    assert.equal(first.status, 'ok');
    await writeFile(join(ws.posts, 'plan.md'), v2);
    const second = await ws.run();
    assert.equal(second.status, 'ok');
    assert.ok(second.releaseId);
    const counts = await query<{ change_type: string; n: number }>(`SELECT change_type, count(*)::INT AS n FROM '${ws.out}/latest/redlines/*.parquet' GROUP BY ALL ORDER BY ALL`);
    // v2 puts a new item first in each section (added) and rewords every old item, now one number further on (moved).
    assert.deepEqual(
      counts.map((c) => [c.change_type, c.n]),
      [
        ['added', 5],
        ['moved', 4000],
      ],
    );
    const [{ misplaced }] = await query<{ misplaced: number }>(
      `SELECT count(*)::INT AS misplaced FROM '${ws.out}/latest/redlines/*.parquet' WHERE change_type = 'moved'
       AND (split_part(path, '.', 1) <> split_part(from_path, '.', 1) OR CAST(split_part(path, '.', 2) AS INT) <> CAST(split_part(from_path, '.', 2) AS INT) + 1 OR diff_kind <> 'chars')`,
    );
    assert.equal(misplaced, 0);
  });

  test('a post whose parse+extract overruns its budget is rejected by name, and the other posts publish', { timeout: 60_000 }, async () => {
    const ws = await workspace();
    // 870 KB: over the size that always goes to a worker thread, and some 250 ms of work, ten times the budget below.
    await writeFile(join(ws.posts, 'huge-plan.md'), revisedPlan(5, 2000).v1);
    for (const name of ['chuanyuan-tiaoli.v1.md', 'daolu-yunshu-tiaoli.v1.md']) await copyFile(join(ROOT, 'tests', 'fixtures', 'revisions', name), join(ws.posts, name));
    const r = await ws.run({ ...DEFAULT_EXTRACT_BUDGET, ms: 25 });
    assert.equal(r.status, 'partial');
    assert.ok(r.releaseId);
    assert.deepEqual(
      r.rejects.map((x) => [x.source_id, x.stage]),
      [['huge-plan', 'extract']],
    );
    assert.match(r.rejects[0].reason, /parse\+extract took longer than 0\.025 s, the budget for one post, and was stopped/);
    const docs = await query<{ doc_id: string }>(`SELECT doc_id FROM '${ws.out}/latest/documents/*.parquet' ORDER BY doc_id`);
    assert.deepEqual(
      docs.map((d) => d.doc_id),
      [docId('dir', 'chuanyuan-tiaoli.v1'), docId('dir', 'daolu-yunshu-tiaoli.v1')].sort(),
    );
    const rejects = await query<{ source_id: string; stage: string }>(`SELECT source_id, stage FROM read_csv('${ws.out}/latest/rejects.csv')`);
    assert.deepEqual(
      rejects.map((x) => [x.source_id, x.stage]),
      [['huge-plan', 'extract']],
    );
  });
});
