import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { partsGlob, type Format } from '../core/layout.ts';
import { quote, sqlString, type OrderedRows } from '../core/sql.ts';
import { orderOf, TABLE_BY_NAME, TABLES, type TableSpec } from '../core/tables.ts';
import type { PublishedFile } from './datapackage.ts';
import { exportTable } from './release.ts';
import { withSortedRows } from './sorted.ts';
import { buildHistoryViewsSql } from './views.ts';
import { writeXlsx, XLSX_MAX_ROWS, type XlsxRow } from './xlsx.ts';

const isDir = (p: string): Promise<boolean> => stat(p).then((s) => s.isDirectory(), () => false);

/** Where a release's rows come from: its own folder (in parts or, from earlier code, one file a table), or history/. */
export type ExportSource = { kind: 'folder'; dir: string } | { kind: 'history'; outputDir: string; releaseId: string };

/** The rows of table `t` in the release, as DuckDB reads them from the source. */
async function tableRows(t: TableSpec, source: ExportSource): Promise<OrderedRows> {
  if (source.kind === 'folder') {
    const parts = await isDir(join(source.dir, t.name));
    return { select: `SELECT * FROM read_parquet(${sqlString(join(source.dir, parts ? partsGlob(t) : `${t.name}.parquet`))})`, order: orderOf(t) };
  }
  const r = sqlString(source.releaseId);
  if (t.kind === 'versioned') return { select: `SELECT * FROM ${t.name}_as_of(${r})`, order: orderOf(t) };
  if (t.name === 'changes') return { select: `SELECT release_id, * EXCLUDE (release_id) FROM changes_history WHERE release_id = ${r}`, order: orderOf(t) };
  // The logs only grow: the newest kept release holds every row up to the one asked for.
  const newest = (await readdir(join(source.outputDir, 'releases')).catch(() => [] as string[])).filter((n) => /^\d{4}-/.test(n) && n > source.releaseId).sort().at(-1);
  if (!newest) throw new Error(`no kept release after ${source.releaseId} holds the ${t.name} log: export it from a kept release`);
  const from = (await tableRows(t, { kind: 'folder', dir: join(source.outputDir, 'releases', newest) })).select;
  const where = t.name === 'redlines' ? `(doc_id, to_version) IN (SELECT (doc_id, version) FROM (${await tableRows(TABLE_BY_NAME.get('document_versions')!, source).then((x) => x.select)}))` : `release_id <= ${r}`;
  return { select: `SELECT * FROM (${from}) WHERE ${where}`, order: orderOf(t) };
}

/** A query's rows one at a time, typed (dates and times as text in the connection's time zone), streamed a chunk at a time. */
async function* queryRows(conn: DuckDBConnection, query: string, t: TableSpec): AsyncGenerator<XlsxRow> {
  const fields = t.columns.map((c) => `${sqlString(c.name)}: ${c.type === 'DATE' || c.type === 'TIMESTAMPTZ' || c.type === 'JSON' ? `CAST(${quote(c.name)} AS VARCHAR)` : quote(c.name)}`).join(', ');
  const result = await conn.stream(`SELECT CAST(to_json({${fields}}) AS VARCHAR) AS row FROM (${query})`);
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (const row of chunk.getColumns()[0] as string[]) yield JSON.parse(row) as XlsxRow;
  }
}

/** `<table>.xlsx` of one table, in its published order; a table over XLSX_MAX_ROWS rows gets none (its CSV is the download). */
async function exportXlsx(conn: DuckDBConnection, outDir: string, t: TableSpec, rows: OrderedRows, timeZone: string): Promise<{ path: string; rows: number } | { skipped: string }> {
  return withSortedRows(conn, rows, async (query, count) => {
    if (count > XLSX_MAX_ROWS) return { skipped: `${t.name}: ${count.toLocaleString('en')} rows, over the ${XLSX_MAX_ROWS.toLocaleString('en')} an XLSX is written for; export it as CSV` };
    const path = `${t.name}.xlsx`;
    const n = await writeXlsx(join(outDir, path), t, queryRows(conn, query, t), { timeZone, date: new Date(0) });
    return { path, rows: n };
  });
}

/** Writes whole tables of one release as XLSX (`<table>.xlsx`) into `outDir`: those it wrote, and those it skipped and why. */
export async function exportReleaseXlsx(source: ExportSource, o: { tables?: string[]; outDir: string; timeZone: string }): Promise<{ files: { path: string; rows: number }[]; skipped: string[] }> {
  const tables = o.tables ? o.tables.map((n) => TABLE_BY_NAME.get(n)!) : TABLES;
  await mkdir(o.outDir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await db.connect();
  try {
    await conn.run(`SET TimeZone = ${sqlString(o.timeZone)}`);
    if (source.kind === 'history') await conn.run(buildHistoryViewsSql(TABLES.filter((t) => t.kind === 'versioned' || t.name === 'changes'), [join(source.outputDir, 'history')]));
    const out = { files: [] as { path: string; rows: number }[], skipped: [] as string[] };
    for (const t of tables) {
      const r = await exportXlsx(conn, o.outDir, t, await tableRows(t, source), o.timeZone);
      if ('skipped' in r) out.skipped.push(r.skipped);
      else out.files.push(r);
    }
    return out;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Writes whole tables of one release as single files (`<table>.csv`, `<table>.parquet`) into `outDir`. */
export async function exportRelease(source: ExportSource, o: { tables?: string[]; formats: Format[]; outDir: string }): Promise<PublishedFile[]> {
  const tables = o.tables ? o.tables.map((n) => TABLE_BY_NAME.get(n)!) : TABLES;
  await mkdir(o.outDir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await db.connect();
  try {
    if (source.kind === 'history') await conn.run(buildHistoryViewsSql(TABLES.filter((t) => t.kind === 'versioned' || t.name === 'changes'), [join(source.outputDir, 'history')]));
    const files: PublishedFile[] = [];
    for (const t of tables) files.push(...(await exportTable(conn, o.outDir, t, await tableRows(t, source), o.formats)));
    return files;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
