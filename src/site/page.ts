// The release home (index.html): what the dataset is, what this release changed, plans, timeline, targets due, downloads
// and the dictionary, all readable with JavaScript off; over HTTP its script adds search, the documents browser and SQL.
import { changeContext } from '../core/redline.ts';
import { DOWNLOADS_DIR, downloadName } from '../core/layout.ts';
import { CHANGE_FEED, TABLES, type TableSpec } from '../core/tables.ts';
import type { DueTarget, HomePlan, PageRedline, ReleaseDocument, TimelineRow } from '../core/publication.ts';
import type { PageContext } from './document.ts';
import { docHref, docTitle, esc, head, redlineHtml } from './html.ts';

interface PackageFile {
  path: string;
  rows: number;
  bytes: number;
}

interface PackageResource {
  name: string;
  format: string;
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
  /** Earlier release ids, newest first; each is a sibling folder of this release. */
  earlier: string[];
  /** Where the posts come from, in words (the pipeline's source). */
  source: string;
  /** Other files of the release to offer, with their bytes (views.sql, datapackage.json). */
  extraFiles: PackageFile[];
  /** The documents this release added, changed and removed (as many as the page lists), and its counts. */
  changed: ReleaseDocument[];
  counts: { added: number; changed: number; removed: number };
  redlines: (PageRedline & { doc_id: string; title: string | null; source_id: string })[];
  plans: HomePlan[];
  timeline: TimelineRow[];
  due: { targets: DueTarget[]; total: number };
  /** The year targets are due against: the release's own year. */
  year: number;
  /** Tables whose whole-table XLSX exists beside the CSV in downloads/ (at most XLSX_MAX_ROWS rows). */
  xlsxTables: string[];
}

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

/** Plans on the timeline by name; the rest are one row. */
const TIMELINE_PLANS = 20;

/** A table's whole-table download, from a release's index.html. */
const downloadHref = (t: TableSpec, format: 'csv' | 'xlsx'): string => esc(`../../${DOWNLOADS_DIR}/${downloadName(t, format)}`);

function downloads(input: ReleasePageInput): string {
  const rowsOf = (table: string): number => {
    const own = input.pkg.resources.filter((r) => r.x_table === table);
    const csv = own.filter((r) => r.format === 'csv');
    return (csv.length ? csv : own.filter((r) => r.format !== 'csv').slice(0, 1)).reduce((n, r) => n + r.rows, 0);
  };
  const main = TABLES.filter((t) => input.pkg.resources.some((r) => r.x_table === t.name))
    .map((table) => {
      const t = esc(table.name);
      const xlsx = input.xlsxTables.includes(table.name) ? ` · <a href="${downloadHref(table, 'xlsx')}">XLSX</a>` : ' · <span class="muted">XLSX: 行数过多，请用 CSV too many rows: CSV only</span>';
      return `<tr><td><code>${t}</code></td><td>${esc(table.zh)}</td><td class="n">${rowsOf(table.name).toLocaleString('en')}</td><td><a href="${downloadHref(table, 'csv')}">CSV</a>${xlsx}</td></tr>`;
    })
    .join('\n');
  const parts = input.pkg.resources.reduce((n, r) => n + (r.x_files?.length ?? 1), 0);
  const extra = input.extraFiles.map((f) => `<tr><td><a href="${esc(f.path)}">${esc(f.path)}</a></td><td class="n">${humanBytes(f.bytes)}</td></tr>`).join('\n');
  return `<p>最新版本的完整表格：CSV 为带 BOM 的 UTF-8（Excel 可直接打开），XLSX 中编号、路径与发文字号均为文本。<span class="en">Whole tables of the latest release: CSV (UTF-8 with BOM) and XLSX (numbers, paths and 发文字号 kept as text).</span></p>
<table id="main-downloads"><thead><tr><th>表 table</th><th>内容</th><th>行数 rows</th><th>下载 download</th></tr></thead><tbody>
${main}
</tbody></table>
<p id="release-files">本版本的数据分片（${parts.toLocaleString('en')} 个文件，Parquet 与供程序读取的 CSV）列于 <a href="datapackage.json">datapackage.json</a>。<span class="en">This release's tables in parts (${parts.toLocaleString('en')} files: Parquet, and CSV for programs) are listed in datapackage.json.</span></p>
<table><thead><tr><th>文件 file</th><th>大小 size</th></tr></thead><tbody>
${extra}
</tbody></table>`;
}

function dictionary(): string {
  return TABLES.map(
    (t) => `<h3 id="dict-${t.name}"><code>${t.name}</code> ${esc(t.zh)} <span class="en">${esc(t.en)}</span></h3>
<table><thead><tr><th>列 column</th><th>类型 type</th><th>中文</th><th>English</th></tr></thead><tbody>
${t.columns.map((c) => `<tr><td><code>${c.name}</code>${t.key.includes(c.name) ? ' 🔑' : ''}</td><td>${c.type}</td><td>${esc(c.zh)}</td><td>${esc(c.en)}</td></tr>`).join('\n')}
</tbody></table>`,
  ).join('\n');
}

const KIND_WORDS: Record<string, string> = { added: '新增 added', changed: '变更 changed', removed: '删除 removed' };

function changes(input: ReleasePageInput): string {
  const { counts } = input;
  const items = input.changed
    .map((d) => {
      const name = esc(docTitle(d.title, d.source_id));
      const meta = [d.date, d.issuer, d.doc_type].filter(Boolean).map(esc).join(' · ');
      return `<li class="${d.kind}">${esc(KIND_WORDS[d.kind])}: ${d.kind === 'removed' ? name : `<a href="${docHref(d.doc_id, 'docs/')}">${name}</a>`}${meta ? ` <span class="muted">${meta}</span>` : ''}</li>`;
    })
    .join('\n');
  const listed = input.changed.length;
  const all = counts.added + counts.changed + counts.removed;
  const redlines = input.redlines
    .map(
      (r) =>
        `<div class="change ${esc(r.change_type)}"><p><a href="${docHref(r.doc_id, 'docs/')}">${esc(docTitle(r.title, r.source_id))}</a> · ${esc(r.label ?? r.path)} (${esc(r.change_type)})</p><p>${r.diff ? redlineHtml(changeContext(r.diff)) : r.change_type === 'removed' ? `<del>${esc(r.old_text ?? '')}</del>` : `<ins>${esc(r.new_text ?? '')}</ins>`}</p></div>`,
    )
    .join('\n');
  return `<table id="change-counts"><thead><tr><th>新增 added</th><th>变更 changed</th><th>删除 removed</th></tr></thead><tbody><tr><td class="n">${counts.added}</td><td class="n">${counts.changed}</td><td class="n">${counts.removed}</td></tr></tbody></table>
${listed ? `<ul id="changed-documents">${items}</ul>` : '<p class="muted">本版无文件变化 no document changed</p>'}
${listed < all ? `<p class="muted">另有 ${all - listed} 件见 <a href="${downloadHref(CHANGE_FEED, 'csv')}">${esc(downloadName(CHANGE_FEED, 'csv'))}</a> · ${all - listed} more in ${esc(downloadName(CHANGE_FEED, 'csv'))}</p>` : ''}
${redlines ? `<h3>条目修订 <span class="en">Provisions revised (the sentences that changed)</span></h3><div id="release-redlines">${redlines}</div>` : ''}
<p><a href="CHANGELOG.md">CHANGELOG.md</a></p>`;
}

function timeline(rows: TimelineRow[], year: number): string {
  if (rows.length === 0) return '<p class="muted">无时间节点 no dated targets</p>';
  const plans = new Map<string, { plan: string; doc_id: string; years: Map<number, number>; total: number }>();
  for (const r of rows) {
    const key = `${r.plan}\u0000${r.doc_id}`;
    const p = plans.get(key) ?? { plan: r.plan, doc_id: r.doc_id, years: new Map(), total: 0 };
    p.years.set(r.year, r.n);
    p.total += r.n;
    plans.set(key, p);
  }
  const all = [...plans.values()].sort((a, b) => b.total - a.total || a.plan.localeCompare(b.plan));
  const shown = all.slice(0, TIMELINE_PLANS).sort((a, b) => Math.min(...a.years.keys()) - Math.min(...b.years.keys()) || a.plan.localeCompare(b.plan));
  const rest = all.slice(TIMELINE_PLANS);
  const years = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b);
  const span = Array.from({ length: Math.min(40, years.at(-1)! - years[0] + 1) }, (_, i) => years[0] + i);
  const cells = (byYear: Map<number, number>) =>
    span.map((y) => (byYear.get(y) ? `<td class="on${y === year ? ' now' : ''}" title="${y}: ${byYear.get(y)}">${byYear.get(y)}</td>` : `<td${y === year ? ' class="now"' : ''}></td>`)).join('');
  const body = shown.map((p) => `<tr><th class="plan"><a href="${docHref(p.doc_id, 'docs/')}">${esc(p.plan)}</a></th>${cells(p.years)}</tr>`);
  if (rest.length) {
    const merged = new Map<number, number>();
    for (const p of rest) for (const [y, n] of p.years) merged.set(y, (merged.get(y) ?? 0) + n);
    body.push(`<tr class="rest"><th class="plan">其他 ${rest.length} 项 <span class="en">${rest.length} other plans</span></th>${cells(merged)}</tr>`);
  }
  return `<p>每行一项规划，格中数字为当年到期的目标数；红框为本年。<span class="en">One row per plan; a cell counts its targets due that year (outlined: ${year}).</span></p>
<div style="overflow-x:auto"><table class="tl" id="timeline-table"><thead><tr><th>规划 plan</th>${span.map((y) => `<th>${y}</th>`).join('')}</tr></thead><tbody>
${body.join('\n')}
</tbody></table></div>`;
}

function due(input: ReleasePageInput): string {
  const row = (t: DueTarget) =>
    `<li><strong>${esc(t.year)}${t.period ? ` ${esc(t.period)}` : ''}</strong> <a href="${docHref(t.doc_id, 'docs/')}#m-${esc(t.milestone_no)}">${esc(t.plan)}</a>：${esc(t.text ?? '')}</li>`;
  const now = input.due.targets.filter((t) => t.year === input.year);
  const past = input.due.targets.filter((t) => t.year < input.year);
  const more = input.due.total - input.due.targets.length;
  return `<h3 id="due-this-year">${input.year} 年到期 <span class="en">Due this year (${now.length})</span></h3>${now.length ? `<ul>${now.map(row).join('')}</ul>` : '<p class="muted">无 none</p>'}
<h3 id="past-due">已过期 <span class="en">Past due</span></h3>${past.length ? `<ul>${past.map(row).join('')}</ul>` : '<p class="muted">无 none</p>'}
${more > 0 ? `<p class="muted">另有 ${more} 项较早的目标 ${more} earlier targets: <a href="?sql=${encodeURIComponent(`SELECT * FROM timeline WHERE year <= ${input.year} ORDER BY year DESC`)}#sql">SQL</a></p>` : ''}`;
}

/** The release's index.html: readable from file:// with JavaScript off; over HTTP its script loads the site's shared assets. */
export function buildReleasePage(input: ReleasePageInput): string {
  const { pkg } = input;
  const ctx: PageContext = { name: pkg.name, title: pkg.title };
  // A table's rows over its CSV parts (one resource each).
  const counts = new Map<string, number>();
  for (const r of pkg.resources) if (r.format === 'csv') counts.set(r.x_table, (counts.get(r.x_table) ?? 0) + r.rows);
  const docs = counts.get('documents') ?? 0;
  const earlier = input.earlier.length
    ? `<ul>${input.earlier.map((id) => `<li><a href="../${esc(id)}/index.html">${esc(id)}</a></li>`).join('')}</ul>`
    : '<p>这是第一个版本。<span class="en">This is the first release.</span></p>';
  const license = pkg.licenses.map((l) => `${esc(l.title)} (${esc(l.name)})`).join('; ');
  const plans = input.plans.length
    ? `<table><thead><tr><th>日期 date</th><th>名称 plan</th><th>发文字号 number</th><th>发文机关 issuer</th></tr></thead><tbody>${input.plans
        .map(
          (p) =>
            `<tr><td class="date">${esc(p.date ?? '')}</td><td><a href="${docHref(p.target_doc_id, 'docs/')}">${esc(p.plan_name)}</a>${p.plan_type ? ` <span class="muted">${esc(p.plan_type)}</span>` : ''}</td><td>${esc(p.doc_number ?? '')}</td><td>${esc(p.issuer ?? '')}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="muted">无 none</p>';
  return `<!doctype html>
<html lang="zh-Hans">
<head>
${head(`${pkg.title} — ${pkg.version}`, '../../feed.xml', `${pkg.title}: releases 数据更新`)}
</head>
<body>
<header>
<h1>${esc(ctx.title)}</h1>
<p id="about">本数据集把政府网站发布的文章整理为结构化、可追溯版本的数据：识别其中的政策文件，提取大纲、基本原则、时间节点、政策措施及所提及的机构与文件，每次更新发布一个新版本并记录逐条变化。来源：${esc(input.source)}。
<span class="en">Chinese government posts turned into versioned data: the policy documents among them, their outline, principles, dated targets, measures and mentions; each update is a release with a record of what changed. Source: ${esc(input.source)}.</span></p>
<p>版本 <span class="en">Release</span> <strong id="release-id">${esc(pkg.version)}</strong> · 发布于 <span class="en">published</span> <time datetime="${esc(pkg.created)}">${esc(pkg.created)}</time> · 数据集 <code>${esc(pkg.name)}</code> · <a href="../../feed.xml">订阅更新 Atom feed</a></p>
<p id="counts"><strong id="document-count">${docs.toLocaleString('en')}</strong> 件文件 documents · ${[...counts]
    .filter(([t]) => t !== 'documents')
    .map(([t, n]) => `${n.toLocaleString('en')} ${esc(t)}`)
    .join(' · ')}</p>
<nav><a href="#search">检索 Search</a><a href="#plans">最新规划 Plans</a><a href="#changes">本版更新 Changes</a><a href="#timeline">时间表 Timeline</a><a href="#due">到期目标 Due</a><a href="#browse">文件浏览 Documents</a><a href="#sql">SQL</a><a href="#downloads">下载 Downloads</a><a href="#dictionary">数据字典 Dictionary</a></nav>
<p id="host-notice" class="notice" hidden></p>
<noscript><p class="notice">全文检索、文件浏览与 SQL 查询需要 JavaScript，并需通过网页服务器打开（<code>zhengce serve</code>）；本页其余内容及各文件页面无需它们。<span class="en">Search, the documents browser and the SQL console need JavaScript and the release served over HTTP (<code>zhengce serve</code>); everything else here and every document page works without them.</span></p></noscript>
</header>
<main>
<section id="search"><h2>全文检索 <span class="en">Full-text search</span></h2>
<form id="search-form" method="get" action="index.html#search"><input id="q" name="q" type="search" size="40" placeholder="标题、发文字号、发文机关或正文 title, number, issuer or text"> <button type="submit">检索 Search</button></form>
<div id="search-results"></div></section>
<section id="plans"><h2>最新规划 <span class="en">Newest plans</span></h2>${plans}</section>
<section id="changes"><h2>本版更新 <span class="en">What this release changed</span></h2>
${changes(input)}</section>
<section id="timeline"><h2>时间表 <span class="en">Timeline of dated targets</span></h2>${timeline(input.timeline, input.year)}</section>
<section id="due"><h2>到期目标 <span class="en">Targets due</span></h2>${due(input)}</section>
<div id="app" hidden></div>
<section id="downloads"><h2>下载 <span class="en">Downloads</span></h2>
${downloads(input)}
</section>
<section id="dictionary"><h2>数据字典 <span class="en">Data dictionary</span></h2>
${dictionary()}
</section>
<section id="earlier"><h2>历史版本 <span class="en">Earlier releases</span></h2>
${earlier}
</section>
<section id="license"><h2>许可与引用 <span class="en">License and citation</span></h2>
<p>${license}</p>
<p>引用 <span class="en">Cite as</span>: ${esc(ctx.title)} (${esc(ctx.name)}), release ${esc(pkg.version)}, ${esc(pkg.created.slice(0, 4))}. Built with zhengce.</p>
</section>
</main>
<script type="module">
const notice = document.getElementById('host-notice');
if (location.protocol === 'file:') {
  notice.textContent = '本页是从本地文件打开的：全文检索、文件浏览与 SQL 查询需要通过网页服务器打开，请在数据目录运行 zhengce serve，再打开它给出的地址。文件页面、时间表与下载链接在本地也可用。 Opened from a file: search, the documents browser and the SQL console need the release served over HTTP — run zhengce serve and open the address it prints. Document pages, the timeline and the downloads work from here.';
  notice.hidden = false;
} else {
  // Seen through latest/ (one level up from releases/<id>/), links to the output folder and to sibling releases are one level shorter.
  const inReleases = location.pathname.includes('/releases/');
  if (!inReleases) {
    for (const a of document.querySelectorAll('a[href^="../../"]')) a.setAttribute('href', '../' + a.getAttribute('href').slice(6));
    for (const a of document.querySelectorAll('#earlier a')) a.setAttribute('href', '../releases/' + a.getAttribute('href').slice(3));
  }
  const base = new URL(inReleases ? '../../site/' : '../site/', location.href);
  import(new URL('app.js', base).href).then((m) => m.start({ base: base.href, release: new URL('./', location.href).href }), (err) => {
    notice.textContent = '交互功能未能加载 The interactive parts could not load: ' + err.message;
    notice.hidden = false;
  });
}
</script>
</body>
</html>
`;
}
