import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { stringify } from 'csv-stringify/sync';
import { fileSystemError } from '../core/errors.ts';
import type { OrderedRows } from '../core/sql.ts';
import type { TableSpec } from '../core/tables.ts';
import { writeArrow } from './arrow.ts';
import { CSV_OPTIONS, writeCsv } from './csv.ts';
import { buildDataPackage, type PublishedFile } from './datapackage.ts';
import { writeParquet } from './parquet.ts';
import { withSortedRows } from './sorted.ts';
import { buildViewsSql, TIMELINE_VIEW } from './views.ts';

export type Format = 'csv' | 'parquet' | 'arrow';

export interface ReleaseTable {
  spec: TableSpec;
  /** Exactly the rows of this table in this release, and their published order. */
  rows: OrderedRows;
}

export interface RejectRow {
  source_id: string;
  url: string;
  stage: string;
  reason: string;
}

export interface ReleaseFilesOptions {
  dir: string;
  tables: ReleaseTable[];
  formats: Format[];
  rejects: RejectRow[];
  changelog: string;
  /** Folders DuckDB searches for the Parquet files named in views.sql. */
  viewsSearchPath: string[];
  info: { name: string; title: string; releaseId: string; created: string; codeVersion: string };
}

/** Exports one table in every requested format, all from one sorted copy; returns the files written. */
export async function exportTable(conn: DuckDBConnection, dir: string, t: ReleaseTable, formats: Format[], sliceRows?: number): Promise<PublishedFile[]> {
  return withSortedRows(
    conn,
    t.rows,
    async (query, rows) => {
      const files: PublishedFile[] = [];
      for (const format of formats) {
        const path = `${t.spec.name}.${format}`;
        const file = join(dir, path);
        try {
          if (format === 'csv') {
            // The CSV is the one format read back row by row: a short read must fail the release, not publish fewer rows.
            const written = await writeCsv(conn, query, t.spec.columns, file);
            if (written !== rows) throw new Error(`${path}: ${written} rows written of the table's ${rows}`);
          } else if (format === 'parquet') await writeParquet(conn, query, file);
          else await writeArrow(conn, query, t.spec.columns, file);
        } catch (err) {
          throw fileSystemError(err, file) ?? err;
        }
        files.push({ table: t.spec, format, path, rows });
      }
      return files;
    },
    sliceRows,
  );
}

/** Writes every file of a release into `dir`, which the caller then renames into place. */
export async function writeReleaseFiles(conn: DuckDBConnection, o: ReleaseFilesOptions): Promise<void> {
  const files: PublishedFile[] = [];
  for (const t of o.tables) files.push(...(await exportTable(conn, o.dir, t, o.formats)));
  // A failed write names no file of its own (only the open does): the message names it.
  const write = async (name: string, data: string) => {
    try {
      await writeFile(join(o.dir, name), data);
    } catch (err) {
      throw fileSystemError(err, join(o.dir, name)) ?? err;
    }
  };
  await write('rejects.csv', stringify(o.rejects, { ...CSV_OPTIONS, columns: ['source_id', 'url', 'stage', 'reason'] }));
  await write('CHANGELOG.md', o.changelog);
  const parquet = o.formats.includes('parquet');
  await write('views.sql', buildViewsSql(parquet ? o.tables.map((t) => t.spec) : [], o.viewsSearchPath, `zhengce release ${o.info.releaseId}: duckdb -c ".read views.sql"`, parquet ? [TIMELINE_VIEW] : []));
  const pkg = await buildDataPackage(o.dir, o.info, files);
  await write('datapackage.json', `${JSON.stringify(pkg, null, 2)}\n`);
}
