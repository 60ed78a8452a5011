import type { TableSpec } from '../core/tables.ts';
import { quote } from '../core/sql.ts';

/** The row key as text: key columns joined with `/`, the form `changes.row_key` uses. */
export const keyExpr = (t: TableSpec, alias: string): string => `concat_ws('/', ${t.key.map((k) => `CAST(${alias}.${quote(k)} AS VARCHAR)`).join(', ')})`;

const rowJson = (t: TableSpec, alias: string): string => `to_json({${t.columns.map((c) => `'${c.name}': ${alias}.${quote(c.name)}`).join(', ')}})`;

/**
 * Every insert, update and delete between two relations of table `t`, by a keyed full outer join
 * in DuckDB: (table_name, row_key, change_type, doc_id, changed_columns, before, after).
 * Updates list only the columns whose value changed; `images` false leaves before/after null.
 */
export function keyedDiffSql(t: TableSpec, oldRows: string, newRows: string, images = true): string {
  const first = quote(t.key[0]);
  const join = t.key.map((k) => `o.${quote(k)} = n.${quote(k)}`).join(' AND ');
  const valueCols = t.columns.filter((c) => !t.key.includes(c.name));
  const changed = `list_filter([${valueCols.map((c) => `CASE WHEN o.${quote(c.name)} IS DISTINCT FROM n.${quote(c.name)} THEN '${c.name}' END`).join(', ')}], x -> x IS NOT NULL)`;
  const docId = t.columns.some((c) => c.name === 'doc_id') ? 'coalesce(n.doc_id, o.doc_id)' : 'NULL';
  const values = (alias: string) => (valueCols.length ? `(${valueCols.map((c) => `${alias}.${quote(c.name)}`).join(', ')})` : 'NULL');
  // Unchanged pairs are dropped by the join's filter before any JSON is built for the rest.
  return `SELECT '${t.name}' AS table_name, CASE WHEN o.${first} IS NULL THEN ${keyExpr(t, 'n')} ELSE ${keyExpr(t, 'o')} END AS row_key,
        CASE WHEN o.${first} IS NULL THEN 'insert' WHEN n.${first} IS NULL THEN 'delete' ELSE 'update' END AS change_type,
        ${docId} AS doc_id,
        CASE WHEN o.${first} IS NOT NULL AND n.${first} IS NOT NULL THEN ${changed} END AS changed_columns,
        ${images ? `CASE WHEN o.${first} IS NOT NULL THEN ${rowJson(t, 'o')} END` : 'NULL'} AS before,
        ${images ? `CASE WHEN n.${first} IS NOT NULL THEN ${rowJson(t, 'n')} END` : 'NULL'} AS after
      FROM (${oldRows}) o FULL OUTER JOIN (${newRows}) n ON ${join}
      WHERE o.${first} IS NULL OR n.${first} IS NULL OR ${values('o')} IS DISTINCT FROM ${values('n')}`;
}

/**
 * Over run_changes: the documents whose only change is where the source holds them (a github post moved
 * between listed folders): no new content version, not counted as changed, not listed in CHANGELOG.md.
 */
export const MOVED_ONLY_DOCS = `SELECT doc_id FROM run_changes WHERE doc_id IS NOT NULL GROUP BY doc_id
  HAVING bool_and(table_name = 'documents' AND change_type = 'update' AND list_has_all(['source_path', 'url'], changed_columns))`;
