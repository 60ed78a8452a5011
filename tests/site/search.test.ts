// The search index's shards: a small corpus is one shard; a large one is 16, and a release builds again only the
// shards whose documents changed, linking the others from its parent. Built by the real Pagefind (extended) binary.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SearchText } from '../../src/core/publication.ts';
import { writeSearchIndex } from '../../src/site/search.ts';

const IDS = ['0a1b2c3d4e5f6a7b', '0f1e2d3c4b5a6978', '1c2d3e4f5a6b7c8d', 'f00d1e2d3c4b5a69'];

/** The search texts the store would give for these documents. */
const texts = async (ids: string[]): Promise<SearchText[]> =>
  ids.map((id) => ({
    doc_id: id,
    source_id: `post-${id}`,
    title: `关于${id}的通知`,
    doc_number: '国办发〔2019〕4号',
    issuer: '国务院办公厅',
    doc_type: '通知',
    date: '2019-01-22',
    body: '一、 总体要求 探索建立数据要素流通规则。',
  }));

test('a change rebuilds only its shard; the others are linked from the parent release; a small corpus is one shard', async () => {
  const root = await mkdtemp(join(tmpdir(), 'zhengce-search-'));
  const documents = IDS.map((doc_id) => ({ doc_id, fingerprint: 'v1' }));
  const first = await writeSearchIndex({ dir: join(root, 'r1'), parentDir: null, documents, texts, shardedFrom: 1 });
  assert.deepEqual(first, { built: ['0', '1', 'f'], linked: [] });
  const changed = documents.map((d) => (d.doc_id === IDS[2] ? { ...d, fingerprint: 'v2' } : d));
  const second = await writeSearchIndex({ dir: join(root, 'r2'), parentDir: join(root, 'r1'), documents: changed, texts, shardedFrom: 1 });
  assert.deepEqual(second, { built: ['1'], linked: ['0', 'f'] });
  const inode = async (release: string, shard: string) => (await stat(join(root, release, shard, 'pagefind-entry.json'))).ino;
  assert.equal(await inode('r2', '0'), await inode('r1', '0'));
  assert.notEqual(await inode('r2', '1'), await inode('r1', '1'));
  // Only what a search needs is kept: no Pagefind UI kits in each shard.
  assert.ok(!(await readdir(join(root, 'r2', '1'))).some((f) => f.includes('-ui')));
  const small = await writeSearchIndex({ dir: join(root, 'small'), parentDir: null, documents, texts });
  assert.deepEqual(small, { built: ['all'], linked: [] });
});
