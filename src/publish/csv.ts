import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { stringify } from 'csv-stringify';
import type { Column } from '../core/tables.ts';

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** How a typed column reads in a CSV cell: ISO dates, times with their UTC offset, lists joined by "; ". */
function csvCell(c: Column): string {
  const ref = q(c.name);
  switch (c.type) {
    case 'DATE':
      return `strftime(${ref}, '%Y-%m-%d')`;
    case 'TIMESTAMPTZ':
      return `strftime(${ref}, '%Y-%m-%dT%H:%M:%S') || printf('%+03d:%02d', date_part('timezone_hour', ${ref}), abs(date_part('timezone_minute', ${ref})))`;
    case 'BOOLEAN':
      return `CASE WHEN ${ref} THEN 'true' WHEN NOT ${ref} THEN 'false' END`;
    case 'VARCHAR[]':
      return `array_to_string(${ref}, '; ')`;
    default:
      return `CAST(${ref} AS VARCHAR)`;
  }
}

/**
 * RFC 4180 as Excel reads it: BOM, CRLF rows, a header, formula-looking cells neutralised, and every
 * cell holding a line break quoted (csv-stringify quotes only the record delimiter itself by default).
 */
export const CSV_OPTIONS = { bom: true, header: true, record_delimiter: 'windows', escape_formulas: true, quoted_match: /[\r\n]/ } as const;

/**
 * Streams a query into a CSV file: UTF-8 with BOM (Excel reads Chinese right), CRLF rows (RFC 4180),
 * a header row, and cells starting with = + - @ neutralised against formula injection.
 * Times are written in the connection's time zone (the pipeline's), with their offset.
 */
export async function writeCsv(conn: DuckDBConnection, query: string, columns: Column[], file: string): Promise<number> {
  // One JSON array per row crosses from DuckDB to JavaScript: a quarter faster than a value at a time.
  const cells = columns.map(csvCell).join(', ');
  const result = await conn.stream(`SELECT CAST(to_json([${cells}]) AS VARCHAR) AS cells FROM (${query})`);
  const out = createWriteStream(file);
  const csv = stringify({ ...CSV_OPTIONS, columns: columns.map((c) => c.name) });
  csv.pipe(out);
  let rows = 0;
  for await (const chunk of result) {
    const json = chunk.getColumns()[0] as string[];
    for (let i = 0; i < chunk.rowCount; i++) {
      rows++;
      if (!csv.write(JSON.parse(json[i]))) await once(csv, 'drain');
    }
  }
  csv.end();
  await finished(out);
  return rows;
}
