import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TableSpec } from '../../src/core/tables.ts';
import { keyedDiffSql } from '../../src/store/keyed-diff.ts';
import { query } from '../helpers/duckdb.ts';

const column = (name: string, type: TableSpec['columns'][number]['type']) => ({ name, type, en: name, zh: name });
/** A table keyed by two columns, one of them a number, with a text and a list value. */
const SPEC: TableSpec = {
  name: 'items',
  en: 'items',
  zh: '条目',
  kind: 'versioned',
  history: true,
  key: ['doc_id', 'n'],
  columns: [column('doc_id', 'VARCHAR'), column('n', 'INTEGER'), column('text', 'VARCHAR'), column('tags', 'VARCHAR[]')],
};

const rows = (values: string) => `SELECT * FROM (VALUES ${values}) t(doc_id, n, text, tags)`;

interface Change {
  row_key: string;
  change_type: string;
  doc_id: string;
  changed_columns: string[] | null;
  before: string | null;
  after: string | null;
}

const diff = (before: string, after: string, images = true) =>
  query<Change>(`SELECT row_key, change_type, doc_id, changed_columns, before, after FROM (${keyedDiffSql(SPEC, rows(before), rows(after), images)}) ORDER BY row_key`);

describe('keyed diff', () => {
  const before = `('d1', 1, '推进', ['a']), ('d1', 2, '完善', ['b']), ('d2', 1, '健全', NULL), ('d3', 10, '加强', ['c'])`;
  const after = `('d1', 1, '推进', ['a']), ('d1', 2, '深化', ['b']), ('d2', 1, '健全', ['x']), ('d4', 1, '探索', NULL)`;

  test('inserts, updates and deletes by key; unchanged rows are left out; the key is its columns joined with /', async () => {
    const changes = await diff(before, after);
    assert.deepEqual(
      changes.map((c) => [c.row_key, c.change_type, c.doc_id]),
      [
        ['d1/2', 'update', 'd1'],
        ['d2/1', 'update', 'd2'],
        ['d3/10', 'delete', 'd3'],
        ['d4/1', 'insert', 'd4'],
      ],
    );
  });

  test('an update names only the columns that changed, and a NULL becoming a value is a change', async () => {
    const changes = await diff(before, after);
    assert.deepEqual(
      changes.filter((c) => c.change_type === 'update').map((c) => c.changed_columns),
      [['text'], ['tags']],
    );
    assert.ok(changes.filter((c) => c.change_type !== 'update').every((c) => c.changed_columns === null));
  });

  test('before and after are the whole row as JSON, absent on the side where the row is missing', async () => {
    const changes = await diff(before, after);
    const byKey = new Map(changes.map((c) => [c.row_key, c]));
    assert.deepEqual(JSON.parse(byKey.get('d1/2')!.before!), { doc_id: 'd1', n: 2, text: '完善', tags: ['b'] });
    assert.deepEqual(JSON.parse(byKey.get('d1/2')!.after!), { doc_id: 'd1', n: 2, text: '深化', tags: ['b'] });
    assert.equal(byKey.get('d3/10')!.after, null);
    assert.equal(byKey.get('d4/1')!.before, null);
  });

  test('NULL against NULL is no change; without images before and after stay null', async () => {
    const same = `('d1', 1, NULL, NULL)`;
    assert.deepEqual(await diff(same, same), []);
    const changes = await diff(before, after, false);
    assert.equal(changes.length, 4);
    assert.ok(changes.every((c) => c.before === null && c.after === null));
  });

  test('a row whose key repeats a changed value elsewhere is matched by its whole key, not by doc_id alone', async () => {
    const changes = await diff(`('d1', 1, '甲', NULL), ('d1', 2, '乙', NULL)`, `('d1', 1, '乙', NULL), ('d1', 2, '甲', NULL)`);
    assert.deepEqual(
      changes.map((c) => [c.row_key, c.change_type, c.changed_columns]),
      [
        ['d1/1', 'update', ['text']],
        ['d1/2', 'update', ['text']],
      ],
    );
  });
});
