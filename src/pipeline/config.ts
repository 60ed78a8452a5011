import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import cron from 'node-cron';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FORMAT_NAMES } from '../core/layout.ts';
import { CliError } from '../core/errors.ts';
import { isWithin, resolveSymlinks } from '../core/files.ts';

const MB = 1024 * 1024;

const MAX_ID_LENGTH = 64;

/** The HTTP layer speaks only http(s): another scheme (file:, ftp:) would fail at run time, after the store was opened. */
const httpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' });

/** Politeness and robustness of every HTTP request a source makes. */
const httpSchema = z
  .strictObject({
    // 1/rate seconds is a setTimeout delay, which overflows past 2^31-1 ms (24.8 days) and then fires at once; 0.001/s is one request per 17 minutes.
    rate_limit: z.number().min(0.001, 'at least 0.001 (one request per 1000 s)').default(4).describe('requests per second per host'),
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
  // One folder or several: finews moves its posts from _posts/ to old_post/ after about three days.
  path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default('_posts'),
  api: httpUrl.default('https://api.github.com'),
  raw: httpUrl.default('https://raw.githubusercontent.com'),
  http: httpSchema,
});

const feedSchema = z.strictObject({
  type: z.literal('feed'),
  url: httpUrl,
  /** Hosts (with their port when not the default) whose pages may be fetched; the feed's own origin always may. */
  hosts: z.array(z.string()).default([]),
  http: httpSchema,
});

const cronString = z.string().refine((s) => cron.validate(s), {
  message: 'not a valid cron expression (5 or 6 fields, e.g. "*/30 * * * *")',
});

/** The check node-cron and DuckDB's SET TimeZone make at run time (both use ICU), made at load. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const pipelineSchema = z.strictObject({
  // The id names the output folder and appears in file names: bounded well below a file name's 255 bytes.
  id: z.string().max(MAX_ID_LENGTH, `at most ${MAX_ID_LENGTH} characters`).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case, e.g. finews-gov'),
  title: z.string().default(''),
  schedule: cronString.optional(),
  timezone: z.string().refine(isTimeZone, 'not a known time zone (use an IANA name such as Asia/Shanghai)').default('Asia/Shanghai'),
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
      formats: z.array(z.enum(FORMAT_NAMES)).min(1).default(['csv', 'parquet']),
      keep: z.number().int().positive().optional(),
    })
    .prefault({}),
});

export type PipelineConfig = z.infer<typeof pipelineSchema>;

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
  await checkOutputDir(file, config, cwd, outputDir);
  return { file, config, cwd, outputDir };
}

/** Folders the operating system owns: nothing of a pipeline's may be written anywhere inside them. */
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/sbin', '/sys', '/usr'];
/** Shared top-level folders: a folder of its own inside them is fine, the folder itself is not. */
const SHARED_DIRS = ['/home', '/media', '/mnt', '/opt', '/root', '/run', '/srv', '/tmp', '/var'];

/** Why `dir`, one spelling of a folder, is no place for zhengce to write, or null. */
function ownedFolderProblem(dir: string, home: string): string | null {
  if (dir === '/') return 'the root folder';
  if (isWithin(home, dir)) return `the home folder ${home} or a folder holding it`;
  const tree = SYSTEM_TREES.find((d) => isWithin(dir, d));
  if (tree) return `inside the system folder ${tree}`;
  if (SHARED_DIRS.includes(dir)) return 'a system folder';
  return null;
}

/** " (a symlink to X)" when `real` differs from the path as written: the message then says why a harmless-looking path is refused. */
const viaLink = (dir: string, real: string): string => (real === dir ? '' : ` (through a symlink: ${real})`);

/**
 * Why zhengce must not write into the folder `dir` (the root, the home folder or a folder holding it, a
 * system folder or one inside those the OS owns), or null. Checked as written and with symlinks resolved,
 * so that a link cannot lead a write there. publish.dir and `export --out` share it.
 */
export async function systemFolderProblem(dir: string): Promise<string | null> {
  const real = await resolveSymlinks(dir);
  const homes = [homedir(), await resolveSymlinks(homedir())];
  for (const path of [dir, real]) {
    for (const home of homes) {
      const problem = ownedFolderProblem(path, home);
      if (problem) return `${dir}${viaLink(dir, path)}, ${problem}`;
    }
  }
  return null;
}

/** Why `outputDir` must not hold a pipeline's store and releases, or null when it may; every folder compared with symlinks resolved. */
async function outputDirProblem(config: PipelineConfig, cwd: string, outputDir: string): Promise<string | null> {
  const system = await systemFolderProblem(outputDir);
  if (system) return system;
  if (config.source.type !== 'dir') return null;
  const posts = resolve(cwd, config.source.path);
  const [realOut, realPosts] = await Promise.all([resolveSymlinks(outputDir), resolveSymlinks(posts)]);
  const out = `${outputDir}${viaLink(outputDir, realOut)}`;
  const source = `${posts}${viaLink(posts, realPosts)}`;
  if (isWithin(realOut, realPosts)) return `${out}, inside the source folder ${source} (source.path): each run would read its own CHANGELOG.md back as a post`;
  if (isWithin(realPosts, realOut)) return `${out}, a folder holding the source folder ${source} (source.path): releases would be written among the posts`;
  return null;
}

/** A run writes store.duckdb, raw/ and releases/ into the output folder: a folder shared with anything else is refused at load. */
async function checkOutputDir(file: string, config: PipelineConfig, cwd: string, outputDir: string): Promise<void> {
  const problem = await outputDirProblem(config, cwd, outputDir);
  if (!problem) return;
  const key = config.publish.dir === undefined ? `publish.dir (default output/${config.id})` : `publish.dir "${config.publish.dir}"`;
  throw new CliError(`invalid pipeline ${file}:\n  - ${key} is ${problem}; set publish.dir to a folder of this pipeline's own`);
}

/**
 * Pipelines loaded together must not share an id or an output folder (compared with symlinks resolved):
 * each run of one would remove the other's documents. The same file named twice is one pipeline.
 */
export async function checkDistinctPipelines(pipelines: Pipeline[]): Promise<void> {
  const real = await Promise.all(pipelines.map((p) => resolveSymlinks(p.outputDir)));
  const problems: string[] = [];
  for (let i = 0; i < pipelines.length; i++) {
    for (let j = i + 1; j < pipelines.length; j++) {
      const [a, b] = [pipelines[i], pipelines[j]];
      if (a.file === b.file) continue;
      if (a.config.id === b.config.id) problems.push(`  - ${a.file} and ${b.file} both declare id "${a.config.id}": an id names one pipeline; give one of them another id`);
      else if (real[i] === real[j]) problems.push(`  - ${a.file} (${a.config.id}) and ${b.file} (${b.config.id}) both publish into ${real[i]}: an output folder belongs to one pipeline; set publish.dir of one of them to a folder of its own`);
    }
  }
  if (problems.length) throw new CliError(`pipelines that would overwrite each other's output:\n${problems.join('\n')}`);
}

/** Every pipelines/*.yaml under cwd, sorted by file name. */
export async function listPipelineFiles(cwd: string): Promise<string[]> {
  const dir = join(cwd, 'pipelines');
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => /\.ya?ml$/i.test(n)).sort().map((n) => join(dir, n));
}
