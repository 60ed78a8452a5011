import { noProgress, type Logger } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { loadPipeline } from '../pipeline/config.ts';
import { runPipelineOnce } from '../pipeline/operate.ts';
import { stopOnSignals } from '../schedule/signals.ts';
import { cliRunDeps } from './deps.ts';
import { createProgress } from './logging.ts';

/** `zhengce run <pipeline…>`: each pipeline once, under its lock; exit 2 when a release stands but posts were rejected. */
export async function runCommand(names: string[], o: { logger: Logger; interactive: boolean; offline: boolean }): Promise<number> {
  if (names.length === 0) throw new CliError('name at least one pipeline: zhengce run <id|file.yaml> (see zhengce run --help)', { exitCode: EXIT.failed });
  const stop = stopOnSignals(o.logger);
  try {
    let exit: number = EXIT.ok;
    for (const name of names) {
      const pipeline = await loadPipeline(name, process.cwd());
      const progress = o.interactive ? createProgress(process.stderr) : noProgress;
      const run = await runPipelineOnce(pipeline, cliRunDeps(pipeline, { logger: o.logger, progress, signal: stop.signal, offline: o.offline }));
      if (run.status === 'partial') exit = EXIT.partial;
    }
    return exit;
  } finally {
    stop.dispose();
  }
}
