import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { writeSiteAssets } from '../../src/site/assets.ts';
import { buildReleasePage, humanBytes } from '../../src/site/page.ts';

const pkg = {
  name: 'p',
  title: 'T <b>bold</b>',
  version: '2026-01-01T000000Z',
  created: '2026-01-01T00:00:00.000Z',
  licenses: [{ name: 'public-domain', title: 'PD' }],
  resources: [{ name: 'documents.2026-01_001', format: 'csv', title: '文件', description: 'd', path: 'csv/documents.csv', rows: 3, bytes: 2048, x_table: 'documents' }],
};

test('the release page renders the CHANGELOG with any HTML in it escaped', () => {
  const html = buildReleasePage({ pkg, changelog: '# Release\n\n- **<script>alert(1)</script>** <img src=x onerror=alert(2)>\n', earlier: ['2025-12-31T000000Z'], source: 'folder posts', extraFiles: [] });
  assert.ok(html.includes('<h1>Release</h1>'));
  assert.ok(html.includes('<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>'));
  assert.ok(!html.includes('<img src=x'));
  assert.ok(html.includes('<h1>T &#60;b&#62;bold&#60;/b&#62;</h1>'));
  assert.ok(html.includes('<a href="csv/documents.csv">csv/documents.csv</a>') && html.includes('2.0 KB'));
  assert.ok(html.includes('href="../2025-12-31T000000Z/index.html"'));
  assert.equal(humanBytes(1536 * 1024), '1.5 MB');
});

test('site assets are hard links to the npm files, written once, and a site/ zhengce did not write is refused', async () => {
  const a = await mkdtemp(join(tmpdir(), 'zhengce-assets-'));
  assert.equal(await writeSiteAssets(a), true);
  assert.equal(await writeSiteAssets(a), false, 'unchanged code: not written again');
  const npmWasm = createRequire(import.meta.url).resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm');
  assert.equal((await stat(join(a, 'site', 'duckdb-eh.wasm'))).ino, (await stat(npmWasm)).ino);
  assert.match(await readFile(join(a, 'site', 'app.js'), 'utf8'), /autoinstall_known_extensions/);
  const b = await mkdtemp(join(tmpdir(), 'zhengce-assets-'));
  await mkdir(join(b, 'site'));
  await writeFile(join(b, 'site', 'mine.txt'), 'the user\'s');
  await assert.rejects(writeSiteAssets(b), /not written by zhengce/);
  assert.equal(await readFile(join(b, 'site', 'mine.txt'), 'utf8'), 'the user\'s');
});
