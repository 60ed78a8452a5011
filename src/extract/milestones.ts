// Milestones: every dated target, deadline or start in the text, one per distinct (year, period).
import type { Milestone, MilestoneKind, MilestonePeriod } from '../core/types.ts';
import { PERIOD_STATEMENT } from './dates.ts';
import type { OutlineResult } from './outline.ts';
import { CLAUSE_END, CLAUSE_MARKS, SENTENCE_END, SENTENCE_END_MARKS } from './punctuation.ts';
import { BOOK_TITLE } from './text.ts';

const YEAR = /((?:19|20)\d{2})\s*年/g;
/** What follows `YYYY年` decides the period (order matters: 12月31日 before other dates). */
const AFTER_YEAR: Array<[RegExp, MilestonePeriod, MilestoneKind]> = [
  [/^(?:年)?(?:底|末)/, '年底', 'deadline'],
  [/^12月(?:底|末|31日)/, '年底', 'deadline'],
  [/^上半年/, '上半年', 'period'],
  [/^下半年/, '下半年', 'period'],
  [/^(?:年)?内/, '年内', 'period'],
  [/^(?:(?:春季|秋季)(?:学期)?|\d{1,2}月(?:\d{1,2}日)?)?(?:起|开始)/, '起', 'start'],
  [/^\d{1,2}月(?:\d{1,2}日)?(?:底|末|中旬|上旬|下旬)?(?:之前|以前|前)/, null, 'deadline'],
  [/^\d{1,2}月底/, null, 'deadline'],
  [/^(?:第?[一二三四1-4]季度(?:末|底)?)?(?:之前|以前|前)/, null, 'deadline'], // 2020年前, 2021年一季度前
  [/^第?[一二三四1-4]季度/, null, 'target'],
  [/^1月1日(?:至|到|—|－)/, null, 'target'], // a window from the start of a year: 2019年1月1日至2020年12月31日
  [/^\d{1,2}月(?:\d{1,2}日)?\s*(?:至|到|—|－|~|～)\s*(?:19|20)\d{2}\s*年/, null, 'target'], // 2019年7月1日至2021年6月30日
];
/** Not a point in time: 2018年度, 1990年代, 2017年以来, 三年前. */
const NOT_A_DATE = /^(?:度|代|以来|前后|来|间)/;
/** An event named by its year (2022年北京冬奥会) is not a target. */
const EVENT = new RegExp(`^[^${CLAUSE_MARKS}${SENTENCE_END_MARKS}、\\s]{0,8}?(?:冬奥会|奥运会|冬残奥会|残奥会|亚运会|运动会|全运会|博览会|世博会|峰会|论坛|大会)`);
/** A bare year names a target only after 到/至/力争 or at the start of a clause (2021年，启动…). */
const TARGET_BEFORE = /(?:到|至|截至|截止到|力争|争取|确保|预计|在)\s*$/;
/** The end of a window or a deadline date: 至2021年6月30日, 截至2020年9月. */
const UNTIL_BEFORE = /(?:到|至|截至|截止到|截止)\s*$/;
const CLAUSE_START = new RegExp(`(?:^|${CLAUSE_END.source})\\s*$`);
const RANGE_BEFORE = /(?:19|20)\d{2}\s*年?\s*[—–－~～-]+\s*$/;
const MONTH_AFTER = /^\d{1,2}月/;
/** Holiday calendar dates (2018年12月30日至2019年1月1日放假调休) are days off, not targets. */
const HOLIDAY = /放假|调休|补休/;
const CONTEXT = 12;

interface Found {
  year: number;
  period: MilestonePeriod;
  kind: MilestoneKind;
}

/** Classifies one `YYYY年` mention by the words around it; null when it is not a milestone. */
function classify(text: string, at: number, afterYear: number, year: number, clauseYears: boolean): Found | null {
  const before = text.slice(Math.max(0, at - CONTEXT), at);
  if (RANGE_BEFORE.test(before)) return null;
  const after = text.slice(afterYear, afterYear + CONTEXT);
  if (NOT_A_DATE.test(after) || EVENT.test(after)) return null;
  for (const [pattern, period, kind] of AFTER_YEAR) if (pattern.test(after)) return { year, period, kind };
  // A plain date is an event, not a target, unless a window or deadline runs to it.
  if (MONTH_AFTER.test(after)) return UNTIL_BEFORE.test(before) ? { year, period: null, kind: 'deadline' } : null;
  if (TARGET_BEFORE.test(before) || (clauseYears && CLAUSE_START.test(before))) return { year, period: null, kind: 'target' };
  return null;
}

/**
 * Scans the document's own text. Years before the document's own year are history (2017年印发),
 * except that a deadline in the issue year itself is kept (2018年12月31日之前). A bare year at the start of
 * a clause is a target in a policy text (2021年，启动…) but a statement in news (2021年是…): `clauseYears`.
 */
export function extractMilestones(paragraphs: string[], outline: OutlineResult, issueYear: number | null, clauseYears = true): Milestone[] {
  const { provisions, owner, start, end } = outline;
  const milestones: Milestone[] = [];
  const seen = new Set<string>();
  for (let i = start; i < end; i++) {
    const raw = paragraphs[i];
    if (!raw.includes('年')) continue;
    // Blank out cited titles and the period statement (it gives period_start/end) so their years are not milestones.
    const text = raw.replace(BOOK_TITLE, (m) => '　'.repeat(m.length)).replace(PERIOD_STATEMENT, (m) => '　'.repeat(m.length));
    for (const m of text.matchAll(YEAR)) {
      const year = Number(m[1]);
      if (issueYear !== null && year < issueYear) continue;
      const found = classify(text, m.index, m.index + m[0].length, year, clauseYears);
      if (!found || HOLIDAY.test(sentenceAround(text, m.index))) continue;
      const key = `${found.year}|${found.period}`;
      if (seen.has(key)) continue;
      seen.add(key);
      milestones.push({
        milestone_no: milestones.length + 1,
        path: owner[i] >= 0 ? provisions[owner[i]].path : null,
        year: found.year,
        period: found.period,
        kind: found.kind,
        text: sentenceAround(raw, m.index),
      });
    }
  }
  return milestones;
}

/** The sentence that holds position `at`. */
function sentenceAround(text: string, at: number): string {
  let from = at;
  while (from > 0 && !SENTENCE_END.test(text[from - 1])) from--;
  let to = at;
  while (to < text.length && !SENTENCE_END.test(text[to])) to++;
  return text.slice(from, Math.min(text.length, to + 1)).trim();
}
