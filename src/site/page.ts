// The release page (index.html): everything a reader needs with JavaScript off; the site's script adds the interactive parts over HTTP.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { TABLES } from '../core/tables.ts';

interface PackageFile {
  path: string;
  rows: number;
  bytes: number;
}

interface PackageResource {
  name: string;
  format: string;
  title: string;
  description: string;
  path: string | string[];
  rows: number;
  bytes: number;
  x_table: string;
  /** A Parquet or Arrow resource's parts; a CSV resource is one part, described by the resource itself. */
  x_files?: PackageFile[];
}

/** The part of datapackage.json the page shows. */
export interface ReleasePackage {
  name: string;
  title: string;
  version: string;
  created: string;
  licenses: { name: string; title: string }[];
  resources: PackageResource[];
}

export interface ReleasePageInput {
  pkg: ReleasePackage;
  changelog: string;
  /** Earlier release ids, newest first; each is a sibling folder of this release. */
  earlier: string[];
  /** Where the posts come from, in words (the pipeline's source). */
  source: string;
  /** Other files of the release to offer, with their bytes (views.sql, datapackage.json). */
  extraFiles: PackageFile[];
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Bytes as a reader sees them: 1.2 MB, 340 KB. */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

// html: false escapes any HTML inside the CHANGELOG (titles come from remote posts).
const markdown = new MarkdownIt({ html: false, linkify: false });

const STYLE = `body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:72rem;margin:0 auto;padding:1rem;line-height:1.5;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right}nav a{margin-right:1rem}.muted{color:#666}section{margin-top:2rem}
ins{background:#d4f8d4;text-decoration:none}del{background:#fbd3d3}#app[hidden]{display:none}
.pager button,.filters *{margin-right:.5rem}textarea{width:100%;font-family:monospace}details{margin-left:1rem}`;

function downloadsTable(pkg: ReleasePackage, extra: PackageFile[]): string {
  const rows = pkg.resources.flatMap((r) => (r.x_files ?? [{ path: r.path as string, rows: r.rows, bytes: r.bytes }]).map((f) => ({ ...f, table: r.x_table, format: r.format })));
  const body = rows
    .map((f) => `<tr><td><a href="${escapeHtml(f.path)}">${escapeHtml(f.path)}</a></td><td>${escapeHtml(f.table)}</td><td>${escapeHtml(f.format)}</td><td class="n">${f.rows.toLocaleString('en')}</td><td class="n">${humanBytes(f.bytes)}</td></tr>`)
    .join('\n');
  const others = extra.map((f) => `<tr><td><a href="${escapeHtml(f.path)}">${escapeHtml(f.path)}</a></td><td></td><td></td><td></td><td class="n">${humanBytes(f.bytes)}</td></tr>`).join('\n');
  return `<table><thead><tr><th>file 文件</th><th>table 表</th><th>format 格式</th><th>rows 行数</th><th>size 大小</th></tr></thead><tbody>
${body}
${others}
</tbody></table>`;
}

function dictionary(): string {
  return TABLES.map(
    (t) => `<h3 id="dict-${t.name}"><code>${t.name}</code> ${escapeHtml(t.zh)} — ${escapeHtml(t.en)}</h3>
<table><thead><tr><th>column 列</th><th>type 类型</th><th>中文</th><th>English</th></tr></thead><tbody>
${t.columns.map((c) => `<tr><td><code>${c.name}</code>${t.key.includes(c.name) ? ' 🔑' : ''}</td><td>${c.type}</td><td>${escapeHtml(c.zh)}</td><td>${escapeHtml(c.en)}</td></tr>`).join('\n')}
</tbody></table>`,
  ).join('\n');
}

/** The release's index.html: readable from file:// with JavaScript off; over HTTP its script loads the site's shared assets. */
export function buildReleasePage(input: ReleasePageInput): string {
  const { pkg } = input;
  const counts = pkg.resources.filter((r) => r.format === 'csv');
  const docs = counts.find((r) => r.x_table === 'documents')?.rows ?? 0;
  const earlier = input.earlier.length ? `<ul>${input.earlier.map((id) => `<li><a href="../${escapeHtml(id)}/index.html">${escapeHtml(id)}</a></li>`).join('')}</ul>` : '<p>This is the first release. 这是第一个版本。</p>';
  const license = pkg.licenses.map((l) => `${escapeHtml(l.title)} (${escapeHtml(l.name)})`).join('; ');
  const year = pkg.created.slice(0, 4);
  return `<!doctype html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(pkg.title)} — ${escapeHtml(pkg.version)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(pkg.title)}</h1>
<p>Source 来源: ${escapeHtml(input.source)} · dataset <code>${escapeHtml(pkg.name)}</code></p>
<p>Release 版本 <strong id="release-id">${escapeHtml(pkg.version)}</strong>, published 发布于 <time datetime="${escapeHtml(pkg.created)}">${escapeHtml(pkg.created)}</time></p>
<p id="counts"><strong id="document-count">${docs.toLocaleString('en')}</strong> documents 文件 · ${counts.filter((r) => r.x_table !== 'documents').map((r) => `${r.rows.toLocaleString('en')} ${escapeHtml(r.x_table)}`).join(' · ')}</p>
<nav><a href="#browse">Documents 文件</a><a href="#timeline">Timeline 时间表</a><a href="#sql">SQL</a><a href="#downloads">Downloads 下载</a><a href="#dictionary">Dictionary 数据字典</a><a href="#changelog">Changelog 更新</a></nav>
<noscript><p class="muted">The documents browser, document pages, timeline and SQL console need JavaScript and the release served over HTTP (<code>zhengce serve</code>); everything below works without them.</p></noscript>
</header>
<main>
<div id="app" hidden></div>
<section id="changelog">
<h2>Changelog 本版更新</h2>
${markdown.render(input.changelog)}
</section>
<section id="downloads">
<h2>Downloads 下载</h2>
<p>CSV files are UTF-8 with a BOM and open in Excel; Parquet parts are one table per folder. CSV 文件为带 BOM 的 UTF-8，可直接用 Excel 打开。</p>
${downloadsTable(pkg, input.extraFiles)}
</section>
<section id="dictionary">
<h2>Data dictionary 数据字典</h2>
${dictionary()}
</section>
<section id="earlier">
<h2>Earlier releases 历史版本</h2>
${earlier}
</section>
<section id="license">
<h2>License and citation 许可与引用</h2>
<p>${license}</p>
<p>Cite as 引用: ${escapeHtml(pkg.title)} (${escapeHtml(pkg.name)}), release ${escapeHtml(pkg.version)}, ${year}. Built with zhengce.</p>
</section>
</main>
<script type="module">
// The shared assets sit in output/<id>/site/, two levels up from releases/<id>/ and one from latest/.
const inReleases = location.pathname.includes('/releases/');
const base = new URL(inReleases ? '../../site/' : '../site/', location.href);
// Seen through latest/, a sibling release sits under ../releases/.
if (!inReleases) for (const a of document.querySelectorAll('#earlier a')) a.setAttribute('href', '../releases/' + a.getAttribute('href').slice(3));
import(new URL('app.js', base).href).then((m) => m.start({ base: base.href, release: new URL('./', location.href).href }), (err) => console.warn('zhengce: the interactive site could not load (it needs the release served over HTTP)', err));
</script>
</body>
</html>
`;
}

/** Writes index.html into a release folder from its datapackage.json and CHANGELOG.md; `earlier` are the release ids published before it. */
export async function writeReleasePage(dir: string, o: { earlier: string[]; source: string }): Promise<void> {
  const pkg = JSON.parse(await readFile(join(dir, 'datapackage.json'), 'utf8')) as ReleasePackage;
  const changelog = await readFile(join(dir, 'CHANGELOG.md'), 'utf8');
  const extraFiles = await Promise.all(['datapackage.json', 'views.sql', 'CHANGELOG.md', 'rejects.csv'].map(async (path) => ({ path, rows: 0, bytes: (await stat(join(dir, path))).size })));
  await writeFile(join(dir, 'index.html'), buildReleasePage({ pkg, changelog, earlier: o.earlier, source: o.source, extraFiles }));
}
