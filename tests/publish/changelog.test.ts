import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeHTML } from 'entities';
import MarkdownIt from 'markdown-it';
import { buildChangelog, type ChangelogDocument } from '../../src/publish/changelog.ts';
import { makeWorkspace, SAMPLE_POSTS } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';

// html: true renders raw HTML as GitHub-flavoured sites may; a value that reaches the page as HTML is an injection.
const md = new MarkdownIt({ html: true, linkify: true });

const headings = (html: string): string[] => [...html.matchAll(/<(h[1-6])>([^<]*)/g)].map((m) => `${m[1]} ${decodeHTML(m[2])}`);

/** What the page shows as text: the tags gone, the entities decoded. */
const shown = (html: string): string => decodeHTML(html.replace(/<[^>]+>/g, ''));

function assertNoInjection(html: string): void {
  assert.doesNotMatch(html, /<script/i, html);
  assert.doesNotMatch(html, /<img/i, html);
  assert.doesNotMatch(html, /<b>|<iframe/i, html);
  assert.doesNotMatch(html, /href="javascript:/i, html);
  assert.doesNotMatch(html, /<a /, 'the CHANGELOG builds no links from values');
}

const HOSTILE_TITLE = '<script>alert(1)</script> 关于`code` **加粗** 的通知';
const IMG_TITLE = '<img src=x onerror=alert(1)> [点我](javascript:alert(1)) &lt;b&gt;';

const doc = (over: Partial<ChangelogDocument>): ChangelogDocument => ({
  doc_id: '0123456789abcdef',
  title: '标题',
  published_at: '2021-12-08T12:05:03+08:00',
  issuer: null,
  doc_type: '通知',
  ...over,
});

test('every value in the CHANGELOG renders as its own text: no HTML, no links, no extra headings or list items', () => {
  const changelog = buildChangelog({
    releaseId: '2024-01-01T000000Z',
    parentReleaseId: '2023-12-31T000000Z',
    added: [doc({ title: HOSTILE_TITLE, issuer: '- 国务院 | x', doc_type: '# 令' }), doc({ title: IMG_TITLE, doc_id: 'a`b``c' })],
    changed: [
      doc({
        title: '1. 第一条\n## 换行标题',
        changed_columns: ['ti_tle', '<u>x</u>'],
        redlineCounts: { modified: 1, '<i>odd</i>': 2 },
        redlines: [{ label: '# 第一条', change_type: 'modified', text: '[-旧-]{+<b>新</b>+}\n\n## 不是标题' }],
      }),
    ],
    removed: [doc({ title: '+ 删除\u0000\u2028项' })],
    moved: [{ from: '_posts\n## moved', to: '<b>old`post</b>', count: 300 }],
    rejects: [{ source_id: 'evil\n## injected `x`\n', stage: 'parse', reason: '<script>x</script>\n# 原因' }],
  });
  const html = md.render(changelog);
  assertNoInjection(html);
  assert.doesNotMatch(html, /<u>|<i>|<ol/, html);
  assert.deepEqual(headings(html), [
    'h1 数据更新 Release 2024-01-01T000000Z',
    'h2 新增文件 New documents (2)',
    'h2 变更文件 Changed documents (1)',
    'h2 删除文件 Removed documents (1)',
    'h2 未能处理 Posts that could not be processed (1)',
  ]);
  // Four documents and one reject, with the changed one's three detail lines nested under it.
  assert.equal(html.match(/<li>/g)?.length, 4 + 1 + 3, html);
  const page = shown(html);
  for (const text of [
    HOSTILE_TITLE,
    IMG_TITLE,
    'a`b``c',
    '- 国务院 | x',
    '# 令',
    '1. 第一条 ## 换行标题',
    'ti_tle, <u>x</u>',
    '2 <i>odd</i>',
    '# 第一条',
    '[-旧-]{+<b>新</b>+} ## 不是标题',
    '+ 删除 项',
    'evil ## injected `x`',
    '<script>x</script> # 原因',
    '300 documents moved in the source 来源中移动 from _posts ## moved/ to <b>old`post</b>/',
  ]) {
    assert.ok(page.includes(text), `${JSON.stringify(text)} is shown as written in:\n${page}`);
  }
});

test('a pipeline run over posts with hostile titles and file names publishes a CHANGELOG that renders safely', async () => {
  const ws = await makeWorkspace({ posts: [] });
  await mkdir(ws.postsDir);
  const real = await readFile(join(SAMPLE_POSTS, '2021-12-08-202112082206885265.md'), 'utf8');
  const titled = (title: string) => real.replace(/^title: .*$/m, `title: '${title.replaceAll("'", "''")}'`);
  await writeFile(join(ws.postsDir, 'script.md'), titled(HOSTILE_TITLE));
  await writeFile(join(ws.postsDir, 'img.md'), titled(IMG_TITLE));
  // An empty post is rejected, so its file name (newlines, a heading, a backtick) goes into the CHANGELOG's rejects.
  await writeFile(join(ws.postsDir, 'evil\n## injected heading\n`x.md'), '');
  const res = await runInProcess(ws.file, ws.cwd);
  assert.equal(res.code, 2, res.stderr);
  const changelog = await readFile(join(ws.out, 'latest', 'CHANGELOG.md'), 'utf8');
  const html = md.render(changelog);
  assertNoInjection(html);
  assert.deepEqual(
    headings(html).map((h) => h.replace(/Release \S+/, 'Release <id>')),
    ['h1 数据更新 Release <id>', 'h2 新增文件 New documents (2)', 'h2 未能处理 Posts that could not be processed (1)'],
  );
  const page = shown(html);
  for (const text of [HOSTILE_TITLE, IMG_TITLE, 'evil ## injected heading `x']) assert.ok(page.includes(text), `${JSON.stringify(text)} in:\n${page}`);
});
