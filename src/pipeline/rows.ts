import { docId, sha256 } from '../core/hash.ts';
import { foldText } from '../core/text.ts';
import type { ParsedPost, PolicyDocument, Provision } from '../core/types.ts';
import type { Row } from '../store/store.ts';

/**
 * Hash of what the body says, not how it is laid out: a template-only re-scrape, re-wrapped lines or
 * full-width punctuation keep it. The title is a column of its own, so a new title is a metadata update.
 */
export function contentSha256(post: ParsedPost): string {
  return sha256(foldText(post.paragraphs.join('\n')));
}

/** Numbers the enclosed documents: a path seen before means the numbering restarted in the next one. */
function withParts(provisions: Provision[]): { provision: Provision; part: number }[] {
  let part = 1;
  let seen = new Set<string>();
  return provisions.map((provision) => {
    if (seen.has(provision.path)) {
      part++;
      seen = new Set();
    }
    seen.add(provision.path);
    return { provision, part };
  });
}

/** The rows one post contributes to each versioned table. */
export function rowsOf(post: ParsedPost, doc: PolicyDocument, url: string): Record<string, Row[]> {
  const id = docId(post.source, post.sourceId);
  const f = doc.fields;
  const category = post.categories.length ? post.categories.join(', ') : (post.meta['主题分类'] ?? null);
  return {
    documents: [
      {
        doc_id: id,
        source: post.source,
        source_id: post.sourceId,
        url,
        title: f.title,
        published_at: f.published_at,
        issued_date: f.issued_date,
        category,
        tags: post.tags,
        is_policy: f.is_policy,
        doc_type: f.doc_type,
        plan_type: f.plan_type,
        plan_name: f.plan_name,
        issuer: f.issuer,
        doc_number: f.doc_number,
        period_start: f.period_start,
        period_end: f.period_end,
        content_sha256: contentSha256(post),
        version: null,
      },
    ],
    provisions: withParts(doc.provisions).map(({ provision, part }) => ({ doc_id: id, part, ...provision })),
    principles: doc.principles.map((p) => ({ doc_id: id, ...p })),
    milestones: doc.milestones.map((m) => ({ doc_id: id, ...m })),
  };
}
