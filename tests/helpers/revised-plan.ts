// A large plan of many similar numbered items and its reworded revision, generated for tests and the bench.

const SECTIONS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

function plan(title: string, sections: number, items: (section: number) => string[]): string {
  // A Markdown text as lawrefbook prints one (tests/fixtures/revisions): a title, a notice line, the outline.
  const lines = [`# ${title}`, '', '2024年3月1日 国务院办公厅印发', '', '<!-- INFO END -->', ''];
  for (let s = 0; s < sections; s++) {
    lines.push(`${SECTIONS[s]}、第${SECTIONS[s]}部分重点任务`, '');
    items(s).forEach((text, i) => lines.push(`${i + 1}. ${text}`, ''));
  }
  return lines.join('\n');
}

/**
 * Version 1: `sections` × `items` items that differ only in their numbers. Version 2 rewords every item
 * and puts a new item first in each section, so every item is renumbered (a move) and reworded.
 */
export function revisedPlan(sections: number, items: number): { v1: string; v2: string } {
  const title = '关于推进要素市场化配置改革重点任务的实施方案';
  const old = (s: number, i: number) => `推进第${s + 1}组第${i + 1}项改革试点。完善配套政策，按期报送进展。`;
  const reworded = (s: number, i: number) => `深化第${s + 1}组第${i + 1}项综合改革试点。健全配套政策，按季度报送进展。`;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    v1: plan(title, sections, (s) => range(items).map((i) => old(s, i))),
    v2: plan(title, sections, (s) => [`新增第${s + 1}组试点任务清单管理。`, ...range(items).map((i) => reworded(s, i))]),
  };
}
