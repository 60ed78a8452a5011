// The work of `zhengce diff`, `validate` and `export`: a release named by its folder, or by a pipeline
// and a release id (or `latest`), compared with another, checked against its datapackage.json or exported.
import { realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CliError } from '../core/errors.ts';
import { isWithin, readJson, resolveSymlinks } from '../core/files.ts';
import type { ExportFormat } from '../core/layout.ts';
import type { ReleaseSource } from '../core/table-rows.ts';
import { exportRelease } from '../publish/export.ts';
import { validateRelease, type ValidationReport } from '../publish/validate.ts';
import { diffReleases, type ReleaseDiff } from '../store/diff.ts';
import { openReleaseFileReader, openReleaseRows } from '../store/release-files.ts';
import { listPipelineFiles, loadPipeline, systemFolderProblem } from './config.ts';

export type { ReleaseDiff } from '../store/diff.ts';

const isDir = (p: string): Promise<boolean> =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

/**
 * The real folder of a release: `latest` (or any symlink) is resolved once, here, so that every file is
 * then read from the one release it pointed to, even if a run publishing meanwhile moves it on.
 */
const releaseFolder = (dir: string): Promise<string> => realpath(dir);

/** A release folder `arg`, or with a pipeline its release id `arg` or `latest`; symlinks resolved once. */
async function resolveRelease(arg: string, pipelineName: string | undefined, cwd: string): Promise<string> {
  if (await isDir(resolve(cwd, arg))) return releaseFolder(resolve(cwd, arg));
  if (!pipelineName) throw new CliError(`no release folder "${arg}"; name a folder (output/<id>/releases/<release_id>) or add --pipeline <id> to name a release id`);
  const { outputDir } = await loadPipeline(pipelineName, cwd);
  const dir = arg === 'latest' ? join(outputDir, 'latest') : join(outputDir, 'releases', arg);
  if (!(await isDir(dir))) throw new CliError(`pipeline ${pipelineName} has no release "${arg}" (looked in ${dir})`);
  return releaseFolder(dir);
}

/** The changes between releases `a` and `b`. */
export async function compareReleases(a: string, b: string, o: { pipeline?: string; cwd: string }): Promise<ReleaseDiff> {
  const [from, to] = await Promise.all([a, b].map((x) => resolveRelease(x, o.pipeline, o.cwd)));
  return diffReleases(from, to);
}

/** Every file of the release against its datapackage.json. */
export async function checkRelease(arg: string, o: { pipeline?: string; cwd: string }): Promise<{ dir: string; report: ValidationReport }> {
  const dir = await resolveRelease(arg, o.pipeline, o.cwd);
  const reader = await openReleaseFileReader();
  try {
    return { dir, report: await validateRelease(dir, reader) };
  } finally {
    reader.close();
  }
}

/** True when `dir` holds a datapackage.json zhengce wrote (it names the code version): a published release. */
const isRelease = async (dir: string): Promise<boolean> => typeof (await readJson<{ x_code_version?: unknown }>(join(dir, 'datapackage.json')))?.x_code_version === 'string';

/** True when `dir` is a pipeline's output folder: its store beside its releases. */
const isOutputFolder = async (dir: string): Promise<boolean> =>
  (await stat(join(dir, 'store.duckdb')).then(
    (s) => s.isFile(),
    () => false,
  )) && isDir(join(dir, 'releases'));

/** The output folders of every pipeline the command can see (pipelines/*.yaml and the one named); a file that does not load names none. */
async function visibleOutputFolders(cwd: string, named: string | undefined): Promise<{ id: string; dir: string }[]> {
  const files = [...(await listPipelineFiles(cwd)), ...(named ? [named] : [])];
  const loaded = await Promise.all(files.map((f) => loadPipeline(f, cwd).catch(() => null)));
  return Promise.all(loaded.filter((p) => p !== null).map(async (p) => ({ id: p.config.id, dir: await resolveSymlinks(p.outputDir) })));
}

/**
 * Why `export --out` must not write into `outDir`, or null: a file (not a folder), a folder publish.dir
 * refuses (the root, home, system folders), a pipeline's output folder or anything inside one, or a
 * release folder (its files would no longer match its datapackage.json). Compared with symlinks resolved.
 */
async function exportTargetProblem(outDir: string, cwd: string, pipeline: string | undefined): Promise<string | null> {
  const real = await resolveSymlinks(outDir);
  // The nearest existing folder on the way must be a folder: a file there fails the write half-way.
  for (let at = real; ; at = dirname(at)) {
    const found = await stat(at).catch(() => null);
    if (found?.isDirectory()) break;
    if (found) return `${at === real ? 'it' : at} is a file, not a folder (ENOTDIR)`;
    if (dirname(at) === at) break;
  }
  const system = await systemFolderProblem(outDir);
  if (system) return `it is ${system}`;
  for (let at = real; ; at = dirname(at)) {
    if (await isRelease(at)) return `it is inside the release folder ${at}: files written there would no longer match its datapackage.json (zhengce validate would fail)`;
    if (await isOutputFolder(at)) return `it is inside the output folder ${at} of a pipeline: zhengce writes there`;
    if (dirname(at) === at) break;
  }
  const owner = (await visibleOutputFolders(cwd, pipeline)).find((o) => isWithin(real, o.dir));
  return owner ? `it is inside ${owner.dir}, the output folder of pipeline ${owner.id}: zhengce writes there` : null;
}

/** Whole tables of a kept release, or with a pipeline of one that only history/ still holds, as single files in `outDir`. */
export async function exportTables(arg: string, o: { pipeline?: string; cwd: string; tables?: string[]; formats: ExportFormat[]; outDir: string }) {
  const refused = await exportTargetProblem(o.outDir, o.cwd, o.pipeline);
  if (refused) throw new CliError(`--out ${o.outDir}: ${refused}; name a folder of your own outside any output folder (made when missing)`);
  let source: ReleaseSource;
  let timezone: string | null = null;
  if ((await isDir(resolve(o.cwd, arg))) || !o.pipeline) source = { kind: 'folder', dir: await resolveRelease(arg, o.pipeline, o.cwd) };
  else {
    const { outputDir, config } = await loadPipeline(o.pipeline, o.cwd);
    timezone = config.timezone;
    const kept = join(outputDir, arg === 'latest' ? 'latest' : join('releases', arg));
    if (await isDir(kept)) source = { kind: 'folder', dir: await releaseFolder(kept) };
    else if (await isDir(join(outputDir, 'history', 'documents', `release_id=${arg}`))) source = { kind: 'history', outputDir, releaseId: arg };
    else throw new CliError(`pipeline ${o.pipeline} has no release "${arg}", kept or in history/ (looked in ${join(outputDir, 'releases')} and ${join(outputDir, 'history')})`);
  }
  // Times as the release's spreadsheets show them: in the pipeline's time zone, which the release records.
  timezone ??= source.kind === 'folder' ? ((await readJson<{ x_timezone?: string }>(join(source.dir, 'datapackage.json')))?.x_timezone ?? 'UTC') : 'UTC';
  const rows = await openReleaseRows(source, timezone);
  try {
    return await exportRelease(rows, { tables: o.tables, formats: o.formats, outDir: o.outDir, timezone });
  } finally {
    rows.close();
  }
}

/** `zhengce serve`: the site server of the release site stage, reached from the CLI through the composer. */
export { serveSite } from '../site/serve.ts';
