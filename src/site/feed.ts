// feed.xml: an Atom feed of the releases, newest first, each naming the documents it added and changed with links to their pages.
import { createHash } from 'node:crypto';
import type { FeedRelease, ReleaseDocument } from '../core/publication.ts';
import { docTitle } from './html.ts';

/** Releases the feed keeps. */
export const FEED_ENTRIES = 50;
/** Documents named per entry; the rest are counted. */
export const FEED_DOCUMENTS = 50;

/** Text as XML (element content or a quoted attribute): & < > " ' as entities, and characters XML 1.0 forbids dropped. */
const xml = (value: unknown): string =>
  String(value ?? '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A stable id for a name: a urn:uuid (RFC 4122 version 5 layout) from its SHA-256, the same for the same name forever. */
function stableId(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const KIND_WORDS: Record<string, string> = { added: '新增 added', changed: '变更 changed', removed: '删除 removed' };

/**
 * The Atom feed as served from output/<id>/feed.xml: its links are relative to that folder (releases/<id>/…).
 * `releases` newest first, at most FEED_ENTRIES; `documents` per release id.
 */
export function buildFeed(o: { name: string; title: string; releases: FeedRelease[]; documents: Map<string, ReleaseDocument[]> }): string {
  const newest = o.releases[0];
  const entries = o.releases.map((r) => {
    const base = `releases/${encodeURIComponent(r.release_id)}/`;
    const docs = o.documents.get(r.release_id) ?? [];
    const total = r.documents_added + r.documents_changed + r.documents_removed;
    const items = docs
      .map(
        (d) =>
          `<li>${xml(KIND_WORDS[d.kind])}: ${d.kind === 'removed' ? xml(docTitle(d.title, d.source_id)) : `<a href="${xml(`${base}docs/${encodeURIComponent(d.doc_id)}.html`)}">${xml(docTitle(d.title, d.source_id))}</a>`}</li>`,
      )
      .join('');
    const more = total > docs.length ? `<p>另有 ${total - docs.length} 件 ${total - docs.length} more: <a href="${xml(`${base}index.html#changes`)}">${xml(r.release_id)}</a></p>` : '';
    const html = `<p>新增 ${r.documents_added} · 变更 ${r.documents_changed} · 删除 ${r.documents_removed} (added · changed · removed)</p><ul>${items}</ul>${more}`;
    return `<entry>
<id>${stableId(`zhengce:${o.name}:release:${r.release_id}`)}</id>
<title>${xml(`数据更新 Release ${r.release_id}: 新增 ${r.documents_added}, 变更 ${r.documents_changed}, 删除 ${r.documents_removed}`)}</title>
<updated>${xml(r.created_at)}</updated>
<link rel="alternate" type="text/html" href="${xml(`${base}index.html`)}"/>
<content type="html">${xml(html)}</content>
</entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${stableId(`zhengce:${o.name}:feed`)}</id>
<title>${xml(`${o.title}: 数据更新 releases`)}</title>
<updated>${xml(newest?.created_at ?? '1970-01-01T00:00:00Z')}</updated>
<author><name>zhengce</name></author>
<link rel="self" type="application/atom+xml" href="feed.xml"/>
<link rel="alternate" type="text/html" href="latest/index.html"/>
<generator>zhengce</generator>
${entries.join('\n')}
</feed>
`;
}
