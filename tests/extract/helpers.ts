import type { ParsedPost } from '../../src/core/types.ts';

/** A gov.cn-like post made of the given paragraphs (for numbering styles and fields the corpus lacks); `meta` adds to or replaces its 发文机关 and 成文日期. */
export function govPost(paragraphs: string[], title = '国务院办公厅关于测试工作的意见', meta: Record<string, string> = {}): ParsedPost {
  return {
    source: 'dir',
    sourceId: 't',
    url: 't.html',
    format: 'govcn',
    title,
    publishedAt: '2019-01-02',
    categories: [],
    tags: [],
    meta: { 发文机关: '国务院办公厅', 成文日期: '2018年12月20日', ...meta },
    paragraphs,
    link: null,
    warnings: [],
  };
}
