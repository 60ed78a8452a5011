import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import type { RunRecord, RunRecordStatus } from '../core/types.ts';
// Types only: the store (and DuckDB with it) loads when a run needs it, never for a run that finds nothing new.
import { keepsSnapshots } from '../sources/index.ts';
import type { Store } from '../store/store.ts';
import type { Pipeline } from './config.ts';
import { acquireLock, lockFile, LockBusyError, type Lock } from './lock.ts';
import { claimOutput, ForeignOutputError } from './owner.ts';
import { nothingNew, saveSourceState, type SourceState } from './quick.ts';
import type { RunDeps, RunResult } from './run.ts';
import { readStatus, writeStatus, type LastRun } from './status.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';

interface RunStart {
  run_id: string;
  pipeline: string;
  started: Date;
}

/** Gives every line that names no stage of its own a default one, so each line of a run says where it is. */
function withDefaultStage(logger: Logger, stage: string): Logger {
  const at = (level: Level) => (fields: Record<string, unknown>, msg?: string) => logger[level]({ stage, ...fields }, msg);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (bindings) => withDefaultStage(logger.child(bindings), stage) };
}

function lastRunOf(
  start: RunStart,
  finished: Date,
  status: RunRecordStatus,
  result: Pick<RunResult, 'fetched' | 'unchanged' | 'rejected' | 'failed' | 'releaseId' | 'rejects'> | null,
  error: unknown,
): LastRun {
  return {
    run_id: start.run_id,
    pipeline: start.pipeline,
    started_at: start.started.toISOString(),
    finished_at: finished.toISOString(),
    duration_ms: finished.getTime() - start.started.getTime(),
    status,
    fetched: result?.fetched ?? 0,
    unchanged: result?.unchanged ?? 0,
    rejected: result?.rejected ?? 0,
    failed: result?.failed ?? 0,
    release_id: result?.releaseId ?? null,
    error: error === null ? null : (error as Error).message,
    failures: result?.rejects ?? [],
  };
}

/** A monitor's view must not hide the run's own outcome: a failure to write it is logged, not thrown. */
async function writeStatusLogged(pipeline: Pipeline, run: LastRun, logger: Logger): Promise<void> {
  await writeStatus(pipeline.outputDir, run).catch((err: unknown) => logger.error({ stage: 'record', err }, 'could not write status.json'));
}

/** Runs that ended without opening the store wait here for the next run that opens it (README, Operations). */
const pendingRuns = (outputDir: string): string => join(outputDir, 'runs-pending.jsonl');

/** The runs record as the runs table keeps it (status.json adds duration and failures). */
const recordOf = ({ duration_ms: _d, failures: _f, ...record }: LastRun): RunRecord => record;

/**
 * Keeps the run in the runs table of the store it ran on, with the runs recorded meanwhile in runs-pending.jsonl
 * (none when the store could not be opened: they wait for the next), and in status.json; a failure here is
 * logged, never hides the run's own outcome.
 */
async function saveRun(pipeline: Pipeline, store: Store | null, run: LastRun, logger: Logger): Promise<void> {
  try {
    if (store === null) throw new Error('the store could not be opened');
    const pending = await readFile(pendingRuns(pipeline.outputDir), 'utf8').catch(() => '');
    for (const line of pending.split('\n').filter(Boolean)) await store.recordRun(JSON.parse(line) as RunRecord);
    await store.recordRun(recordOf(run));
    await rm(pendingRuns(pipeline.outputDir), { force: true });
  } catch (err) {
    logger.warn({ stage: 'record', err }, `could not record run ${run.run_id} in the store`);
  }
  await writeStatusLogged(pipeline, run, logger);
}

/** A run that found nothing new at the source: recorded in status.json and runs-pending.jsonl, the store untouched. */
async function saveQuietRun(pipeline: Pipeline, start: RunStart, state: SourceState, deps: RunDeps, logger: Logger): Promise<LastRun> {
  const result = { fetched: 0, unchanged: state.posts, rejected: state.rejects.length, failed: 0, releaseId: null, rejects: state.rejects };
  const run = lastRunOf(start, deps.clock.now(), state.rejects.length ? 'partial' : 'ok', result, null);
  await appendFile(pendingRuns(pipeline.outputDir), `${JSON.stringify(recordOf(run))}\n`).catch((err: unknown) => logger.warn({ stage: 'record', err }, `could not record run ${run.run_id}`));
  await writeStatusLogged(pipeline, run, logger);
  logger.info({ stage: 'read' }, 'the source holds nothing new since the last run: the store is not opened');
  logOutcome(logger, pipeline, run, null);
  return run;
}

function logOutcome(logger: Logger, pipeline: Pipeline, run: LastRun, error: unknown): void {
  const counts = { status: run.status, release_id: run.release_id, fetched: run.fetched, unchanged: run.unchanged, rejected: run.rejected, failed: run.failed, duration_ms: run.duration_ms };
  const tally = `${run.fetched} fetched, ${run.unchanged} unchanged, ${run.rejected} rejected, ${run.failed} failed, ${(run.duration_ms / 1000).toFixed(1)} s`;
  // An operator's stop is no failure: the previous release stands and the next run starts afresh.
  if (run.status === 'stopped') {
    logger.warn({ stage: 'done', ...counts, err: error }, `${run.pipeline}: stopped: ${run.error} (${tally})`);
    return;
  }
  if (error !== null) {
    logger.error({ stage: 'done', ...counts, err: error }, `${run.pipeline}: run failed (${tally})`);
    return;
  }
  for (const r of run.failures) logger.warn({ stage: r.stage, source_id: r.source_id, url: r.url }, `rejected ${r.source_id}: ${r.reason}`);
  const where = run.release_id ? `published ${pipeline.outputDir}/releases/${run.release_id}` : 'no change: no new release';
  logger.info({ stage: 'done', ...counts }, `${run.pipeline}: ${where} (${tally})`);
}

/** Takes the pipeline's lock, or records and rethrows the refusal (exit 75) naming the holder. */
async function takeLock(pipeline: Pipeline, start: RunStart, deps: RunDeps, logger: Logger): Promise<Lock> {
  try {
    await mkdir(pipeline.outputDir, { recursive: true });
    const lock = await acquireLock(lockFile(pipeline.outputDir), start.started);
    if (lock.tookOver) {
      const { holder, because } = lock.tookOver;
      logger.warn({ stage: 'lock', stale_holder: holder, because }, `took over a stale lock of pid ${holder.pid} on ${holder.host} (started ${holder.started_at}): ${because}`);
    }
    return lock;
  } catch (err) {
    if (!(err instanceof LockBusyError)) {
      logger.error({ stage: 'lock', err }, `${start.pipeline}: could not take the run lock: ${(err as Error).message}`);
      throw err;
    }
    // The store belongs to the holder (DuckDB lets one process write it), so a skipped run is kept in status.json and the log only;
    // never in the status.json of another pipeline's folder.
    const run = lastRunOf(start, deps.clock.now(), 'skipped', null, err);
    const before = await readStatus(pipeline.outputDir);
    if (before === null || before.pipeline === start.pipeline) await writeStatusLogged(pipeline, run, logger);
    logger.warn({ stage: 'lock', status: 'skipped', holder: err.holder, duration_ms: run.duration_ms }, `${start.pipeline}: skipped: ${err.message}`);
    throw err;
  }
}

/** DuckDB's words for a store file it cannot read: truncated, overwritten, or a block whose checksum fails. */
const DAMAGED_STORE = /not a valid DuckDB database file|Corrupt database file|Could not read enough bytes from file|Failure while replaying WAL/;

/** A damaged store as an error saying what to do, or null for any other error. */
function damagedStoreError(err: unknown, pipeline: Pipeline): CliError | null {
  const message = err instanceof Error ? err.message : '';
  if (!DAMAGED_STORE.test(message)) return null;
  const store = join(pipeline.outputDir, 'store.duckdb');
  const snapshots = keepsSnapshots(pipeline.config.source);
  const rebuild = snapshots ? `zhengce run --offline ${pipeline.file}` : `zhengce run ${pipeline.file}`;
  return new CliError(
    `${store} is damaged and cannot be read (${message.split('\n')[0]}). Restore it from a backup; or rebuild it: move store.duckdb (with store.duckdb.wal, if there), releases/, history/, latest and latest.json ` +
      `of ${pipeline.outputDir} into a folder aside (the published releases stay readable there), then run "${rebuild}" (${snapshots ? 'it rebuilds from the raw snapshots in raw/, with no network' : 'it reads the source folder again'})`,
    { exitCode: EXIT.failed, cause: err },
  );
}

/**
 * One run of one pipeline as operators see it: under the pipeline's lock, logged with a run_id
 * on every line, recorded in the runs table and status.json. Returns the run (status ok or
 * partial); rethrows the run's error when it failed or was stopped (exit 1), LockBusyError (exit
 * 75) when another run holds the lock, or ForeignOutputError (exit 1, nothing recorded) when the
 * output folder belongs to another pipeline or source (`adopt` hands it over instead).
 */
export async function runPipelineOnce(pipeline: Pipeline, deps: RunDeps, o: { adopt?: boolean } = {}): Promise<LastRun> {
  const start: RunStart = { run_id: randomUUID(), pipeline: pipeline.config.id, started: deps.clock.now() };
  const runLogger = withDefaultStage(deps.logger.child({ run_id: start.run_id }), 'run');
  const logger = runLogger.child({ pipeline: start.pipeline });
  const lock = await takeLock(pipeline, start, deps, logger);
  let store: Store | null = null;
  let result: RunResult | null = null;
  try {
    const quiet = deps.offline ? null : await nothingNew(pipeline, { githubToken: deps.env.GITHUB_TOKEN ?? null, dispatcher: deps.dispatcher, logger, signal: deps.signal });
    if (quiet) return await saveQuietRun(pipeline, start, quiet, deps, logger);
    let error: unknown = null;
    try {
      const { openStore, runPipelineOn } = await import('./run.ts');
      store = await openStore(pipeline);
      await claimOutput(store, pipeline, { adopt: o.adopt === true, logger });
      result = await runPipelineOn(pipeline, store, { ...deps, logger: runLogger });
    } catch (err) {
      error = damagedStoreError(err, pipeline) ?? err;
    }
    if (error instanceof ForeignOutputError) {
      // The folder and its store are another pipeline's: this run leaves no trace there, not even in status.json.
      logger.error({ stage: 'owner', status: 'refused', err: error }, `${start.pipeline}: refused: ${error.message}`);
      throw error;
    }
    const stopped = error !== null && deps.signal?.aborted === true;
    const run = lastRunOf(start, deps.clock.now(), stopped ? 'stopped' : (result?.status ?? 'failed'), result, error);
    await saveRun(pipeline, store, run, logger);
    // The run is published and recorded; the search index and spreadsheets follow, under the lock, off its clock.
    const latest = result?.sourceState?.release_id ?? null;
    if (error === null && store && latest && !deps.signal?.aborted) {
      const { completeRelease } = await import('./publication.ts');
      await completeRelease(store, pipeline, latest, logger).catch((err: unknown) => {
        logger.warn({ stage: 'publish', err }, `release ${latest}: its search index or spreadsheets could not be written (${(err as Error).message}); the next run writes them`);
        result!.sourceState = null;
      });
    }
    logOutcome(logger, pipeline, run, error);
    if (error !== null) throw error;
    return run;
  } finally {
    try {
      store?.close();
      // Written once the store is closed, so it records the store file as the next run will find it.
      if (result?.sourceState) await saveSourceState(pipeline.outputDir, result.sourceState).catch((err: unknown) => logger.warn({ stage: 'record', err }, 'could not write source-state.json'));
    } finally {
      // The store is closed before the lock goes: the next run may open it as soon as it takes the lock.
      await lock.release();
    }
  }
}
