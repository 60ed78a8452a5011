// extract stage: ParsedPost → PolicyDocument (fields, outline tree, principles, milestones, measures, mentions).
import type { ParsedPost, PolicyDocument } from '../core/types.ts';
import { extractFields, isEnclosingNotice } from './fields.ts';
import { scanParagraphs } from './lexicon.ts';
import { extractMeasures } from './measures.ts';
import { extractMentions } from './mentions.ts';
import { extractMilestones, reportedYearOf } from './milestones.ts';
import { bodyWithoutOutline, extractOutline, placedParagraphs } from './outline.ts';
import { extractPrinciples } from './principles.ts';

export function extractDocument(post: ParsedPost): PolicyDocument {
  const outline = extractOutline(post.paragraphs, isEnclosingNotice(post.title));
  const { is_policy, ...fields } = extractFields(post, {
    hasOutline: outline.provisions.some((p) => p.level === 1),
    hasArticles: outline.hasArticles,
  });
  const document = {
    title: post.title,
    is_policy,
    ...fields,
    published_at: post.publishedAt,
  };
  // News items are not documents: their numbered lists are not provisions and they order nothing, but
  // the documents, agencies and dates they report are read from the whole body.
  if (!is_policy) {
    const body = bodyWithoutOutline(post.paragraphs);
    const published = post.publishedAt === null ? null : post.publishedAt.slice(0, 10);
    const scope = {
      issueYear: published === null ? null : Number(published.slice(0, 4)),
      reportedYear: null,
      newsDay: published === null ? null : Number(published.replaceAll('-', '')),
    };
    return {
      fields: document,
      provisions: [],
      principles: [],
      measures: [],
      milestones: extractMilestones(post.paragraphs, body, scope),
      mentions: extractMentions(scanParagraphs(placedParagraphs(post.paragraphs, body))),
    };
  }
  // Only a known 成文日期 dates the text; a repost's publication date may be later than its targets.
  const issueYear = fields.issued_date === null ? null : Number(fields.issued_date.slice(0, 4));
  const scanned = scanParagraphs(placedParagraphs(post.paragraphs, outline));
  return {
    fields: document,
    provisions: outline.provisions,
    principles: extractPrinciples(post.paragraphs, outline),
    milestones: extractMilestones(post.paragraphs, outline, { issueYear, reportedYear: reportedYearOf(post.title), newsDay: null }),
    measures: extractMeasures(scanned),
    mentions: extractMentions(scanned),
  };
}
