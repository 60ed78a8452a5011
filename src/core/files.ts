import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { fileSystemError } from './errors.ts';

/** Writes a file aside and renames it into place, so a reader never sees half of it; a failure leaves no temporary file. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw fileSystemError(err, file) ?? err;
  }
}

/** A JSON file's value, or null when the file is missing or not JSON. */
export async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** True when the absolute path `inner` is `outer` or below it. */
export function isWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
