import type { Clock, Logger } from './effects.ts';
import type { PostError } from './errors.ts';
import type { RawPost } from './types.ts';

/** What a source knows from the previous run of its pipeline. */
export interface SourceContext {
  /** sourceId → revision recorded at the last successful fetch of each post still present. */
  previous: ReadonlyMap<string, string | null>;
  /** The source's opaque cursor from the last run (e.g. the trees ETag), or null. */
  cursor: string | null;
  /** Folder for content-addressed raw snapshots (output/<id>/raw). */
  rawDir: string;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
}

/**
 * One thing a source reports about one post:
 * `post` — new or changed bytes; `unchanged` — still present, same revision;
 * `failed` — present upstream but not fetched (its previous version must be kept, never deleted).
 * A `post` with `release` holds its bytes in the source's byte budget (http.max_bytes_in_flight):
 * the consumer calls it once done with `post.bytes`, or the source stops fetching once the budget is full.
 */
export type SourceEvent = { kind: 'post'; post: RawPost; release?: () => void } | { kind: 'unchanged'; sourceId: string } | { kind: 'failed'; error: PostError; url: string; attempts: number };

export interface SourceSummary {
  /** The cursor to hand to the next run. */
  cursor: string | null;
  /** True when the source answered "nothing changed at all" (HTTP 304): every previous post is unchanged. */
  notModified: boolean;
}

/**
 * A source lists what is upstream now. Any previous sourceId it reports nothing about is a removal,
 * so a source that cannot list completely must throw instead of returning.
 */
export type Source = (ctx: SourceContext) => AsyncGenerator<SourceEvent, SourceSummary, void>;
