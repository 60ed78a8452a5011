// Measures: the sentences that order an action, with their leading verb, policy instrument and responsible bodies.
import type { Measure } from '../core/types.ts';
import { MODAL_VERBS, NOT_A_VERB_BEFORE, POLICY_VERBS, SUBJECT_MODALS, VERB_ADVERBS } from './dictionaries/verbs.ts';
import { classifyInstrument } from './instruments.ts';
import type { LexiconEntry, ScannedParagraph } from './lexicon.ts';
import type { PhraseMatch } from './phrases.ts';
import { CLAUSE_END, CLAUSE_MARKS, IN_CLAUSE, IN_SENTENCE, isClauseEnd, SENTENCE_END } from './punctuation.ts';
import { sentenceSpans, type Span } from './sentences.ts';

const longestFirst = (words: readonly string[]): string => [...words].sort((a, b) => b.length - a.length).join('|');

/** The listed verbs (要 only through MODAL_ONLY: alone it is too common), each with the nouns it must not run into. */
const VERB_ALTERNATIVES = [...POLICY_VERBS]
  .filter((v) => v.verb !== '要')
  .sort((a, b) => b.verb.length - a.verb.length)
  .map(({ verb }) => (NOT_A_VERB_BEFORE[verb] ? `${verb}(?!${NOT_A_VERB_BEFORE[verb].join('|')})` : verb))
  .join('|');

const CLAUSE_START = `(?:^|[${CLAUSE_MARKS}])`;
/** A clause that opens with a policy verb, maybe after a subject with its modal and some adverbs. */
const LEADING_VERB = new RegExp(`${CLAUSE_START}(?:${IN_CLAUSE}{1,20}?(?:${longestFirst(SUBJECT_MODALS)}))?(?:${longestFirst(VERB_ADVERBS)})*(${VERB_ALTERNATIVES})`);
/** An obligation with no listed verb after it: 对…，要予以表扬激励; 要 in 重要, 要素, 要求 is no modal. */
const MODAL_ONLY = new RegExp(`${CLAUSE_START}${IN_CLAUSE}{0,20}?(?<![重主需只必纲提概首])(要)(?![素求点件闻害领])|(${longestFirst(MODAL_VERBS.filter((v) => v !== '要'))})`);

/** After an agency (or a list of them), the words that make it responsible: 牵头, 负责, 会同, 要 … */
const RESPONSIBLE_AFTER = /^(?:等(?:有关)?(?:部门|单位))?(?:按职责(?:分工)?|依职责)?(?:牵头|负责|会同|要|应当|组织|指导|统筹|联合|共同)/;
const AGENCY_SEPARATOR = /^[、和及与]$/;
const RESPONSIBLE_WINDOW = 12;

/** Text before the first numbered item that describes or introduces (…具有重要意义, 也要看到…, 现提出以下意见). */
const DESCRIPTIVE = new RegExp(`具有${IN_SENTENCE}*意义|要看到|提出(?:以下|如下)|(?:意见|通知|规定)如下|[：:]$`);
/** A heading that names its section (发展目标, 基本原则, 指导思想, 总体要求) orders nothing. */
const SECTION_NAME = /^[\u4e00-\u9fa5]{0,4}(?:目标|原则|思想|要求)[。：:]?$/;
/** Longest line that reads as a title. */
const HEADING_MAX = 40;
/** A sentence may open with the note of who is in charge of the item before (（市场监管总局负责）加强…). */
const LEADING_NOTE = /^[（(][^（）()]{1,80}负责[^（）()]{0,40}[）)]/;

/** The leading policy verb of a sentence and where it starts in `printed`, or null when it orders nothing. */
function leadingVerb(printed: string, inPreamble: boolean): { verb: string; at: number } | null {
  if (SECTION_NAME.test(printed)) return null;
  // A preamble line without a sentence or clause mark is a title or an addressee line, not an order.
  if (inPreamble && (DESCRIPTIVE.test(printed) || !CLAUSE_END.test(printed))) return null;
  const sentence = printed.replace(LEADING_NOTE, '');
  const m = LEADING_VERB.exec(sentence) ?? MODAL_ONLY.exec(sentence);
  if (m === null) return null;
  const verb = m[1] ?? m[2];
  // The verb ends the match; the note removed before it shifts every position.
  return { verb, at: printed.length - sentence.length + m.index + m[0].length - verb.length };
}

/**
 * Full names of the agencies among `hits[from, to)` that `text` puts in charge: each of a 、-list ending
 * in 牵头/负责/会同/要 …. Hits hold offsets into `text`.
 */
function responsibleAgencies(text: string, hits: PhraseMatch<LexiconEntry>[], from: number, to: number): string[] {
  const responsible: string[] = [];
  let chainResponsible = false;
  let nextStart = -1;
  // From the right, so a list 国家发展改革委、财政部牵头 inherits the marker after its last member.
  for (let k = to - 1; k >= from; k--) {
    const { start, end, value } = hits[k];
    if (value.kind !== 'agency') continue;
    const joined = nextStart === end + 1 && AGENCY_SEPARATOR.test(text[end]);
    chainResponsible = joined ? chainResponsible : RESPONSIBLE_AFTER.test(text.slice(end, end + RESPONSIBLE_WINDOW));
    if (chainResponsible && !responsible.includes(value.name)) responsible.unshift(value.name);
    nextStart = start;
  }
  return responsible;
}

/** A line short as a title and without a sentence end is a section heading (强化组织实施): it names measures, it is none. */
const isSectionHeading = (text: string): boolean => text.length <= HEADING_MAX && !SENTENCE_END.test(text);

/** A first clause that states a purpose: 为指导地方开展…，制定本方案. */
const PURPOSE_OPENING = /^(?:为了|为)/;
/** 按照/根据…: what a measure follows, up to the rule it names (按照规定给予补贴) or the end of the clause. */
const REFERENCE = /按照|根据|依照|依据|参照/g;
const REFERENCE_END = /要求|规定|部署|精神/;

/**
 * The parts of a sentence that say who acts, why or after what, not what is ordered: the subject before the verb in
 * its clause (试点城市要制定…), an opening purpose clause before it (为…，), and what it follows (按照本方案确定的原则目标).
 */
function notOrdered(printed: string, start: number, verbAt: number): Span[] {
  let clauseStart = verbAt;
  while (clauseStart > 0 && !isClauseEnd(printed.charCodeAt(clauseStart - 1))) clauseStart--;
  const parts: Span[] = [{ start: start + clauseStart, end: start + verbAt }];
  if (clauseStart > 0 && PURPOSE_OPENING.test(printed)) {
    let end = 0;
    while (end < clauseStart && !isClauseEnd(printed.charCodeAt(end))) end++;
    parts.push({ start, end: start + end });
  }
  for (const m of printed.matchAll(REFERENCE)) {
    const from = m.index + m[0].length;
    let end = from;
    while (end < printed.length && !isClauseEnd(printed.charCodeAt(end))) end++;
    const stop = REFERENCE_END.exec(printed.slice(from, end));
    parts.push({ start: start + m.index, end: start + (stop ? from + stop.index : end) });
  }
  return parts;
}

/** Every measure of the document, in document order (`ord`), numbered within its provision. */
export function extractMeasures(scanned: ScannedParagraph[]): Measure[] {
  const measures: Measure[] = [];
  let numberInProvision = 0;
  let lastOrd = -1;
  for (const p of scanned) {
    if (p.provision_ord !== lastOrd) {
      numberInProvision = 0;
      lastOrd = p.provision_ord;
    }
    if (isSectionHeading(p.text)) continue;
    let from = 0;
    for (const span of sentenceSpans(p.text)) {
      const text = p.text.slice(span.start, span.end);
      const lead = leadingVerb(text, p.provision_ord === 0);
      if (lead === null) continue;
      while (from < p.hits.length && p.hits[from].start < span.start) from++;
      let to = from;
      while (to < p.hits.length && p.hits[to].end <= span.end) to++;
      const found = classifyInstrument(p.text, { start: span.start, printed: text }, p.hits, from, to, notOrdered(text, span.start, lead.at));
      measures.push({
        provision_ord: p.provision_ord,
        path: p.path,
        measure_no: ++numberInProvision,
        ord: measures.length + 1,
        text,
        verb: lead.verb,
        instrument: found?.instrument ?? null,
        tool: found?.tool ?? null,
        evidence: found?.evidence ?? [],
        agencies: responsibleAgencies(p.text, p.hits, from, to),
      });
    }
  }
  return measures;
}
