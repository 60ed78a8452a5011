// Plain markdown texts: LawRefBook laws (`# title`, history, `<!-- INFO END -->`, `## 第一章`, `第一条 …`)
// and other bot-written markdown such as the 《新闻联播》 transcripts.
import { htmlToText } from './html.ts';
import { titleDate } from './dates.ts';
import { normalizeSpace } from './text.ts';
import { ParseFailure, type PostBody } from './body.ts';

const TITLE_LINE = /^#\s+(.+)$/;
const HEADING_MARKS = /^#{1,6}\s+/;
const INFO_END = /^<!--\s*INFO END\s*-->$/;
const COMMENT_LINE = /^<!--.*-->$/;
/** Inline HTML that bot-written markdown embeds (`<p><strong>…</strong></p>…`). */
const MARKUP_LINE = /^<[a-z][^>]*>/i;
/** The transcript bot's `(更新时间戳: 1664115469821)` line: when it ran, not what it wrote. */
const BOT_TIMESTAMP = /^[(（]更新时间戳[:：]\s*\d+[)）]$/;

export function parseMarkdown(text: string): PostBody {
  const lines = text.split(/\r?\n/);
  let title = '';
  let start = 0;
  while (start < lines.length && lines[start].trim() === '') start++;
  const titleMatch = TITLE_LINE.exec(lines[start]?.trim() ?? '');
  if (titleMatch) {
    title = normalizeSpace(titleMatch[1]);
    start++;
  }
  const meta: Record<string, string> = {};
  // Everything before the INFO END marker is the adoption and amendment history, not the text.
  const infoEnd = lines.findIndex((l, i) => i >= start && INFO_END.test(l.trim()));
  if (infoEnd >= 0) {
    const history = lines.slice(start, infoEnd).map(normalizeSpace).filter(Boolean);
    if (history.length > 0) meta.history = history.join('\n');
    start = infoEnd + 1;
  }
  const paragraphs: string[] = [];
  for (let i = start; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || COMMENT_LINE.test(line) || BOT_TIMESTAMP.test(line)) continue;
    if (MARKUP_LINE.test(line)) {
      paragraphs.push(...htmlToText(line).paragraphs);
      continue;
    }
    const para = normalizeSpace(line.replace(HEADING_MARKS, ''));
    if (para !== '') paragraphs.push(para);
  }
  if (title === '' && paragraphs.length > 0) title = paragraphs.shift()!;
  if (paragraphs.length === 0) {
    throw new ParseFailure(title === '' ? 'the markdown text has no title and no paragraphs' : 'the markdown text has a title but no paragraphs');
  }
  return { title, publishedAt: titleDate(title), categories: [], tags: [], meta, paragraphs, link: null, warnings: [] };
}
