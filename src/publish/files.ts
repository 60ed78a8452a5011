import { mkdir, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAside, writeFileAtomic } from '../core/files.ts';

export const releasesDir = (outputDir: string): string => join(outputDir, 'releases');
const STAGING_PREFIX = '.tmp-';
const stagingDir = (outputDir: string, releaseId: string): string => join(releasesDir(outputDir), `${STAGING_PREFIX}${releaseId}`);
/** Written into every folder zhengce stages a release in: only folders that hold it are ever removed. */
const STAGING_MARKER = '.zhengce-staging';
/** What zhengce names a release folder (a UTC time to the second) — any other entry of releases/ is the user's. */
const RELEASE_ID = /^\d{4}-\d{2}-\d{2}T\d{6}Z$/;

/** A fresh, empty folder, marked as zhengce's own, to write a release into before it is renamed into place. */
export async function makeStagingDir(outputDir: string, releaseId: string): Promise<string> {
  const dir = stagingDir(outputDir, releaseId);
  if (await isOwnStaging(dir)) await rm(dir, { recursive: true, force: true });
  // Fails on a folder of that name zhengce did not make, rather than overwrite it.
  await mkdir(dir, { recursive: false });
  await writeFile(join(dir, STAGING_MARKER), `${JSON.stringify({ release_id: releaseId, pid: process.pid })}\n`);
  return dir;
}

/** Moves a written (and committed) staging folder to its place, and drops the marker it no longer needs. */
export async function placeStagedRelease(outputDir: string, releaseId: string): Promise<void> {
  const dest = join(releasesDir(outputDir), releaseId);
  await rename(stagingDir(outputDir, releaseId), dest);
  await rm(join(dest, STAGING_MARKER), { force: true });
}

async function isOwnStaging(dir: string): Promise<boolean> {
  return stat(join(dir, STAGING_MARKER)).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** A folder that looks like a published release: named as zhengce names them, or holding a datapackage.json. */
async function isReleaseFolder(dir: string, name: string): Promise<boolean> {
  if (
    !(await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    return false;
  if (RELEASE_ID.test(name)) return true;
  return stat(join(dir, 'datapackage.json')).then(
    () => true,
    () => false,
  );
}

export interface ReleasesFolderState {
  /** Release folders the store has no record of (a store restored from a backup, or another pipeline's): never touched. */
  unknown: string[];
  /** zhengce's own staging folders: `complete` when the store committed that release before a kill stopped the rename. */
  staging: { name: string; releaseId: string; complete: boolean }[];
}

/** What releases/ holds beside the store's record; reads only, so a caller can refuse before changing anything. */
export async function inspectReleases(outputDir: string, committed: ReadonlySet<string>): Promise<ReleasesFolderState> {
  const dir = releasesDir(outputDir);
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  const state: ReleasesFolderState = { unknown: [], staging: [] };
  for (const name of names) {
    const path = join(dir, name);
    if (name.startsWith(STAGING_PREFIX)) {
      if (!(await isOwnStaging(path))) continue;
      const releaseId = name.slice(STAGING_PREFIX.length);
      const placed = names.includes(releaseId);
      state.staging.push({ name, releaseId, complete: committed.has(releaseId) && !placed });
    } else if (!committed.has(name) && (await isReleaseFolder(path, name))) state.unknown.push(name);
  }
  return state;
}

/** Finishes what a killed run left in staging: a committed release is renamed into place, anything else removed. */
export async function settleStaging(outputDir: string, staging: ReleasesFolderState['staging']): Promise<{ placed: string[]; removed: string[] }> {
  const done = { placed: [] as string[], removed: [] as string[] };
  for (const s of staging) {
    if (s.complete) {
      await placeStagedRelease(outputDir, s.releaseId);
      done.placed.push(s.releaseId);
    } else {
      await rm(join(releasesDir(outputDir), s.name), { recursive: true, force: true });
      done.removed.push(s.name);
    }
  }
  return done;
}

/** `latest` is a relative symlink swapped in one rename; latest.json says the same for tools that do not follow links. */
export async function pointLatest(outputDir: string, releaseId: string): Promise<void> {
  await writeFileAside(join(outputDir, 'latest'), (tmp) => symlink(join('releases', releaseId), tmp, 'dir'));
  await writeFileAtomic(join(outputDir, 'latest.json'), `${JSON.stringify({ release_id: releaseId, path: `releases/${releaseId}` }, null, 2)}\n`);
}

/** Keeps the newest `keep` release folders (history/ keeps every row version regardless). */
export async function pruneReleases(outputDir: string, committed: readonly string[], keep: number): Promise<string[]> {
  const old = [...committed].sort().slice(0, Math.max(0, committed.length - keep));
  for (const n of old) await rm(join(releasesDir(outputDir), n), { recursive: true, force: true });
  return old;
}

/** Removes a staging folder a failed run wrote (the error reported is the run's own). */
export async function removeStaging(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
