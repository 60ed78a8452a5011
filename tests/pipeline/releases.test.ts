import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { noProgress, silentLogger, type Clock } from '../../src/core/effects.ts';
import { CliError } from '../../src/core/errors.ts';
import { loadPipeline } from '../../src/pipeline/config.ts';
import { checkRelease, exportTables } from '../../src/pipeline/releases.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { SAMPLE_POSTS } from '../helpers/cli.ts';
import { validate } from '../helpers/validate.ts';

const POSTS = ['2021-12-08-202112082206885265.md', 'govcn-2018-12-03-content_5345397.html'];

/** A clock that moves one minute per call, so each run gets its own release id. */
function steppingClock(): Clock {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => new Date((t += 60_000)) };
}

/** A pipeline of pipelines/ in its own working folder, run once: one release. */
async function published() {
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-releases-'));
  await mkdir(join(cwd, 'posts'));
  await mkdir(join(cwd, 'pipelines'));
  await copyFile(join(SAMPLE_POSTS, POSTS[0]), join(cwd, 'posts', POSTS[0]));
  await writeFile(join(cwd, 'pipelines', 'p.yaml'), `id: p\nsource: {type: dir, path: ${join(cwd, 'posts')}}\npublish: {dir: ${join(cwd, 'output', 'p')}}\n`);
  const pipeline = await loadPipeline('p', cwd);
  const clock = steppingClock();
  const run = () => runPipeline(pipeline, { clock, logger: silentLogger, progress: noProgress, env: {} });
  const first = await run();
  return { cwd, out: pipeline.outputDir, release: join(pipeline.outputDir, 'releases', first.releaseId!), run };
}

test('validate and export resolve `latest` once: a run publishing meanwhile does not mix two releases', async () => {
  const ws = await published();
  const { dir, report } = await checkRelease('latest', { pipeline: 'p', cwd: ws.cwd });
  assert.equal(dir, ws.release, 'the release latest pointed to, not the symlink');
  assert.deepEqual(report.problems, []);
  assert.equal((await checkRelease(join(ws.out, 'latest'), { cwd: ws.cwd })).dir, ws.release, 'a folder named through a symlink too');

  // A second release moves latest on; the folder resolved before still names the first, whole.
  await copyFile(join(SAMPLE_POSTS, POSTS[1]), join(ws.cwd, 'posts', POSTS[1]));
  const second = await ws.run();
  assert.equal(await readlink(join(ws.out, 'latest')), join('releases', second.releaseId!));
  assert.deepEqual((await validate(dir)).problems, []);
});

test("export --out is refused inside a release, a pipeline's output folder and the folders publish.dir refuses; nothing is written there", async (t) => {
  const ws = await published();
  const before = await readdir(ws.release, { recursive: true });
  const refused = async (outDir: string, why: RegExp) => {
    await assert.rejects(exportTables('latest', { pipeline: 'p', cwd: ws.cwd, formats: ['csv'], tables: ['documents'], outDir }), (err: Error) => {
      assert.ok(err instanceof CliError, err.message);
      assert.match(err.message, new RegExp(`^--out ${outDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      assert.match(err.message, why);
      return true;
    });
  };
  await refused(ws.release, /inside the release folder .*: files written there would no longer match its datapackage\.json/);
  await refused(join(ws.release, 'csv', 'mine'), /inside the release folder/);
  await refused(join(ws.out, 'exports'), new RegExp(`inside the output folder ${ws.out} of a pipeline`));
  await symlink(ws.release, join(ws.cwd, 'looks-harmless'));
  await refused(join(ws.cwd, 'looks-harmless', 'x'), /inside the release folder/);
  assert.deepEqual(await readdir(ws.release, { recursive: true }), before, 'the release holds what it held');
  assert.deepEqual((await validate(ws.release)).problems, []);

  // The output folder of a pipeline of pipelines/, before its first run: nothing there to recognise it by but the pipeline.
  await writeFile(join(ws.cwd, 'pipelines', 'q.yaml'), `id: q\nsource: {type: dir, path: ${join(ws.cwd, 'posts')}}\npublish: {dir: ${join(ws.cwd, 'q-out')}}\n`);
  await refused(join(ws.cwd, 'q-out', 'tables'), new RegExp(`inside ${join(ws.cwd, 'q-out')}, the output folder of pipeline q`));

  // An existing file, or a file on the way.
  await writeFile(join(ws.cwd, 'a-file'), 'x');
  await refused(join(ws.cwd, 'a-file'), /it is a file, not a folder \(ENOTDIR\)/);
  await refused(join(ws.cwd, 'a-file', 'below'), new RegExp(`${join(ws.cwd, 'a-file')} is a file, not a folder \\(ENOTDIR\\)`));

  // The folders publish.dir refuses (never created: refused before any write).
  await refused('/proc/zhengce-export', /inside the system folder \/proc/);
  const home = await mkdtemp(join(tmpdir(), 'zhengce-home-'));
  const saved = process.env.HOME;
  process.env.HOME = home; // os.homedir() reads HOME
  t.after(() => (process.env.HOME = saved));
  await refused(home, /the home folder/);

  // A folder of one's own is fine.
  const { files } = await exportTables('latest', { pipeline: 'p', cwd: ws.cwd, formats: ['csv'], tables: ['documents'], outDir: join(ws.cwd, 'exported') });
  assert.deepEqual(
    files.map((f) => f.path),
    ['documents.csv'],
  );
});
