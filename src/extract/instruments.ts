// The policy instrument of a measure, on evidence only: the keywords of dict_instruments its sentence prints.
import type { Instrument } from '../core/types.ts';
import type { InstrumentKeyword, Tool } from './dictionaries/instruments.ts';
import type { LexiconEntry } from './lexicon.ts';
import type { PhraseMatch } from './phrases.ts';
import { isClauseEnd } from './punctuation.ts';
import type { Span } from './sentences.ts';

export interface InstrumentFinding {
  instrument: Instrument;
  tool: Tool;
  /** The keywords that decided, as printed, in order. */
  evidence: string[];
}

interface Tally {
  keyword: InstrumentKeyword;
  /** Keywords of this tool in the first clause that names any tool, then in the whole sentence. */
  firstClause: number;
  total: number;
  words: string[];
}

function count(tallies: Map<Tool, Tally>, keyword: InstrumentKeyword, inFirstClause: boolean): void {
  let t = tallies.get(keyword.tool);
  if (t === undefined) {
    t = { keyword, firstClause: 0, total: 0, words: [] };
    tallies.set(keyword.tool, t);
  }
  if (inFirstClause) t.firstClause++;
  t.total++;
  if (!t.words.includes(keyword.keyword)) t.words.push(keyword.keyword);
}

/** The tool the first clause names most, then the sentence; on a tie the one named first. */
function best(tallies: Map<Tool, Tally>): Tally | null {
  let top: Tally | null = null;
  for (const t of tallies.values()) {
    if (top === null || t.firstClause > top.firstClause || (t.firstClause === top.firstClause && t.total > top.total)) top = t;
  }
  return top;
}

/** A sentence outside the typology: a guiding statement (以…为指导) or party building names no policy instrument. */
const OUTSIDE_TYPOLOGY = /为指导|党组织|党建|党的建设|入党/;
/** A sentence that opens with its target date (到2022年，建成…) states a target: 目标规划. */
const TARGET_OPENING = /^(?:力争)?(?:到|至)\s*(?:19|20)\d{2}\s*年/;
const TARGET_KEYWORD: InstrumentKeyword = { keyword: '', tool: '目标规划', instrument: 'environment' };

/**
 * The instrument of one sentence of `text` (`printed`, from position `start`), with its dictionary hits `hits[from,
 * to)` in text order; null when it names none. Hits inside `ignored` (its subject, a purpose, what it follows) do not count.
 * - The tool the first clause naming one names most decides (that clause says what the measure does), then the one
 *   the sentence names most, then the one named first.
 * - A keyword right before another is its modifier (创业担保贷款贴息 is an interest subsidy): only the last counts.
 */
export function classifyInstrument(
  text: string,
  { start: sentenceStart, printed }: { start: number; printed: string },
  hits: PhraseMatch<LexiconEntry>[],
  from: number,
  to: number,
  ignored: Span[],
): InstrumentFinding | null {
  if (OUTSIDE_TYPOLOGY.test(printed)) return null;
  const tallies = new Map<Tool, Tally>();
  let firstClauseEnd = -1;
  const target = TARGET_OPENING.exec(printed);
  if (target !== null) {
    count(tallies, { ...TARGET_KEYWORD, keyword: target[0] }, true);
    firstClauseEnd = clauseEnd(text, sentenceStart + target[0].length);
  }
  for (let k = from; k < to; k++) {
    const { start, end, value } = hits[k];
    if (value.kind !== 'keyword' || ignored.some((s) => start >= s.start && start < s.end)) continue;
    if (k + 1 < to && hits[k + 1].start === end && hits[k + 1].value.kind === 'keyword') continue;
    if (firstClauseEnd < 0) firstClauseEnd = clauseEnd(text, end);
    count(tallies, value.keyword, start < firstClauseEnd);
  }
  const decided = best(tallies);
  return decided === null ? null : { instrument: decided.keyword.instrument, tool: decided.keyword.tool, evidence: decided.words };
}

/** Where the clause holding position `at` ends: its next clause or sentence mark, or the text's end. */
function clauseEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && !isClauseEnd(text.charCodeAt(i))) i++;
  return i;
}
