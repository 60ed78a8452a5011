import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseRows } from '../core/table-rows.ts';
import { TABLE_BY_NAME, TABLES } from '../core/tables.ts';
import { writeCsvFile } from './csv.ts';
import { fileDigest } from './datapackage.ts';
import { writing } from './release.ts';

/** What `zhengce export` writes: whole tables, one file each. */
export const EXPORT_FORMATS = ['csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportedFile {
  table: string;
  format: ExportFormat;
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/**
 * Writes whole tables of one release as single files (`<table>.csv` for spreadsheets, as in downloads/, and
 * `<table>.parquet`) into `outDir`, rows in the release's order: part by part, then as each table is published.
 */
export async function exportRelease(release: ReleaseRows, o: { tables?: string[]; formats: ExportFormat[]; outDir: string }): Promise<ExportedFile[]> {
  const tables = o.tables ? o.tables.map((n) => TABLE_BY_NAME.get(n)!) : TABLES;
  await mkdir(o.outDir, { recursive: true });
  const files: ExportedFile[] = [];
  for (const t of tables) {
    const sorted = await release.table(t);
    try {
      for (const format of o.formats) {
        const path = `${t.name}.${format}`;
        const file = join(o.outDir, path);
        if (format === 'csv') {
          const written = await writing(file, () => writeCsvFile(file, t.columns, 'spreadsheet', sorted.csvRows(null, 'spreadsheet')));
          // A streaming read cut short must fail the export, not write fewer rows.
          if (written.rows !== sorted.total) throw new Error(`${path}: ${written.rows} rows written of the table's ${sorted.total}`);
          files.push({ table: t.name, format, path, rows: written.rows, bytes: written.bytes, sha256: written.sha256 });
        } else {
          await writing(file, () => sorted.writeParquet(null, file));
          files.push({ table: t.name, format, path, rows: sorted.total, ...(await fileDigest(file)) });
        }
      }
    } finally {
      await sorted.close();
    }
  }
  return files;
}
