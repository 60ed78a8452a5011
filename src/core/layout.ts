// Where each file of a release, of downloads/ and of history/ lives: one definition read by publish, diff, validate and export.
import type { TableSpec } from './tables.ts';

/** The formats a release can hold, with what each file is: one declaration read by config, datapackage.json and export. */
export const FORMATS = {
  csv: { mediatype: 'text/csv' },
  parquet: { mediatype: 'application/vnd.apache.parquet' },
  arrow: { mediatype: 'application/vnd.apache.arrow.file' },
} as const;
export type Format = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as Format[];
/** What `zhengce export` writes (whole tables, one file each); the first two unless --format says otherwise. */
export const EXPORT_FORMATS = ['csv', 'parquet', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Binary formats are written straight from the store; CSV goes through csv-stringify. */
export type BinaryFormat = Exclude<Format, 'csv'>;

/** How a table's rows are grouped into part files. */
export type PartScope = 'document' | 'whole' | 'release';

/** `document`: parts by the documents' month of publication (see src/store/parts.ts); `whole`: one part; `release`: the release's own change feed. */
export function partScope(t: TableSpec): PartScope {
  if (t.scope === 'release' || t.scope === 'whole') return t.scope;
  return t.columns.some((c) => c.name === 'doc_id') ? 'document' : 'whole';
}

/** The one part of a table that is not split. */
export const WHOLE_PART = 'all';

/** A Parquet (or Arrow) part of a table inside a release folder. */
export const partPath = (t: TableSpec, part: string, format: BinaryFormat): string => `${t.name}/${part}.${format}`;

/** A CSV part of a table inside a release folder (UTF-8 without BOM: the release's CSV is for programs). */
export const csvPath = (t: TableSpec, part: string): string => `csv/${t.name}/${part}.csv`;

/** The Table Schema of a table, which each of its resources in datapackage.json names. */
export const schemaPath = (t: TableSpec): string => `schemas/${t.name}.json`;

/** The glob of a table's Parquet parts, relative to the release folder. */
export const partsGlob = (t: TableSpec): string => `${t.name}/*.parquet`;

/** A table's one Parquet file in a release of the earlier layout (before parts: no folder per table). */
export const singleParquetPath = (t: TableSpec): string => `${t.name}.parquet`;

/** output/<id>/downloads/: the latest release's whole tables, one file a table, for spreadsheets. */
export const DOWNLOADS_DIR = 'downloads';
export const downloadName = (t: TableSpec, format: 'csv' | 'xlsx'): string => `${t.name}.${format}`;

/** history/<table>/release_id=<id>/: the row versions one release wrote, hive-partitioned. */
export const historyPartition = (table: string, releaseId: string): string => `${table}/release_id=${releaseId}`;
export const HISTORY_FILE = 'data.parquet';

/** Written in every release's datapackage.json: the layout its files follow, so a release knows which parent files it can link. */
export const LAYOUT_VERSION = 3;

/**
 * What of output/<id>/ is public, declared once: `zhengce serve` answers only these and a deploy copies only these.
 * The rest is the pipeline's working state: store.duckdb (and its .wal and .tmp/), raw/, run.lock, status.json.
 */
export const PUBLISHED_FOLDERS = ['releases', 'latest', 'site', DOWNLOADS_DIR, 'search', 'history'] as const;
export const PUBLISHED_FILES = ['latest.json', 'feed.xml'] as const;

/**
 * Whether a file or folder, as its path segments relative to output/<id>/, is published: inside a published folder
 * (in releases/ only inside a release folder, never a file of releases/ itself) or a published file, and with no
 * dot-entry on the way (the `.tmp-` staging folders, the `.<name>…tmp` files and folders written aside, a user's `.git`).
 */
export function isPublished(segments: readonly string[], kind: 'file' | 'folder'): boolean {
  if (segments.length === 0 || segments.some((s) => s === '' || s.startsWith('.'))) return false;
  const [top, ...inside] = segments;
  if (kind === 'file' && inside.length === 0) return (PUBLISHED_FILES as readonly string[]).includes(top);
  if (top === 'releases') return inside.length >= (kind === 'file' ? 2 : 1);
  return (PUBLISHED_FOLDERS as readonly string[]).includes(top);
}
