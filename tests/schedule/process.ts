import { spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../helpers/cli.ts';

const BIN = join(ROOT, 'bin', 'zhengce.js');

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the real `zhengce` command and leaves it running, for tests that signal or race it. It is killed when test `t`
 * ends, whatever failed: a scheduler or a paused run left behind would hold the test file open.
 */
export function startCli(t: TestContext, args: string[], cwd: string, env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => void child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Polls until `ready` holds; fails with `what` (and the process output, when given) after `ms`. A real run reaching a
 * stage is waited for 45 s (crash, lock, schedule): on a loaded 2-core machine its start-up alone can take 6 s or more. A process given is
 * killed when the wait fails, so that no test leaves a run behind (a paused one would hold the test file for minutes).
 */
export async function waitFor(what: string, ready: () => boolean | Promise<boolean>, ms = 15_000, proc?: Running): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > until) {
      proc?.child.kill('SIGKILL');
      throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${proc ? `\nstdout:\n${proc.stdout()}\nstderr:\n${proc.stderr()}` : ''}`);
    }
    await sleep(100);
  }
}

export const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/** Resolves with the exit of `proc`, or rejects if it takes longer than `ms`. */
export async function exitWithin(proc: Running, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`process still running after ${ms} ms\nstdout:\n${proc.stdout()}\nstderr:\n${proc.stderr()}`)), ms);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
