// Dates and periods as printed in official texts.
import { chineseNumber } from './text.ts';
import { calendarDate } from '../core/calendar.ts';

const DATE_PARTS = '(\\d{4}|[〇○零一二三四五六七八九]{4})\\s*年\\s*([\\d一二三四五六七八九十]{1,3})\\s*月\\s*([\\d一二三四五六七八九十]{1,3})\\s*日';
/** A signature date on a line of its own (`2018年10月27日`, `二〇〇四年六月二十六日`). */
export const DATE_LINE = new RegExp(`^${DATE_PARTS}$`);
const DATE_IN_TEXT = new RegExp(DATE_PARTS);
const DIGITS = /^\d+$/;

/** The statement that gives an overall period: 试点期限为2021—2025年, 执行期限为2019年1月1日至2023年12月31日. */
export const PERIOD_STATEMENT =
  /(?:期限|期间|时限|周期|实施期|执行期|规划期)(?:为|是|：|:)?\s*((?:19|20)\d{2})\s*年?(?:\d{1,2}月\d{1,2}日)?\s*(?:[—–－~～-]+|至|到)\s*((?:19|20)\d{2})\s*年(?:\d{1,2}月\d{1,2}日)?/g;
/** A year range in brackets: （2018—2035年）. */
export const YEAR_RANGE = /[（(]\s*((?:19|20)\d{2})\s*[—–－~～-]+\s*((?:19|20)\d{2})\s*年?\s*[）)]/;

/** `2018年10月27日` or `二〇〇四年六月二十六日` (anywhere in the text) → `2004-06-26`; null if none. */
export function parseDocDate(text: string | undefined): string | null {
  const m = text === undefined ? null : DATE_IN_TEXT.exec(text);
  if (!m) return null;
  const num = (s: string): number => (DIGITS.test(s) ? Number(s) : chineseNumber(s));
  const [y, mo, d] = [num(m[1]), num(m[2]), num(m[3])];
  return calendarDate(y, mo, d);
}
