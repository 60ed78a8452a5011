import type { DuckDBConnection } from '@duckdb/node-api';
import { quote, type OrderedRows } from '../core/sql.ts';

/**
 * Rows sorted at once. DuckDB's sort needs memory in proportion to its rows (at 320 MB it sorts
 * 4.7 M provision rows but not 9.4 M), so a larger table is sorted in slices. Each slice scans the
 * table again, so only a table beyond what one sort can hold is sliced (none at 100k posts).
 */
export const SLICE_ROWS = 4_000_000;

/**
 * Writes the rows, sorted, into the temporary table `name` (a scan of it returns them in order).
 * A large table is cut into ranges of its order key, each sorted and appended in turn: the same
 * rows in the same order as one ORDER BY, with memory bounded by a slice, not the table.
 */
export async function sortIntoTable(conn: DuckDBConnection, name: string, rows: OrderedRows, sliceRows = SLICE_ROWS): Promise<{ rows: number; slices: number }> {
  const order = rows.order.map(quote).join(', ');
  const [{ n }] = (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM (${rows.select})`)).getRowObjectsJson() as { n: string }[];
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
  const [{ cuts }] = (await conn.runAndReadAll(`SELECT coalesce(len(b), 0)::INT AS cuts FROM ${bounds}`)).getRowObjectsJson() as { cuts: number }[];
  const cut = (i: number) => `(SELECT b[${i}] FROM ${bounds})`;
  const ranges = Array.from({ length: cuts + 1 }, (_, i) => [i > 0 ? `${key} >= ${cut(i)}` : 'true', i < cuts ? `${key} < ${cut(i + 1)}` : 'true'].join(' AND '));
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${quote(name)} AS SELECT * FROM (${rows.select}) WHERE false`);
  for (const where of ranges) await conn.run(`INSERT INTO ${quote(name)} SELECT * FROM (${rows.select}) WHERE ${where} ORDER BY ${order}`);
  await conn.run(`DROP TABLE ${bounds}`);
  return { rows: total, slices: ranges.length };
}

/** The temporary table that holds one table's sorted rows while its files are written. */
const SORTED = 'export_rows';

/**
 * Sorts the rows once and hands `write` a query that reads them in order, and their count; every
 * format of a table reads the same sorted copy, which is dropped afterwards.
 */
export async function withSortedRows<T>(conn: DuckDBConnection, rows: OrderedRows, write: (query: string, count: number) => Promise<T>, sliceRows = SLICE_ROWS): Promise<T> {
  const sorted = await sortIntoTable(conn, SORTED, rows, sliceRows);
  const drop = `DROP TABLE IF EXISTS ${quote(SORTED)}`;
  let result: T;
  try {
    result = await write(`SELECT * FROM ${quote(SORTED)}`, sorted.rows);
  } catch (err) {
    // A failed write (a full disk) can abort the caller's transaction, so the drop fails too: the write's error is the one to report.
    await conn.run(drop).catch(() => {});
    throw err;
  }
  await conn.run(drop);
  return result;
}
