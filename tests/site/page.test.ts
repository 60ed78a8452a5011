import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { writeSiteAssets } from '../../src/site/assets.ts';
import { buildReleasePage, humanBytes } from '../../src/site/page.ts';

const HOSTILE = '<img src=x onerror=alert(1)>"><svg onload=alert(2)></script>';

test('the release page escapes every value from a post, and links a document only to its own page', () => {
  const pkg = {
    name: 'p',
    title: `T ${HOSTILE}`,
    version: '2026-01-01T000000Z',
    created: '2026-01-01T00:00:00.000Z',
    licenses: [{ name: 'public-domain', title: 'PD' }],
    resources: [{ name: 'documents.2026-01_001', format: 'csv', path: 'csv/documents/2026-01_001.csv', rows: 3, bytes: 2048, x_table: 'documents' }],
  };
  const html = buildReleasePage({
    pkg,
    earlier: ['2025-12-31T000000Z'],
    source: 'folder posts',
    extraFiles: [],
    changed: [
      { doc_id: 'd"1', kind: 'added', title: HOSTILE, source_id: 's', doc_type: '通知', issuer: HOSTILE, date: '2026-01-01' },
      { doc_id: 'd2', kind: 'added', title: '', source_id: 'untitled-post', doc_type: '新闻', issuer: null, date: null },
    ],
    counts: { added: 2, changed: 0, removed: 0 },
    redlines: [
      {
        doc_id: 'd1',
        title: HOSTILE,
        source_id: 's',
        to_version: 2,
        from_version: 1,
        path: '1',
        label: HOSTILE,
        change_type: 'modified',
        old_text: null,
        new_text: null,
        diff: `到202[-5-]{+6+}年${HOSTILE}`,
      },
    ],
    plans: [{ plan_key: 'k', plan_name: HOSTILE, plan_type: null, doc_number: HOSTILE, issuer: null, date: null, target_doc_id: 'javascript:alert(1)' }],
    timeline: [{ plan: HOSTILE, doc_id: 'd1', year: 2025, n: 2 }],
    due: { targets: [{ year: 2025, period: null, plan: HOSTILE, text: HOSTILE, doc_id: 'd1', milestone_no: 1 }], total: 1 },
    year: 2026,
    xlsxTables: ['documents'],
  });
  const scripts = html.match(/<script/g) ?? [];
  assert.equal(scripts.length, 1, 'only the page loader script');
  assert.ok(!html.includes('<img') && !html.includes('<svg'), 'no markup of a post reaches the page');
  assert.equal(html.split('</script>').length - 1, 1, 'no post closes the loader script');
  assert.ok(html.includes('<del>5</del><ins>6</ins>'), 'the redline is rendered');
  assert.ok(!html.includes('[-5-]'), 'never raw markup');
  assert.ok(html.includes('href="docs/javascript%3Aalert(1).html"'), 'a document link is always to its page in docs/');
  assert.ok(html.includes('href="docs/d%221.html"'));
  assert.ok(html.includes('（无标题） untitled-post'), 'an untitled post is named by its source id');
  assert.ok(html.includes('href="../../downloads/documents.xlsx"'));
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
  assert.ok((await stat(join(a, 'site', 'exceljs.min.js'))).size > 100_000, "exceljs's browser build is there for XLSX selections");
  const b = await mkdtemp(join(tmpdir(), 'zhengce-assets-'));
  await mkdir(join(b, 'site'));
  await writeFile(join(b, 'site', 'mine.txt'), "the user's");
  await assert.rejects(writeSiteAssets(b), /not written by zhengce/);
  assert.equal(await readFile(join(b, 'site', 'mine.txt'), 'utf8'), "the user's");
});
