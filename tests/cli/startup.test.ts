import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { revisedPlan } from '../helpers/revised-plan.ts';
import { makeWorkspace, ROOT, runNode, type CliResult } from '../helpers/cli.ts';

/** A copy of the package in a temporary folder whose node_modules holds every package but tsx: the command must run without it. */
async function packageWithoutTsx(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-pkg-'));
  for (const part of ['bin', 'scripts', 'src', 'package.json']) await cp(join(ROOT, part), join(dir, part), { recursive: true });
  await mkdir(join(dir, 'node_modules'));
  for (const name of await readdir(join(ROOT, 'node_modules'))) {
    if (name !== 'tsx' && name !== '.bin') await symlink(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  return dir;
}

function zhengce(pkg: string, args: string[], cwd: string, nodeArgs: string[] = []): Promise<CliResult> {
  return runNode([...nodeArgs, join(pkg, 'bin', 'zhengce.js'), ...args], cwd);
}

describe('start-up from the compiled build', { concurrency: false }, () => {
  let pkg: string;

  test('the command builds dist/ when it is missing, runs it without tsx, and rebuilds it when a source changes', { timeout: 120_000 }, async () => {
    pkg = await packageWithoutTsx();
    const first = await zhengce(pkg, ['--help'], pkg);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /rebuilding it/);
    assert.match(first.stdout, /^Usage: zhengce <command>/m);
    assert.ok((await stat(join(pkg, 'dist', 'cli', 'main.js'))).isFile());

    const again = await zhengce(pkg, ['--help'], pkg);
    assert.equal(again.stderr, '', 'a current build is used as it is');

    const main = join(pkg, 'src', 'cli', 'main.ts');
    await writeFile(main, (await readFile(main, 'utf8')).replace('Usage: zhengce <command>', 'Usage (edited): zhengce <command>'));
    const edited = await zhengce(pkg, ['--help'], pkg);
    assert.equal(edited.code, 0, edited.stderr);
    assert.match(edited.stderr, /src\/ changed since dist\/ was built/);
    assert.match(edited.stdout, /^Usage \(edited\): zhengce <command>/m);
  });

  test('a post large enough for a worker thread is extracted by the compiled worker', { timeout: 120_000 }, async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'zhengce-'));
    await mkdir(join(cwd, 'posts'));
    // 870 KB: over the size that always goes to a worker thread, so the worker loads dist/pipeline/extract-job.js.
    await writeFile(join(cwd, 'posts', 'huge-plan.md'), revisedPlan(5, 2000).v1);
    await writeFile(join(cwd, 'big.yaml'), 'id: big\nsource:\n  type: dir\n  path: posts\npublish:\n  formats: [csv]\n');
    const r = await zhengce(pkg, ['run', 'big.yaml'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const parts = join(cwd, 'output', 'big', 'latest', 'csv', 'provisions');
    const lines = await Promise.all((await readdir(parts)).map(async (p) => (await readFile(join(parts, p), 'utf8')).trim().split('\n').length - 1));
    assert.equal(
      lines.reduce((a, b) => a + b, 0),
      5 * 2001,
      'the five sections and their 2,000 items each',
    );
  });
});

/** The modules a `zhengce` command loaded (paths below the package or node_modules), seen through a module resolve hook. */
async function loadedBy(args: string[], cwd: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-hook-'));
  await writeFile(join(dir, 'hook.mjs'), 'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`loaded ${r.url}\\n`); return r; }\n');
  await writeFile(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});\n`);
  const r = await zhengce(ROOT, args, cwd, ['--import', join(dir, 'register.mjs')]);
  assert.equal(r.code, 0, r.stderr);
  return [...r.stderr.matchAll(/^loaded file:\/\/(\S+)$/gm)].map((m) => m[1].replace(/.*\/node_modules\//, 'node_modules/').replace(ROOT, ''));
}

const loads = (modules: string[], prefix: string): boolean => modules.some((m) => m.startsWith(prefix));

describe('each command loads only what it runs', () => {
  test('--help loads no command; status no DuckDB; a no-change dir run no DuckDB, parser, HTTP client or Arrow', { timeout: 120_000 }, async () => {
    const ws = await makeWorkspace({ posts: [join(ROOT, 'pipelines', 'sample', 'posts', '2021-12-08-202112082206672930.md')] });
    const first = await zhengce(ROOT, ['run', ws.file, '-q'], ws.cwd);
    assert.equal(first.code, 0, first.stderr);

    const help = await loadedBy(['--help'], ws.cwd);
    assert.ok(loads(help, 'dist/cli/main.js'), 'the compiled CLI runs');
    for (const heavy of ['dist/pipeline/', 'node_modules/zod/', 'node_modules/pino/', 'node_modules/@duckdb/']) assert.ok(!loads(help, heavy), `--help loads ${heavy}`);

    const status = await loadedBy(['status', ws.file], ws.cwd);
    assert.ok(loads(status, 'dist/pipeline/config.js'), 'status reads the pipeline');
    for (const heavy of ['node_modules/@duckdb/', 'dist/store/', 'node_modules/pino/']) assert.ok(!loads(status, heavy), `status loads ${heavy}`);

    // A run whose folder holds nothing new ends before the store: DuckDB is never loaded.
    const rerun = await loadedBy(['run', ws.file, '-q'], ws.cwd);
    assert.ok(loads(rerun, 'dist/pipeline/quick.js'), 'the run asks the source first');
    for (const heavy of [
      'node_modules/@duckdb/',
      'dist/store/',
      'dist/parse/',
      'dist/extract/index.js',
      'node_modules/htmlparser2/',
      'node_modules/undici/',
      'node_modules/fast-xml-parser/',
      'node_modules/apache-arrow/',
    ]) {
      assert.ok(!loads(rerun, heavy), `a no-change dir run loads ${heavy}`);
    }
  });
});
