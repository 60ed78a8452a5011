import type { TableSpec } from '../core/tables.ts';

/**
 * views.sql for DuckDB. The search path lets `.read views.sql` work from the folder of the file itself
 * and `.read <output>/latest/views.sql` from the folder the pipeline ran in.
 */
export function buildViewsSql(tables: TableSpec[], searchPath: string[], note: string): string {
  const lines = [`-- ${note}`, `SET file_search_path = '${searchPath.join(',').replaceAll("'", "''")}';`];
  for (const t of tables) lines.push(`CREATE OR REPLACE VIEW ${t.name} AS SELECT * FROM read_parquet('${t.name}.parquet');`);
  return `${lines.join('\n')}\n`;
}
