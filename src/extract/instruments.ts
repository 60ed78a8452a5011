// The policy instrument of a measure, on evidence only: the keywords of dict_instruments its sentence prints.
import type { Instrument } from '../core/types.ts';
import type { InstrumentKeyword, Tool } from './dictionaries/instruments.ts';
import type { LexiconEntry } from './lexicon.ts';
import type { PhraseMatch } from './phrases.ts';
import { isClauseEnd } from './punctuation.ts';

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

/**
 * The instrument of one sentence (`hits[from, to)` of `text`, in text order), or null when it names none.
 * - Words that name a tool decide: the tool the first clause naming one names most (that clause says what the
 *   measure does), then the one the sentence names most.
 * - A keyword right before another that names a tool is its modifier (创业担保贷款贴息 is an interest subsidy): only
 *   the last counts; before a leaning word it names the domain (人才培养机制 is about talent).
 * - Words that only lean (制度, 机制, 平台) decide only when nothing is named and all of them lean to one instrument.
 */
export function classifyInstrument(text: string, hits: PhraseMatch<LexiconEntry>[], from: number, to: number): InstrumentFinding | null {
  const named = new Map<Tool, Tally>();
  const leaning = new Map<Tool, Tally>();
  let firstClauseEnd = -1;
  for (let k = from; k < to; k++) {
    const { start, end, value } = hits[k];
    if (value.kind !== 'keyword') continue;
    const next = k + 1 < to ? hits[k + 1].value : null;
    if (hits[k + 1]?.start === end && next?.kind === 'keyword' && next.keyword.evidence === 'named') continue;
    if (value.keyword.evidence === 'leaning') {
      count(leaning, value.keyword, false);
      continue;
    }
    if (firstClauseEnd < 0) firstClauseEnd = clauseEnd(text, end);
    count(named, value.keyword, start < firstClauseEnd);
  }
  const decided = best(named) ?? (new Set([...leaning.values()].map((t) => t.keyword.instrument)).size === 1 ? best(leaning) : null);
  return decided === null ? null : { instrument: decided.keyword.instrument, tool: decided.keyword.tool, evidence: decided.words };
}

/** Where the clause holding position `at` ends: its next clause or sentence mark, or the text's end. */
function clauseEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && !isClauseEnd(text.charCodeAt(i))) i++;
  return i;
}
