// Source type `feed`: an RSS 2.0 or Atom feed whose items carry the posts. Declared here; read by feed-fetch.ts, loaded when it runs.
import { z } from 'zod';
import { httpOptionsSchema, httpUrl } from './http-options.ts';
import { lazySource, type SourceType } from './source-type.ts';

const schema = z.strictObject({
  type: z.literal('feed'),
  url: httpUrl,
  /** Hosts (`name`, or `name:port` for a port other than the scheme's default) whose pages may be fetched for an item without content; the feed's own origin always may. */
  hosts: z.array(z.string()).default([]),
  http: httpOptionsSchema,
});

export type FeedSourceOptions = z.infer<typeof schema>;

const load = () => import('./feed-fetch.ts');

export const feedSourceType = {
  type: 'feed',
  schema,
  create: (options, deps) => lazySource(async () => (await load()).feedSource(options, deps)),
  describe: (options) => `feed ${options.url}`,
  canonical: async (options) => `feed ${new URL(options.url).href}`,
  snapshots: true,
  unchanged: async (options, deps, cursor, logger, signal) => ({ unchanged: await (await load()).feedUnchanged(options, deps, cursor, logger, signal), cursor }),
} satisfies SourceType<typeof schema>;
