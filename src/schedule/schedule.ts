import { mkdir } from 'node:fs/promises';
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Logger } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import type { Pipeline } from '../pipeline/config.ts';
import { acquireLock, LockBusyError, schedulerLockFile, type Lock } from '../pipeline/lock.ts';

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

/**
 * Records this process as the pipeline's scheduler (output/<id>/schedule.lock, under the run lock's
 * rules: a scheduler that died leaves a stale record), so that `zhengce status` shows a next run only
 * while one lives; a second scheduler of the same pipeline is refused (exit 75), naming the first.
 */
async function recordScheduler(pipeline: Pipeline, logger: Logger): Promise<Lock> {
  await mkdir(pipeline.outputDir, { recursive: true });
  const file = schedulerLockFile(pipeline.outputDir);
  try {
    const lock = await acquireLock(file, new Date());
    if (lock.tookOver)
      logger.info(
        { pipeline: pipeline.config.id, stage: 'schedule', stale_holder: lock.tookOver.holder, because: lock.tookOver.because },
        `replaced the record of a scheduler that is gone: ${lock.tookOver.because}`,
      );
    return lock;
  } catch (err) {
    if (!(err instanceof LockBusyError) || !err.holder) throw err;
    const h = err.holder;
    throw new CliError(
      `pipeline ${pipeline.config.id} is already scheduled by pid ${h.pid} on ${h.host} since ${h.started_at} (${file}); stop that zhengce schedule first, or schedule only the other pipelines`,
      { exitCode: EXIT.busy, cause: err },
    );
  }
}

/** Runs each pipeline on its cron until the signal aborts, then lets the runs in progress end. */
export async function runSchedule(pipelines: Pipeline[], deps: ScheduleDeps): Promise<void> {
  const running = new Set<Promise<unknown>>();
  const tasks: ScheduledTask[] = [];
  const records: Lock[] = [];
  try {
    for (const p of pipelines) records.push(await recordScheduler(p, deps.logger));
    for (const p of pipelines) tasks.push(schedulePipeline(p, deps, running));
    await new Promise<void>((resolve) => {
      if (deps.signal.aborted) resolve();
      else deps.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await Promise.all(tasks.map((t) => t.destroy()));
    if (running.size) deps.logger.info({ stage: 'shutdown', runs: running.size }, `waiting for ${running.size} run(s) in progress to finish or stop`);
    await Promise.allSettled(running);
    await Promise.all(records.map((r) => r.release()));
  }
  deps.logger.info({ stage: 'shutdown' }, 'schedule stopped');
}
