import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { CSV_OPTIONS } from '../core/csv.ts';
import { fileSystemError } from '../core/errors.ts';
import { sha256 } from '../core/hash.ts';
import { csvPath, partPath, partScope, schemaPath, WHOLE_PART, type Format } from '../core/layout.ts';
import type { SortedRows } from '../core/table-rows.ts';
import type { TableSpec } from '../core/tables.ts';
import type { RejectRow } from '../core/types.ts';
import { writeCsvFile } from './csv.ts';
import { buildDataPackage, fileDigest, serializeDataPackage, tableSchema, type PackageDescriptor, type PublishedFile, type ReleaseFile, type ReleaseInfo } from './datapackage.ts';
import type { DownloadsBuilder } from './downloads.ts';
import { linkFile, type ParentRelease } from './parent.ts';
import { buildViewsSql, TIMELINE_VIEW } from '../core/views.ts';

// apache-arrow (hundreds of modules) loads only for a release that writes Arrow files, as few pipelines do.
const writeArrow: typeof import('./arrow.ts').writeArrow = async (...args) => (await import('./arrow.ts')).writeArrow(...args);

export interface ReleaseTable {
  spec: TableSpec;
  /** Every part the table may hold rows in, in order: the documents' parts for a document table, else `all`. */
  parts: string[];
  /** The parts holding a change: written from the store, every other one linked from the parent. */
  dirty: ReadonlySet<string>;
  /** The table's rows of `parts`, sorted, from the store. */
  sort(parts: readonly string[]): Promise<SortedRows>;
}

export interface TableFilesOptions {
  dir: string;
  parent: ParentRelease | null;
  formats: Format[];
  /** The whole tables for spreadsheets, spliced as the parts are written (null: not written, e.g. an export). */
  downloads: DownloadsBuilder | null;
}

/** Runs a write of `file`, so a full disk or a permission is reported with the file it concerns. */
export async function writing<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    await mkdir(dirname(file), { recursive: true });
    return await write();
  } catch (err) {
    throw fileSystemError(err, file) ?? err;
  }
}

const pathOf = (t: TableSpec, part: string, format: Format): string => (format === 'csv' ? csvPath(t, part) : partPath(t, part, format));

/** Writes one part of a table in every format from the sorted rows; a CSV read back short fails the release. */
async function writePart(o: TableFilesOptions, t: TableSpec, sorted: SortedRows, part: string): Promise<PublishedFile[]> {
  const rows = sorted.counts.get(part) ?? 0;
  const files: PublishedFile[] = [];
  for (const format of o.formats) {
    const path = pathOf(t, part, format);
    const file = join(o.dir, path);
    if (format === 'csv') {
      // The CSV is the one format read back row by row: a streaming read cut short must fail, not publish fewer rows.
      const written = await writing(file, () => writeCsvFile(file, t.columns, 'program', sorted.csvRows(part, 'program')));
      if (written.rows !== rows) throw new Error(`${path}: ${written.rows} rows written of the part's ${rows}`);
      files.push({ table: t, format, path, part, rows, bytes: written.bytes, sha256: written.sha256 });
      continue;
    }
    await writing(file, () => (format === 'parquet' ? sorted.writeParquet(part, file) : writeArrow(sorted.values(part), t.columns, file)));
    files.push({ table: t, format, path, part, rows, ...(await fileDigest(file)) });
  }
  return files;
}

/** Links the parent's files of one part when it holds them all, unchanged; null when it does not. */
async function linkUnchanged(o: TableFilesOptions, t: TableSpec, part: string): Promise<PublishedFile[] | null> {
  const found = o.formats.map((f) => o.parent?.tableFile(t.name, part, pathOf(t, part, f)) ?? null);
  if (found.some((f) => f === null)) return null;
  for (const f of found) if (!(await o.parent!.link(f!, o.dir))) return null;
  return found.map((f) => ({ ...f!, table: t }));
}

/**
 * Writes one table's parts: those holding a change, missing from the parent or damaged there from the store,
 * every other one linked from the parent once its bytes are checked; and the table's whole-table download.
 */
async function writeTable(o: TableFilesOptions, t: ReleaseTable): Promise<PublishedFile[]> {
  const spec = t.spec;
  const reuse = new Map<string, PublishedFile[]>();
  const render = new Set<string>();
  for (const part of t.parts) {
    if (!o.parent || t.dirty.has(part) || partScope(spec) === 'release') {
      render.add(part);
      continue;
    }
    const found = o.formats.map((f) => o.parent!.tableFile(spec.name, part, pathOf(spec, part, f)));
    // No file in any format: the table had no rows in this part, and nothing changed there.
    if (found.every((f) => f === null)) continue;
    // Every file is checked, so each damaged one is named, not only the first.
    let usable = found.every((f) => f !== null);
    for (const f of found) if (f && !(await o.parent.holds(f))) usable = false;
    if (usable) reuse.set(part, found as PublishedFile[]);
    else render.add(part);
  }
  const sorted = await t.sort([...render]);
  try {
    const files: PublishedFile[] = [];
    for (const part of t.parts) {
      const linked = reuse.get(part);
      if (linked) {
        for (const f of linked) await writing(join(o.dir, f.path), () => linkFile(join(o.parent!.dir, f.path), join(o.dir, f.path)));
        files.push(...linked.map((f) => ({ ...f, table: spec })));
      } else if (render.has(part) && sorted.counts.has(part)) files.push(...(await writePart(o, spec, sorted, part)));
    }
    // A table without rows keeps one empty part, so readers still find its columns (the parent's, when it holds it unchanged).
    if (files.length === 0) files.push(...((await linkUnchanged(o, spec, WHOLE_PART)) ?? (await writePart(o, spec, sorted, WHOLE_PART))));
    const withRows = t.parts.filter((p) => files.some((f) => f.part === p && f.rows > 0));
    await o.downloads?.writeCsv(spec, withRows, sorted, render, () => t.sort(t.parts));
    return files;
  } finally {
    await sorted.close();
  }
}

/** Writes (or links) the part files of every table into the release folder `o.dir`. */
export async function writeTableFiles(o: TableFilesOptions, tables: ReleaseTable[]): Promise<PublishedFile[]> {
  const files: PublishedFile[] = [];
  for (const t of tables) files.push(...(await writeTable(o, t)));
  await o.downloads?.finish();
  return files;
}

export interface ReleaseMeta {
  dir: string;
  parent: ParentRelease | null;
  tables: readonly TableSpec[];
  formats: Format[];
  rejects: RejectRow[];
  changelog: string;
  /** Folders DuckDB searches for the Parquet files named in views.sql. */
  viewsSearchPath: string[];
  info: ReleaseInfo;
}

/**
 * Writes the release's own files (rejects.csv, CHANGELOG.md, views.sql, the tables' schemas), then
 * datapackage.json listing them with the table files and `pages` (files the site wrote); returns the package.
 */
export async function writeReleaseMeta(o: ReleaseMeta, files: PublishedFile[], pages: ReleaseFile[]): Promise<PackageDescriptor> {
  const others: ReleaseFile[] = [...pages];
  const put = async (path: string, data: string): Promise<void> => {
    const file = join(o.dir, path);
    const digest = { path, bytes: Buffer.byteLength(data), sha256: sha256(data) };
    // A file the parent holds unchanged (a table's schema) is linked; any other is written.
    const same = o.parent?.contents.others.get(path);
    if (!(same && same.sha256 === digest.sha256 && (await o.parent!.link(same, o.dir)))) await writing(file, () => writeFile(file, data));
    others.push(digest);
  };
  await put('rejects.csv', stringify(o.rejects, { ...CSV_OPTIONS.spreadsheet, columns: ['source_id', 'url', 'stage', 'reason'] }));
  await put('CHANGELOG.md', o.changelog);
  const parquet = o.formats.includes('parquet');
  await put('views.sql', buildViewsSql(parquet ? o.tables : [], o.viewsSearchPath, `zhengce release ${o.info.releaseId}: duckdb -c ".read views.sql"`, parquet ? [TIMELINE_VIEW] : []));
  for (const t of o.tables) await put(schemaPath(t), `${JSON.stringify(tableSchema(t), null, 2)}\n`);
  const pkg = buildDataPackage(o.info, files, others);
  const file = join(o.dir, 'datapackage.json');
  await writing(file, () => writeFile(file, serializeDataPackage(pkg)));
  return pkg;
}
