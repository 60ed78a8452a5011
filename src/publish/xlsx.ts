// Spreadsheets that open right: a table as XLSX through exceljs's streaming writer, every cell typed by its column
// (text stays text, so 4.10 and 国办发〔2019〕4号 survive; dates are dates; nothing is ever a formula).
import { createRequire } from 'node:module';
import ExcelJS from 'exceljs';
import type { Column, TableSpec } from '../core/tables.ts';

/** Tables with more rows are offered as CSV only (an XLSX that large is slow to write and to open). */
export const XLSX_MAX_ROWS = 200_000;

/** A row as DuckDB gives it to JavaScript: dates and times as text (times with their offset), lists as arrays. */
export type XlsxRow = Record<string, unknown>;

const require = createRequire(import.meta.url);
/** exceljs's zip library: it stamps every entry with the time of writing unless its default date is set. */
const jszipDefaults = require(require.resolve('jszip/lib/defaults.js', { paths: [require.resolve('exceljs')] })) as { date: Date | null };

/** 2022-01-06 or 2022-01-06 15:04:39+08 as the wall-clock time it names, which is what a spreadsheet shows. */
function wallClock(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?/.exec(text);
  if (!m) return null;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)));
}

function cell(c: Column, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (c.type) {
    case 'INTEGER':
      return typeof v === 'number' ? v : Number(v);
    case 'BOOLEAN':
      return typeof v === 'boolean' ? v : v === 'true';
    case 'DATE':
    case 'TIMESTAMPTZ':
      return wallClock(String(v)) ?? String(v);
    case 'VARCHAR[]':
      return Array.isArray(v) ? v.join('; ') : String(v);
    case 'JSON':
      return typeof v === 'string' ? v : JSON.stringify(v);
    default:
      // A string cell is text whatever it looks like: exceljs writes no formula or number from it.
      return String(v);
  }
}

const FORMATS: Partial<Record<Column['type'], string>> = { DATE: 'yyyy-mm-dd', TIMESTAMPTZ: 'yyyy-mm-dd hh:mm:ss', INTEGER: '0' };

/**
 * Writes `rows` of table `spec` as one sheet to `file`; `timeZone` names the zone its times are shown in (the
 * pipeline's), `date` stamps the file (the release's time, so the same rows give the same bytes). Returns the rows
 * written; a table over XLSX_MAX_ROWS rows fails (offer its CSV instead).
 */
export async function writeXlsx(file: string, spec: TableSpec, rows: AsyncIterable<XlsxRow> | Iterable<XlsxRow>, o: { timeZone: string; date: Date }): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  workbook.creator = 'zhengce';
  workbook.created = o.date;
  workbook.modified = o.date;
  const sheet = workbook.addWorksheet(spec.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = spec.columns.map((c) => ({
    // Times are shown as the wall clock of the pipeline's zone, which their header names.
    header: c.type === 'TIMESTAMPTZ' ? `${c.name} (${o.timeZone})` : c.name,
    key: c.name,
    width: c.type === 'VARCHAR' && /text|title|name|value|diff/.test(c.name) ? 60 : c.type === 'TIMESTAMPTZ' ? 20 : 14,
    style: FORMATS[c.type] ? { numFmt: FORMATS[c.type] } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let n = 0;
  const previousDate = jszipDefaults.date;
  jszipDefaults.date = o.date;
  try {
    for await (const row of rows) {
      if (++n > XLSX_MAX_ROWS) throw new Error(`${spec.name} has more than ${XLSX_MAX_ROWS.toLocaleString('en')} rows: it is offered as CSV only`);
      sheet.addRow(spec.columns.map((c) => cell(c, row[c.name]))).commit();
    }
    sheet.commit();
    await workbook.commit();
  } finally {
    jszipDefaults.date = previousDate;
  }
  return n;
}
