// Document fields: is it an official document, its 文种, the enclosed plan, issuer, 发文字号, dates, period.
import type { DocumentFields, ParsedPost } from '../core/types.ts';
import { DATE_LINE, PERIOD_STATEMENT, YEAR_RANGE, parseDocDate } from './dates.ts';
import { fullAgencyNames } from './dictionaries/agencies.ts';
import { readHistory } from './history.ts';
import { BOOK_TITLE, stripSpaces } from './text.ts';

/** 文种 words a title ends with, longest first so 复函 wins over 函 and 指导意见 maps to 意见. */
const DOC_TYPES: Array<[suffix: string, type: string]> = (
  [
    ['指导意见', '意见'],
    ['若干意见', '意见'],
    ['实施意见', '意见'],
    ['实施细则', '细则'],
    ['修正案', '修正案'],
    ['通知', '通知'],
    ['通报', '通报'],
    ['报告', '报告'],
    ['请示', '请示'],
    ['意见', '意见'],
    ['方案', '方案'],
    ['规划', '规划'],
    ['纲要', '纲要'],
    ['计划', '计划'],
    ['办法', '办法'],
    ['细则', '细则'],
    ['规则', '规则'],
    ['规定', '规定'],
    ['条例', '条例'],
    ['决定', '决定'],
    ['决议', '决议'],
    ['批复', '批复'],
    ['复函', '复函'],
    ['答复', '答复'],
    ['命令', '命令'],
    ['公告', '公告'],
    ['通告', '通告'],
    ['解释', '解释'],
    ['章程', '章程'],
    ['预案', '预案'],
    ['要点', '要点'],
    ['安排', '安排'],
    ['指南', '指南'],
    ['规范', '规范'],
    ['标准', '标准'],
    ['解答', '解答'],
    ['法典', '法典'],
    ['函', '函'],
    ['令', '令'],
    ['法', '法'],
  ] as Array<[string, string]>
).sort((a, b) => b[0].length - a[0].length);

const TRAILING_PARENS = /(?:\s*[（(][^（）()]*[）)])+\s*$/;
const BOOK_MARKS = /[《》〈〉]/g;
/** 关于印发X的通知, 关于印发X的函, 转发X的通知, 批转X的报告的通知: the notice encloses X. */
const ENCLOSING_NOTICE = /(印发|转发|批转|颁发|发布)(.+)的(?:通知|函)$/;
/** A forwarded document is named as the body cites it, else as the title prints it, its author included (转发国家发展改革委关于…的意见). */
const FORWARDS = new Set(['转发', '批转']);
/** Paragraphs a notice's own text may take when no signature date ends it. */
const NOTICE_PARAGRAPHS_MAX = 12;
/** A repost headline that names the document it reproduces: 国办印发X方案. */
const ANNOUNCED = /^(.*?)(?:印发|发布|公布|出台)(?:了)?(.+)$/;
/** X和Y两个规定: several documents of one 文种 named together. */
const SEVERAL = /^(.+?)(?:两|二|三|四|五)个([^\s个]{1,4})$/;
const SEVERAL_SPLIT = /[、和及]/;
const ISSUER_BEFORE_ABOUT = /^([^《》]{2,40}?)关于/;
const DOC_NUMBER_LINE = /^[\u4e00-\u9fa5]{1,12}[〔［[]\d{4}[〕］\]]\s*\d+\s*号$/;
const UP_TO_ABOUT = /^.*?关于/;
const BRACKETED_HISTORY = /^[（(](?=.*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)(?=.*(?:通过|批准|公布|发布|修正|修订)).*[）)]$/;

/** A notice that encloses another document (关于印发…的通知): its outline comes from the enclosed text. */
export function isEnclosingNotice(title: string): boolean {
  return ENCLOSING_NOTICE.test(title);
}

function docTypeOf(name: string): string | null {
  const bare = name.replace(TRAILING_PARENS, '').replace(BOOK_MARKS, '').trim();
  for (const [suffix, type] of DOC_TYPES) if (bare.endsWith(suffix)) return type;
  return null;
}

/** Issuers in full, joint issuers joined with 、 (gold rules: 国办 → 国务院办公厅, 中央军委 → 中央军事委员会). */
const fullIssuer = (printed: string): string => fullAgencyNames(printed).join('、');

/** The documents a notice encloses, as named in its title: `《X》` → X; `X和Y两个规定` → X的规定、Y的规定. */
function enclosedNames(enclosed: string): string[] {
  const books = enclosed.match(BOOK_TITLE);
  if (books && books.length > 1) return books.map((b) => b.slice(1, -1));
  const bare = enclosed.replace(BOOK_MARKS, '');
  const several = SEVERAL.exec(bare);
  if (several)
    return several[1]
      .split(SEVERAL_SPLIT)
      .filter(Boolean)
      .map((part) => `${part}的${several[2]}`);
  return [bare];
}

/**
 * A forwarded document's own title as the notice cites it before its signature date (gold rules): 国家教委《关于X的
 * 请示》已经国务院批准，现转发给你们 → 关于X的请示, the author printed before 《》 left out. The first cited title of
 * the 文种 the notice's title names; null when the notice cites none.
 */
function citedForwardedName(paragraphs: string[], type: string): string | null {
  const signature = paragraphs.findIndex((p) => DATE_LINE.test(p));
  const end = signature >= 0 ? signature : Math.min(paragraphs.length, NOTICE_PARAGRAPHS_MAX);
  for (let i = 0; i < end; i++) {
    if (!paragraphs[i].includes('《')) continue;
    for (const [cited] of paragraphs[i].matchAll(BOOK_TITLE)) {
      const name = cited.slice(1, -1);
      if (docTypeOf(name) === type) return name;
    }
  }
  return null;
}

interface Plan {
  type: string | null;
  name: string | null;
  issuer: string | null;
  encloses: boolean;
}

/** The plan a post encloses (印发 notice) or reproduces (a repost headline naming a 文种). */
function planOf(post: ParsedPost): Plan {
  const title = post.title;
  const notice = ENCLOSING_NOTICE.exec(title);
  if (notice) {
    const forwards = FORWARDS.has(notice[1]);
    const names = enclosedNames(forwards ? notice[2] : notice[2].replace(UP_TO_ABOUT, ''));
    const type = docTypeOf(names[0]);
    if (type === null) return { type: null, name: null, issuer: null, encloses: true };
    // The title contracts a forwarded name (转发国家教委关于X请示的通知); the body's 《》 citation is the name itself.
    const cited = forwards && names.length === 1 && !notice[2].includes('《') ? citedForwardedName(post.paragraphs, type) : null;
    return { type, name: cited ?? names.join('、'), issuer: null, encloses: true };
  }
  if (post.format === 'jekyll') {
    const announced = ANNOUNCED.exec(title.replace(TRAILING_PARENS, ''));
    if (announced) {
      const name = announced[2].replace(BOOK_MARKS, '');
      const type = docTypeOf(name);
      if (type !== null) return { type, name, issuer: announced[1] ? fullIssuer(announced[1]) : null, encloses: false };
    }
  }
  return { type: null, name: null, issuer: null, encloses: false };
}

/** An explicit overall period: （2018—2035年） in the title, or 期限为2021—2025年 in the text (not in a cited 《》 title). */
function periodOf(title: string, titleCitesPlan: boolean, paragraphs: string[]): [number, number] | null {
  const inTitle = YEAR_RANGE.exec(titleCitesPlan ? title : title.replace(BOOK_TITLE, ''));
  if (inTitle) return [Number(inTitle[1]), Number(inTitle[2])];
  for (const p of paragraphs) {
    if (!p.includes('期')) continue;
    const m = p.replace(BOOK_TITLE, '').matchAll(PERIOD_STATEMENT).next().value;
    if (m) return [Number(m[1]), Number(m[2])];
  }
  return null;
}

/** The fields read from the text; title and published_at come from the post itself. */
export type Fields = Omit<DocumentFields, 'title' | 'published_at'>;

export interface OutlineFacts {
  /** The body has numbered top-level items: a repost of a full document, not a news item reporting one. */
  hasOutline: boolean;
  /** The body is made of 第X条 articles: a legal text even when its title names no 文种 (民法典 总则). */
  hasArticles: boolean;
}

/** Fields read from the title, the metadata table and the text. */
export function extractFields(post: ParsedPost, { hasOutline, hasArticles }: OutlineFacts): Fields {
  const plan = planOf(post);
  const ownType = docTypeOf(post.title);
  const isPolicy = post.format === 'govcn' ? true : post.format === 'lawmd' ? ownType !== null || hasArticles : plan.name !== null && hasOutline;
  if (!isPolicy) {
    return {
      is_policy: false,
      doc_type: '新闻',
      plan_type: null,
      plan_name: null,
      issuer: null,
      doc_number: null,
      issued_date: null,
      period_start: null,
      period_end: null,
    };
  }
  // A law's header history names the adopting body, the version in force and its 令 number; some texts
  // print it instead as a bracketed paragraph at the top of the body: （2001年2月6日…通过，根据…修正）.
  const history = readHistory(post.meta.history ?? (post.format === 'lawmd' ? post.paragraphs.slice(0, 3).find((p) => BRACKETED_HISTORY.test(p)) : undefined));
  const printedIssuer = post.meta['发文机关'] || ISSUER_BEFORE_ABOUT.exec(post.title)?.[1];
  const docNumber = post.meta['发文字号'] || history.orderNumber || post.paragraphs.slice(0, 12).find((p) => DOC_NUMBER_LINE.test(p)) || null;
  const issued = parseDocDate(post.meta['成文日期']) ?? history.issuedDate ?? parseDocDate(post.paragraphs.find((p) => DATE_LINE.test(p)));
  const period = periodOf(post.title, plan.encloses, post.paragraphs);
  return {
    is_policy: true,
    doc_type: post.format === 'jekyll' && plan.type !== null ? plan.type : (ownType ?? plan.type ?? '其他'),
    plan_type: plan.type,
    plan_name: plan.name,
    issuer: history.issuer ?? (printedIssuer ? fullIssuer(printedIssuer) : plan.issuer),
    doc_number: docNumber ? stripSpaces(docNumber) : null,
    issued_date: issued,
    period_start: period ? period[0] : null,
    period_end: period ? period[1] : null,
  };
}
