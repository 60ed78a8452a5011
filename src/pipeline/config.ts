import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import cron from 'node-cron';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FORMAT_NAMES } from '../core/layout.ts';
import { CliError } from '../core/errors.ts';
import { isWithin, resolveSymlinks } from '../core/files.ts';
import { SOURCE_SCHEMAS } from '../sources/index.ts';

const MAX_ID_LENGTH = 64;

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

export const pipelineSchema = z.strictObject({
  // The id names the output folder and appears in file names: bounded well below a file name's 255 bytes.
  id: z
    .string()
    .max(MAX_ID_LENGTH, `at most ${MAX_ID_LENGTH} characters`)
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case, e.g. finews-gov'),
  title: z.string().default(''),
  schedule: cronString.optional(),
  timezone: z.string().refine(isTimeZone, 'not a known time zone (use an IANA name such as Asia/Shanghai)').default('Asia/Shanghai'),
  source: z.discriminatedUnion('type', SOURCE_SCHEMAS),
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
      else if (real[i] === real[j])
        problems.push(
          `  - ${a.file} (${a.config.id}) and ${b.file} (${b.config.id}) both publish into ${real[i]}: an output folder belongs to one pipeline; set publish.dir of one of them to a folder of its own`,
        );
    }
  }
  if (problems.length) throw new CliError(`pipelines that would overwrite each other's output:\n${problems.join('\n')}`);
}

/** Every pipelines/*.yaml under cwd, sorted by file name. */
export async function listPipelineFiles(cwd: string): Promise<string[]> {
  const dir = join(cwd, 'pipelines');
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => /\.ya?ml$/i.test(n))
    .sort()
    .map((n) => join(dir, n));
}
