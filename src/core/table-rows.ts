// What the publish stage reads from the store: one table's rows, sorted as published, part by part.
import type { TableSpec } from './tables.ts';

/**
 * How a CSV reads: `program` for the release's parts (UTF-8, no BOM, values as they are, lists as JSON
 * arrays); `spreadsheet` for downloads/ and export (BOM, formula-looking cells neutralised, lists joined by "; ").
 */
export type CsvFlavour = 'program' | 'spreadsheet';

/** A CSV row: one text cell per column, null for an empty cell. */
export type CsvRow = (string | null)[];

/** Rows of a table held sorted by the store while its files are written; `part` null means all of them, in part order. */
export interface SortedRows {
  /** Rows per part; a part without rows is absent. */
  readonly counts: ReadonlyMap<string, number>;
  readonly total: number;
  /** Writes the rows as typed Parquet (zstd). */
  writeParquet(part: string | null, file: string): Promise<void>;
  /** The rows as CSV cells, a chunk of rows at a time. */
  csvRows(part: string | null, flavour: CsvFlavour): AsyncIterable<CsvRow[]>;
  /** The rows as JavaScript values (dates as Date, lists as arrays), a chunk at a time. */
  values(part: string | null): AsyncIterable<unknown[][]>;
  /** Frees what the store held for them. */
  close(): Promise<void>;
}

/** Reads release files with DuckDB for the checks of `zhengce validate`, which the store provides. */
export interface ReleaseFileReader {
  /** A Parquet file's columns and their DuckDB types. */
  parquetColumns(file: string): Promise<{ name: string; type: string }[]>;
  /** A CSV file's header. */
  csvColumns(file: string): Promise<string[]>;
  countRows(file: string, format: 'parquet' | 'csv'): Promise<number>;
  /** Over the Parquet files of one table: rows whose key repeats, and rows missing each required value (zero counts included). */
  keyProblems(files: string[], key: string[], required: string[]): Promise<Record<string, number>>;
  close(): void;
}

/** Where an export reads a release from: its own folder, or history/ for a pruned one. */
export type ReleaseSource = { kind: 'folder'; dir: string } | { kind: 'history'; outputDir: string; releaseId: string };

/** Whole tables of one release, in the order its files list them (part by part), as export writes them. */
export interface ReleaseRows {
  table(t: TableSpec): Promise<SortedRows>;
  close(): void;
}
