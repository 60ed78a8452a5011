// One document's page, docs/<doc_id>.html: everything it holds, readable with JavaScript off, citable and printable.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { changeContext, redlinePieces } from '../core/redline.ts';
import type { DocumentPageData, PageProvision, PageRedline } from '../core/publication.ts';
import { docHref, docTitle, esc, head, isWebAddress, redlineHtml } from './html.ts';

/** What every page of a release shares: the dataset's names. */
export interface PageContext {
  /** The pipeline id (datapackage name). */
  name: string;
  title: string;
}

const KIND_WORDS: Record<string, string> = { agency: '机构 Agencies', document: '引用文件 Cited documents', term: '术语 Terms', region: '地区 Regions' };
const CHANGE_WORDS: Record<string, string> = { added: '新增 added', removed: '删除 removed', modified: '修改 modified', moved: '移动 moved' };
const MILESTONE_WORDS: Record<string, string> = { start: '起始 start', target: '目标 target', deadline: '期限 deadline', period: '时段 period' };

/** What a page's bytes depend on besides its data: this module, the HTML helpers, the diff reader and the dataset's names. */
export async function documentPagesStamp(ctx: PageContext): Promise<string> {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const hash = createHash('sha256').update(JSON.stringify(ctx));
  for (const f of ['./document', './html', '../core/redline']) hash.update(await readFile(new URL(`${f}.${ext}`, import.meta.url)));
  return hash.digest('hex');
}

/** The provision's anchor on its document's page. */
const provisionAnchor = (part: number, path: string): string => `p-${part}-${path}`;

function metadataRows(d: DocumentPageData['doc']): [string, string][] {
  const source = isWebAddress(d.url)
    ? `<a href="${esc(d.url)}" rel="noopener noreferrer">${esc(d.url)}</a>`
    : `<span class="muted">本地文件，无公开地址 a local file, no public address</span> (<code>${esc(d.source_id)}</code>)`;
  const period = d.period_start !== null || d.period_end !== null ? `${d.period_start ?? '?'}—${d.period_end ?? '?'}年` : '';
  const rows: [string, string, string | null][] = [
    ['发文字号', 'Document number', d.doc_number ? esc(d.doc_number) : null],
    ['发文机关', 'Issuer', d.issuer ? esc(d.issuer) : null],
    ['成文日期', 'Date signed', d.issued_date ? esc(d.issued_date) : null],
    ['发布日期', 'Published', d.published_at ? esc(d.published_at) : null],
    ['文种', 'Document type', esc(d.doc_type)],
    ['所印发文件', 'Enclosed plan', d.plan_name ? `${esc(d.plan_name)}${d.plan_type ? ` (${esc(d.plan_type)})` : ''}` : null],
    ['规划期', 'Period', period ? esc(period) : null],
    ['栏目', 'Category', d.category ? esc(d.category) : null],
    ['标签', 'Tags', d.tags?.length ? esc(d.tags.join('、')) : null],
    ['来源', 'Source post', source],
    ['正文版本', 'Content version', esc(d.version)],
    ['文档标识', 'Document id', `<code>${esc(d.doc_id)}</code>`],
  ];
  return rows.filter((r): r is [string, string, string] => r[2] !== null).map(([zh, en, v]) => [`${zh} <span class="en">${en}</span>`, v]);
}

/** The outline as nested sections, each headed by its label and heading (h3 for level 1 … h6), its text below. */
function outline(provisions: PageProvision[]): string {
  const out: string[] = [];
  const open: number[] = [];
  let part = provisions[0]?.part;
  // Closes the open sections at `level` or deeper.
  const closeTo = (level: number) => {
    while (open.length && open.at(-1)! >= level) {
      open.pop();
      out.push('</section>');
    }
  };
  for (const p of provisions) {
    if (p.part !== part) {
      closeTo(1);
      part = p.part;
      out.push(`<p class="muted">附件 ${esc(p.part)} enclosed document ${esc(p.part)}</p>`);
    }
    closeTo(p.level);
    const h = `h${Math.min(6, p.level + 2)}`;
    out.push(
      `<section class="provision level-${esc(p.level)}" id="${esc(provisionAnchor(p.part, p.path))}"><${h}>${esc(p.label)} ${esc(p.heading ?? '')}</${h}>${p.text ? `<p>${esc(p.text)}</p>` : ''}`,
    );
    open.push(p.level);
  }
  closeTo(1);
  return out.join('\n');
}

function redlineBody(r: PageRedline): string {
  if (r.diff) return `<p class="context">${redlineHtml(changeContext(r.diff))}</p><details><summary>全文对照 whole provision</summary><p>${redlineHtml(redlinePieces(r.diff))}</p></details>`;
  if (r.change_type === 'removed') return `<p><del>${esc(r.old_text ?? '')}</del></p>`;
  if (r.change_type === 'added') return `<p><ins>${esc(r.new_text ?? '')}</ins></p>`;
  return `<p>${esc(r.new_text ?? '')}</p>`;
}

/** A document's page; `ctx` and the data alone decide its bytes, so an unchanged document keeps its page. */
export function buildDocumentPage(data: DocumentPageData, ctx: PageContext): string {
  const { doc } = data;
  const title = docTitle(doc.title, doc.source_id);
  const ownAnchor = (path: string | null, part = 1) => (path && data.provisions.some((p) => p.part === part && p.path === path) ? `#${esc(provisionAnchor(part, path))}` : null);
  const link = (href: string | null, text: string) => (href ? `<a href="${href}">${text}</a>` : text);
  const principles = data.principles.length ? `<ol>${data.principles.map((p) => `<li><strong>${esc(p.title)}</strong> ${esc(p.text ?? '')}</li>`).join('')}</ol>` : '<p class="muted">无 none</p>';
  const milestones = data.milestones.length
    ? `<table><thead><tr><th>年份 year</th><th>时段 period</th><th>类型 kind</th><th>内容 text</th><th>条目 provision</th></tr></thead><tbody>${data.milestones
        .map(
          (m) =>
            `<tr id="m-${esc(m.milestone_no)}"><td>${esc(m.year)}</td><td>${esc(m.period ?? '')}</td><td>${esc(MILESTONE_WORDS[m.kind] ?? m.kind)}</td><td>${esc(m.text ?? '')}</td><td>${link(ownAnchor(m.path), esc(m.path ?? ''))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="muted">无 none</p>';
  const measures = data.measures.length
    ? `<ol id="measure-list">${data.measures
        .map(
          (m) =>
            `<li data-path="${esc(m.path)}">${link(ownAnchor(m.path, m.part), esc(m.label ?? (m.path === '0' ? '导语' : m.path)))} ${esc(m.text)} <span class="muted">[${esc(m.verb)}${m.instrument ? ` · ${esc(m.instrument)}` : ''}${m.agencies?.length ? ` · ${esc(m.agencies.join('、'))}` : ''}]</span></li>`,
        )
        .join('')}</ol>`
    : '<p class="muted">无 none</p>';
  const kinds = [...new Set(data.mentions.map((m) => m.kind))];
  const mentions = kinds.length
    ? kinds
        .map((k) => {
          const seen = new Map<string, { count: number; target: string | null; number: string | null }>();
          for (const m of data.mentions.filter((x) => x.kind === k)) {
            const s = seen.get(m.value) ?? { count: 0, target: m.target_doc_id, number: m.doc_number };
            s.count += m.count;
            seen.set(m.value, s);
          }
          const items = [...seen].map(([value, s]) => {
            const text = `${k === 'document' ? `《${esc(value)}》` : esc(value)}${s.number ? ` (${esc(s.number)})` : ''} ×${s.count}`;
            return `<li>${s.target && s.target !== doc.doc_id ? `<a href="${docHref(s.target, '')}">${text}</a>` : text}</li>`;
          });
          return `<h3>${esc(KIND_WORDS[k] ?? k)}</h3><ul class="mentions-${esc(k)}">${items.join('')}</ul>`;
        })
        .join('\n')
    : '<p class="muted">无 none</p>';
  const plan =
    data.plan && data.plan.posts.length > 1
      ? `<section id="plan"><h2>同一政策的文章 <span class="en">Posts of this plan</span></h2><p>${esc(data.plan.plan_name)}</p><ul>${data.plan.posts.map((p) => `<li>${p.doc_id === doc.doc_id ? `${esc(docTitle(p.title, p.source_id))} (本页 this page)` : `<a href="${docHref(p.doc_id, '')}">${esc(docTitle(p.title, p.source_id))}</a>`}</li>`).join('')}</ul>${data.plan.more ? `<p class="muted">列出最早的 ${data.plan.posts.length} 篇，其余见文件浏览 <span class="en">the first ${data.plan.posts.length} listed; the others are in the documents browser</span></p>` : ''}</section>`
      : '';
  // Through the output folder, so the link works from releases/<id>/docs/ and (served at the root) from latest/docs/.
  const versions = `<table><thead><tr><th>版本 version</th><th>首次发布 first published in release</th><th>状态 status</th><th>抓取时间 fetched</th></tr></thead><tbody>${data.versions
    .map(
      (v) =>
        `<tr><td>${esc(v.version)}</td><td><a href="../../../releases/${esc(encodeURIComponent(v.release_id))}/index.html">${esc(v.release_id)}</a></td><td>${esc(v.status)}</td><td>${esc(v.fetched_at ?? '')}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const redlines = data.redlines.length
    ? data.redlines
        .map(
          (r) =>
            `<div class="change ${esc(r.change_type)}"><h3>${esc(r.label ?? r.path)} · ${esc(CHANGE_WORDS[r.change_type] ?? r.change_type)} <span class="muted">v${esc(r.from_version)}→v${esc(r.to_version)}</span></h3>${redlineBody(r)}</div>`,
        )
        .join('\n')
    : '<p class="muted">无修订 no revisions</p>';
  const firstRelease = data.versions.find((v) => v.version === doc.version)?.release_id ?? '';
  const cite = `${doc.issuer ? `${esc(doc.issuer)}：` : ''}《${esc(title)}》${doc.doc_number ? `（${esc(doc.doc_number)}）` : ''}${doc.issued_date ? `，${esc(doc.issued_date)}` : ''}。载于 ${esc(ctx.title)}（<code>${esc(ctx.name)}</code>），文档 <code>${esc(doc.doc_id)}</code> 第 ${esc(doc.version)} 版${firstRelease ? `，首次发布于版本 ${esc(firstRelease)}` : ''}。`;
  return `<!doctype html>
<html lang="zh-Hans">
<head>
${head(`${title} — ${ctx.title}`, '../../../feed.xml', `${ctx.title}: releases 数据更新`)}
</head>
<body>
<nav><a href="../index.html">← 本版首页 release home</a><a href="../index.html#search">检索 search</a></nav>
<main id="document" data-doc-id="${esc(doc.doc_id)}">
<h1 id="title">${esc(title)}</h1>
<table id="metadata"><tbody>
${metadataRows(doc)
  .map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`)
  .join('\n')}
</tbody></table>
<section id="outline"><h2>正文大纲 <span class="en">Outline (${data.provisions.length})</span></h2>
${data.provisions.length ? outline(data.provisions) : '<p class="muted">无编号结构 no numbered outline</p>'}
</section>
<section id="principles"><h2>基本原则 <span class="en">Principles (${data.principles.length})</span></h2>${principles}</section>
<section id="targets"><h2>时间节点 <span class="en">Dated targets (${data.milestones.length})</span></h2>${milestones}</section>
<section id="measures"><h2>政策措施 <span class="en">Measures in document order (${data.measures.length})</span></h2>${measures}</section>
<section id="mentions"><h2>提及 <span class="en">Mentions</span></h2>${mentions}</section>
${plan}
<section id="versions"><h2>版本与修订 <span class="en">Versions and redlines</span></h2>${versions}<div id="redlines">${redlines}</div></section>
<section id="cite"><h2>引用 <span class="en">How to cite</span></h2><p>${cite}</p>
<p class="en">${doc.issuer ? `${esc(doc.issuer)}, ` : ''}“${esc(title)}”${doc.doc_number ? ` (${esc(doc.doc_number)})` : ''}${doc.issued_date ? `, ${esc(doc.issued_date)}` : ''}. In ${esc(ctx.title)} (${esc(ctx.name)}), document ${esc(doc.doc_id)}, version ${esc(doc.version)}${firstRelease ? `, first published in release ${esc(firstRelease)}` : ''}.</p></section>
</main>
</body>
</html>
`;
}
