import { sha256 } from '../core/hash.ts';
import { foldText } from '../core/text.ts';
import type { DocumentRows, StagedRows } from '../core/tables.ts';
import type { ParsedPost, PolicyDocument, Provision, TextPlace } from '../core/types.ts';
import { AGENCY_NAMES } from '../extract/dictionaries/agencies.ts';
import { INSTRUMENT_KEYWORDS } from '../extract/dictionaries/instruments.ts';
import { REGIONS } from '../extract/dictionaries/regions.ts';
import { POLICY_VERBS } from '../extract/dictionaries/verbs.ts';

/**
 * Hash of what the body says, not how it is laid out: a template-only re-scrape, re-wrapped lines or
 * full-width punctuation keep it. The title is a column of its own, so a new title is a metadata update.
 */
function contentSha256(post: ParsedPost): string {
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

/** The rows one post contributes to each versioned table: every table and column, or it does not compile. */
export function rowsOf(id: string, post: ParsedPost, doc: PolicyDocument, url: string, sourcePath: string | null): DocumentRows {
  const f = doc.fields;
  const parts = withParts(doc.provisions);
  const partOfOrd = new Map(parts.map(({ provision, part }) => [provision.ord, part]));
  // The preamble (ord 0) comes before any enclosed document's numbering restarts.
  const place = <T extends TextPlace>({ provision_ord, ...row }: T) => ({ doc_id: id, part: partOfOrd.get(provision_ord) ?? 1, ...row });
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
        source_path: sourcePath,
      },
    ],
    provisions: parts.map(({ provision, part }) => ({ doc_id: id, part, ...provision })),
    principles: doc.principles.map((p) => ({ doc_id: id, ...p })),
    milestones: doc.milestones.map((m) => ({ doc_id: id, ...m })),
    measures: doc.measures.map(place),
    // plan_key is resolved across documents by the store (plans.ts).
    mentions: doc.mentions.map((m) => ({ ...place(m), plan_key: null })),
  };
}

/** The data dictionary tables: the code's own lists, so a reader sees why a row was classified as it was. */
export function dictionaryRows(): StagedRows {
  return {
    dict_verbs: POLICY_VERBS.map((v) => ({ verb: v.verb, kind: v.kind })),
    dict_instruments: INSTRUMENT_KEYWORDS.map((k) => ({ keyword: k.keyword, instrument: k.instrument, tool: k.tool })),
    dict_agencies: [...AGENCY_NAMES].map(([name, full_name]) => ({ name, full_name })),
    dict_regions: REGIONS.flatMap((r) => [r.full, ...r.short].map((name) => ({ name, full_name: r.full, level: r.level }))),
  };
}
