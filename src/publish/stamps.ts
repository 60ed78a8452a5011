// What a file was when zhengce last knew its content: inode, size, mtime and ctime. A file whose stamp stands has
// not been written since (a write moves mtime and ctime, and nothing sets ctime back), so its sha256 need not be
// read again: a release checks its parent's files by stamp, and hashes only those whose stamp moved.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson, writeFileAtomic } from '../core/files.ts';

export type Stamp = [ino: number, size: number, mtimeMs: number, ctimeMs: number];

export async function stampOf(file: string): Promise<Stamp | null> {
  const s = await stat(file).catch(() => null);
  return s && [s.ino, s.size, s.mtimeMs, s.ctimeMs];
}

export const sameStamp = (a: Stamp | null | undefined, b: Stamp | null | undefined): boolean => !!a && !!b && a.every((v, i) => v === b[i]);

/** output/<id>/.stamps.json: the stamps of the latest release's files, taken once it was placed (working state, never served). */
const stampsFile = (outputDir: string): string => join(outputDir, '.stamps.json');

/** The stamps of release `releaseId`'s files, when the file holds that release's. */
export async function readStamps(outputDir: string, releaseId: string): Promise<Map<string, Stamp> | null> {
  const saved = await readJson<{ release_id: string; files: Record<string, Stamp> }>(stampsFile(outputDir));
  return saved?.release_id === releaseId ? new Map(Object.entries(saved.files)) : null;
}

/** Stamps every listed file of a release just written or checked (a link changes ctime, so after the links). */
export async function writeStamps(outputDir: string, releaseId: string, dir: string, paths: Iterable<string>): Promise<void> {
  const files: Record<string, Stamp> = {};
  for (const path of paths) {
    const s = await stampOf(join(dir, path));
    if (s) files[path] = s;
  }
  await writeFileAtomic(stampsFile(outputDir), JSON.stringify({ release_id: releaseId, files }));
}
