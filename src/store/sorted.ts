import type { DuckDBConnection } from '@duckdb/node-api';
import { quote, sqlString, type OrderedRows } from '../core/sql.ts';
import type { CsvFlavour, CsvRow, SortedRows } from '../core/table-rows.ts';
import type { Column } from '../core/tables.ts';
import { readAll } from './duckdb.ts';

/**
 * Rows sorted at once. DuckDB's sort needs memory in proportion to its rows (at 320 MB it sorts
 * 4.7 M provision rows but not 9.4 M), so a larger table is sorted in slices. Each slice scans the
 * table again, so only a table beyond what one sort can hold is sliced (none at 100k posts).
 */
const SLICE_ROWS = 4_000_000;

/**
 * Writes the rows, sorted, into the temporary table `name` (a scan of it returns them in order).
 * A large table is cut into ranges of its order key, each sorted and appended in turn: the same
 * rows in the same order as one ORDER BY, with memory bounded by a slice, not the table.
 */
export async function sortIntoTable(conn: DuckDBConnection, name: string, rows: OrderedRows, sliceRows = SLICE_ROWS): Promise<{ rows: number; slices: number }> {
  const order = rows.order.map(quote).join(', ');
  const [{ n }] = await readAll<{ n: string }>(conn, `SELECT count(*)::BIGINT AS n FROM (${rows.select})`);
  const total = Number(n);
  if (total <= sliceRows) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${quote(name)} AS ${rows.select} ORDER BY ${order}`);
    return { rows: total, slices: 1 };
  }
  // The whole key as one struct: DuckDB compares structs field by field with NULL last, as ORDER BY
  // sorts, so ranges of it cut any order (a release's changes share their leading release_id).
  const key = `struct_pack(${order})`;
  const parts = Math.ceil(total / sliceRows);
  const bounds = quote(`${name}_bounds`);
  // Cut points from a sample: where they fall changes only the slices' sizes, never the result.
  const fractions = Array.from({ length: parts - 1 }, (_, i) => (i + 1) / parts).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${bounds} AS SELECT list_sort(list_distinct(quantile_disc(k, [${fractions}]))) AS b
    FROM (SELECT ${key} AS k FROM (${rows.select}) USING SAMPLE 20000 ROWS)`);
  const [{ cuts }] = await readAll<{ cuts: number }>(conn, `SELECT coalesce(len(b), 0)::INT AS cuts FROM ${bounds}`);
  const cut = (i: number) => `(SELECT b[${i}] FROM ${bounds})`;
  const ranges = Array.from({ length: cuts + 1 }, (_, i) => [i > 0 ? `${key} >= ${cut(i)}` : 'true', i < cuts ? `${key} < ${cut(i + 1)}` : 'true'].join(' AND '));
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${quote(name)} AS SELECT * FROM (${rows.select}) WHERE false`);
  for (const where of ranges) await conn.run(`INSERT INTO ${quote(name)} SELECT * FROM (${rows.select}) WHERE ${where} ORDER BY ${order}`);
  await conn.run(`DROP TABLE ${bounds}`);
  return { rows: total, slices: ranges.length };
}

/** How a typed column reads in a CSV cell: ISO dates and times, true/false, lists by flavour. */
function csvCell(c: Column, flavour: CsvFlavour): string {
  const ref = quote(c.name);
  switch (c.type) {
    case 'DATE':
      return `strftime(${ref}, '%Y-%m-%d')`;
    case 'TIMESTAMPTZ':
      // A program reads UTC (Table Schema's default datetime); a spreadsheet shows the pipeline's time zone and its offset.
      if (flavour === 'program') return `strftime(timezone('UTC', ${ref}), '%Y-%m-%dT%H:%M:%SZ')`;
      return `strftime(${ref}, '%Y-%m-%dT%H:%M:%S') || printf('%+03d:%02d', date_part('timezone_hour', ${ref}), abs(date_part('timezone_minute', ${ref})))`;
    case 'BOOLEAN':
      return `CASE WHEN ${ref} THEN 'true' WHEN NOT ${ref} THEN 'false' END`;
    case 'VARCHAR[]':
      // A program reads a JSON array (Table Schema `array`); a spreadsheet shows the items joined.
      return flavour === 'program' ? `CAST(to_json(${ref}) AS VARCHAR)` : `array_to_string(${ref}, '; ')`;
    default:
      return `CAST(${ref} AS VARCHAR)`;
  }
}

/** The part column of a sorted table: rows of several parts sit in one table, in part order. */
export const PART_COLUMN = '_part';

/**
 * Sorts `rows` (which carry PART_COLUMN) into the temporary table `name` and serves them part by part.
 * The table is sorted by part first, so a part's scan skips the other parts' row groups.
 */
export async function sortedRows(conn: DuckDBConnection, name: string, rows: OrderedRows, columns: readonly Column[], sliceRows = SLICE_ROWS): Promise<SortedRows> {
  await sortIntoTable(conn, name, rows, sliceRows);
  const counted = await readAll<{ part: string; n: number }>(conn, `SELECT ${quote(PART_COLUMN)} AS part, count(*)::INT AS n FROM ${quote(name)} GROUP BY 1`);
  const counts = new Map(counted.map((c) => [c.part, c.n]));
  const select = (part: string | null, cells = '*') =>
    `SELECT ${cells} FROM (SELECT * EXCLUDE (${quote(PART_COLUMN)}) FROM ${quote(name)}${part === null ? '' : ` WHERE ${quote(PART_COLUMN)} = ${sqlString(part)}`})`;
  return {
    counts,
    total: counted.reduce((n, c) => n + c.n, 0),
    writeParquet: (part, file) => conn.run(`COPY (${select(part)}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`).then(() => undefined),
    async *csvRows(part, flavour) {
      // One JSON array per row crosses from DuckDB to JavaScript: a quarter faster than a value at a time.
      const result = await conn.stream(select(part, `CAST(to_json([${columns.map((c) => csvCell(c, flavour)).join(', ')}]) AS VARCHAR) AS cells`));
      // DuckDB computes the next chunk on its own thread while the caller writes this one.
      let next = result.fetchChunk();
      try {
        for (let chunk = await next; chunk !== null && chunk.rowCount > 0; chunk = await next) {
          next = result.fetchChunk();
          yield (chunk.getColumns()[0] as string[]).map((row) => JSON.parse(row) as CsvRow);
        }
      } finally {
        await next.catch(() => null);
      }
    },
    async *values(part) {
      const result = await conn.stream(select(part));
      yield* result.yieldRowsJs();
    },
    async close() {
      // After a failed write the transaction is aborted and the drop fails too: the temporary table goes with the rollback.
      await conn.run(`DROP TABLE IF EXISTS ${quote(name)}`).catch(() => {});
    },
  };
}
