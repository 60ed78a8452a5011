// Read → extract → stage: every post the source reports is parsed and extracted once (on worker threads in
// large runs) and staged into the store; a post that cannot be processed is kept by name, the run goes on.
import { join } from 'node:path';
import type { Logger } from '../core/effects.ts';
import { CliError, SourceUnavailableError } from '../core/errors.ts';
import { docId } from '../core/hash.ts';
import type { Source, SourceEvent, SourceSummary } from '../core/source.ts';
import type { RejectRow } from '../core/types.ts';
import type { PostState, Stager, Store } from '../store/store.ts';
import type { Pipeline } from './config.ts';
import type { ExtractResult } from './extract-job.ts';
import { ExtractPool } from './extract-pool.ts';
import { dictionaryRows } from './rows.ts';
import type { RunDeps } from './run.ts';

/** Posts parsed and extracted at once (each holds its bytes until extracted; http sources also bound them by http.max_bytes_in_flight). */
const MAX_IN_FLIGHT = 64;

/** What reading the source brought. */
export interface ReadOutcome {
  summary: SourceSummary;
  fetched: number;
  unchanged: number;
  /** Posts upstream that could not be fetched: each keeps its previous version. */
  fetchFailures: RejectRow[];
  /** Rows staged into the store. */
  stagedRows: number;
}

/** A stop request (SIGTERM) ends the run here, before the publish step, leaving the last release as it was. */
export function stopIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new CliError(`run stopped ${where}: nothing was published, the previous release stands`, { exitCode: 1, cause: signal.reason });
}

/** Why a post does not pass the pipeline's filter, in the words of its config keys. */
function filteredReason(filter: Pipeline['config']['filter'], post: { categories: string[]; isPolicy: boolean }): string {
  if (filter.categories && !post.categories.some((c) => filter.categories!.includes(c))) {
    return `its categories (${post.categories.join(', ') || 'none'}) are not in filter.categories (${filter.categories.join(', ')})`;
  }
  return 'it is not an official document (filter.policy_only)';
}

/** Drains the source into the store's staging tables: every post parsed and extracted once, failures kept by name. */
export async function readIntoStore(source: Source, pipeline: Pipeline, store: Store, deps: RunDeps, previous: ReadonlyMap<string, string | null>, logger: Logger): Promise<ReadOutcome> {
  const stager = await store.openStager();
  try {
    stager.addRows(dictionaryRows());
    const outcome = await consume(source, pipeline, stager, deps, { previous, cursor: await store.getMeta('cursor') }, logger);
    return { ...outcome, stagedRows: stager.rows };
  } finally {
    stager.close();
  }
}

async function consume(
  source: Source,
  pipeline: Pipeline,
  stager: Stager,
  deps: RunDeps,
  state: { previous: ReadonlyMap<string, string | null>; cursor: string | null },
  logger: Logger,
): Promise<Omit<ReadOutcome, 'stagedRows'>> {
  const { config, outputDir } = pipeline;
  const categories = config.filter.categories ? new Set(config.filter.categories) : null;
  const outcome = { fetched: 0, unchanged: 0, fetchFailures: [] as RejectRow[] };
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
        // The source says what failed and what to do; the run adds which pipeline and that nothing changed.
        if (!(cause instanceof SourceUnavailableError)) throw cause;
        throw new CliError(`pipeline ${config.id}: ${cause.message}. Nothing was published; the previous release stands.`, { cause });
      }
      if (next.done) {
        await Promise.all(inFlight);
        return { summary: next.value, ...outcome };
      }
      const event = next.value;
      stopIfAborted(deps.signal, 'while reading the source');
      deps.progress.tick('extract');
      if (event.kind === 'unchanged') {
        outcome.unchanged++;
        stager.markSeen(event.sourceId);
      } else if (event.kind === 'failed') {
        // A post that could not be fetched keeps its previous version; it is never taken for a deletion.
        stager.markSeen(event.error.sourceId);
        outcome.fetchFailures.push({ source_id: event.error.sourceId, url: event.url, stage: 'fetch', reason: event.error.message });
        logger.warn({ stage: 'fetch', source_id: event.error.sourceId, url: event.url, attempts: event.attempts }, event.error.message);
      } else {
        outcome.fetched++;
        const raw = event.post;
        const base: PostState = { sourceId: raw.sourceId, docId: docId(raw.source, raw.sourceId), url: raw.url, revision: raw.revision, status: 'active', fetchedAt: raw.fetchedAt };
        const staged = pool
          .extract({ post: raw, docId: base.docId })
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
            for (const w of r.warnings) logger.warn({ stage: 'parse', source_id: raw.sourceId, url: raw.url }, `${raw.sourceId}: ${w}`);
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
