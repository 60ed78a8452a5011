// `zhengce run <file>` in this process, for tests whose subject is the run and its output rather than the command's
// process (start-up, exit, signals): the same functions the command calls, its JSON log lines and its stderr wording.
import { Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { createLogger } from '../../src/cli/logging.ts';
import { reportError } from '../../src/cli/report.ts';
import { noProgress, systemClock, type Clock, type RunHooks } from '../../src/core/effects.ts';
import { EXIT } from '../../src/core/errors.ts';
import { loadPipeline } from '../../src/pipeline/config.ts';
import { runPipelineOnce } from '../../src/pipeline/operate.ts';
import type { CliResult } from './cli.ts';

/**
 * The clock of a series of runs in one test: real time, one second further ahead at each `next()`. Runs that follow each
 * other within a UTC second (in process, they do) still get release ids of their own, in order, without waiting, and
 * every time a run records (created_at, fetched_at, the lock's started_at) is that run's, not the one before it.
 */
export class RunClock implements Clock {
  private ahead = 0;
  now(): Date {
    return new Date(Date.now() + this.ahead);
  }
  /** Moves the clock a second ahead, for the next run: pass it as runInProcess's `clock`. */
  next(): this {
    this.ahead += 1000;
    return this;
  }
}

/** A stream that keeps what is written to it. */
function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * Runs pipeline `file` once as `zhengce run [--offline] [--adopt] <file>` would in `cwd` (its lock, recovery, run record
 * and status.json included), with the command's JSON log lines as `stdout`, a failure as the command words it on
 * `stderr`, and its exit code: 0 ok, 2 partial, else the error's (1 failed, 75 busy).
 */
export async function runInProcess(
  file: string,
  cwd: string,
  o: { offline?: boolean; adopt?: boolean; env?: Record<string, string>; clock?: Clock; dispatcher?: Dispatcher; hooks?: RunHooks; verbose?: boolean } = {},
): Promise<CliResult> {
  const out = collector();
  const err = collector();
  const logger = createLogger({ format: 'json', level: o.verbose ? 'debug' : 'info', stream: out.stream });
  try {
    const pipeline = await loadPipeline(file, cwd);
    const run = await runPipelineOnce(
      pipeline,
      { clock: o.clock ?? systemClock, logger, progress: noProgress, env: o.env ?? {}, offline: o.offline, dispatcher: o.dispatcher, hooks: o.hooks },
      { adopt: o.adopt },
    );
    return { code: run.status === 'partial' ? EXIT.partial : EXIT.ok, stdout: out.text(), stderr: err.text() };
  } catch (error) {
    const code = reportError(error, { verbose: o.verbose, stderr: err.stream });
    return { code, stdout: out.text(), stderr: err.text() };
  }
}
