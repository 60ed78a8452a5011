// The source types a pipeline may name, registered once: the pipeline's `source:` union (src/pipeline/config.ts)
// and every dispatch on a source's type below derive from SOURCE_TYPES. For `zhengce run --offline`, see raw.ts.
import type { z } from 'zod';
import type { Logger } from '../core/effects.ts';
import type { Source } from '../core/source.ts';
import { dirSourceType } from './dir.ts';
import { feedSourceType } from './feed.ts';
import { githubSourceType } from './github.ts';
import type { SourceDeps, SourceProbe, SourceType } from './source-type.ts';

export type { SourceDeps };

/** Every source type, in the order pipeline errors list them: adding one is its own module and one entry here. */
const SOURCE_TYPES = [dirSourceType, githubSourceType, feedSourceType] as const;

type Registered = typeof SOURCE_TYPES;
type SchemasOf<T extends readonly { schema: unknown }[]> = { [K in keyof T]: T[K]['schema'] };

/** The `source:` schema of each registered type, as the tuple zod's discriminated union takes. */
export const SOURCE_SCHEMAS = SOURCE_TYPES.map((t) => t.schema) as unknown as SchemasOf<Registered>;

/** A pipeline's `source:` block after validation: the options of one of the registered types. */
export type SourceOptions = z.infer<Registered[number]['schema']>;

/** The declaration of a source's type; its methods take that type's options (TypeScript cannot pair a union's members with the registry's). */
function sourceTypeOf(options: SourceOptions): SourceType<z.ZodType<SourceOptions>> {
  return SOURCE_TYPES.find((t) => t.type === options.type) as SourceType<z.ZodType<SourceOptions>>;
}

export function createSource(options: SourceOptions, deps: SourceDeps): Source {
  return sourceTypeOf(options).create(options, deps);
}

/** Where a pipeline's posts come from, in words for the release page. */
export const describeSource = (options: SourceOptions): string => sourceTypeOf(options).describe(options);

/** The source in canonical words, the same however the pipeline spells it (a dir source with symlinks resolved). */
export const canonicalSource = (options: SourceOptions, deps: SourceDeps): Promise<string> => sourceTypeOf(options).canonical(options, deps);

/** Whether a source's runs keep what they fetch in raw/, so that `zhengce run --offline` rebuilds from it. */
export const keepsSnapshots = (options: SourceOptions): boolean => sourceTypeOf(options).snapshots;

/**
 * Whether the source holds nothing new since the run that left `cursor`, asked as cheaply as the source allows
 * (dir: a stat per file; github: the root tree, 304 or the same folder shas; feed: a 304), so that such a run
 * ends without opening the store. Returns the cursor to keep (github's root ETag may change).
 */
export function sourceUnchanged(options: SourceOptions, deps: SourceDeps, cursor: string | null, logger: Logger, signal?: AbortSignal): Promise<SourceProbe> {
  return sourceTypeOf(options).unchanged(options, deps, cursor, logger, signal);
}
