import { noProgress, type Logger } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import type { Pipeline } from '../pipeline/config.ts';
import { runPipelineOnce } from '../pipeline/operate.ts';
import { runSchedule } from '../schedule/schedule.ts';
import { stopOnSignals } from '../schedule/signals.ts';
import { cliRunDeps } from './deps.ts';
import { loadPipelines } from './pipelines.ts';

/**
 * The pipelines to schedule: a pipeline named on the command line must have a schedule (an error
 * otherwise); of all pipelines/*.yaml, those without one are skipped with a log line.
 */
function scheduled(pipelines: Pipeline[], named: boolean, logger: Logger): Pipeline[] {
  const without = pipelines.filter((p) => !p.config.schedule);
  if (named && without.length) {
    throw new CliError(`${without.map((p) => `pipeline ${p.config.id} (${p.file})`).join(', ')} has no schedule: add e.g. schedule: "*/30 * * * *", or run it once with zhengce run`);
  }
  for (const p of without) logger.info({ pipeline: p.config.id, stage: 'schedule' }, `${p.config.id}: no schedule in ${p.file}; not scheduled`);
  const rest = pipelines.filter((p) => p.config.schedule);
  if (rest.length === 0) throw new CliError('nothing to schedule: no pipeline has a schedule key');
  return rest;
}

/** `zhengce schedule [pipeline…]`: runs pipelines on their cron until SIGTERM/SIGINT, then exits 0. */
export async function scheduleCommand(names: string[], o: { logger: Logger }): Promise<number> {
  const pipelines = scheduled(await loadPipelines(names, process.cwd()), names.length > 0, o.logger);
  const stop = stopOnSignals(o.logger);
  try {
    await runSchedule(pipelines, {
      logger: o.logger,
      signal: stop.signal,
      runOnce: (p) => runPipelineOnce(p, cliRunDeps(p, { logger: o.logger, progress: noProgress, signal: stop.signal })),
    });
  } finally {
    stop.dispose();
  }
  return EXIT.ok;
}
