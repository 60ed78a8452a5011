import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import cron from 'node-cron';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CliError } from '../core/errors.ts';

const MB = 1024 * 1024;

/** Politeness and robustness of every HTTP request a source makes. */
const httpSchema = z
  .strictObject({
    rate_limit: z.number().positive().default(4).describe('requests per second per host'),
    concurrency: z.number().int().positive().default(8).describe('requests in flight per host'),
    max_response_bytes: z.number().int().positive().default(20 * MB),
    headers_timeout_ms: z.number().int().positive().default(30_000),
    body_timeout_ms: z.number().int().positive().default(60_000),
    /** A total deadline per request, so a server dripping bytes cannot hold a run (and its lock) forever. */
    response_timeout_ms: z.number().int().positive().default(120_000),
    /** Bytes of post bodies held at once, from download to extraction; a download counts max_response_bytes until its size is known. */
    max_bytes_in_flight: z.number().int().positive().default(256 * MB),
    retries: z.number().int().min(0).default(4),
    min_retry_delay_ms: z.number().int().positive().default(500),
    max_retry_delay_ms: z.number().int().positive().default(30_000),
    /** Overrides the default User-Agent, e.g. to add an operator's contact address. */
    user_agent: z.string().min(1).optional(),
  })
  .refine((http) => http.max_bytes_in_flight >= http.max_response_bytes, {
    path: ['max_bytes_in_flight'],
    message: 'must be at least http.max_response_bytes: each download holds that much of the budget until its size is known',
  })
  .prefault({});

const dirSchema = z.strictObject({
  type: z.literal('dir'),
  path: z.string().min(1),
  max_post_bytes: z.number().int().positive().default(5 * MB),
});

const githubSchema = z.strictObject({
  type: z.literal('github'),
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
  branch: z.string().min(1).default('main'),
  path: z.string().default('_posts'),
  api: z.url().default('https://api.github.com'),
  raw: z.url().default('https://raw.githubusercontent.com'),
  http: httpSchema,
});

const feedSchema = z.strictObject({
  type: z.literal('feed'),
  url: z.url(),
  /** Hosts (with their port when not the default) whose pages may be fetched; the feed's own origin always may. */
  hosts: z.array(z.string()).default([]),
  http: httpSchema,
});

const cronString = z.string().refine((s) => cron.validate(s), {
  message: 'not a valid cron expression (5 or 6 fields, e.g. "*/30 * * * *")',
});

const pipelineSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case, e.g. finews-gov'),
  title: z.string().default(''),
  schedule: cronString.optional(),
  timezone: z.string().default('Asia/Shanghai'),
  source: z.discriminatedUnion('type', [dirSchema, githubSchema, feedSchema]),
  filter: z
    .strictObject({
      categories: z.array(z.string()).optional(),
      policy_only: z.boolean().default(false),
    })
    .prefault({}),
  publish: z
    .strictObject({
      dir: z.string().optional(),
      formats: z.array(z.enum(['csv', 'parquet', 'arrow'])).min(1).default(['csv', 'parquet']),
      keep: z.number().int().positive().optional(),
    })
    .prefault({}),
});

export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type HttpOptions = z.infer<typeof httpSchema>;

/** A loaded pipeline: its validated config with paths made absolute. */
export interface Pipeline {
  file: string;
  config: PipelineConfig;
  /** The directory the command runs in: relative paths inside the pipeline resolve against it. */
  cwd: string;
  /** output/<id> unless publish.dir says otherwise. */
  outputDir: string;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')} at ${key}`;
  return `${key}: ${issue.message}`;
}

/** Validates a parsed YAML value; errors name the file, the key and what is allowed. */
export function validatePipeline(value: unknown, file: string): PipelineConfig {
  const result = pipelineSchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${describeIssue(i)}`);
    throw new CliError(`invalid pipeline ${file}:\n${lines.join('\n')}`);
  }
  return result.data;
}

/**
 * Finds a pipeline by id (pipelines/<id>.yaml) or by the path of a YAML file.
 * Relative paths inside it resolve against `cwd`, the directory the command runs in.
 */
export async function loadPipeline(nameOrPath: string, cwd: string): Promise<Pipeline> {
  const isFile = /\.ya?ml$/i.test(nameOrPath) || nameOrPath.includes('/');
  const file = isFile ? resolve(cwd, nameOrPath) : join(cwd, 'pipelines', `${nameOrPath}.yaml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    const hint = isFile ? '' : ` (no pipelines/${nameOrPath}.yaml in ${cwd}; name a pipeline id or a .yaml file)`;
    throw new CliError(`cannot read pipeline ${file}${hint}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (cause) {
    throw new CliError(`invalid pipeline ${file}: not valid YAML: ${(cause as Error).message}`, { cause });
  }
  const config = validatePipeline(value, file);
  const outputDir = resolve(cwd, config.publish.dir ?? join('output', config.id));
  return { file, config, cwd, outputDir };
}

/** Every pipelines/*.yaml under cwd, sorted by file name. */
export async function listPipelineFiles(cwd: string): Promise<string[]> {
  const dir = join(cwd, 'pipelines');
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => /\.ya?ml$/i.test(n)).sort().map((n) => join(dir, n));
}
