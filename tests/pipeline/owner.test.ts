import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { noProgress, type Clock } from '../../src/core/effects.ts';
import { loadPipeline, type Pipeline } from '../../src/pipeline/config.ts';
import { runPipelineOnce } from '../../src/pipeline/operate.ts';
import { ForeignOutputError } from '../../src/pipeline/owner.ts';
import { SAMPLE_POSTS } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';
import { capturingLogger } from '../helpers/server.ts';

const POSTS_A = ['2021-12-08-202112082206885265.md', '2021-12-08-202112082206896686.md'];
const POSTS_B = ['govcn-2018-12-03-content_5345397.html', 'xwlb-20221212.md', '2022-01-06-202201062238656632.md'];

/** A clock that moves one minute per call, so each run gets its own release id. */
function steppingClock(): Clock {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => new Date((t += 60_000)) };
}

/** Two folders of different real posts, a shared output folder and a symlink to it; pipelines are written as files and loaded as the CLI loads them. */
async function workspace() {
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-owner-'));
  for (const [dir, posts] of [
    ['a', POSTS_A],
    ['b', POSTS_B],
  ] as const) {
    await mkdir(join(cwd, dir));
    for (const p of posts) await copyFile(join(SAMPLE_POSTS, p), join(cwd, dir, p));
  }
  await mkdir(join(cwd, 'shared'));
  await symlink(join(cwd, 'shared'), join(cwd, 'link'));
  const clock = steppingClock();
  const logger = capturingLogger();
  return {
    cwd,
    out: join(cwd, 'shared'),
    logger,
    async pipeline(file: string, id: string, posts: string, dir: string): Promise<Pipeline> {
      await writeFile(join(cwd, file), `id: ${id}\nsource: {type: dir, path: ${join(cwd, posts)}}\npublish: {dir: ${join(cwd, dir)}}\n`);
      return loadPipeline(join(cwd, file), cwd);
    },
    run: (p: Pipeline, adopt = false) => runPipelineOnce(p, { clock, logger, progress: noProgress, env: {} }, { adopt }),
  };
}

/** What a refused run must leave as it was: the releases, latest, status.json and the runs table. */
async function snapshot(out: string) {
  return {
    releases: (await readdir(join(out, 'releases'))).sort(),
    latest: await readlink(join(out, 'latest')),
    status: await readFile(join(out, 'status.json'), 'utf8'),
    runs: await query<{ pipeline: string; status: string }>(`ATTACH '${join(out, 'store.duckdb')}' AS s (READ_ONLY); SELECT pipeline, status FROM s.runs ORDER BY started_at`),
  };
}

const lines = (logger: { lines: string[] }) => logger.lines.map((l) => JSON.parse(l) as Record<string, unknown>);

test("a pipeline whose publish.dir is a symlink to another pipeline's output is refused, naming both; nothing changes", async () => {
  const ws = await workspace();
  const a = await ws.pipeline('a.yaml', 'a', 'a', 'shared');
  assert.equal((await ws.run(a)).status, 'ok');
  const before = await snapshot(ws.out);

  const b = await ws.pipeline('b.yaml', 'b', 'b', 'link');
  await assert.rejects(ws.run(b), (err: Error) => {
    assert.ok(err instanceof ForeignOutputError);
    assert.equal(err.exitCode, 1);
    assert.match(err.message, new RegExp(`belongs to pipeline "a" \\(source: dir ${join(ws.cwd, 'a')}\\)`));
    assert.match(err.message, new RegExp(`pipeline "b" of ${join(ws.cwd, 'b.yaml')} \\(source: dir ${join(ws.cwd, 'b')}\\) was refused and nothing was changed`));
    assert.match(err.message, /set publish\.dir in .*b\.yaml to a folder of its own/);
    return true;
  });
  assert.deepEqual(await snapshot(ws.out), before, 'no release, no runs row, status.json as it was');
  const refused = lines(ws.logger).find((l) => l.stage === 'owner' && l.status === 'refused');
  assert.equal(refused?.level, 'error');
  assert.equal(refused?.pipeline, 'b');
});

test('the same id over another source is refused; --adopt records the new source, and the old one is then refused', async () => {
  const ws = await workspace();
  const a = await ws.pipeline('a.yaml', 'a', 'a', 'shared');
  await ws.run(a);
  const before = await snapshot(ws.out);

  const moved = await ws.pipeline('moved.yaml', 'a', 'b', 'shared');
  await assert.rejects(ws.run(moved), (err: Error) => {
    assert.ok(err instanceof ForeignOutputError);
    assert.match(err.message, /if the source moved or its paths changed on purpose, run "zhengce run --adopt .*moved\.yaml" once/);
    return true;
  });
  assert.deepEqual(await snapshot(ws.out), before);

  const adopted = await ws.run(moved, true);
  assert.equal(adopted.status, 'ok');
  assert.ok(adopted.release_id, 'the new source makes a release');
  const handover = lines(ws.logger).find((l) => l.stage === 'owner' && l.level === 'warn');
  assert.match(String(handover?.msg), new RegExp(`now belongs to pipeline "a" \\(source: dir ${join(ws.cwd, 'b')}\\), adopted from pipeline "a" \\(source: dir ${join(ws.cwd, 'a')}\\)`));
  await assert.rejects(ws.run(a), ForeignOutputError);
});

test('a store from before the owner record adopts its pipeline with a log line, unless its runs name another pipeline', async () => {
  const ws = await workspace();
  const a = await ws.pipeline('a.yaml', 'a', 'a', 'shared');
  await ws.run(a);
  const forget = () => query(`ATTACH '${join(ws.out, 'store.duckdb')}' AS s; DELETE FROM s.meta WHERE key = 'owner'`);

  await forget();
  const b = await ws.pipeline('b.yaml', 'b', 'b', 'shared');
  await assert.rejects(ws.run(b), (err: Error) => err instanceof ForeignOutputError && /belongs to pipeline "a", whose runs its store\.duckdb records/.test(err.message));

  const logged = ws.logger.lines.length;
  assert.equal((await ws.run(a)).status, 'ok');
  const adopted = lines({ lines: ws.logger.lines.slice(logged) }).find((l) => l.stage === 'owner');
  assert.equal(adopted?.level, 'info');
  assert.match(String(adopted?.msg), new RegExp(`belongs to pipeline "a" \\(source: dir ${join(ws.cwd, 'a')}\\) from now on`));
  await assert.rejects(ws.run(b), ForeignOutputError);
});
