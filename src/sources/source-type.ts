// What one source type declares, once, in its own module: the registry (index.ts) builds the pipeline's `source:`
// union and the run's dispatch from these. Light by rule: a module that needs undici or an XML parser imports it
// in `create` and `unchanged`, so that loading a pipeline (or a dir run) never loads them.
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Logger } from '../core/effects.ts';
import type { Source } from '../core/source.ts';

/** What a source gets from the command besides its options. */
export interface SourceDeps {
  /** The directory the command runs in: a dir source's relative path resolves against it. */
  cwd: string;
  /** GITHUB_TOKEN from the caller's environment (only the github source uses it). */
  githubToken?: string | null;
  /** A dispatcher replacing each run's own keep-alive Agent, e.g. to point HTTP at a test server. */
  dispatcher?: Dispatcher;
}

/** A source's answer to "anything new since the run that left `cursor`?", with the cursor to keep (github's root ETag may change). */
export interface SourceProbe {
  unchanged: boolean;
  cursor: string | null;
}

export interface SourceType<Schema extends z.ZodType<{ type: string }>> {
  /** The `type:` a pipeline names it by. */
  type: z.infer<Schema>['type'];
  /** Its `source:` block, with defaults: the pipeline is validated against it at load. */
  schema: Schema;
  /** The source a run reads. */
  create(options: z.infer<Schema>, deps: SourceDeps): Source;
  /** Where the posts come from, in words for the release page. */
  describe(options: z.infer<Schema>): string;
  /** The source in canonical words, the same however the file spells it: the store records which source an output folder belongs to. */
  canonical(options: z.infer<Schema>, deps: SourceDeps): Promise<string>;
  /** Whether its runs keep what they fetch in raw/, so that `zhengce run --offline` can rebuild the store from there. */
  snapshots: boolean;
  /**
   * Whether the source holds nothing new since the run that left `cursor`, asked as cheaply as it allows, so that
   * such a run ends without opening the store. Any doubt is `unchanged: false`: the run then reads the source.
   */
  unchanged(options: z.infer<Schema>, deps: SourceDeps, cursor: string | null, logger: Logger, signal?: AbortSignal): Promise<SourceProbe>;
}

/** A source whose module loads when it runs (undici, an XML parser): a dir pipeline never loads them. */
export function lazySource(load: () => Promise<Source>): Source {
  return async function* (ctx) {
    return yield* (await load())(ctx);
  };
}
