import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportFormat } from '../core/layout.ts';
import type { ReleaseRows, SortedRows } from '../core/table-rows.ts';
import { TABLE_BY_NAME, TABLES, type TableSpec } from '../core/tables.ts';
import { writeCsvFile } from './csv.ts';
import { fileDigest } from './datapackage.ts';
import { writing } from './release.ts';
import { writeXlsx, XLSX_MAX_ROWS, type XlsxRow } from './xlsx.ts';

export interface ExportedFile {
  table: string;
  format: ExportFormat;
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** A table's rows as a spreadsheet shows them (dates and times as text in the release's zone, lists joined), by column name. */
async function* spreadsheetRows(sorted: SortedRows, t: TableSpec): AsyncGenerator<XlsxRow> {
  for await (const chunk of sorted.csvRows(null, 'spreadsheet')) {
    for (const row of chunk) yield Object.fromEntries(t.columns.map((c, i) => [c.name, row[i]]));
  }
}

/**
 * Writes `<table>.xlsx` of a table's rows, at most XLSX_MAX_ROWS (writeXlsx fails past them: the CSV is that table's
 * download). `date` stamps the file (the same rows and date give the same bytes).
 */
export async function writeTableXlsx(file: string, t: TableSpec, sorted: SortedRows, o: { timezone: string; date: Date }): Promise<{ bytes: number; sha256: string }> {
  await writing(file, () => writeXlsx(file, t, spreadsheetRows(sorted, t), { timeZone: o.timezone, date: o.date }));
  return fileDigest(file);
}

/**
 * Writes whole tables of one release as single files into `outDir`: `<table>.csv` for spreadsheets (as in downloads/),
 * `<table>.parquet`, `<table>.xlsx` (tables up to XLSX_MAX_ROWS rows); rows in the release's order, part by part,
 * then as each table is published. Returns the files written and the spreadsheets not written, with why.
 */
export async function exportRelease(release: ReleaseRows, o: { tables?: string[]; formats: ExportFormat[]; outDir: string; timezone: string }): Promise<{ files: ExportedFile[]; skipped: string[] }> {
  const tables = o.tables ? o.tables.map((n) => TABLE_BY_NAME.get(n)!) : TABLES;
  await mkdir(o.outDir, { recursive: true });
  const files: ExportedFile[] = [];
  const skipped: string[] = [];
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
        } else if (format === 'parquet') {
          await writing(file, () => sorted.writeParquet(null, file));
          files.push({ table: t.name, format, path, rows: sorted.total, ...(await fileDigest(file)) });
        } else {
          if (sorted.total > XLSX_MAX_ROWS)
            skipped.push(`${t.name}: ${sorted.total.toLocaleString('en')} rows, over the ${XLSX_MAX_ROWS.toLocaleString('en')} an XLSX is written for; its CSV is the download`);
          else files.push({ table: t.name, format, path, rows: sorted.total, ...(await writeTableXlsx(file, t, sorted, { timezone: o.timezone, date: new Date(0) })) });
        }
      }
    } finally {
      await sorted.close();
    }
  }
  return { files, skipped };
}
