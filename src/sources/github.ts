// Source type `github`: a GitHub repository of Jekyll posts. Declared here; read by github-fetch.ts, loaded when it runs.
import { z } from 'zod';
import { httpOptionsSchema, httpUrl } from './http-options.ts';
import { lazySource, type SourceType } from './source-type.ts';

const schema = z.strictObject({
  type: z.literal('github'),
  /** owner/name */
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
  branch: z.string().min(1).default('main'),
  // One folder or several: finews moves its posts from _posts/ to old_post/ after about three days; a post moving between them keeps its identity.
  path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default('_posts'),
  api: httpUrl.default('https://api.github.com'),
  raw: httpUrl.default('https://raw.githubusercontent.com'),
  http: httpOptionsSchema,
});

export type GithubSourceOptions = z.infer<typeof schema>;

const load = () => import('./github-fetch.ts');

export const githubSourceType = {
  type: 'github',
  schema,
  create: (options, deps) => lazySource(async () => (await load()).githubSource(options, deps)),
  describe: (options) => `GitHub ${options.repo} (${[options.path].flat().join(', ')})`,
  canonical: async (options) => `github ${options.repo} branch ${options.branch} paths ${[options.path].flat().sort().join(', ')}`,
  snapshots: true,
  unchanged: async (options, deps, cursor, logger, signal) => (await load()).githubUnchanged(options, deps, cursor, logger, signal),
} satisfies SourceType<typeof schema>;
