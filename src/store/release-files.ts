// DuckDB over a release's files, for validate and export: nothing here reads or writes a store.
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { singleParquetPath, WHOLE_PART } from '../core/layout.ts';
import { quote, sqlString, type OrderedRows } from '../core/sql.ts';
import type { ReleaseFileReader, ReleaseRows, ReleaseSource } from '../core/table-rows.ts';
import { orderOf, TABLE_BY_NAME, TABLES, type TableSpec } from '../core/tables.ts';
import { openDuckDB, readAll } from './duckdb.ts';
import { PART_COLUMN, sortedRows } from './sorted.ts';
import { buildHistoryViewsSql } from '../core/views.ts';

export async function openReleaseFileReader(): Promise<ReleaseFileReader> {
  const db = await openDuckDB(':memory:');
  const all = <T>(sql: string) => readAll<T>(db.conn, sql);
  const source = (file: string, format: 'parquet' | 'csv') =>
    format === 'parquet' ? `read_parquet(${sqlString(file)})` : `read_csv(${sqlString(file)}, header = true, all_varchar = true, max_line_size = 1073741824)`;
  return {
    parquetColumns: async (file) =>
      (await all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${source(file, 'parquet')}`)).map((d) => ({ name: d.column_name, type: d.column_type })),
    csvColumns: async (file) => (await all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${source(file, 'csv')}`)).map((d) => d.column_name),
    countRows: async (file, format) => (await all<{ n: number }>(`SELECT count(*)::INT AS n FROM ${source(file, format)}`))[0].n,
    async keyProblems(files, key, required) {
      const from = `read_parquet([${files.map(sqlString).join(', ')}])`;
      const [check] = await all<Record<string, number>>(`SELECT count(*) - count(DISTINCT (${key.map(quote).join(', ')})) AS ${quote('duplicate keys')}
        ${required.map((c) => `, count(*) FILTER (${quote(c)} IS NULL) AS ${quote(`null ${c}`)}`).join('')} FROM ${from}`);
      return Object.fromEntries(Object.entries(check).map(([k, v]) => [k, Number(v)]));
    },
    close: () => db.close(),
  };
}

const isDir = (p: string): Promise<boolean> =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

/** A table's Parquet files in a release folder by part, in part order: its parts, or the one file of an earlier layout. */
async function partFiles(dir: string, t: TableSpec): Promise<{ part: string; file: string }[]> {
  if (await isDir(join(dir, t.name))) {
    const names = (await readdir(join(dir, t.name))).filter((n) => n.endsWith('.parquet')).sort();
    return names.map((n) => ({ part: basename(n, '.parquet'), file: join(dir, t.name, n) }));
  }
  return [{ part: WHOLE_PART, file: join(dir, singleParquetPath(t)) }];
}

/** Reads a release's tables from its folder's Parquet parts, or from history/ for a release whose folder was pruned. */
export async function openReleaseRows(source: ReleaseSource, timezone: string): Promise<ReleaseRows> {
  const db = await openDuckDB(':memory:');
  await db.conn.run(`SET TimeZone = ${sqlString(timezone)}`);
  if (source.kind === 'history')
    await db.conn.run(
      buildHistoryViewsSql(
        TABLES.filter((t) => t.history),
        [join(source.outputDir, 'history')],
      ),
    );
  let sorts = 0;
  async function rowsOf(t: TableSpec): Promise<OrderedRows> {
    const order = [PART_COLUMN, ...orderOf(t)];
    if (source.kind === 'folder') {
      const files = await partFiles(source.dir, t);
      const parts = `(VALUES ${files.map((f) => `(${sqlString(f.file)}, ${sqlString(f.part)})`).join(', ')}) p(file, part)`;
      const from = `read_parquet([${files.map((f) => sqlString(f.file)).join(', ')}], filename = true, union_by_name = true)`;
      // A release by earlier code lacks the columns added since (documents.source_path, measures.ord): read as NULL.
      const present = new Set((await readAll<{ column_name: string }>(db.conn, `DESCRIBE SELECT * FROM ${from}`)).map((c) => c.column_name));
      const columns = t.columns.map((c) => (present.has(c.name) ? `r.${quote(c.name)}` : `CAST(NULL AS ${c.type}) AS ${quote(c.name)}`)).join(', ');
      return { select: `SELECT p.part AS ${PART_COLUMN}, ${columns} FROM ${from} r JOIN ${parts} ON r.filename = p.file`, order };
    }
    const r = sqlString(source.releaseId);
    const all = (select: string) => ({ select: `SELECT 'all' AS ${PART_COLUMN}, * FROM (${select})`, order });
    if (t.kind === 'versioned') return all(`SELECT * FROM ${t.name}_as_of(${r})`);
    if (t.scope === 'release') return all(`SELECT release_id, * EXCLUDE (release_id) FROM ${t.name}_history WHERE release_id = ${r}`);
    // The logs only grow: the newest kept release holds every row up to the one asked for.
    const newest = (await readdir(join(source.outputDir, 'releases')).catch(() => [] as string[]))
      .filter((n) => /^\d{4}-/.test(n) && n > source.releaseId)
      .sort()
      .at(-1);
    if (!newest) throw new Error(`no kept release after ${source.releaseId} holds the ${t.name} log: export it from a kept release`);
    const files = await partFiles(join(source.outputDir, 'releases', newest), t);
    const from = `read_parquet([${files.map((f) => sqlString(f.file)).join(', ')}], union_by_name = true)`;
    // A redline belongs to the release of the version it leads to.
    const where = t.name === 'redlines' ? `(doc_id, to_version) IN (SELECT (doc_id, version) FROM (${(await rowsOf(TABLE_BY_NAME.get('document_versions')!)).select}))` : `release_id <= ${r}`;
    return all(`SELECT ${t.columns.map((c) => quote(c.name)).join(', ')} FROM ${from} WHERE ${where}`);
  }
  return {
    table: async (t) => sortedRows(db.conn, `export_${sorts++}`, await rowsOf(t), t.columns),
    close: () => db.close(),
  };
}
