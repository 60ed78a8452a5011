import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { CSV_OPTIONS } from '../core/csv.ts';
import type { CsvFlavour, CsvRow } from '../core/table-rows.ts';
import type { Column } from '../core/tables.ts';

/** A file written in pieces, its bytes counted and hashed as they go, so a release need not read it again. */
export class HashedFile {
  private readonly out: WriteStream;
  private readonly closed: Promise<void>;
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
    // Listened to from the start: the file can fail (a missing folder, a full disk) while DuckDB computes a chunk.
    this.closed = finished(this.out);
    this.closed.catch(() => {});
  }

  async write(data: string | Buffer): Promise<void> {
    if (this.out.errored) throw this.out.errored;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    this.hash.update(buf);
    this.bytes += buf.length;
    if (!this.out.write(buf)) await once(this.out, 'drain');
  }

  /** Appends `length` bytes of `file` from `start`, a range of an earlier file that did not change. */
  async copyRange(file: string, start: number, length: number): Promise<void> {
    if (length === 0) return;
    for await (const chunk of createReadStream(file, { start, end: start + length - 1 })) await this.write(chunk as Buffer);
  }

  async close(): Promise<{ bytes: number; sha256: string }> {
    this.out.end();
    await this.closed;
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Stops writing after a failure; the error thrown is the caller's, not the premature close that follows. */
  async abort(): Promise<void> {
    this.out.destroy();
    await this.closed.catch(() => {});
  }
}

/** The header row a CSV of `flavour` starts with (and its BOM, for a spreadsheet). */
export const csvHeader = (columns: readonly Column[], flavour: CsvFlavour): string => stringify([], { ...CSV_OPTIONS[flavour], columns: columns.map((c) => c.name) });

/** Appends rows, without header, to `file`; returns how many. */
export async function appendCsvRows(file: HashedFile, rows: AsyncIterable<CsvRow[]>, flavour: CsvFlavour): Promise<number> {
  const options = { ...CSV_OPTIONS[flavour], bom: false, header: false };
  let n = 0;
  for await (const chunk of rows) {
    await file.write(stringify(chunk, options));
    n += chunk.length;
  }
  return n;
}

/** A whole CSV file: header, then the rows; its rows, bytes and sha256. */
export async function writeCsvFile(path: string, columns: readonly Column[], flavour: CsvFlavour, rows: AsyncIterable<CsvRow[]>): Promise<{ rows: number; bytes: number; sha256: string }> {
  const file = new HashedFile(path);
  try {
    await file.write(csvHeader(columns, flavour));
    const n = await appendCsvRows(file, rows, flavour);
    return { rows: n, ...(await file.close()) };
  } catch (err) {
    await file.abort();
    throw err;
  }
}
