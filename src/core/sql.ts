// SQL text built by hand in one place: every stage that writes DuckDB SQL quotes through these.

/** A double-quoted SQL identifier (a table or column name), any `"` doubled. */
export const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A single-quoted SQL string literal (a value, a file path), any `'` doubled. */
export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** A query's rows (no ORDER BY of its own) and the columns that order them where they are published. */
export interface OrderedRows {
  select: string;
  order: readonly string[];
}
