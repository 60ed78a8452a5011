import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJson, writeFileAtomic } from '../core/files.ts';
import type { RejectRow, RunRecord } from '../core/types.ts';
import { acquireLock, LockBusyError, type Lock } from './lock.ts';

/** The last run as monitors read it: the run record, how long it took and the posts it could not process. */
export interface LastRun extends RunRecord {
  duration_ms: number;
  failures: RejectRow[];
}

/** output/<id>/status.json: readable while a run holds the store, so `zhengce status` never opens it. */
export interface StatusFile {
  pipeline: string;
  /** The last run that ran (ok, partial or failed), or null before the first. */
  last_run: LastRun | null;
  /** The last run refused for the lock (status skipped), kept apart so that it never hides last_run; null before the first. */
  last_skipped: LastRun | null;
  /** The newest complete release when the run ended (latest.json), or null before the first. */
  last_release: string | null;
}

const statusPath = (outputDir: string): string => join(outputDir, 'status.json');

/** status.json, with last_skipped null in a file written before it was kept apart. */
export async function readStatus(outputDir: string): Promise<StatusFile | null> {
  const status = await readJson<StatusFile>(statusPath(outputDir));
  return status && { ...status, last_skipped: status.last_skipped ?? null };
}

/** The release latest.json names: the newest complete one. */
export async function latestReleaseId(outputDir: string): Promise<string | null> {
  return (await readJson<{ release_id?: string }>(join(outputDir, 'latest.json')))?.release_id ?? null;
}

/** Takes status.json's own lock, waiting up to about 5 s: it is held only while the file is read and rewritten. */
async function lockStatus(outputDir: string, now: Date): Promise<Lock> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await acquireLock(join(outputDir, 'status.lock'), now);
    } catch (err) {
      if (!(err instanceof LockBusyError) || attempt >= 500) throw err;
      await sleep(10);
    }
  }
}

/**
 * Records a run in status.json: a skipped run as last_skipped, any other as last_run, keeping the
 * other field. A refused run and the lock's holder may write at once, so the file is read and
 * rewritten under its own lock, and written aside then renamed, so a monitor never reads half of it.
 */
export async function writeStatus(outputDir: string, run: LastRun): Promise<void> {
  const lock = await lockStatus(outputDir, new Date(run.finished_at));
  try {
    const before = await readStatus(outputDir);
    const status: StatusFile = {
      pipeline: run.pipeline,
      last_run: run.status === 'skipped' ? (before?.last_run ?? null) : run,
      last_skipped: run.status === 'skipped' ? run : (before?.last_skipped ?? null),
      last_release: await latestReleaseId(outputDir),
    };
    await writeFileAtomic(statusPath(outputDir), `${JSON.stringify(status, null, 2)}\n`);
  } finally {
    await lock.release();
  }
}
