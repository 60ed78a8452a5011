// The work of `zhengce diff`, `validate` and `export`: a release named by its folder, or by a pipeline
// and a release id (or `latest`), compared with another, checked against its datapackage.json or exported.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliError } from '../core/errors.ts';
import { exportRelease, exportReleaseXlsx, type ExportSource } from '../publish/export.ts';
import { validateRelease, type ValidationReport } from '../publish/validate.ts';
import { diffReleases, type ReleaseDiff } from '../store/diff.ts';
import { loadPipeline } from './config.ts';

export type { ReleaseDiff } from '../store/diff.ts';

const isDir = (p: string): Promise<boolean> => stat(p).then((s) => s.isDirectory(), () => false);

/** A release folder `arg`, or with a pipeline its release id `arg` or `latest`. */
export async function resolveRelease(arg: string, pipelineName: string | undefined, cwd: string): Promise<string> {
  if (await isDir(resolve(cwd, arg))) return resolve(cwd, arg);
  if (!pipelineName) throw new CliError(`no release folder "${arg}"; name a folder (output/<id>/releases/<release_id>) or add --pipeline <id> to name a release id`);
  const { outputDir } = await loadPipeline(pipelineName, cwd);
  const dir = arg === 'latest' ? join(outputDir, 'latest') : join(outputDir, 'releases', arg);
  if (!(await isDir(dir))) throw new CliError(`pipeline ${pipelineName} has no release "${arg}" (looked in ${dir})`);
  return dir;
}

/** The changes between releases `a` and `b`. */
export async function compareReleases(a: string, b: string, o: { pipeline?: string; cwd: string }): Promise<ReleaseDiff> {
  const [from, to] = await Promise.all([a, b].map((x) => resolveRelease(x, o.pipeline, o.cwd)));
  return diffReleases(from, to);
}

/** Every file of the release against its datapackage.json. */
export async function checkRelease(arg: string, o: { pipeline?: string; cwd: string }): Promise<{ dir: string; report: ValidationReport }> {
  const dir = await resolveRelease(arg, o.pipeline, o.cwd);
  return { dir, report: await validateRelease(dir) };
}

/** Whole tables of a kept release, or with a pipeline of one that only history/ still holds, as single files in `outDir`. */
export async function exportTables(arg: string, o: { pipeline?: string; cwd: string; tables?: string[]; formats: ('csv' | 'parquet' | 'xlsx')[]; outDir: string }): Promise<{ files: { path: string; rows: number }[]; skipped: string[] }> {
  const source = await exportSource(arg, o);
  const binary = o.formats.filter((f): f is 'csv' | 'parquet' => f !== 'xlsx');
  const files: { path: string; rows: number }[] = binary.length ? await exportRelease(source, { tables: o.tables, formats: binary, outDir: o.outDir }) : [];
  if (!o.formats.includes('xlsx')) return { files, skipped: [] };
  // Times in the pipeline's zone when a pipeline is named, else UTC (a folder alone does not say).
  const timeZone = o.pipeline ? (await loadPipeline(o.pipeline, o.cwd)).config.timezone : 'UTC';
  const xlsx = await exportReleaseXlsx(source, { tables: o.tables, outDir: o.outDir, timeZone });
  return { files: [...files, ...xlsx.files], skipped: xlsx.skipped };
}

/** Where a release's rows are read from: its folder, or history/ when only that still holds it. */
async function exportSource(arg: string, o: { pipeline?: string; cwd: string }): Promise<ExportSource> {
  let source: ExportSource;
  if ((await isDir(resolve(o.cwd, arg))) || !o.pipeline) source = { kind: 'folder', dir: await resolveRelease(arg, o.pipeline, o.cwd) };
  else {
    const { outputDir } = await loadPipeline(o.pipeline, o.cwd);
    const kept = join(outputDir, arg === 'latest' ? 'latest' : join('releases', arg));
    if (await isDir(kept)) source = { kind: 'folder', dir: kept };
    else if (await isDir(join(outputDir, 'history', 'documents', `release_id=${arg}`))) source = { kind: 'history', outputDir, releaseId: arg };
    else throw new CliError(`pipeline ${o.pipeline} has no release "${arg}", kept or in history/ (looked in ${join(outputDir, 'releases')} and ${join(outputDir, 'history')})`);
  }
  return source;
}

/** `zhengce serve`: the site server of the release site stage, reached from the CLI through the composer. */
export { serveSite } from '../site/serve.ts';
