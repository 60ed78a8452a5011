import { noProgress, type Logger } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { checkDistinctPipelines, loadPipeline, type Pipeline } from '../pipeline/config.ts';
import { runPipelineOnce } from '../pipeline/operate.ts';
import { stopOnSignals } from '../schedule/signals.ts';
import { cliRunDeps } from './deps.ts';
import { createProgress } from './logging.ts';
import { errorReport, reportError } from './report.ts';

/** Exit codes of `zhengce run`, least severe first: the command exits with the most severe of its pipelines'. */
const SEVERITY: readonly number[] = [EXIT.ok, EXIT.partial, EXIT.busy, EXIT.failed];

/** The more severe of two exit codes (failed 1 > busy 75 > partial 2 > ok 0); an unknown code counts as failed. */
export function worseExit(a: number, b: number): number {
  const rank = (code: number): number => (SEVERITY.includes(code) ? SEVERITY.indexOf(code) : SEVERITY.length);
  return rank(b) > rank(a) ? b : a;
}

/** Every named pipeline, or one error naming each that cannot be loaded: nothing runs until all are valid. */
async function loadAll(names: string[], cwd: string): Promise<Pipeline[]> {
  const loaded = await Promise.allSettled(names.map((name) => loadPipeline(name, cwd)));
  const problems = loaded.flatMap((r) => (r.status === 'rejected' ? [errorReport(r.reason).message] : []));
  if (problems.length > 0) throw new CliError(`${problems.join('\n')}\nnothing was run`, { exitCode: EXIT.failed });
  const pipelines = loaded.map((r) => (r as PromiseFulfilledResult<Pipeline>).value);
  await checkDistinctPipelines(pipelines).catch((err: CliError) => {
    throw new CliError(`${err.message}\nnothing was run`, { exitCode: EXIT.failed });
  });
  return pipelines;
}

/**
 * `zhengce run <pipeline…>`: loads and validates every named pipeline first (one bad name or file:
 * exit 1, nothing run), then runs each once under its lock, in order, whatever the earlier ones
 * did. Each failure is written to stderr as it happens; the exit code is the most severe of all.
 */
export async function runCommand(names: string[], o: { logger: Logger; interactive: boolean; offline: boolean; adopt?: boolean; verbose?: boolean }): Promise<number> {
  if (names.length === 0) throw new CliError('name at least one pipeline: zhengce run <id|file.yaml> (see zhengce run --help)', { exitCode: EXIT.failed });
  const pipelines = await loadAll(names, process.cwd());
  const stop = stopOnSignals(o.logger);
  try {
    let exit: number = EXIT.ok;
    for (const [i, pipeline] of pipelines.entries()) {
      if (stop.signal.aborted) {
        const left = pipelines.slice(i).map((p) => p.config.id);
        return worseExit(exit, reportError(new CliError(`stopped: not run: ${left.join(', ')}`, { exitCode: EXIT.failed })));
      }
      const progress = o.interactive ? createProgress(process.stderr) : noProgress;
      try {
        const run = await runPipelineOnce(pipeline, cliRunDeps(pipeline, { logger: o.logger, progress, signal: stop.signal, offline: o.offline }), { adopt: o.adopt });
        if (run.status === 'partial') exit = worseExit(exit, EXIT.partial);
      } catch (err) {
        exit = worseExit(exit, reportError(err, { verbose: o.verbose }));
      }
    }
    return exit;
  } finally {
    stop.dispose();
  }
}
