import { copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { stringify } from 'csv-stringify/sync';
import { fileSystemError } from '../core/errors.ts';
import { csvPath, partPath, partScope, type Format } from '../core/layout.ts';
import { quote, sqlString, type OrderedRows } from '../core/sql.ts';
import type { TableSpec } from '../core/tables.ts';
import { appendCsvRows, CSV_OPTIONS, csvHeader, HashedFile, writeCsv } from './csv.ts';
import { buildDataPackage, fileDigest, readPublishedFiles, type CsvPart, type PublishedFile } from './datapackage.ts';
import { writeParquet } from './parquet.ts';
import { sortIntoTable, withSortedRows } from './sorted.ts';
import { buildViewsSql, TIMELINE_VIEW } from './views.ts';

// apache-arrow (hundreds of modules) loads only for a release that writes Arrow files, as few pipelines do.
const writeArrow: typeof import('./arrow.ts').writeArrow = async (...args) => (await import('./arrow.ts')).writeArrow(...args);

export type { Format } from '../core/layout.ts';

export interface ReleaseTable {
  spec: TableSpec;
  /** The rows of the parts this release rewrites, tagged with their part (`_part`), and their published order. */
  rows: (parts: readonly string[]) => OrderedRows;
  /** The table's parts in this release, and those holding a change (every other part is the parent's file, linked). */
  parts: string[];
  dirty: ReadonlySet<string>;
}

export interface RejectRow {
  source_id: string;
  url: string;
  stage: string;
  reason: string;
}

export interface ReleaseFilesOptions {
  dir: string;
  /** The parent release's folder, whose unchanged part files this release links instead of writing again. */
  parentDir: string | null;
  tables: ReleaseTable[];
  formats: Format[];
  /** A table with more rows than this gets one CSV per part. */
  csvMaxRows: number;
  rejects: RejectRow[];
  changelog: string;
  /** Folders DuckDB searches for the Parquet files named in views.sql. */
  viewsSearchPath: string[];
  info: { name: string; title: string; releaseId: string; created: string; codeVersion: string };
}

/** Exports one table in every requested format as single files, all from one sorted copy (zhengce export). */
export async function exportTable(conn: DuckDBConnection, dir: string, spec: TableSpec, rows: OrderedRows, formats: Format[], sliceRows?: number): Promise<PublishedFile[]> {
  return withSortedRows(
    conn,
    rows,
    async (query, count) => {
      const files: PublishedFile[] = [];
      for (const format of formats) {
        const path = `${spec.name}.${format}`;
        const file = join(dir, path);
        if (format === 'csv') {
          // The CSV is the one format read back row by row: a short read must fail, not publish fewer rows.
          const written = await writing(file, () => writeCsv(conn, query, spec.columns, file));
          if (written.rows !== count) throw new Error(`${path}: ${written.rows} rows written of the table's ${count}`);
          files.push({ table: spec, format, path, part: null, rows: count, bytes: written.bytes, sha256: written.sha256 });
          continue;
        }
        await writing(file, () => (format === 'parquet' ? writeParquet(conn, query, file) : writeArrow(conn, query, spec.columns, file)));
        files.push({ table: spec, format, path, part: null, rows: count, ...(await fileDigest(file)) });
      }
      return files;
    },
    sliceRows,
  );
}

/** Runs a write of `file`, so a full disk or a permission is reported with the file it concerns. */
async function writing<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw fileSystemError(err, file) ?? err;
  }
}

/** A hard link to the parent's file (a copy where the file system has no hard links). */
async function linkFromParent(parentDir: string, dir: string, path: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await link(join(parentDir, path), join(dir, path)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EXDEV' || err.code === 'EPERM' || err.code === 'ENOTSUP') return copyFile(join(parentDir, path), join(dir, path));
    throw err;
  });
}

/** The temporary table holding the rows of the parts a table rewrites, sorted by part then as published. */
const SORTED = 'export_part_rows';

/**
 * Writes one table's parts: those holding a change (or missing from the parent) from the store, every
 * other one linked from the parent release; the CSV is one file spliced from the parent's unchanged
 * byte ranges and the new rows, or one file per part once the table outgrows a spreadsheet.
 */
async function writeTableParts(conn: DuckDBConnection, o: ReleaseFilesOptions, t: ReleaseTable, parent: Map<string, PublishedFile>): Promise<PublishedFile[]> {
  const spec = t.spec;
  const binary = o.formats.filter((f): f is Exclude<Format, 'csv'> => f !== 'csv');
  const parentCsv = parent.get(csvPath(spec, null));
  const parentSplit = t.parts.some((p) => parent.has(csvPath(spec, p)));
  const fromParent = (p: string): PublishedFile | undefined => parent.get(partPath(spec, p, binary[0] ?? 'parquet')) ?? parent.get(csvPath(spec, p));
  const parentRows = (p: string): number | undefined => fromParent(p)?.rows ?? parentCsv?.csvParts?.find((c) => c.part === p)?.rows;
  const reusable = (p: string, split: boolean): boolean =>
    o.parentDir !== null &&
    !t.dirty.has(p) &&
    partScope(spec) !== 'release' &&
    parentRows(p) !== undefined &&
    binary.every((f) => parent.has(partPath(spec, p, f))) &&
    (!o.formats.includes('csv') || (split ? parent.has(csvPath(spec, p)) : parentCsv?.csvParts?.some((c) => c.part === p) === true));

  // Assume the CSV keeps the parent's layout; when the counts say otherwise, every part is rendered again.
  let split = parentSplit;
  let render = t.parts.filter((p) => !reusable(p, split));
  let counts = await sortParts(conn, t, render);
  const total = (): number => t.parts.reduce((n, p) => n + (counts.get(p) ?? (render.includes(p) ? 0 : parentRows(p)!)), 0);
  // One part cannot be split further: a table of one part keeps one CSV whatever its size.
  if (o.formats.includes('csv') && partScope(spec) !== 'release' && (t.parts.length > 1 && total() > o.csvMaxRows) !== split) {
    split = !split;
    render = t.parts.filter((p) => !reusable(p, split));
    counts = await sortParts(conn, t, render);
  }
  let failed = false;
  try {
    const files: PublishedFile[] = [];
    const rowsOf = (p: string): number => (render.includes(p) ? (counts.get(p) ?? 0) : parentRows(p)!);
    const partQuery = (p: string) => `SELECT * EXCLUDE (_part) FROM ${quote(SORTED)} WHERE _part = ${sqlString(p)}`;
    for (const format of binary) {
      for (const p of t.parts) {
        const path = partPath(spec, p, format);
        if (!render.includes(p)) {
          await linkFromParent(o.parentDir!, o.dir, path);
          files.push({ ...parent.get(path)!, table: spec });
          continue;
        }
        await mkdir(dirname(join(o.dir, path)), { recursive: true });
        const file = join(o.dir, path);
        await writing(file, () => (format === 'parquet' ? writeParquet(conn, partQuery(p), file) : writeArrow(conn, partQuery(p), spec.columns, file)));
        files.push({ table: spec, format, path, part: p, rows: rowsOf(p), ...(await fileDigest(join(o.dir, path))) });
      }
    }
    if (!o.formats.includes('csv')) return files;
    if (split) {
      for (const p of t.parts) {
        const path = csvPath(spec, p);
        if (!render.includes(p)) {
          await linkFromParent(o.parentDir!, o.dir, path);
          files.push({ ...parent.get(path)!, table: spec });
          continue;
        }
        await mkdir(dirname(join(o.dir, path)), { recursive: true });
        const written = await writing(join(o.dir, path), () => writeCsv(conn, partQuery(p), spec.columns, join(o.dir, path)));
        if (written.rows !== rowsOf(p)) throw new Error(`${path}: ${written.rows} rows written of the part's ${rowsOf(p)}`);
        files.push({ table: spec, format: 'csv', path, part: p, rows: written.rows, bytes: written.bytes, sha256: written.sha256 });
      }
      return files;
    }
    const path = csvPath(spec, null);
    if (render.length === 0 && parentCsv?.csvParts?.length === t.parts.length) {
      await linkFromParent(o.parentDir!, o.dir, path);
      files.push({ ...parentCsv, table: spec });
      return files;
    }
    await mkdir(dirname(join(o.dir, path)), { recursive: true });
    const file = new HashedFile(join(o.dir, path));
    const csvParts: CsvPart[] = [];
    try {
      await file.write(csvHeader(spec.columns));
      for (const p of t.parts) {
        const offset = file.bytes;
        if (render.includes(p)) {
          const rows = await appendCsvRows(conn, partQuery(p), spec.columns, file);
          // The CSV is the one format read back row by row: a short read must fail the release, not publish fewer rows.
          if (rows !== rowsOf(p)) throw new Error(`${path}: ${rows} rows written of part ${p}'s ${rowsOf(p)}`);
        } else {
          const was = parentCsv!.csvParts!.find((c) => c.part === p)!;
          await file.copyRange(join(o.parentDir!, path), was.offset, was.bytes);
        }
        csvParts.push({ part: p, offset, bytes: file.bytes - offset, rows: rowsOf(p) });
      }
      const digest = await file.close();
      files.push({ table: spec, format: 'csv', path, part: null, rows: total(), ...digest, csvParts });
    } catch (err) {
      await file.abort();
      throw fileSystemError(err, file.path) ?? err;
    }
    return files;
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // After a failure the transaction is aborted and the drop fails too: the error shown is the write's own.
    await conn.run(`DROP TABLE IF EXISTS ${quote(SORTED)}`).catch((err: unknown) => {
      if (!failed) throw err;
    });
  }
}

/** Sorts the rows of `parts` into the temporary table and counts them per part. */
async function sortParts(conn: DuckDBConnection, t: ReleaseTable, parts: string[]): Promise<Map<string, number>> {
  await sortIntoTable(conn, SORTED, t.rows(parts));
  const counted = (await conn.runAndReadAll(`SELECT _part, count(*)::INT AS n FROM ${quote(SORTED)} GROUP BY 1`)).getRowObjectsJson() as { _part: string; n: number }[];
  return new Map(counted.map((c) => [c._part, c.n]));
}

/** Writes every file of a release into `dir`, which the caller then renames into place. */
export async function writeReleaseFiles(conn: DuckDBConnection, o: ReleaseFilesOptions): Promise<void> {
  const parent = o.parentDir ? await readPublishedFiles(o.parentDir) : new Map<string, PublishedFile>();
  const files: PublishedFile[] = [];
  for (const t of o.tables) files.push(...(await writeTableParts(conn, o, t, parent)));
  // A failed write names no file of its own (only the open does): the message names it.
  const write = (name: string, data: string) => writing(join(o.dir, name), () => writeFile(join(o.dir, name), data));
  await write('rejects.csv', stringify(o.rejects, { ...CSV_OPTIONS, columns: ['source_id', 'url', 'stage', 'reason'] }));
  await write('CHANGELOG.md', o.changelog);
  const parquet = o.formats.includes('parquet');
  await write('views.sql', buildViewsSql(parquet ? o.tables.map((t) => t.spec) : [], o.viewsSearchPath, `zhengce release ${o.info.releaseId}: duckdb -c ".read views.sql"`, parquet ? [TIMELINE_VIEW] : []));
  await write('datapackage.json', `${JSON.stringify(buildDataPackage(o.info, files), null, 2)}\n`);
}
