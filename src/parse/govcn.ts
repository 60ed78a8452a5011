// gov.cn policy-library pages: the metadata table (索引号, 发文机关, 成文日期, …) and the UCAP-CONTENT body.
import { htmlToText } from './html.ts';
import { chineseDate } from './dates.ts';
import { ParseFailure, type PostBody } from './body.ts';

const CONTENT_ID = 'UCAP-CONTENT';
/** A metadata label cell: `索 引 号：`, `标　　题:` (letter-spaced, full- or half-width colon). */
const LABEL_CELL = /^([^：:]{1,12})[：:]$/;
const INNER_SPACE = / /g;

/** Label cell → the value cell after it; a label followed directly by another label has an empty value. */
function readMetaTable(cells: string[]): Record<string, string> {
  const meta: Record<string, string> = {};
  for (let i = 0; i < cells.length; i++) {
    const label = LABEL_CELL.exec(cells[i]);
    if (!label) continue;
    const next = cells[i + 1];
    const hasValue = next !== undefined && !LABEL_CELL.test(next);
    meta[label[1].replace(INNER_SPACE, '')] = hasValue ? next : '';
    if (hasValue) i++;
  }
  return meta;
}

/** `utf8Bytes`: `html` is a valid UTF-8 page read one character per byte (see htmlToText). */
export function parseGovcn(html: string, utf8Bytes = false): PostBody {
  const hasContentCell = html.includes(CONTENT_ID);
  const blocks = htmlToText(html, hasContentCell ? CONTENT_ID : undefined, utf8Bytes);
  const meta = readMetaTable(blocks.before);
  // A body laid out entirely as a table is still the body.
  const paragraphs = blocks.paragraphs.length > 0 ? blocks.paragraphs : blocks.tableCells();
  if (paragraphs.length === 0) {
    throw new ParseFailure(hasContentCell ? 'the page has a UCAP-CONTENT cell but no text in it' : 'the HTML page holds no text paragraphs');
  }
  return {
    title: meta['标题'] ?? paragraphs[0],
    publishedAt: chineseDate(meta['发布日期']),
    categories: meta['主题分类'] ? [meta['主题分类']] : [],
    tags: [],
    meta,
    paragraphs,
    link: null,
    warnings: [],
  };
}
