// Policy instrument of a measure (supply, demand, environment) from the keyword table.
import type { Instrument } from '../core/types.ts';
import { INSTRUMENT_TIE_ORDER } from './dictionaries/instruments.ts';
import type { LexiconEntry } from './lexicon.ts';
import type { PhraseMatch } from './phrases.ts';
import { CLAUSE_END } from './punctuation.ts';

/** The first clause that names an instrument says what the measure is for: its keywords count double. */
const FIRST_CLAUSE_FACTOR = 2;

/**
 * The instrument with the highest keyword weight among `hits[from, to)` (one sentence of `text`, in text
 * order), or null when the sentence has no keyword.
 */
export function classifyInstrument(text: string, hits: PhraseMatch<LexiconEntry>[], from: number, to: number): Instrument | null {
  const weights: Record<Instrument, number> = { supply: 0, demand: 0, environment: 0 };
  let factor = FIRST_CLAUSE_FACTOR;
  let previousEnd = -1;
  for (let k = from; k < to; k++) {
    const { start, end, value } = hits[k];
    if (value.kind !== 'keyword') continue;
    if (previousEnd >= 0 && factor > 1 && CLAUSE_END.test(text.slice(previousEnd, start))) factor = 1;
    weights[value.keyword.instrument] += value.keyword.weight * factor;
    previousEnd = end;
  }
  if (previousEnd < 0) return null;
  let best = INSTRUMENT_TIE_ORDER[0];
  for (const i of INSTRUMENT_TIE_ORDER) if (weights[i] > weights[best]) best = i;
  return best;
}
