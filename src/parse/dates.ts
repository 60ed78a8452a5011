// Date strings as printed (front matter, gov.cn table, titles) → ISO 8601.
import { calendarDate } from '../core/calendar.ts';

const FRONT_MATTER_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s*(Z|[+-]\d{2}:?\d{2}))?$/;
const CHINESE_DATE = /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/;
const COMPACT_DATE_IN_PARENS = /[(（]\s*((?:19|20)\d{2})(\d{2})(\d{2})\s*[)）]/;

const pad = (n: string): string => n.padStart(2, '0');

/** The calendar day of printed year, month and day, or null when there is no such day. */
const day = (y: string, m: string, d: string): string | null => calendarDate(Number(y), Number(m), Number(d));

/**
 * `2022-01-06 15:04:39 +0800` → `2022-01-06T15:04:39+08:00`. Without an offset the local time is
 * kept as printed (no zone is invented); a value without a date (`+0800`) or with one the calendar
 * lacks (`2021-02-30`, `25:00`) gives null.
 * yaml leaves plain dates as strings; only an explicit `!!timestamp` tag makes it a Date (UTC, as YAML reads it).
 */
export function frontMatterDate(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'string') return null;
  const m = FRONT_MATTER_DATE.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, zone] = m;
  const date = day(y, mo, d);
  if (date === null || h === undefined) return date;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return null;
  if (zone !== undefined && zone !== 'Z' && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(-2)) > 59)) return null;
  const offset = zone === undefined ? '' : zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  return `${date}T${pad(h)}:${mi}:${s ?? '00'}${offset}`;
}

/** `2018年11月09日` → `2018-11-09`; null when the text holds no such date. */
export function chineseDate(text: string | undefined): string | null {
  const m = text === undefined ? null : CHINESE_DATE.exec(text);
  return m ? day(m[1], m[2], m[3]) : null;
}

/** A programme date printed in a title, `《新闻联播》 (20221212)` → `2022-12-12`. */
export function titleDate(title: string): string | null {
  const m = COMPACT_DATE_IN_PARENS.exec(title);
  return m ? day(m[1], m[2], m[3]) : null;
}
