import { orderOf, type TableSpec } from '../core/tables.ts';
import { columnList, histName, quote } from './schema.ts';
import type { Store } from './store.ts';

const orderBy = (cols: string[]): string => cols.map(quote).join(', ');

/** Exactly the rows of table `t` in release `releaseId`, in their published order (run inside the release transaction). */
export function releaseQuery(t: TableSpec, releaseId: string): string {
  if (t.kind === 'versioned') return `SELECT ${columnList(t)} FROM ${histName(t)} WHERE _valid_to IS NULL ORDER BY ${orderBy(orderOf(t))}`;
  const only = t.name === 'changes' ? ` WHERE release_id = '${releaseId.replaceAll("'", "''")}'` : '';
  return `SELECT ${columnList(t)} FROM ${histName(t)}${only} ORDER BY ${orderBy(orderOf(t))}`;
}

/** Every row version of `t`, with its validity as release ids. */
export function historyQuery(t: TableSpec): string {
  const validity = t.kind === 'versioned' ? ', _valid_from, _valid_to' : '';
  return `SELECT ${columnList(t)}${validity} FROM ${histName(t)} ORDER BY ${orderBy([...orderOf(t), ...(validity ? ['_valid_from'] : [])])}`;
}

interface ChangedDoc {
  doc_id: string;
  kind: 'added' | 'changed' | 'removed';
  title: string;
  published_at: string | null;
  issuer: string | null;
  doc_type: string;
  changed_columns: string[] | null;
  p_added: number;
  p_removed: number;
  p_modified: number;
}

/** The documents this run adds, changes and removes, summarised for CHANGELOG.md. */
export async function changelogInput(store: Store) {
  const rows = await store.all<ChangedDoc>(`
    WITH docs AS (
      SELECT doc_id,
        CASE WHEN bool_or(table_name = 'documents' AND change_type = 'insert') THEN 'added'
             WHEN bool_or(table_name = 'documents' AND change_type = 'delete') THEN 'removed' ELSE 'changed' END AS kind,
        any_value(changed_columns) FILTER (table_name = 'documents') AS changed_columns,
        count(*) FILTER (table_name = 'provisions' AND change_type = 'insert') AS p_added,
        count(*) FILTER (table_name = 'provisions' AND change_type = 'delete') AS p_removed,
        count(*) FILTER (table_name = 'provisions' AND change_type = 'update') AS p_modified
      FROM run_changes GROUP BY doc_id)
    SELECT d.*, coalesce(n.title, h.title) AS title, CAST(coalesce(n.published_at, h.published_at) AS VARCHAR) AS published_at,
      coalesce(n.issuer, h.issuer) AS issuer, coalesce(n.doc_type, h.doc_type) AS doc_type
    FROM docs d
    LEFT JOIN new_documents n USING (doc_id)
    LEFT JOIN (SELECT * FROM hist_documents QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY _valid_from DESC) = 1) h USING (doc_id)
    ORDER BY published_at NULLS LAST, title, doc_id`);
  const pick = (kind: ChangedDoc['kind']) =>
    rows
      .filter((r) => r.kind === kind)
      .map((r) => ({
        doc_id: r.doc_id,
        title: r.title,
        published_at: r.published_at,
        issuer: r.issuer,
        doc_type: r.doc_type,
        changed_columns: r.changed_columns ?? [],
        provisions: { added: Number(r.p_added), removed: Number(r.p_removed), modified: Number(r.p_modified) },
      }));
  return { added: pick('added'), changed: pick('changed'), removed: pick('removed') };
}
