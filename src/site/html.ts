// HTML text for the release's pages: every value from a post is escaped here, links only to http(s) or to our own files.
import type { RedlinePiece } from '../core/redline.ts';

/** Text as HTML (content or a quoted attribute value): & < > " ' as character references. */
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A post's own address as a link only when it is http(s); anything else (a file path, javascript:) is shown as text. */
export const isWebAddress = (url: string | null | undefined): url is string => typeof url === 'string' && /^https?:\/\/[^\s]+$/i.test(url);

/** How an untitled post is named: （无标题） and its source id. */
export const docTitle = (title: string | null | undefined, sourceId: string): string => (title && title.trim() ? title : `（无标题） ${sourceId}`);

/** A document's page, from a page in the same release folder (`prefix` '' from docs/, 'docs/' from the release home). */
export const docHref = (docId: string, prefix: string): string => `${prefix}${encodeURIComponent(docId)}.html`;

/** Pieces of a diff as <del>/<ins>, each piece escaped. */
export const redlineHtml = (pieces: RedlinePiece[]): string =>
  pieces.map((p) => (p.kind === 'del' ? `<del>${esc(p.text)}</del>` : p.kind === 'ins' ? `<ins>${esc(p.text)}</ins>` : esc(p.text))).join('');

const STYLE = `body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:72rem;margin:0 auto;padding:1rem;line-height:1.6;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;font-weight:600}td.date{white-space:nowrap}td.n{text-align:right}nav a{margin-right:1rem}.muted,.en{color:#666}.en{font-size:.9em}section{margin-top:2rem}
ins{background:#d4f8d4;text-decoration:none}del{background:#fbd3d3}#app[hidden]{display:none}.notice{background:#fff6d6;border:1px solid #e6c65c;padding:.5rem 1rem}
.pager button,.filters *{margin-right:.5rem}textarea{width:100%;font-family:monospace}details{margin:.3rem 0}
.provision{margin-left:1rem}.provision>h3,.provision>h4,.provision>h5,.provision>h6{margin:.8rem 0 .2rem}.provision>p{margin:.2rem 0}
.tl td{padding:0;min-width:2.4rem;text-align:center;vertical-align:middle;font-size:.8em}.tl thead th{font-size:.75em;text-align:center}.tl td.on{background:#3b73b9;color:#fff}.tl th.plan{max-width:28rem;font-weight:normal}
.tl td.now{outline:2px solid #d33}mark{background:#ffe066}.result{margin:.8rem 0}.result p{margin:.2rem 0}`;

/** The <head> every page shares: charset, viewport, title, the feed and the style. */
export function head(title: string, feedHref: string, feedTitle: string): string {
  return `<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<link rel="alternate" type="application/atom+xml" title="${esc(feedTitle)}" href="${esc(feedHref)}">
<style>${STYLE}</style>`;
}
