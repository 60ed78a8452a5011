import { mkdir, readFile, readlink, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileSystemError } from './errors.ts';

let asides = 0;

/**
 * Has `write` make a file aside, under a hidden name of its own in the same folder (no listing, glob or server
 * takes it for the file; writers of one path in this process never share it), then renames it over `file`, so a
 * reader sees the old file or the new one whole. A failure leaves no temporary file.
 */
export async function writeFileAside<T>(file: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}-${++asides}.tmp`);
  try {
    const result = await write(tmp);
    await rename(tmp, file);
    return result;
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw fileSystemError(err, file) ?? err;
  }
}

/** Writes a file aside and renames it into place (writeFileAside). */
export function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  return writeFileAside(file, (tmp) => writeFile(tmp, data));
}

/**
 * Has `write` fill a fresh folder aside (`.<name>.tmp` beside `dir`; one a killed run left is removed first), then
 * puts it in place of `dir`, so a reader sees the old folder or the new one whole: a folder already there is moved
 * aside and removed once the new one is in place. A failure leaves no temporary folder. Callers hold the pipeline's lock.
 */
export async function writeFolderAside<T>(dir: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp`);
  const old = join(dirname(dir), `.${basename(dir)}.old`);
  try {
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    const result = await write(tmp);
    await rm(old, { recursive: true, force: true });
    const replaced = await rename(dir, old).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
    await rename(tmp, dir).catch(async (err: unknown) => {
      if (replaced) await rename(old, dir).catch(() => {});
      throw err;
    });
    if (replaced) await rm(old, { recursive: true, force: true });
    return result;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw err;
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
