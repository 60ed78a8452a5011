import { relative } from 'node:path';
import { EXIT } from '../core/errors.ts';
import { escapeControls, escapeJsonControls } from '../core/terminal.ts';
import type { Pipeline } from '../pipeline/config.ts';
import { latestReleaseId, readStatus, type LastRun } from '../pipeline/status.ts';
import { inspectLock, lockFile, schedulerLockFile, type LockHolder } from '../pipeline/lock.ts';
import { nextRunTime } from '../schedule/schedule.ts';
import { loadPipelines } from './pipelines.ts';

/** What `zhengce status --json` prints for one pipeline. */
export interface PipelineStatus {
  pipeline: string;
  file: string;
  output: string;
  /** The last run that ran (status ok, partial or failed), from status.json; null before the first. */
  last_run: LastRun | null;
  /** The last run refused because another held the lock (status skipped); null before the first. */
  last_skipped: LastRun | null;
  last_release: string | null;
  /** The process running it now, from the lock file (a stale lock is no run). */
  running: LockHolder | null;
  /** A lock left by a process that is gone, and why it is judged so: the next run takes it over. */
  stale_lock: { holder: LockHolder; because: string } | null;
  /** The pipeline whose runs the output folder's status.json records, when it is another one: this pipeline's runs there are refused. */
  output_owner: string | null;
  schedule: string | null;
  timezone: string;
  /** The live `zhengce schedule` process scheduling this pipeline (its schedule.lock), or null when none runs. */
  scheduler: LockHolder | null;
  /** The next scheduled run, only while a scheduler lives: without one the schedule fires nothing. */
  next_run: string | null;
}

/** Reads only files a run keeps readable (status.json, latest.json, the lock), never the store a run may hold. */
async function pipelineStatus(p: Pipeline): Promise<PipelineStatus> {
  const live = async (file: string) => {
    const lock = await inspectLock(file);
    return { holder: lock?.holder && lock.staleBecause === null ? lock.holder : null, stale: lock?.holder && lock.staleBecause !== null ? { holder: lock.holder, because: lock.staleBecause } : null };
  };
  const [run, scheduler] = await Promise.all([live(lockFile(p.outputDir)), live(schedulerLockFile(p.outputDir))]);
  const { schedule, timezone } = p.config;
  const status = await readStatus(p.outputDir);
  // Another pipeline's runs are not this one's: a folder shared by mistake shows whose it is instead.
  const owner = status && status.pipeline !== p.config.id ? status.pipeline : null;
  return {
    pipeline: p.config.id,
    file: p.file,
    output: p.outputDir,
    last_run: owner ? null : (status?.last_run ?? null),
    last_skipped: owner ? null : (status?.last_skipped ?? null),
    last_release: owner ? null : await latestReleaseId(p.outputDir),
    running: owner ? null : run.holder,
    stale_lock: run.stale,
    output_owner: owner,
    schedule: schedule ?? null,
    timezone,
    scheduler: scheduler.holder,
    next_run: scheduler.holder ? (nextRunTime(p)?.toISOString() ?? null) : null,
  };
}

/** The next-run line: a time only while a scheduler lives. */
function nextRunLine(s: PipelineStatus): string {
  if (!s.schedule) return 'not scheduled (no schedule key)';
  const cron = `"${s.schedule}", ${s.timezone}`;
  if (!s.scheduler) return `none: no zhengce schedule is running for it (${cron})`;
  return `${s.next_run ?? 'never'}  (${cron}; zhengce schedule pid ${s.scheduler.pid} on ${s.scheduler.host})`;
}

function describe(s: PipelineStatus, cwd: string): string {
  const r = s.last_run;
  const lines = [`${s.pipeline}  (${relative(cwd, s.file) || s.file})`];
  if (s.output_owner)
    lines.push(`  output        ${s.output} holds the runs of pipeline ${s.output_owner}, not of ${s.pipeline}: runs of ${s.pipeline} there are refused; give it a publish.dir of its own`);
  else if (!r) lines.push('  last run      none yet');
  else {
    lines.push(
      `  last run      ${r.status} at ${r.finished_at} in ${(r.duration_ms / 1000).toFixed(1)} s: ${r.fetched} fetched, ${r.unchanged} unchanged, ${r.rejected} rejected, ${r.failed} failed (run ${r.run_id})`,
    );
    if (r.error) lines.push(`  error         ${r.error}`);
    if (r.failures.length) lines.push(`  failures      ${r.failures.length}`, ...r.failures.map((f) => `    ${f.source_id} (${f.stage}): ${f.reason}`));
  }
  if (s.last_skipped) lines.push(`  last skipped  at ${s.last_skipped.finished_at}: ${s.last_skipped.error}`);
  lines.push(`  last release  ${s.last_release ? `${s.last_release}  (${relative(cwd, s.output) || '.'}/releases/${s.last_release})` : 'none yet'}`);
  lines.push(`  next run      ${nextRunLine(s)}`);
  if (s.running) lines.push(`  running now   pid ${s.running.pid} on ${s.running.host} since ${s.running.started_at}`);
  const stale = s.stale_lock;
  if (stale) lines.push(`  stale lock    pid ${stale.holder.pid} on ${stale.holder.host} since ${stale.holder.started_at}: ${stale.because}; the next run takes it over`);
  // Each line is escaped on its own: a newline or ESC in a file name, a reason or a remote value shows as \x0a or \x1b.
  return lines.map((line) => escapeControls(line)).join('\n');
}

/** `zhengce status [pipeline…]`: the last run, last release, failures and next run of each pipeline. */
export async function statusCommand(names: string[], o: { json: boolean; out: NodeJS.WritableStream }): Promise<number> {
  const cwd = process.cwd();
  const statuses: PipelineStatus[] = [];
  for (const p of await loadPipelines(names, cwd)) statuses.push(await pipelineStatus(p));
  o.out.write(o.json ? `${escapeJsonControls(JSON.stringify({ pipelines: statuses }, null, 2))}\n` : `${statuses.map((s) => describe(s, cwd)).join('\n\n')}\n`);
  return EXIT.ok;
}
