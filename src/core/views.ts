import { HISTORY_FILE, partsGlob } from './layout.ts';
import { quote, sqlString } from './sql.ts';
import type { TableSpec } from './tables.ts';

/**
 * What falls due when: every milestone with its plan (plans) or, for a document in no plan, its own name;
 * one row per plan, year and period (the official notice's text before a repost's), by year.
 */
export const TIMELINE_VIEW = `CREATE OR REPLACE VIEW timeline AS
SELECT m.year, m.period, coalesce(p.plan_name, d.plan_name, d.title) AS plan_name, coalesce(p.issuer, d.issuer) AS issuer,
  m.text, m.doc_id, m.path, p.plan_key
FROM milestones m
JOIN documents d USING (doc_id)
LEFT JOIN (SELECT plan_key, plan_name, issuer, unnest(doc_ids) AS doc_id FROM plans) p USING (doc_id)
QUALIFY row_number() OVER (PARTITION BY coalesce(p.plan_key, m.doc_id), m.year, m.period ORDER BY d.doc_number IS NULL, d.published_at, m.doc_id) = 1
ORDER BY m.year, list_position(['起', '上半年', '年内', '下半年', '年底'], m.period) NULLS LAST, plan_name, m.doc_id, m.milestone_no;`;

/**
 * views.sql for DuckDB. The search path lets `.read views.sql` work from the folder of the file itself
 * and `.read <output>/latest/views.sql` from the folder the pipeline ran in. `derived` views come after the tables.
 */
export function buildViewsSql(tables: readonly TableSpec[], searchPath: string[], note: string, derived: string[] = []): string {
  const lines = [`-- ${note}`, `SET file_search_path = ${sqlString(searchPath.join(','))};`];
  for (const t of tables) lines.push(`CREATE OR REPLACE VIEW ${t.name} AS SELECT * FROM read_parquet(${sqlString(partsGlob(t))});`);
  lines.push(...derived);
  return `${lines.join('\n')}\n`;
}

/**
 * history/views.sql: `<table>_history`, every row version each release wrote (`release_id`, `_op`), and for a
 * snapshot table the macro `<table>_as_of(release_id)`: the latest version of each key at or before that release,
 * deleted keys removed, which is that release's table row for row.
 */
export function buildHistoryViewsSql(tables: readonly TableSpec[], searchPath: string[]): string {
  const lines = ['-- zhengce history: every row version, by the release that wrote it (hive-partitioned by release_id)', `SET file_search_path = ${sqlString(searchPath.join(','))};`];
  for (const t of tables) {
    const files = sqlString(`${t.name}/*/${HISTORY_FILE}`);
    lines.push(`CREATE OR REPLACE VIEW ${t.name}_history AS SELECT * FROM read_parquet(${files}, hive_partitioning = true, hive_types = {'release_id': VARCHAR});`);
    if (t.kind !== 'versioned') continue;
    const key = t.key.map(quote).join(', ');
    lines.push(`CREATE OR REPLACE MACRO ${t.name}_as_of(r) AS TABLE SELECT * EXCLUDE (release_id, _op) FROM ${t.name}_history WHERE release_id <= r
  QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY release_id DESC) = 1 AND _op <> 'delete';`);
  }
  return `${lines.join('\n')}\n`;
}
