// Where each file of a release and of history/ lives: one definition read by publish, diff, validate and export.
import type { TableSpec } from './tables.ts';

export type Format = 'csv' | 'parquet' | 'arrow';

/** The rows a spreadsheet holds (Excel, LibreOffice) less the header: a larger table's CSV is split by part. */
export const SPREADSHEET_ROWS = 1_048_575;

/** How a table's rows are grouped into part files. */
export type PartScope = 'document' | 'whole' | 'release';

/** `document`: parts by the documents' year (and doc_id); `whole`: one part; `release`: the release's own change feed. */
export function partScope(t: TableSpec): PartScope {
  if (t.name === 'changes') return 'release';
  if (t.scope === 'whole' || !t.columns.some((c) => c.name === 'doc_id')) return 'whole';
  return 'document';
}

/** The one part of a table that is not split. */
export const WHOLE_PART = 'all';

/** A Parquet (or Arrow) part of a table inside a release folder; the change feed stays one file at the top. */
export function partPath(t: TableSpec, part: string, format: Exclude<Format, 'csv'>): string {
  return partScope(t) === 'release' ? `${t.name}.${format}` : `${t.name}/${part}.${format}`;
}

/** The CSV of a table: one file, or one per part when the table outgrows a spreadsheet. */
export function csvPath(t: TableSpec, part: string | null): string {
  if (partScope(t) === 'release') return `${t.name}.csv`;
  return part === null ? `csv/${t.name}.csv` : `csv/${t.name}/${part}.csv`;
}

/** The glob of a table's Parquet parts, relative to the release folder. */
export function partsGlob(t: TableSpec): string {
  return partScope(t) === 'release' ? `${t.name}.parquet` : `${t.name}/*.parquet`;
}

/** history/<table>/release_id=<id>/: the row versions one release wrote, hive-partitioned. */
export const historyPartition = (table: string, releaseId: string): string => `${table}/release_id=${releaseId}`;
export const HISTORY_FILE = 'data.parquet';

/**
 * What of output/<id>/ is public, declared once: `zhengce serve` answers only these and a deploy copies only these.
 * The rest is the pipeline's working state: store.duckdb (and its .wal and .tmp/), raw/, run.lock, status.json.
 */
export const PUBLISHED_FOLDERS = ['releases', 'latest', 'site', 'downloads', 'search', 'history'] as const;
export const PUBLISHED_FILES = ['latest.json', 'feed.xml'] as const;

/**
 * Whether a file or folder, as its path segments relative to output/<id>/, is published: inside a published folder
 * (in releases/ only inside a release folder, never a file of releases/ itself) or a published file, and with no
 * dot-entry on the way (the `.tmp-` staging folders, `.latest-<pid>`, a user's `.git`).
 */
export function isPublished(segments: readonly string[], kind: 'file' | 'folder'): boolean {
  if (segments.length === 0 || segments.some((s) => s === '' || s.startsWith('.'))) return false;
  const [top, ...inside] = segments;
  if (kind === 'file' && inside.length === 0) return (PUBLISHED_FILES as readonly string[]).includes(top);
  if (top === 'releases') return inside.length >= (kind === 'file' ? 2 : 1);
  return (PUBLISHED_FOLDERS as readonly string[]).includes(top);
}
