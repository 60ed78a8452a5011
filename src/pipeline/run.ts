// One run of one pipeline, as its stages: recover → read (extract, stage) → compare → publish.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { noHooks, type Clock, type Logger, type Progress, type RunHooks } from '../core/effects.ts';
import { CliError } from '../core/errors.ts';
import type { Source } from '../core/source.ts';
import type { RejectRow } from '../core/types.ts';
import { releasesDir } from '../publish/files.ts';
import { createSource } from '../sources/index.ts';
import { rawSnapshotSource } from '../sources/raw.ts';
import { Store } from '../store/store.ts';
import type { Pipeline } from './config.ts';
import type { ExtractBudget } from './extract-pool.ts';
import { publish } from './publish.ts';
import { configSha256, type SourceState } from './quick.ts';
import { readIntoStore, stopIfAborted } from './read.ts';
import { recover } from './recover.ts';
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
  /** Awaited at each stage of the run (tests stop a real run there). */
  hooks?: RunHooks;
}

type RunStatus = 'ok' | 'partial' | 'failed';

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
  /** What the next run compares the source with (null when a post could not be fetched or the release not put in place: the next run reads the source, and recovers). */
  sourceState: Omit<SourceState, 'store'> | null;
}

/** The pipeline's own source, or with `offline` the raw snapshots of its last online runs. */
function makeSource(p: Pipeline, deps: RunDeps): Source {
  if (deps.offline) return rawSnapshotSource(join(p.outputDir, 'raw'));
  return createSource(p.config.source, { cwd: p.cwd, githubToken: deps.env.GITHUB_TOKEN ?? null, dispatcher: deps.dispatcher });
}

/** The pipeline's store, output/<id>/store.duckdb (made with its releases folder on first use); the caller closes it. */
export async function openStore(pipeline: Pipeline): Promise<Store> {
  await mkdir(releasesDir(pipeline.outputDir), { recursive: true });
  return Store.open(join(pipeline.outputDir, 'store.duckdb'), pipeline.config.timezone);
}

/** Milliseconds since the last lap, per stage. */
function stopwatch(): ((stage: keyof RunResult['durations']) => void) & { durations: RunResult['durations'] } {
  const durations = { extract: 0, compare: 0, publish: 0 };
  let mark = performance.now();
  const lap = (stage: keyof RunResult['durations']) => {
    const now = performance.now();
    durations[stage] = Math.round(now - mark);
    mark = now;
  };
  return Object.assign(lap, { durations });
}

/** One run of one pipeline on a store the caller opened (openStore) and closes, so it can record the run there too. */
export async function runPipelineOn(pipeline: Pipeline, store: Store, deps: RunDeps): Promise<RunResult> {
  const logger = deps.logger.child({ pipeline: pipeline.config.id });
  const hooks = deps.hooks ?? noHooks;
  const lap = stopwatch();
  await recover(store, pipeline, logger);

  const codeVersion = await currentCodeVersion();
  const read = await readIntoStore(makeSource(pipeline, deps), pipeline, store, deps, await store.previousRevisions(codeVersion), logger);
  lap('extract');
  await hooks.at('staged');

  stopIfAborted(deps.signal, 'before comparing with the last release');
  const parent = await store.lastRelease();
  const counts = await store.computeChanges({ notModified: read.summary.notModified, firstRelease: parent === null });
  stopIfAborted(deps.signal, 'before publishing');
  lap('compare');

  const { releaseId, placed, rejects } = await publish(
    store,
    pipeline,
    { parent, counts, cursor: read.summary.cursor, fetchFailures: read.fetchFailures, codeVersion },
    { clock: deps.clock, logger, hooks },
  );
  lap('publish');
  if (releaseId) logger.info({ stage: 'publish', release_id: releaseId, ...counts }, `published release ${releaseId}`);
  else logger.info({ stage: 'publish' }, 'nothing changed: no new release');
  if (!releaseId && parent === null) {
    throw new CliError(`pipeline ${pipeline.config.id}: nothing could be published: ${rejects.length} post(s) rejected, none usable. See the reasons above and fix the posts or the source.`, {
      exitCode: 1,
    });
  }
  const failed = read.fetchFailures.length;
  return {
    status: rejects.length ? 'partial' : 'ok',
    releaseId,
    unchangedRun: releaseId === null,
    fetched: read.fetched,
    unchanged: read.unchanged,
    rejected: rejects.length - failed,
    failed,
    rejects,
    stagedRows: read.stagedRows,
    durations: lap.durations,
    sourceState:
      failed || !placed
        ? null
        : {
            code_version: codeVersion,
            config_sha256: configSha256(pipeline),
            release_id: releaseId ?? parent?.release_id ?? null,
            cursor: read.summary.cursor,
            posts: read.fetched + read.unchanged,
            rejects,
          },
  };
}

/** One run of one pipeline: opens its store, runs it, closes the store. */
export async function runPipeline(pipeline: Pipeline, deps: RunDeps): Promise<RunResult> {
  const store = await openStore(pipeline);
  try {
    return await runPipelineOn(pipeline, store, deps);
  } finally {
    store.close();
  }
}
