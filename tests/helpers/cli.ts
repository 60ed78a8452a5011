import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SAMPLE_POSTS = join(ROOT, 'pipelines', 'sample', 'posts');
const BIN = join(ROOT, 'bin', 'zhengce.js');
/**
 * Two real posts of the sample (a finews Markdown post and a gov.cn page), for tests whose subject is a run's locking,
 * signals or status rather than what it extracts: a run over them takes a fraction of the whole sample's time.
 */
export const FEW_POSTS = ['2022-01-06-202201062238656632.md', 'govcn-2019-01-21-content_5359620.html'].map((p) => join(ROOT, 'pipelines', 'sample', 'posts', p));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `zhengce` command in `cwd`, as a user would. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runNode([BIN, ...args], cwd, env);
}

/** Runs Node on `argv` (a script and its arguments) in `cwd`, collecting its output. */
export function runNode(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `zhengce serve` on a free port (with at most `openFiles` file descriptors, set by the shell's ulimit) and resolves once it prints its URL. */
export function startServe(cwd: string, file: string, options: { openFiles?: number } = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const argv = [BIN, 'serve', file, '--port', '0', '--log-format', 'json'];
    const child =
      options.openFiles === undefined
        ? spawn(process.execPath, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('sh', ['-c', `ulimit -n ${options.openFiles} && exec "$0" "$@"`, process.execPath, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve({ child, url: m[1], output: () => out });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d));
    child.on('exit', (code) => reject(new Error(`zhengce serve exited ${code}: ${out}`)));
  });
}

/** A fresh working folder holding a copy of `posts` and a dir pipeline `<id>.yaml` reading it. */
export async function makeWorkspace(options: { id?: string; posts?: string[]; formats?: string[]; extra?: string } = {}): Promise<{ cwd: string; file: string; out: string; postsDir: string }> {
  const id = options.id ?? 'test';
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-'));
  const postsDir = join(cwd, 'posts');
  for (const p of options.posts ?? [SAMPLE_POSTS]) await cp(p, p.endsWith('.md') || p.endsWith('.html') ? join(postsDir, p.split('/').pop()!) : postsDir, { recursive: true });
  const file = join(cwd, `${id}.yaml`);
  const formats = options.formats ?? ['csv', 'parquet'];
  await writeFile(file, `id: ${id}\nsource:\n  type: dir\n  path: posts\npublish:\n  formats: [${formats.join(', ')}]\n${options.extra ?? ''}`);
  return { cwd, file, out: join(cwd, 'output', id), postsDir };
}

/** Parses JSON log lines (stdout of a non-terminal run). */
export function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
