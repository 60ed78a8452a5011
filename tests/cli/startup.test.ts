import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { revisedPlan } from '../helpers/revised-plan.ts';
import { ROOT, type CliResult } from '../helpers/cli.ts';

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

function zhengce(pkg: string, args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(pkg, 'bin', 'zhengce.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
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
    const csv = await readFile(join(cwd, 'output', 'big', 'latest', 'csv', 'provisions.csv'), 'utf8');
    assert.equal(csv.trim().split('\n').length, 1 + 5 * 2001, 'the header, then the five sections and their 2,000 items each');
  });
});
