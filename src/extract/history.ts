// The adoption history printed above a law or regulation: who adopted it, the date of the version in
// force, and its 令 number (gold rules, "Laws and regulations").
import { fullAgencyNames } from './dictionaries/agencies.ts';
import { BOOK_TITLE } from './text.ts';

export interface HistoryFacts {
  issuer: string | null;
  issuedDate: string | null;
  orderNumber: string | null;
}

/** `unstated`: a dated line whose verb the header does not print (it wraps past INFO END, or is only a date). */
type Act = 'adopt' | 'promulgate' | 'amend' | 'approve' | 'unstated';

/** One dated act of the history; joint acts (法院…会议、…检察院…会议通过) hold several bodies. */
interface Step {
  date: string;
  act: Act;
  bodies: string[];
}

const FULL_WIDTH_DIGIT = /[０-９]/g;
const DATE = /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/g;
/** The verbs that say what a dated segment did; the last one printed wins (修订通过 is an adoption). */
const ACTS: Array<[string, Act]> = [
  ['通过', 'adopt'],
  ['修订', 'amend'],
  ['修正', 'amend'],
  ['公布', 'promulgate'],
  ['发布', 'promulgate'],
  ['颁布', 'promulgate'],
  ['印发', 'promulgate'],
  ['制定', 'promulgate'],
  ['批准', 'approve'],
];

/** The segment's last verb and the text before it back to the verb before (国务院批准文化部发布 → 文化部). */
function actOf(segment: string): { act: Act; from: number; at: number } | null {
  let best: Act | null = null;
  let at = -1;
  for (const [verb, act] of ACTS) {
    const i = segment.lastIndexOf(verb);
    if (i > at) [best, at] = [act, i];
  }
  if (best === null) return null;
  let from = 0;
  for (const [verb] of ACTS) {
    const i = segment.lastIndexOf(verb, at - verb.length);
    if (i >= 0 && i + verb.length <= at) from = Math.max(from, i + verb.length);
  }
  return { act: best, from, at };
}
/** An effective date (施行, 起生效) is not a version of the text; 发布之日施行 only says when it took effect. */
const EFFECTIVE = /施行|生效/g;
const FROM_PUBLICATION = /[自从]?(?:公布|发布|印发|颁布)之日起?(?:施行|生效)/g;
const ORDER_WITHOUT_VERB = /令\s*第/;
/** A segment without a verb that ends in 、 or 和 shares the verb of the next one. */
const JOINED = /[、和]\s*$/;
const ORDER_NUMBER = /((?:[\u4e00-\u9fa5]{2,20}、)*[\u4e00-\u9fa5]{2,20}?)令\s*(第\s*[\d一二三四五六七八九十百零〇]+\s*号)/g;
const PRC = /中华人民共和国/g;
/** Where the body's name ends: its session (第十三届…第六次会议), its order (令), a 公告. */
const BODY_END = /\d{4}\s*年|第\s*[\d一二三四五六七八九十百零〇]+\s*次|令\s*第|公告|第\s*[\d一二三四五六七八九十百零〇]+\s*号|[（(《]/;
const SESSION_TERM = /第[一二三四五六七八九十百零〇\d]+届/g;
/** Organs of a body that meet for it: the body itself is the issuer (最高人民法院审判委员会 → 最高人民法院). */
const ORGAN_SUFFIX = /(?:审判委员会|检察委员会|常务会议|部务会议|部长办公会议|局务会议|署务会议|委务会议|办公会议|行务会议|全体会议|会议)$/;
const LEADING_NOISE = /^(?:由|经|在)/;
/** The issuer of a decision that amends the text: 《国务院关于修改…的决定》 → 国务院. */
const DECISION_ISSUER = /^《([\u4e00-\u9fa5、]{2,30}?)关于/;
const CHINESE_NAME = /^[\u4e00-\u9fa5、]{2,40}$/;
const LINE_BREAKS = /\n+/g;

function bodyName(printed: string): string | null {
  const cut = BODY_END.exec(printed);
  const name = (cut ? printed.slice(0, cut.index) : printed)
    .replace(SESSION_TERM, '')
    .replace(PRC, '')
    .trim()
    .replace(LEADING_NOISE, '')
    .replace(LINE_BREAKS, '、') // 国务院⏎中央军委发布: one name per line
    .replace(ORGAN_SUFFIX, '');
  return CHINESE_NAME.test(name) ? name : null;
}

const fullNames = (names: string[]): string => fullAgencyNames(names.join('、')).join('、');

function steps(text: string): Step[] {
  const dates = [...text.matchAll(DATE)];
  const found: Step[] = [];
  let pendingBodies: string[] = [];
  for (let k = 0; k < dates.length; k++) {
    const m = dates[k];
    const segment = text.slice(m.index + m[0].length, k + 1 < dates.length ? dates[k + 1].index : text.length).trim();
    const bare = segment.replace(BOOK_TITLE, (t) => '　'.repeat(t.length)).replace(FROM_PUBLICATION, (t) => '　'.repeat(t.length));
    const date = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
    const acted = actOf(bare);
    const effectiveAt = Math.max(-1, ...[...bare.matchAll(EFFECTIVE)].map((e) => e.index));
    if (effectiveAt > (acted?.at ?? -1)) {
      pendingBodies = [];
      continue;
    }
    if (acted === null) {
      const body = bodyName(segment);
      if (JOINED.test(bare) && body !== null && k + 1 < dates.length) {
        pendingBodies.push(body);
        continue;
      }
      const act: Act = ORDER_WITHOUT_VERB.test(bare) ? 'promulgate' : 'unstated';
      found.push({ date, act, bodies: body === null ? pendingBodies : [...pendingBodies, body] });
      pendingBodies = [];
      continue;
    }
    // The actor is read from the segment itself (bare has its 《》 titles blanked, at the same positions).
    let body = bodyName(segment.slice(acted.from, acted.at)) ?? bodyName(segment.slice(0, acted.at));
    if (acted.act === 'amend' && body === null) body = DECISION_ISSUER.exec(segment.replace(LINE_BREAKS, ''))?.[1] ?? null;
    found.push({ date, act: acted.act, bodies: body === null ? pendingBodies : [...pendingBodies, body] });
    pendingBodies = [];
  }
  return found;
}

/** The last act of one kind that names its body. */
function lastBodies(found: Step[], act: Act): string[] | null {
  for (let k = found.length - 1; k >= 0; k--) if (found[k].act === act && found[k].bodies.length > 0) return found[k].bodies;
  return null;
}

/**
 * issuer: the body that adopted the text (通过), else the one that promulgated it (令…公布, 发布), else
 * the issuer of the amending decision; a body that only approves (批准) is the issuer only when no
 * other is printed. issued_date: the last date of an adoption, amendment or approval (the version in force).
 */
export function readHistory(history: string | undefined): HistoryFacts {
  if (history === undefined) return { issuer: null, issuedDate: null, orderNumber: null };
  // Full-width digits (２０１８年) read as digits.
  const text = history.replace(FULL_WIDTH_DIGIT, (d) => String(d.charCodeAt(0) - 0xff10));
  const found = steps(text);
  const bodies = lastBodies(found, 'adopt') ?? lastBodies(found, 'promulgate') ?? lastBodies(found, 'amend') ?? lastBodies(found, 'approve') ?? lastBodies(found, 'unstated');
  // Promulgation (令…公布, 发布) dates the text only when the header prints no adoption, amendment or approval.
  const versions = found.filter((s) => s.act !== 'promulgate');
  const dates = (versions.length > 0 ? versions : found).map((s) => s.date).sort();
  const orders = [...text.replace(LINE_BREAKS, '').replace(BOOK_TITLE, '').matchAll(ORDER_NUMBER)];
  const order = orders.length > 0 ? orders[orders.length - 1] : null;
  return {
    issuer: bodies === null ? null : fullNames(bodies),
    issuedDate: dates.length > 0 ? dates[dates.length - 1] : null,
    orderNumber: order === null ? null : `${order[1].replace(PRC, '')}令${order[2].replace(/\s+/g, '')}`,
  };
}
