// A corpus dated as a real feed grows: the bundled posts, copied under new names, published one after another
// from 2021-01-01 on. Each copy's dates are rewritten where the parsers read them (the Jekyll `date:`, the
// gov.cn 发布日期, a 《新闻联播》 title) and in its file name; the bundled post without a date stays undated. A feed
// does not publish one notice hundreds of times: each copy's 发文字号 takes its year and sequence number, and a finews
// post's title its sequence number, so copies are distinct documents and plans, as a real feed's are.
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const SAMPLE = join(import.meta.dirname, '..', 'pipelines', 'sample', 'posts');
const START = Date.UTC(2020, 11, 31, 16); // 2021-01-01 00:00 in Asia/Shanghai

interface Template {
  name: string;
  text: string;
}

let templates: Promise<Template[]> | undefined;
const loadTemplates = (): Promise<Template[]> =>
  (templates ??= (async () => {
    const names = (await readdir(SAMPLE)).sort();
    return Promise.all(names.map(async (name) => ({ name, text: await readFile(join(SAMPLE, name), 'utf8') })));
  })());

/** The time of post `i` of a feed that publishes one every `stepMs`, in Shanghai wall-clock parts. */
function when(i: number, stepMs: number): { y: string; m: string; d: string; time: string } {
  const t = new Date(START + 8 * 3600_000 + i * stepMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return { y: String(t.getUTCFullYear()), m: p(t.getUTCMonth() + 1), d: p(t.getUTCDate()), time: `${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}` };
}

/** Post `i`: a bundled post with its dates (and file name) set to the feed's i-th time. */
export async function datedPost(i: number, stepMs: number): Promise<{ name: string; text: string }> {
  const all = await loadTemplates();
  const t = all[i % all.length];
  const { y, m, d, time } = when(i, stepMs);
  const id = String(i).padStart(7, '0');
  if (t.name.startsWith('govcn-')) {
    const text = t.text.replace(/(发布日期：<\/b><\/td>\s*<td>)\d{4}年\d{2}月\d{2}日/, `$1${y}年${m}月${d}日`).replace(/〔\d{4}〕\d+号/g, `〔${y}〕${i}号`);
    return { name: `govcn-${y}-${m}-${d}-content_${id}.html`, text };
  }
  if (t.name.startsWith('xwlb-')) return { name: `xwlb-${y}${m}${d}-${id}.md`, text: t.text.replace(/^# 《新闻联播》 \(\d{8}\)/m, `# 《新闻联播》 (${y}${m}${d})`) };
  if (/^date:\s+\+0800$/m.test(t.text)) return { name: `undated-${id}.md`, text: t.text };
  const text = t.text.replace(/^date: .*$/m, `date: ${y}-${m}-${d} ${time} +0800`).replace(/^title: "(.+)"$/m, `title: "$1（${i}）"`);
  return { name: `${y}-${m}-${d}-${id}.md`, text };
}

/** The step between posts that spreads `n` of them from 2021-01-01 to `until`. */
export const feedStep = (n: number, until: Date): number => Math.floor((until.getTime() - START) / n);

/** Writes posts `from` … `to - 1` of the feed into `dir` (sharded into folders of 1,000); returns their file paths. */
export async function writeDatedPosts(dir: string, from: number, to: number, stepMs: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = from; i < to; i++) {
    const folder = join(dir, String(Math.floor(i / 1000)).padStart(4, '0'));
    if (i === from || i % 1000 === 0) await mkdir(folder, { recursive: true });
    const post = await datedPost(i, stepMs);
    const path = join(folder, post.name);
    await writeFile(path, post.text);
    paths.push(path);
  }
  return paths;
}

/** An edit of a post, as a source revising it would make: a sentence added to its body. */
export function revise(text: string, n: number): string {
  const note = `第${n}次修订：本文已根据最新情况更新。`;
  if (text.includes('</p>')) return text.replace(/<\/p>/, `</p><p>${note}</p>`);
  return `${text.trimEnd()}\n\n${note}\n`;
}
