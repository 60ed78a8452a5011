// Mentions: the agencies, cited documents, quoted terms and regions each provision names, counted.
import type { Mention, MentionKind } from '../core/types.ts';
import type { ScannedParagraph } from './lexicon.ts';
import type { PlacedParagraph } from './outline.ts';
import { stripSpaces } from './text.ts';

/** 《X》, with the 发文字号 that may follow it in brackets: 《X》（国办发〔2021〕51号）. */
const CITED = /《([^《》]+)》(?:[（(]([^（）()]{1,20}?[〔［[]\d{4}[〕］\]]\s*\d+\s*号)[）)])?/g;
/** A quoted term: short enough to be a name (“标准地”), not a quoted passage. */
const QUOTED = /“([^“”]{1,24})”/g;

/** Counts of one provision, in the order first seen. */
class ProvisionCounts {
  readonly byKey = new Map<string, Mention>();
  constructor(readonly place: PlacedParagraph) {}

  add(kind: MentionKind, value: string, docNumber: string | null = null): void {
    const key = `${kind}\u0000${value}`;
    const seen = this.byKey.get(key);
    if (seen) {
      seen.count++;
      seen.doc_number ??= docNumber;
    } else {
      this.byKey.set(key, { provision_ord: this.place.provision_ord, path: this.place.path, kind, value, count: 1, doc_number: docNumber });
    }
  }
}

/** Every mention of the document, one row per (provision, kind, value) with its count. */
export function extractMentions(scanned: ScannedParagraph[]): Mention[] {
  const mentions: Mention[] = [];
  let counts: ProvisionCounts | null = null;
  for (const p of scanned) {
    if (counts === null || counts.place.provision_ord !== p.provision_ord) {
      if (counts) mentions.push(...counts.byKey.values());
      counts = new ProvisionCounts(p);
    }
    if (p.text.includes('《')) {
      for (const m of p.text.matchAll(CITED)) counts.add('document', stripSpaces(m[1]), m[2] ? stripSpaces(m[2]) : null);
    }
    // Quotes, agencies and regions inside a cited title belong to that document: read the blanked text.
    if (p.own.includes('“')) for (const m of p.own.matchAll(QUOTED)) counts.add('term', m[1]);
    for (const { value } of p.hits) if (value.kind === 'agency' || value.kind === 'region') counts.add(value.kind, value.name);
  }
  if (counts) mentions.push(...counts.byKey.values());
  return mentions;
}
