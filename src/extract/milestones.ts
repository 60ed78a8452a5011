// Milestones: every dated target, deadline or start in the text, one per distinct (year, period).
import type { Milestone, MilestoneKind, MilestonePeriod, Provision } from '../core/types.ts';
import { PERIOD_STATEMENT } from './dates.ts';
import type { OutlineResult } from './outline.ts';
import { CLAUSE_END, CLAUSE_MARKS, IN_SENTENCE, SENTENCE_END, SENTENCE_END_MARKS } from './punctuation.ts';
import { BOOK_TITLE, chineseNumber } from './text.ts';

/** Month and day in digits or Chinese numerals (施行 dates of older texts print 十月一日). */
const MONTH = '(?:\\d{1,2}|[一二三四五六七八九十]{1,2})月';
const DAY = '(?:\\d{1,2}|[一二三四五六七八九十]{1,3})日';
/** A year in digits, or in Chinese numerals (二〇〇四年 of an older 施行 date). */
const YEAR = /((?:19|20)\d{2}|[一二][〇○零九][〇○零一二三四五六七八九]{2})\s*年/g;
const DIGITS = /^\d+$/;
const SPELLED_YEAR = /^[一二]/;
/** Full-width digits (２０１３年) read as digits; the replacement keeps every position. */
const FULL_WIDTH_DIGIT = /[０-９]/g;
const HAS_FULL_WIDTH_DIGIT = /[０-９]/;
/** What follows `YYYY年` decides the period (order matters: 12月31日 before other dates). */
const AFTER_YEAR: Array<[RegExp, MilestonePeriod, MilestoneKind]> = [
  [/^(?:年)?(?:底|末)/, '年底', 'deadline'],
  [/^(?:12|十二)月(?:底|末|31日|三十一日)/, '年底', 'deadline'],
  [/^上半年/, '上半年', 'period'],
  [/^下半年/, '下半年', 'period'],
  [/^(?:年)?内/, '年内', 'period'],
  [new RegExp(`^(?:(?:春季|秋季)(?:学期)?|${MONTH}(?:${DAY})?)?(?:起|开始)`), '起', 'start'],
  [/^\d{1,2}月(?:\d{1,2}日)?(?:底|末|中旬|上旬|下旬)?(?:之前|以前|前)/, null, 'deadline'],
  [/^\d{1,2}月底/, null, 'deadline'],
  // 2020年前, 2021年一季度前; not 2023年前三季度 (its first three quarters).
  [/^(?:第?[一二三四1-4]季度(?:末|底)?)?(?:之前|以前|前)(?![一二三四五六七八九十两\d]+个?(?:季度|月))/, null, 'deadline'],
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
const MONTH_AFTER = new RegExp(`^${MONTH}`);
/** The text's own commencement (第七十四条 本法…自1984年10月1日起施行) starts it even in a version amended later. */
const OWN_TEXT_SENTENCE = /^\s*(?:第[一二三四五六七八九十百千零〇]+条\s*)?本/;
const FROM_BEFORE = /自\s*$/;
/** A status as of a date, not a target: 到2021年底，…已应用于…, 截至2022年7月底，中国已与…签署. */
const STATUS_WINDOW = 40;
const STATUS_AFTER = new RegExp(`^${IN_SENTENCE}{0,${STATUS_WINDOW}}?(?:已经|已|累计)`);
/** Holiday calendar dates (2018年12月30日至2019年1月1日放假调休) are days off, not targets. */
const HOLIDAY = /放假|调休|补休/;
/** A provision whose heading, or a heading above it, names the goals (工作目标, 发展目标, 目标任务). */
const GOALS_HEADING = /目标/;
const CONTEXT = 12;
/** The day a mention reaches: its explicit month (and day), the end of 上半年 or of a quarter, else the year's end. */
const MONTH_DAY_OF = /^(\d{1,2})月(?:(\d{1,2})日)?/;
const QUARTER_OF = /^第?([一二三四1-4])季度/;
const QUARTER: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 1: 1, 2: 2, 3: 3, 4: 4 };
const LAST_DAY = 31;

interface Found {
  year: number;
  period: MilestonePeriod;
  kind: MilestoneKind;
}

/** Classifies one `YYYY年` mention by the words around it; null when it is not a milestone. */
function classify(before: string, after: string, year: number, clauseYears: boolean): Found | null {
  if (RANGE_BEFORE.test(before)) return null;
  if (NOT_A_DATE.test(after) || EVENT.test(after)) return null;
  for (const [pattern, period, kind] of AFTER_YEAR) if (pattern.test(after)) return { year, period, kind };
  // A plain date is an event, not a target, unless a window or deadline runs to it.
  if (MONTH_AFTER.test(after)) return UNTIL_BEFORE.test(before) ? { year, period: null, kind: 'deadline' } : null;
  if (TARGET_BEFORE.test(before) || clauseYears) return { year, period: null, kind: 'target' };
  return null;
}

/** 到/截至 a date, then what has been done by then (已, 累计): a report of the state reached, not a target. */
const isStatus = (found: Found, before: string, text: string, from: number): boolean =>
  found.kind !== 'start' && UNTIL_BEFORE.test(before) && STATUS_AFTER.test(text.slice(from, from + 2 * STATUS_WINDOW));

/** The day a mention points at, as yyyymmdd: a start's first day, else the last day it reaches. */
function dayOf(found: Found, after: string): number {
  const date = MONTH_DAY_OF.exec(after);
  const first = found.kind === 'start';
  if (date) return found.year * 10000 + Number(date[1]) * 100 + (date[2] ? Number(date[2]) : first ? 1 : LAST_DAY);
  if (first) return found.year * 10000 + 101;
  const quarter = QUARTER_OF.exec(after);
  const month = quarter ? 3 * QUARTER[quarter[1]] : found.period === '上半年' ? 6 : 12;
  return found.year * 10000 + month * 100 + LAST_DAY;
}

const yearOf = (printed: string): number => (DIGITS.test(printed) ? Number(printed) : chineseNumber(printed));

/** What tells a dated mention from history, beyond the words around it. */
export interface MilestoneScope {
  /** The document's own year (its 成文日期): earlier years are history (2017年印发), a deadline in it is kept. */
  issueYear: number | null;
  /** A report on a year's work (关于2018年…工作情况的报告): that year and earlier are the events it reports. */
  reportedYear: number | null;
  /** News (yyyymmdd of its publication): only a time after it is a target; what it reports as done is history. */
  newsDay: number | null;
}

/** A title that reports on a year's work: 关于2018年度…工作情况的报告, 2019年…执行情况与2020年…草案的报告 → the first. */
const REPORTED_YEAR = new RegExp(
  `((?:19|20)\\d{2})\\s*年度?[^${CLAUSE_MARKS}${SENTENCE_END_MARKS}《》]{0,40}?(?:工作情况|执行情况|完成情况|进展情况|情况[\\u4e00-\\u9fa5]{0,4}报告|工作总结|总结报告|工作回顾)`,
);

/** The year whose work a title reports on, or null (a plan's 2019年…工作要点 reports on nothing). */
export function reportedYearOf(title: string): number | null {
  const m = REPORTED_YEAR.exec(title.replace(BOOK_TITLE, ''));
  return m ? Number(m[1]) : null;
}

/** Goals sections: for each provision, whether its heading or one above it names the goals. */
function goalSections(provisions: Provision[]): boolean[] {
  const goalByPath = new Map<string, boolean>();
  return provisions.map((p) => {
    const goal = GOALS_HEADING.test(p.heading) || (p.parent_path !== null && goalByPath.get(p.parent_path) === true);
    goalByPath.set(p.path, goal);
    return goal;
  });
}

/**
 * Scans the document's own text (see MilestoneScope for what is history). A bare year at the start of a
 * clause is a target in a policy text (2021年，启动…) but a statement in news (2021年是…); anywhere in a goals
 * section it states a goal (工作目标。…城市生活垃圾回收利用率2020年达到35%).
 */
export function extractMilestones(paragraphs: string[], outline: OutlineResult, scope: MilestoneScope): Milestone[] {
  const { provisions, owner, start, end } = outline;
  const goals = goalSections(provisions);
  const historyBefore = Math.max(scope.issueYear ?? 0, scope.reportedYear === null ? 0 : scope.reportedYear + 1);
  const milestones: Milestone[] = [];
  const seen = new Set<string>();
  for (let i = start; i < end; i++) {
    const raw = paragraphs[i];
    if (!raw.includes('年')) continue;
    // Blank out cited titles and the period statement (it gives period_start/end) so their years are not milestones.
    let text = raw.replace(BOOK_TITLE, (m) => '　'.repeat(m.length)).replace(PERIOD_STATEMENT, (m) => '　'.repeat(m.length));
    if (HAS_FULL_WIDTH_DIGIT.test(text)) text = text.replace(FULL_WIDTH_DIGIT, (d) => String(d.charCodeAt(0) - 0xff10));
    const inGoals = owner[i] >= 0 && goals[owner[i]];
    for (const m of text.matchAll(YEAR)) {
      const year = yearOf(m[1]);
      const before = text.slice(Math.max(0, m.index - CONTEXT), m.index);
      const after = text.slice(m.index + m[0].length, m.index + m[0].length + CONTEXT);
      const clauseYears = scope.newsDay === null && (inGoals || CLAUSE_START.test(before));
      const found = classify(before, after, year, clauseYears);
      // A year spelled in Chinese numerals counts only in a start (自二〇〇四年十月一日起施行): elsewhere it dates history.
      if (!found || (SPELLED_YEAR.test(m[1]) && !(found.kind === 'start' && FROM_BEFORE.test(before)))) continue;
      if (isStatus(found, before, text, m.index + m[0].length)) continue;
      if (year < historyBefore && !(found.kind === 'start' && isOwnCommencement(text, m.index))) continue;
      if (scope.newsDay !== null && dayOf(found, after) <= scope.newsDay) continue;
      if (HOLIDAY.test(sentenceAround(text, m.index))) continue;
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

/** `自<year>…起施行` in a sentence about the text itself (本法, 本条例 …), not about another text it names. */
function isOwnCommencement(text: string, at: number): boolean {
  if (!FROM_BEFORE.test(text.slice(Math.max(0, at - CONTEXT), at))) return false;
  let from = at;
  while (from > 0 && !SENTENCE_END.test(text[from - 1])) from--;
  return OWN_TEXT_SENTENCE.test(text.slice(from, at));
}

/** The sentence that holds position `at`. */
function sentenceAround(text: string, at: number): string {
  let from = at;
  while (from > 0 && !SENTENCE_END.test(text[from - 1])) from--;
  let to = at;
  while (to < text.length && !SENTENCE_END.test(text[to])) to++;
  return text.slice(from, Math.min(text.length, to + 1)).trim();
}
