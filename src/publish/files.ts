import { mkdir, readdir, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.ts';

export const releasesDir = (outputDir: string): string => join(outputDir, 'releases');
const stagingDir = (outputDir: string, releaseId: string): string => join(releasesDir(outputDir), `.tmp-${releaseId}`);

/** A fresh, empty folder to write a release into before it is renamed into place. */
export async function makeStagingDir(outputDir: string, releaseId: string): Promise<string> {
  const dir = stagingDir(outputDir, releaseId);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** `latest` is a relative symlink swapped in one rename; latest.json says the same for tools that do not follow links. */
export async function pointLatest(outputDir: string, releaseId: string): Promise<void> {
  const tmp = join(outputDir, `.latest-${process.pid}`);
  await rm(tmp, { force: true });
  await symlink(join('releases', releaseId), tmp, 'dir');
  await rename(tmp, join(outputDir, 'latest'));
  await writeFileAtomic(join(outputDir, 'latest.json'), `${JSON.stringify({ release_id: releaseId, path: `releases/${releaseId}` }, null, 2)}\n`);
}

/**
 * Removes what a killed run left behind: staging folders, and release folders the store never
 * committed (renamed into place just before a crash). The store is the record of what was published.
 */
export async function removeUncommittedReleases(outputDir: string, committed: ReadonlySet<string>): Promise<string[]> {
  const names = await readdir(releasesDir(outputDir)).catch(() => [] as string[]);
  const removed = names.filter((n) => !committed.has(n));
  for (const n of removed) await rm(join(releasesDir(outputDir), n), { recursive: true, force: true });
  return removed;
}

/** Keeps the newest `keep` release folders (history/ keeps every row version regardless). */
export async function pruneReleases(outputDir: string, committed: readonly string[], keep: number): Promise<string[]> {
  const old = [...committed].sort().slice(0, Math.max(0, committed.length - keep));
  for (const n of old) await rm(join(releasesDir(outputDir), n), { recursive: true, force: true });
  return old;
}
