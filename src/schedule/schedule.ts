import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Logger } from '../core/effects.ts';
import { CliError } from '../core/errors.ts';
import type { Pipeline } from '../pipeline/config.ts';

export interface ScheduleDeps {
  logger: Logger;
  /** Aborted on SIGTERM/SIGINT: scheduling stops and runs in progress are asked to stop safely. */
  signal: AbortSignal;
  /** One run of one pipeline under its lock; it logs and records its own outcome. */
  runOnce(pipeline: Pipeline): Promise<unknown>;
}

/** When the pipeline's schedule fires next in its time zone; null when it has no schedule. */
export function nextRunTime(pipeline: Pipeline): Date | null {
  const { schedule, timezone } = pipeline.config;
  if (!schedule) return null;
  const task = cron.createTask(schedule, () => {}, { timezone });
  try {
    // getNextRun() answers only for a started task; getNextRuns works on one never started.
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    void task.destroy();
  }
}

/** node-cron's own messages go to our log (never straight to stdout, where they would break JSON lines). */
function cronLogger(logger: Logger): CronLogger {
  const fields = { stage: 'schedule' };
  return {
    debug: (m) => logger.debug(fields, String(m)),
    info: (m) => logger.debug(fields, m),
    // Overlap and missed ticks are expected when a run outlasts the interval: worth a line, not a warning.
    warn: (m) => logger.info(fields, m),
    error: (m, err) => logger.error({ ...fields, err: err ?? m }, String(m)),
  };
}

function schedulePipeline(pipeline: Pipeline, deps: ScheduleDeps, running: Set<Promise<unknown>>): ScheduledTask {
  const { id, schedule, timezone } = pipeline.config;
  if (!schedule) throw new CliError(`pipeline ${id} has no schedule (${pipeline.file})`);
  const logger = deps.logger.child({ pipeline: id });
  const first = nextRunTime(pipeline);
  const task = cron.schedule(
    schedule,
    async () => {
      if (deps.signal.aborted) return;
      // Failures are logged and recorded by runOnce; the schedule goes on.
      const run = deps.runOnce(pipeline).catch(() => {});
      running.add(run);
      await run;
      running.delete(run);
      const next = task.getNextRun()?.toISOString() ?? null;
      if (!deps.signal.aborted) logger.info({ stage: 'schedule', next_run: next }, `${id}: next run at ${next}`);
    },
    { name: id, timezone, noOverlap: true, logger: cronLogger(logger) },
  );
  const next = first?.toISOString() ?? null;
  logger.info({ stage: 'schedule', schedule, timezone, next_run: next }, `${id}: scheduled "${schedule}" (${timezone}); next run at ${next}`);
  return task;
}

/** Runs each pipeline on its cron until the signal aborts, then lets the runs in progress end. */
export async function runSchedule(pipelines: Pipeline[], deps: ScheduleDeps): Promise<void> {
  const running = new Set<Promise<unknown>>();
  const tasks: ScheduledTask[] = [];
  try {
    for (const p of pipelines) tasks.push(schedulePipeline(p, deps, running));
    await new Promise<void>((resolve) => {
      if (deps.signal.aborted) resolve();
      else deps.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await Promise.all(tasks.map((t) => t.destroy()));
  }
  if (running.size) deps.logger.info({ stage: 'shutdown', runs: running.size }, `waiting for ${running.size} run(s) in progress to finish or stop`);
  await Promise.allSettled(running);
  deps.logger.info({ stage: 'shutdown' }, 'schedule stopped');
}
