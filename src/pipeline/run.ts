import { mkdir, readdir, readlink, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { join, relative } from 'node:path';
import type { Clock, Logger, Progress } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { docId } from '../core/hash.ts';
import type { Source, SourceEvent, SourceSummary } from '../core/source.ts';
import { writeFileAtomic } from '../core/files.ts';
import { partScope, WHOLE_PART } from '../core/layout.ts';
import { SCHEMA_VERSION, TABLES, VERSIONED, type TableSpec } from '../core/tables.ts';
import { buildChangelog } from '../publish/changelog.ts';
import { hasPartLayout, inspectReleases, makeStagingDir, placeStagedRelease, pointLatest, pruneReleases, releasesDir, settleStaging } from '../publish/files.ts';
import { earlierHistoryFiles, writeHistoryPartition } from '../publish/history.ts';
import { writeReleaseFiles, type RejectRow } from '../publish/release.ts';
import { buildHistoryViewsSql } from '../publish/views.ts';
import { createSource, rawSnapshotSource } from '../sources/index.ts';
import { changelogInput, historyPartitionRows, releaseRows } from '../store/queries.ts';
import { Stager, Store, type PostState } from '../store/store.ts';
import type { Pipeline } from './config.ts';
import type { ExtractResult } from './extract-job.ts';
import { ExtractPool, type ExtractBudget } from './extract-pool.ts';
import { publishPublication } from './publication.ts';
import { dictionaryRows } from './rows.ts';
import { codeVersion as currentCodeVersion } from './version.ts';

export interface RunDeps {
  clock: Clock;
  logger: Logger;
  progress: Progress;
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Rebuild from the raw snapshots of earlier runs, with no network. */
  offline?: boolean;
  /** Replaces the sources' own HTTP agents (tests point it at a loopback server). */
  dispatcher?: Dispatcher;
  /** Worker threads for parse+extract in large runs (default: one per core but the main thread's; 0 extracts inline but for posts over 512 KB). */
  workers?: number;
  /** Time and heap one post's parse+extract may take on a worker thread (default DEFAULT_EXTRACT_BUDGET). */
  extractBudget?: ExtractBudget;
  /** Test hook: awaited at named stages, so a test can kill the process at a known point. */
  checkpoint?: (stage: string) => Promise<void>;
}

export type RunStatus = 'ok' | 'partial' | 'failed';

export interface RunResult {
  status: RunStatus;
  releaseId: string | null;
  /** True when nothing changed, so no release was made. */
  unchangedRun: boolean;
  fetched: number;
  unchanged: number;
  rejected: number;
  failed: number;
  rejects: RejectRow[];
  /** Rows staged into DuckDB this run. */
  stagedRows: number;
  /** Milliseconds spent reading+extracting, comparing, and publishing. */
  durations: { extract: number; compare: number; publish: number };
}

/** The pipeline's own source, or with `offline` the raw snapshots of its last online runs. */
function makeSource(p: Pipeline, deps: RunDeps): Source {
  if (deps.offline) return rawSnapshotSource(join(p.outputDir, 'raw'));
  const s = p.config.source;
  return createSource(s, { cwd: p.cwd, githubToken: deps.env.GITHUB_TOKEN ?? null, dispatcher: deps.dispatcher, userAgent: s.type === 'dir' ? undefined : s.http.user_agent });
}

/** Posts parsed and extracted at once (each holds its bytes until extracted; http sources also bound them by http.max_bytes_in_flight). */
const MAX_IN_FLIGHT = 64;

/** Release ids are UTC times to the second; a second run within the same second waits its turn by one. */
function nextReleaseId(now: Date, last: string | null): string {
  const id = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '');
  let t = new Date(Math.floor(now.getTime() / 1000) * 1000);
  while (last !== null && id(t) <= last) t = new Date(t.getTime() + 1000);
  return id(t);
}

const HISTORY_TABLES: TableSpec[] = [...VERSIONED, TABLES.find((t) => t.name === 'changes')!];

/**
 * Puts releases/, `latest` and history/ back in step with the store after a run that was killed midway.
 * It refuses, changing nothing, when releases/ holds published releases the store has no record of.
 */
async function recover(store: Store, pipeline: Pipeline, logger: Logger): Promise<void> {
  const { outputDir } = pipeline;
  const committed = await store.releaseIds();
  const state = await inspectReleases(outputDir, new Set(committed));
  if (state.unknown.length) {
    const where = releasesDir(outputDir);
    throw new CliError(
      `pipeline ${pipeline.config.id}: ${where} holds ${state.unknown.length} release folder(s) that ${join(outputDir, 'store.duckdb')} has no record of: ${state.unknown.join(', ')}. ` +
        'The store may have been moved, replaced by an older backup or belong to another pipeline. Restore the store.duckdb that published them, or move those folders out of releases/; nothing was changed.',
      { exitCode: EXIT.failed },
    );
  }
  const { placed, removed } = await settleStaging(outputDir, state.staging);
  if (placed.length) logger.warn({ placed }, 'moved into place the committed release a killed run had left in staging');
  if (removed.length) logger.warn({ removed }, 'removed the staging folders a killed run left uncommitted');
  const last = committed.at(-1);
  if (!last) return;
  const pointed = await readlink(join(outputDir, 'latest')).catch(() => null);
  if (pointed !== join('releases', last)) await pointLatest(outputDir, last);
  if ((await store.getMeta('history_release')) !== last) await writeHistory(store, pipeline, logger);
}

/**
 * Writes the history/ partition of every committed release that lacks one (the new release, one a killed run
 * missed, or every release of an output in the earlier layout), and history/views.sql.
 */
async function writeHistory(store: Store, pipeline: Pipeline, logger: Logger, checkpoint: (stage: string) => Promise<void> = async () => {}): Promise<void> {
  const dir = join(pipeline.outputDir, 'history');
  await mkdir(dir, { recursive: true });
  const releases = await store.releaseIds();
  for (const t of HISTORY_TABLES) {
    // One listing per table: any release whose partition is missing (a kill, a deleted folder, the earlier layout) is written.
    const present = new Set(await readdir(join(dir, t.name)).catch(() => [] as string[]));
    for (const releaseId of releases) {
      if (present.has(`release_id=${releaseId}`)) continue;
      await writeHistoryPartition(store.conn, dir, t, releaseId, historyPartitionRows(t, releaseId));
      await checkpoint('history');
    }
  }
  // The one-file history of the earlier layout is zhengce's own and now held whole by the partitions.
  const earlier = await earlierHistoryFiles(dir);
  for (const f of earlier) await rm(f);
  if (earlier.length) logger.warn({ removed: earlier }, 'history/ converted to one partition per release (history/<table>/release_id=<id>/); the one-file history it replaces was removed');
  // The search path also names the folder as seen from where the pipeline runs, so `.read output/<id>/history/views.sql` works there.
  await writeFileAtomic(join(dir, 'views.sql'), buildHistoryViewsSql(HISTORY_TABLES, ['.', relative(pipeline.cwd, dir) || '.']));
  await store.setMeta('history_release', releases.at(-1) ?? null);
}

/** A stop request (SIGTERM) ends the run here, before the publish step, leaving the last release as it was. */
function throwIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new CliError(`run stopped ${where}: nothing was published, the previous release stands`, { exitCode: EXIT.failed, cause: signal.reason });
}

/** Posts whose last processing failed, with this run's fetch failures, in source_id order. */
async function allRejects(store: Store, result: RunResult): Promise<RejectRow[]> {
  const fetchFailures = result.rejects.filter((r) => r.stage === 'fetch');
  const failedIds = new Set(fetchFailures.map((r) => r.source_id));
  const stored = (await store.rejectedPosts()).filter((r) => !failedIds.has(r.source_id));
  return [...stored, ...fetchFailures].sort((a, b) => (a.source_id < b.source_id ? -1 : a.source_id > b.source_id ? 1 : 0));
}

/** The pipeline's store, output/<id>/store.duckdb (made with its releases folder on first use); the caller closes it. */
export async function openStore(pipeline: Pipeline): Promise<Store> {
  await mkdir(releasesDir(pipeline.outputDir), { recursive: true });
  return Store.open(join(pipeline.outputDir, 'store.duckdb'), pipeline.config.timezone);
}

/** One run of one pipeline: fetch, parse, extract, stage, compare, and publish a release when anything changed. */
export async function runPipeline(pipeline: Pipeline, deps: RunDeps): Promise<RunResult> {
  const store = await openStore(pipeline);
  try {
    return await runPipelineOn(pipeline, store, deps);
  } finally {
    store.close();
  }
}

/** runPipeline on a store the caller opened (openStore) and closes, so it can record the run there too. */
export async function runPipelineOn(pipeline: Pipeline, store: Store, deps: RunDeps): Promise<RunResult> {
  const { config, outputDir } = pipeline;
  const logger = deps.logger.child({ pipeline: config.id });
  const checkpoint = deps.checkpoint ?? (async () => {});
  await recover(store, pipeline, logger);
  const codeVersion = await currentCodeVersion();
  const source = makeSource(pipeline, deps);
  const previous = await store.previousRevisions(codeVersion);
  const result: RunResult = { status: 'ok', releaseId: null, unchangedRun: false, fetched: 0, unchanged: 0, rejected: 0, failed: 0, rejects: [], stagedRows: 0, durations: { extract: 0, compare: 0, publish: 0 } };
  let mark = performance.now();
  const lap = (key: keyof RunResult['durations']) => {
    const now = performance.now();
    result.durations[key] = Math.round(now - mark);
    mark = now;
  };

  const stager = await Stager.open(store.conn);
  let summary: SourceSummary;
  try {
    stager.addRows(dictionaryRows());
    summary = await consumeSource(source, pipeline, deps, { previous, cursor: await store.getMeta('cursor') }, stager, result, logger);
  } finally {
    stager.close();
  }
  result.stagedRows = stager.rows;
  lap('extract');
  await checkpoint('staged');

  throwIfAborted(deps.signal, 'before comparing with the last release');
  // Read once: nothing but this run's transaction below adds a release (one process at a time writes the store).
  const parent = await store.lastRelease();
  const counts = await store.computeChanges({ notModified: summary.notModified, firstRelease: parent === null });
  throwIfAborted(deps.signal, 'before publishing');
  lap('compare');
  let staging: string | null = null;
  let rejects: RejectRow[];
  await store.conn.run('BEGIN TRANSACTION');
  try {
    await store.savePostStates(codeVersion, summary.cursor);
    // The posts whose processing failed, as the post states just saved say: the release lists them, and so does the run's result.
    rejects = await allRejects(store, result);
    if (counts.changes === 0) {
      result.unchangedRun = true;
      logger.info({ stage: 'publish' }, 'nothing changed: no new release');
    } else {
      const releaseId = nextReleaseId(deps.clock.now(), parent?.release_id ?? null);
      const created = deps.clock.now().toISOString();
      const release = { release_id: releaseId, created_at: created, parent_release_id: parent?.release_id ?? null, code_version: codeVersion, schema_version: SCHEMA_VERSION, inputs_sha256: await store.inputsSha256(codeVersion) };
      await store.applyRelease(release, counts);
      await checkpoint('applied');
      const plan = await store.planParts();
      staging = await makeStagingDir(outputDir, releaseId);
      // The parent's parts are linked; a parent in the earlier one-file layout has none, so every part is written.
      const parentDir = parent ? join(releasesDir(outputDir), parent.release_id) : null;
      const linkable = parentDir !== null && (await hasPartLayout(parentDir));
      if (parent && !linkable) logger.warn({ stage: 'publish', parent: parent.release_id }, `release ${parent.release_id} is in the earlier one-file layout: it stays as it is, and release ${releaseId} writes every table in parts`);
      await writeReleaseFiles(store.conn, {
        dir: staging,
        parentDir: linkable ? parentDir : null,
        tables: TABLES.map((t) => ({ spec: t, rows: (parts: readonly string[]) => store.partRows(t, releaseRows(t, releaseId), parts), parts: partScope(t) === 'document' ? plan.documentParts : [WHOLE_PART], dirty: plan.dirty.get(t.name)! })),
        formats: config.publish.formats,
        csvMaxRows: config.publish.csv_max_rows,
        rejects,
        changelog: buildChangelog({ ...(await changelogInput(store)), releaseId, parentReleaseId: parent?.release_id ?? null, rejects }),
        viewsSearchPath: ['.', relative(pipeline.cwd, join(releasesDir(outputDir), releaseId)) || '.'],
        info: { name: config.id, title: config.title || config.id, releaseId, created, codeVersion },
      });
      await publishPublication({ store, pipeline, releaseId, stagingDir: staging, parentDir, logger });
      await store.savePartAssignment();
      await checkpoint('written');
      result.releaseId = releaseId;
    }
    await store.conn.run('COMMIT');
  } catch (err) {
    await store.conn.run('ROLLBACK').catch(() => {});
    if (staging) await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  if (result.releaseId) {
    const releaseId = result.releaseId;
    await checkpoint('committed');
    // The release is committed with its files complete in staging: what follows only moves and points at it, and the next run's recovery redoes it if it fails here.
    try {
      await placeStagedRelease(outputDir, releaseId);
      await checkpoint('renamed');
      await pointLatest(outputDir, releaseId);
      await writeHistory(store, pipeline, logger, checkpoint);
      if (config.publish.keep) await pruneReleases(outputDir, await store.releaseIds(), config.publish.keep);
    } catch (err) {
      logger.warn({ stage: 'publish', release_id: releaseId }, `release ${releaseId} is published, but placing its folder, updating latest, history/ or old releases failed (${(err as Error).message}); the next run repairs them`);
    }
    logger.info({ stage: 'publish', release_id: releaseId, ...counts }, `published release ${releaseId}`);
  }
  lap('publish');
  result.rejects = rejects;
  result.rejected = result.rejects.length - result.failed;
  if (result.rejects.length) result.status = 'partial';
  if (!result.releaseId && parent === null) {
    throw new CliError(`pipeline ${config.id}: nothing could be published: ${result.rejects.length} post(s) rejected, none usable. See the reasons above and fix the posts or the source.`, { exitCode: 1 });
  }
  return result;
}

/** Why a post does not pass the pipeline's filter, in the words of its config keys. */
function filteredReason(filter: Pipeline['config']['filter'], post: { categories: string[]; isPolicy: boolean }): string {
  if (filter.categories && !post.categories.some((c) => filter.categories!.includes(c))) {
    return `its categories (${post.categories.join(', ') || 'none'}) are not in filter.categories (${filter.categories.join(', ')})`;
  }
  return 'it is not an official document (filter.policy_only)';
}

/** Drains the source into the stager: every post parsed and extracted once, failures kept by name. */
async function consumeSource(
  source: Source,
  pipeline: Pipeline,
  deps: RunDeps,
  state: { previous: ReadonlyMap<string, string | null>; cursor: string | null },
  stager: Stager,
  result: RunResult,
  logger: Logger,
): Promise<SourceSummary> {
  const { config, outputDir } = pipeline;
  const categories = config.filter.categories ? new Set(config.filter.categories) : null;
  const events = source({ previous: state.previous, cursor: state.cursor, rawDir: join(outputDir, 'raw'), clock: deps.clock, logger, signal: deps.signal });
  const pool = new ExtractPool(deps.workers, deps.extractBudget);
  const inFlight: Promise<void>[] = [];
  deps.progress.start('extract', null);
  try {
    for (;;) {
      let next: IteratorResult<SourceEvent, SourceSummary>;
      try {
        next = await events.next();
      } catch (cause) {
        // The source's message says what failed and what to do; the run adds which pipeline and that nothing changed.
        const message = (cause as Error).message;
        const stands = /previous release stands/.test(message) ? '' : ' Nothing was published; the previous release stands.';
        throw new CliError(`pipeline ${config.id}: ${message}${stands}`, { cause });
      }
      if (next.done) {
        await Promise.all(inFlight);
        return next.value;
      }
      const event = next.value;
      throwIfAborted(deps.signal, 'while reading the source');
      deps.progress.tick('extract');
      if (event.kind === 'unchanged') {
        result.unchanged++;
        stager.markSeen(event.sourceId);
      } else if (event.kind === 'failed') {
        result.failed++;
        // A post that could not be fetched keeps its previous version; it is never taken for a deletion.
        stager.markSeen(event.error.sourceId);
        result.rejects.push({ source_id: event.error.sourceId, url: event.url, stage: 'fetch', reason: event.error.message });
        logger.warn({ stage: 'fetch', source_id: event.error.sourceId, url: event.url, attempts: event.attempts }, event.error.message);
      } else {
        result.fetched++;
        const raw = event.post;
        const base: PostState = { sourceId: raw.sourceId, docId: docId(raw.source, raw.sourceId), url: raw.url, revision: raw.revision, status: 'active', fetchedAt: raw.fetchedAt };
        const staged = pool
          .extract(raw)
          // Extraction is done with the bytes: the source may spend their share of its byte budget on further downloads.
          .finally(() => event.release?.())
          // A worker thread that dies takes its posts with it: they are rejected by name, the run goes on.
          .catch((err: Error): ExtractResult => ({ ok: false, stage: 'extract', message: `the extraction worker thread failed while holding this post: ${err.message}` }))
          .then((r) => {
            if (!r.ok) {
              stager.addPost({ ...base, status: 'rejected', stage: r.stage, reason: r.message });
              logger.warn({ stage: r.stage, source_id: raw.sourceId, url: raw.url }, `rejected: ${r.message}`);
              return;
            }
            const wanted = (!categories || r.categories.some((c) => categories.has(c))) && (!config.filter.policy_only || r.isPolicy);
            if (wanted) stager.addPost(base, r.rows);
            else stager.addPost({ ...base, status: 'filtered', reason: filteredReason(config.filter, r) });
          });
        staged.catch(() => {}); // awaited below in order; this only keeps an early failure from counting as unhandled
        inFlight.push(staged);
        if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      }
    }
  } finally {
    await Promise.allSettled(inFlight);
    await pool.close();
    deps.progress.stop('extract');
  }
}
