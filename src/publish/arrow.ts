import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Bool, DateDay, Field, Int32, List, makeData, RecordBatch, RecordBatchFileWriter, Schema, Struct, TimestampMicrosecond, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import type { Column } from '../core/tables.ts';

function arrowType(c: Column): DataType {
  switch (c.type) {
    case 'INTEGER':
      return new Int32();
    case 'BOOLEAN':
      return new Bool();
    case 'DATE':
      return new DateDay();
    case 'TIMESTAMPTZ':
      return new TimestampMicrosecond('UTC');
    case 'VARCHAR[]':
      return new List(new Field('item', new Utf8(), true));
    default:
      return new Utf8();
  }
}

/** An Arrow IPC file (what pandas, polars and R load fastest), written batch by batch from the store's rows. */
export async function writeArrow(values: AsyncIterable<unknown[][]>, columns: readonly Column[], file: string): Promise<void> {
  const fields = columns.map((c) => new Field(c.name, arrowType(c), true));
  const schema = new Schema(fields);
  const writer = new RecordBatchFileWriter();
  const out = createWriteStream(file);
  // Listened to from the start: the file can fail (a missing folder, a full disk) while DuckDB computes.
  const closed = finished(out);
  closed.catch(() => {});
  writer.toNodeStream().pipe(out);
  let complete = false;
  try {
    let wrote = false;
    for await (const rows of values) {
      if (out.errored) throw out.errored;
      const children = fields.map(
        (f, i) =>
          vectorFromArray(
            rows.map((r) => r[i] ?? null),
            f.type,
          ).data[0],
      );
      const data = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children });
      writer.write(new RecordBatch(schema, data));
      wrote = true;
    }
    if (!wrote) writer.reset(undefined, schema);
    writer.finish();
    complete = true;
  } finally {
    if (!complete) {
      // The file is closed either way; what is thrown is the query's or the stream's own error, not the premature close that follows.
      // (Closing the writer ends its reader; aborting it would reject a read nobody awaits.)
      writer.close();
      out.destroy();
    }
    await (complete ? closed : closed.catch(() => {}));
  }
}
