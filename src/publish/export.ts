import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { partsGlob, type Format } from '../core/layout.ts';
import { sqlString, type OrderedRows } from '../core/sql.ts';
import { orderOf, TABLE_BY_NAME, TABLES, type TableSpec } from '../core/tables.ts';
import type { PublishedFile } from './datapackage.ts';
import { exportTable } from './release.ts';
import { buildHistoryViewsSql } from './views.ts';

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
