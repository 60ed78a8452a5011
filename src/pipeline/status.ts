import { join } from 'node:path';
import { readJson, writeFileAtomic } from '../core/files.ts';
import type { RejectRow } from '../publish/release.ts';
import type { RunRecord } from '../store/runs.ts';

/** The last run as monitors read it: the run record, how long it took and the posts it could not process. */
export interface LastRun extends RunRecord {
  duration_ms: number;
  failures: RejectRow[];
}

/** output/<id>/status.json: readable while a run holds the store, so `zhengce status` never opens it. */
export interface StatusFile {
  pipeline: string;
  last_run: LastRun;
  /** The newest complete release when the run ended (latest.json), or null before the first. */
  last_release: string | null;
}

const statusPath = (outputDir: string): string => join(outputDir, 'status.json');

export const readStatus = (outputDir: string): Promise<StatusFile | null> => readJson<StatusFile>(statusPath(outputDir));

/** The release latest.json names: the newest complete one. */
export async function latestReleaseId(outputDir: string): Promise<string | null> {
  return (await readJson<{ release_id?: string }>(join(outputDir, 'latest.json')))?.release_id ?? null;
}

/** Rewrites status.json whole (written aside, then renamed), so a monitor never reads half of it. */
export async function writeStatus(outputDir: string, lastRun: LastRun): Promise<void> {
  const status: StatusFile = { pipeline: lastRun.pipeline, last_run: lastRun, last_release: await latestReleaseId(outputDir) };
  await writeFileAtomic(statusPath(outputDir), `${JSON.stringify(status, null, 2)}\n`);
}
