// Policy instrument of a measure (supply, demand, environment) from the keyword table.
import type { Instrument } from '../core/types.ts';
import { INSTRUMENT_TIE_ORDER, type InstrumentKeyword } from './dictionaries/instruments.ts';

/** The first clause that names an instrument says what the measure is for: its keywords count double. */
const FIRST_CLAUSE_FACTOR = 2;
const CLAUSE_BREAK = /[，,：:；;]/;

/**
 * The instrument with the highest keyword weight in a sentence, or null when it has no keyword.
 * `found` are the sentence's keyword hits in text order, with offsets into `text`.
 */
export function classifyInstrument(text: string, found: { start: number; end: number; keyword: InstrumentKeyword }[]): Instrument | null {
  if (found.length === 0) return null;
  const weights: Record<Instrument, number> = { supply: 0, demand: 0, environment: 0 };
  let factor = FIRST_CLAUSE_FACTOR;
  let previousEnd = found[0].start;
  for (const { start, end, keyword } of found) {
    if (factor > 1 && CLAUSE_BREAK.test(text.slice(previousEnd, start))) factor = 1;
    weights[keyword.instrument] += keyword.weight * factor;
    previousEnd = end;
  }
  let best = INSTRUMENT_TIE_ORDER[0];
  for (const i of INSTRUMENT_TIE_ORDER) if (weights[i] > weights[best]) best = i;
  return best;
}
