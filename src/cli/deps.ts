import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Logger, type Progress, type RunHooks } from '../core/effects.ts';
import type { Pipeline } from '../pipeline/config.ts';
import type { RunDeps } from '../pipeline/run.ts';

const PAUSE_MS = 10 * 60_000;

// ZHENGCE_TEST_PAUSE=<stage> holds a run at that stage (announced by <output>/paused-<stage>) until it is stopped, killed or 10 minutes pass: the crash tests kill the real command there.
function testPause(stage: string | undefined, outputDir: string, signal: AbortSignal): RunHooks | undefined {
  if (!stage) return undefined;
  return {
    async at(at) {
      if (at !== stage) return;
      await writeFile(join(outputDir, `paused-${at}`), `${process.pid}\n`);
      await sleep(PAUSE_MS, undefined, { signal }).catch(() => {});
    },
  };
}

/** What a run started from the command line gets: the system clock, the command's logger and progress, and the stop signal. */
export function cliRunDeps(pipeline: Pipeline, o: { logger: Logger; progress: Progress; signal: AbortSignal; offline?: boolean }): RunDeps {
  return {
    clock: systemClock,
    logger: o.logger,
    progress: o.progress,
    env: process.env,
    signal: o.signal,
    offline: o.offline,
    hooks: testPause(process.env.ZHENGCE_TEST_PAUSE, pipeline.outputDir, o.signal),
  };
}
