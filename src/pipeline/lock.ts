import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from '../core/errors.ts';

/** Who holds a pipeline's run lock: enough for an operator to find the process. */
export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
  /** The kernel's boot id (Linux; absent without /proc): a lock taken before the last boot is stale. */
  boot_id?: string;
  /** The holder's start in clock ticks since boot (field 22 of /proc/<pid>/stat): a live pid that started at another time is another process. */
  pid_start_ticks?: number;
}

export interface Lock {
  holder: LockHolder;
  /** The holder of a stale lock this one replaced, and why it was judged gone, if any. */
  tookOver: { holder: LockHolder; because: string } | null;
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
/** Held by the `zhengce schedule` process scheduling the pipeline: `zhengce status` shows a next run only while it lives. */
export const schedulerLockFile = (outputDir: string): string => join(outputDir, 'schedule.lock');

/** Lock files this process holds: a lock naming our own pid that is not among them was left by an earlier process with our pid. */
const held = new Set<string>();

/** Numbers this process's attempts, so that two taking the same lock at once write different files aside. */
let attempts = 0;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let ownBootId: Promise<string | null> | undefined;

/** This boot's id, or null where /proc is missing (then locks are judged by pid alone). */
function bootId(): Promise<string | null> {
  ownBootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (t) => t.trim() || null,
    () => null,
  );
  return ownBootId;
}

/** What /proc/<pid>/stat says of a process: its state (R, S, Z …; field 3) and its start in clock ticks since boot (field 22). */
interface ProcStat {
  state: string;
  startTicks: number;
}

/** /proc/<pid>/stat, or null without /proc; fields are counted after the name's last ')', as the name may hold spaces and ')'. */
async function procStat(pid: number): Promise<ProcStat | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]);
    return Number.isSafeInteger(startTicks) ? { state: fields[0], startTicks } : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second in /proc (USER_HZ): 100 on every architecture Linux runs Node on. */
const USER_HZ = 100;

let ownBootTime: Promise<number | null> | undefined;

/** When this host booted (ms since the epoch, to the second: /proc/stat's btime), or null without /proc. */
function bootTimeMs(): Promise<number | null> {
  ownBootTime ??= readFile('/proc/stat', 'utf8').then(
    (t) => {
      const m = /^btime (\d+)$/m.exec(t);
      return m ? Number(m[1]) * 1000 : null;
    },
    () => null,
  );
  return ownBootTime;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.started_at !== 'string') return null;
    const holder: LockHolder = { pid: h.pid, host: h.host, started_at: h.started_at };
    if (typeof h.boot_id === 'string') holder.boot_id = h.boot_id;
    if (typeof h.pid_start_ticks === 'number') holder.pid_start_ticks = h.pid_start_ticks;
    return holder;
  } catch {
    return null;
  }
}

const readHolder = (file: string): Promise<LockHolder | null> => readFile(file, 'utf8').then(parseHolder, () => null);

/**
 * Why a lock's holder is gone, or null when it may still run. A pid alone is not enough: after a
 * reboot or a container restart it often names another live process. A process on another host
 * cannot be checked, so its lock stands; what /proc cannot tell is judged by the pid alone.
 */
async function staleBecause(file: string, holder: LockHolder): Promise<string | null> {
  if (holder.host !== hostname()) return null;
  const boot = await bootId();
  if (holder.boot_id !== undefined && boot !== null && holder.boot_id !== boot) return 'the host has booted since (another boot id)';
  if (holder.pid === process.pid) return held.has(file) ? null : 'its pid is now this process';
  if (!isAlive(holder.pid)) return 'its process is gone';
  const stat = await procStat(holder.pid);
  if (stat === null) return null;
  // A killed process stays in the process table until its parent reaps it, but it runs nothing and holds nothing.
  if (stat.state === 'Z' || stat.state === 'X') return `its process ${holder.pid} has exited (a zombie its parent has not reaped yet)`;
  if (holder.pid_start_ticks !== undefined) {
    return stat.startTicks === holder.pid_start_ticks ? null : `its pid ${holder.pid} now belongs to another process (another start time)`;
  }
  // A lock from code that kept no start time: a process that started after the lock was taken cannot be its holder.
  const booted = await bootTimeMs();
  const started = Date.parse(holder.started_at);
  const processStart = booted === null ? null : booted + (stat.startTicks * 1000) / USER_HZ;
  // btime is whole seconds: a margin of two keeps a holder that took its lock in its first second.
  if (processStart !== null && started < processStart - 2000) return `its pid ${holder.pid} now belongs to a process started after the lock was taken (${new Date(processStart).toISOString()})`;
  return null;
}

/** The current holder of a lock file and why it is stale (null: it may still run), or null when nobody holds it. */
export async function inspectLock(file: string): Promise<{ holder: LockHolder | null; staleBecause: string | null } | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const holder = parseHolder(text);
  return { holder, staleBecause: holder === null ? null : await staleBecause(file, holder) };
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
  const [boot, stat] = await Promise.all([bootId(), procStat(process.pid)]);
  if (boot !== null) holder.boot_id = boot;
  if (stat !== null) holder.pid_start_ticks = stat.startTicks;
  const tmp = `${file}.${process.pid}-${++attempts}.tmp`;
  let tookOver: Lock['tookOver'] = null;
  try {
    // Inside the try: a full disk can fail the write after the file was created.
    await writeFile(tmp, `${JSON.stringify(holder)}\n`);
    for (;;) {
      try {
        await link(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = await inspectLock(file);
      if (current === null) continue;
      if (current.staleBecause === null || !current.holder || tookOver) throw new LockBusyError(file, current.holder);
      if (await removeStale(file, current.holder)) tookOver = { holder: current.holder, because: current.staleBecause };
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
