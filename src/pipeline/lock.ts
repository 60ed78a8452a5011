import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from '../core/errors.ts';

/** Who holds a pipeline's run lock: enough for an operator to find the process. */
export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
}

export interface Lock {
  holder: LockHolder;
  /** The holder of a stale lock this one replaced, if any. */
  tookOver: LockHolder | null;
  release(): Promise<void>;
}

/** Refusal because another run holds the lock; exit 75 (EX_TEMPFAIL) says "try again later". */
export class LockBusyError extends CliError {
  constructor(
    readonly file: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `pid ${holder.pid} on ${holder.host} since ${holder.started_at}` : `an unreadable lock file (remove it if no run is going)`;
    super(`another run holds ${file}: ${who}; try again later`, { exitCode: EXIT.busy });
    this.name = 'LockBusyError';
  }
}

export const lockFile = (outputDir: string): string => join(outputDir, 'run.lock');

/** Lock files this process holds: a lock naming our own pid that is not among them was left by an earlier process with our pid. */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.started_at === 'string' ? (h as LockHolder) : null;
  } catch {
    return null;
  }
}

const readHolder = (file: string): Promise<LockHolder | null> => readFile(file, 'utf8').then(parseHolder, () => null);

/** A lock is stale when its process is gone; a process on another host cannot be checked, so its lock stands. */
function isStale(file: string, holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !held.has(file);
  return !isAlive(holder.pid);
}

/** The current holder of a lock file and whether it is stale, or null when nobody holds it. */
export async function inspectLock(file: string): Promise<{ holder: LockHolder | null; stale: boolean } | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const holder = parseHolder(text);
  return { holder, stale: holder !== null && isStale(file, holder) };
}

const sameHolder = (a: LockHolder | null, b: LockHolder): boolean => a !== null && a.pid === b.pid && a.host === b.host && a.started_at === b.started_at;

/**
 * Moves a stale lock aside, checking it is still the one judged stale: two processes taking over
 * at once must not remove the lock the faster one just made. Returns false when it was not.
 */
async function removeStale(file: string, stale: LockHolder): Promise<boolean> {
  const aside = `${file}.stale-${process.pid}`;
  try {
    await rename(file, aside);
  } catch {
    return false;
  }
  const moved = await readHolder(aside);
  if (!sameHolder(moved, stale)) await link(aside, file).catch(() => {});
  await unlink(aside).catch(() => {});
  return sameHolder(moved, stale);
}

/**
 * Takes the run lock of one pipeline, or throws LockBusyError naming the holder. The lock file
 * is written aside and hard-linked into place, so it appears atomically and always complete.
 */
export async function acquireLock(file: string, now: Date): Promise<Lock> {
  const holder: LockHolder = { pid: process.pid, host: hostname(), started_at: now.toISOString() };
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(holder)}\n`);
  let tookOver: LockHolder | null = null;
  try {
    for (;;) {
      try {
        await link(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = await inspectLock(file);
      if (current === null) continue;
      if (!current.stale || !current.holder || tookOver) throw new LockBusyError(file, current.holder);
      if (await removeStale(file, current.holder)) tookOver = current.holder;
      else throw new LockBusyError(file, await readHolder(file));
    }
  } finally {
    await unlink(tmp).catch(() => {});
  }
  held.add(file);
  return {
    holder,
    tookOver,
    async release() {
      held.delete(file);
      // Only our own lock is removed: never one another process took over meanwhile.
      if (sameHolder(await readHolder(file), holder)) await unlink(file).catch(() => {});
    },
  };
}
