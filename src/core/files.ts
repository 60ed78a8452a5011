import { readFile, readlink, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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

/** Symbolic links followed before a path is taken as looping (Linux's own limit). */
const MAX_LINKS = 40;

/**
 * `path` with every symbolic link resolved, as the OS would follow it when writing there: the real path of
 * its nearest existing ancestor joined with the rest, a dangling link followed to where it points. Folder
 * checks compare these, so no link can carry a write into a folder they refuse.
 */
export async function resolveSymlinks(path: string, links = 0): Promise<string> {
  const rest: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    const real = await realpath(at).catch(() => null);
    if (real !== null) return join(real, ...rest);
    // A link whose target is missing: mkdir -p would create the target, so the target is what counts.
    const target = await readlink(at).catch(() => null);
    if (target !== null && links < MAX_LINKS) return resolveSymlinks(join(resolve(dirname(at), target), ...rest), links + 1);
    if (dirname(at) === at) return join(at, ...rest);
    rest.unshift(basename(at));
  }
}
