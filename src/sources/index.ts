// Builds the Source a pipeline's `source:` block describes. For `zhengce run --offline`, use
// rawSnapshotSource(<output>/raw), re-exported here: the last online run's snapshots, no network.
import { resolve } from 'node:path';
import type { Dispatcher } from 'undici';
import type { Logger } from '../core/effects.ts';
import type { Source } from '../core/source.ts';
import { dirFingerprint, dirSource } from './dir.ts';
import type { HttpOptions } from './http.ts';

/** Structurally the `source` union of src/pipeline/config.ts (after zod defaults). */
export type SourceConfig =
  | { type: 'dir'; path: string; max_post_bytes: number }
  | { type: 'github'; repo: string; branch: string; path: string | string[]; api: string; raw: string; http: HttpOptions }
  | { type: 'feed'; url: string; hosts: string[]; http: HttpOptions };

export interface SourceDeps {
  /** The directory the command runs in: a dir source's relative path resolves against it. */
  cwd: string;
  /** GITHUB_TOKEN from the caller's environment (only the github source uses it). */
  githubToken?: string | null;
  /** A dispatcher replacing each run's own keep-alive Agent, e.g. to point HTTP at a test server. */
  dispatcher?: Dispatcher;
  userAgent?: string;
}

/** A source whose module loads when it runs (undici, an XML parser): a dir pipeline never loads them. */
function lazySource(load: () => Promise<Source>): Source {
  return async function* (ctx) {
    return yield* (await load())(ctx);
  };
}

export function createSource(config: SourceConfig, deps: SourceDeps): Source {
  switch (config.type) {
    case 'dir':
      return dirSource({ path: resolve(deps.cwd, config.path), label: config.path, maxPostBytes: config.max_post_bytes });
    case 'github':
      return lazySource(async () => (await import('./github.ts')).githubSource(config, { token: deps.githubToken, dispatcher: deps.dispatcher, userAgent: deps.userAgent }));
    case 'feed':
      return lazySource(async () => (await import('./feed.ts')).feedSource(config, { dispatcher: deps.dispatcher, userAgent: deps.userAgent }));
  }
}

/**
 * Whether the source holds nothing new since the run that left `cursor`, asked as cheaply as the source allows
 * (dir: a stat per file; github: the root tree, 304 or the same folder shas; feed: a 304), so that such a run
 * ends without opening the store. Returns the cursor to keep (github's root ETag may change).
 */
export async function sourceUnchanged(config: SourceConfig, deps: SourceDeps, cursor: string | null, logger: Logger, signal?: AbortSignal): Promise<{ unchanged: boolean; cursor: string | null }> {
  switch (config.type) {
    case 'dir':
      return { unchanged: cursor !== null && (await dirFingerprint(resolve(deps.cwd, config.path)).catch(() => null)) === cursor, cursor };
    case 'github':
      return (await import('./github.ts')).githubUnchanged(config, { token: deps.githubToken, dispatcher: deps.dispatcher, userAgent: deps.userAgent }, cursor, logger, signal);
    case 'feed':
      return { unchanged: await (await import('./feed.ts')).feedUnchanged(config, { dispatcher: deps.dispatcher, userAgent: deps.userAgent }, cursor, logger, signal), cursor };
  }
}

export { rawSnapshotSource } from './raw.ts';
