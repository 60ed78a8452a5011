import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { noProgress, type Clock } from '../../src/core/effects.ts';
import { CliError } from '../../src/core/errors.ts';
import { errorReport } from '../../src/cli/report.ts';
import { loadPipeline, type Pipeline } from '../../src/pipeline/config.ts';
import { runPipelineOnce } from '../../src/pipeline/operate.ts';
import { SAMPLE_POSTS } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';
import { capturingLogger } from '../helpers/server.ts';
import { validate } from '../helpers/validate.ts';

const POSTS = ['2021-12-08-202112082206885265.md', 'govcn-2018-12-03-content_5345397.html'];

/** A clock that moves one minute per call, so each run gets its own release id. */
function steppingClock(): Clock {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => new Date((t += 60_000)) };
}

/** The posts folder every workspace's pipeline reads (none writes to it), and the output folder of a first run over it. */
let shared: { posts: string; firstRun: string };

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-operate-posts-'));
  const posts = join(dir, 'posts');
  await mkdir(posts);
  for (const p of POSTS) await copyFile(join(SAMPLE_POSTS, p), join(posts, p));
  shared = { posts, firstRun: '' };
  const first = await workspace();
  assert.equal((await first.run()).status, 'ok');
  shared.firstRun = first.out;
});

/**
 * A pipeline over the shared posts folder, publishing into a folder of its own; with `firstRun`, that folder starts as
 * the shared first run left its output (copied with cp -a: links and the relative latest kept). The store records the
 * pipeline by its id and source, the same for every workspace, so the copy is this pipeline's own.
 */
async function workspace(
  o: { firstRun?: boolean } = {},
): Promise<{ pipeline: Pipeline; out: string; logger: ReturnType<typeof capturingLogger>; run: (signal?: AbortSignal) => ReturnType<typeof runPipelineOnce> }> {
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-operate-'));
  await writeFile(join(cwd, 'p.yaml'), `id: p\nsource: {type: dir, path: ${shared.posts}}\npublish: {dir: ${join(cwd, 'out')}}\n`);
  if (o.firstRun) execFileSync('cp', ['-a', shared.firstRun, join(cwd, 'out')]);
  const pipeline = await loadPipeline(join(cwd, 'p.yaml'), cwd);
  const clock = steppingClock();
  const logger = capturingLogger();
  return { pipeline, out: pipeline.outputDir, logger, run: (signal) => runPipelineOnce(pipeline, { clock, logger, progress: noProgress, env: {}, signal }) };
}

/** Three ways a store file gets damaged: cut short (a full disk, a copy stopped half-way), overwritten, or a block flipped. */
const DAMAGE: Record<string, (file: string) => Promise<void>> = {
  truncated: async (file) => truncate(file, Math.floor((await stat(file)).size / 2)),
  overwritten: (file) => writeFile(file, 'not a database\n'.repeat(1000)),
  'a flipped block': async (file) => {
    const h = await open(file, 'r+');
    await h.write(Buffer.from([0xff, 0x00, 0xaa, 0x55]), 0, 4, 8192 + 100);
    await h.close();
  },
};

for (const [kind, damage] of Object.entries(DAMAGE)) {
  test(`a damaged store (${kind}) is named with what to do, not DuckDB's raw text; following the advice rebuilds the pipeline`, async () => {
    // The first run's output, shared by the three kinds of damage (made and checked in before()).
    const ws = await workspace({ firstRun: true });
    const store = join(ws.out, 'store.duckdb');
    await damage(store);

    await assert.rejects(ws.run(), (err: Error) => {
      assert.ok(err instanceof CliError, `${err.name}: ${err.message}`);
      const { message, exitCode } = errorReport(err);
      assert.equal(exitCode, 1);
      assert.doesNotMatch(message, /unexpected error/);
      assert.match(message, new RegExp(`^${store} is damaged and cannot be read \\(IO Error: `));
      assert.match(
        message,
        /Restore it from a backup; or rebuild it: move store\.duckdb \(with store\.duckdb\.wal, if there\), releases\/, history\/, latest and latest\.json of .* into a folder aside/,
      );
      assert.match(message, new RegExp(`then run "zhengce run ${ws.pipeline.file}" \\(it reads the source folder again\\)`));
      return true;
    });
    const status = JSON.parse(await readFile(join(ws.out, 'status.json'), 'utf8'));
    assert.match(status.last_run.error, /is damaged and cannot be read/, 'monitors see the advice too');

    const aside = join(ws.out, '..', 'damaged');
    await mkdir(aside);
    for (const f of ['store.duckdb', 'releases', 'history', 'latest', 'latest.json']) await rename(join(ws.out, f), join(aside, f));
    const rebuilt = await ws.run();
    assert.equal(rebuilt.status, 'ok');
    assert.equal(rebuilt.fetched, POSTS.length);
    assert.deepEqual((await validate(join(ws.out, 'latest'))).problems, []);
  });
}

test('a run stopped by SIGTERM is recorded as stopped and logged as a warning, not as a failure', async () => {
  const ws = await workspace();
  const stop = new AbortController();
  stop.abort(new Error('received SIGTERM'));
  await assert.rejects(ws.run(stop.signal), /run stopped while reading the source: nothing was published, the previous release stands/);

  const logged = ws.logger.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    logged.filter((l) => l.level === 'error'),
    [],
    'no line at level error',
  );
  const done = logged.find((l) => l.stage === 'done');
  assert.equal(done?.level, 'warn');
  assert.equal(done?.status, 'stopped');
  assert.match(String(done?.msg), /^p: stopped: run stopped while reading the source/);
  assert.equal(JSON.parse(await readFile(join(ws.out, 'status.json'), 'utf8')).last_run.status, 'stopped');
  const runs = await query<{ status: string }>(`ATTACH '${join(ws.out, 'store.duckdb')}' AS s (READ_ONLY); SELECT status FROM s.runs`);
  assert.deepEqual(runs, [{ status: 'stopped' }]);
});
