import { quote, sqlString } from '../core/sql.ts';
import type { Column, TableSpec } from '../core/tables.ts';
import type { Cell } from '../core/types.ts';

/** Staging keeps dates, times and lists as text so the Appender only ever appends VARCHAR/INTEGER/BOOLEAN. */
export function stagingType(c: Column): string {
  if (c.type === 'INTEGER' || c.type === 'BOOLEAN') return c.type;
  return 'VARCHAR';
}

/** Lists travel through staging joined with U+001F, a character no post text contains. */
export const LIST_SEPARATOR = '\u001f';
/** LIST_SEPARATOR as a SQL expression: chr(31). */
export const LIST_SEPARATOR_SQL = `chr(${LIST_SEPARATOR.codePointAt(0)})`;

/** The SQL expression that turns a staged column into its published type. */
export function typedFromStaging(c: Column, alias: string): string {
  const ref = `${alias}.${quote(c.name)}`;
  switch (c.type) {
    case 'DATE':
      return `CAST(${ref} AS DATE)`;
    case 'TIMESTAMPTZ':
      // To the second: what a CSV part holds (Table Schema's datetime) is then the whole value.
      return `date_trunc('second', CAST(${ref} AS TIMESTAMPTZ))`;
    case 'VARCHAR[]':
      return `CASE WHEN ${ref} IS NULL THEN NULL WHEN ${ref} = '' THEN []::VARCHAR[] ELSE string_split(${ref}, ${LIST_SEPARATOR_SQL}) END`;
    default:
      return ref;
  }
}

export const columnList = (t: TableSpec, alias?: string): string => t.columns.map((c) => (alias ? `${alias}.${quote(c.name)}` : quote(c.name))).join(', ');

/** A cell as a SQL literal: text quoted (a date or a time is cast by its column), a list as a VARCHAR[]. */
function cellSql(value: Cell | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `[${value.map(sqlString).join(', ')}]::VARCHAR[]`;
}

/** An INSERT of one row of table `t`, its values named by the table's columns. */
export const insertRowSql = (t: TableSpec, row: Readonly<Record<string, Cell>>): string =>
  `INSERT INTO ${quote(histName(t))} (${columnList(t)}) VALUES (${t.columns.map((c) => cellSql(row[c.name])).join(', ')})`;

export function createTableSql(name: string, t: TableSpec, extra: string[] = [], staging = false, temp = false): string {
  const cols = t.columns.map((c) => `${quote(c.name)} ${staging ? stagingType(c) : c.type}`);
  return `CREATE ${temp ? 'TEMP ' : ''}TABLE IF NOT EXISTS ${quote(name)} (${[...cols, ...extra].join(', ')})`;
}

export const histName = (t: TableSpec): string => (t.kind === 'versioned' ? `hist_${t.name}` : t.name);
export const stageName = (t: TableSpec): string => `stage_${t.name}`;
