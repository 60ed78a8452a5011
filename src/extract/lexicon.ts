// One dictionary scan per paragraph: agencies, regions and instrument keywords found together, cited titles blanked.
import { AGENCY_NAMES } from './dictionaries/agencies.ts';
import { INSTRUMENT_KEYWORDS, NOT_EVIDENCE, type InstrumentKeyword } from './dictionaries/instruments.ts';
import { REGION_NAMES } from './dictionaries/regions.ts';
import type { PlacedParagraph } from './outline.ts';
import { PhraseMatcher, type PhraseMatch } from './phrases.ts';
import { BOOK_TITLE } from './text.ts';

export type LexiconEntry =
  | { kind: 'agency' | 'region'; name: string }
  | { kind: 'keyword'; keyword: InstrumentKeyword }
  /** A word that holds a keyword but names no means (宅基地): matched so the keyword inside it is not. */
  | { kind: 'word' };

/**
 * One trie for the three dictionaries, so the longest name wins across them: 国家发展改革委 is an agency,
 * not the keywords 发展 and 改革; 市场监管总局 is not 市场. Agencies win a printed form shared with another list.
 */
const LEXICON = new PhraseMatcher<LexiconEntry>([
  ...NOT_EVIDENCE.map((word) => [word, { kind: 'word' }] as const),
  ...INSTRUMENT_KEYWORDS.map((keyword) => [keyword.keyword, { kind: 'keyword', keyword }] as const),
  ...[...REGION_NAMES].map(([printed, name]) => [printed, { kind: 'region', name }] as const),
  ...[...AGENCY_NAMES].map(([printed, name]) => [printed, { kind: 'agency', name }] as const),
]);

export interface ScannedParagraph extends PlacedParagraph {
  /** The text with every cited title 《…》 blanked to spaces of its length: its names belong to another document. */
  own: string;
  hits: PhraseMatch<LexiconEntry>[];
}

const blank = (title: string): string => '　'.repeat(title.length);

export function scanParagraphs(placed: PlacedParagraph[]): ScannedParagraph[] {
  const scanned: ScannedParagraph[] = [];
  for (const { provision_ord, path, text } of placed) {
    const own = text.includes('《') ? text.replace(BOOK_TITLE, blank) : text;
    scanned.push({ provision_ord, path, text, own, hits: LEXICON.findAll(own) });
  }
  return scanned;
}
