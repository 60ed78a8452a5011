import { downloadName } from '../core/layout.ts';
import { changeContextMarkup } from '../core/redline.ts';
import { CHANGE_FEED } from '../core/tables.ts';

export interface ChangelogDocument {
  doc_id: string;
  title: string;
  published_at: string | null;
  issuer: string | null;
  doc_type: string;
  changed_columns?: string[];
  /** Set when the content changed: the document's version before and after. */
  revised?: { from: number; to: number };
  /** Provision-level changes by type (added, removed, modified, moved), from redlines. */
  redlineCounts?: Record<string, number>;
  /** The first few provision-level changes, with `[-old-]{+new+}` markup where text changed. */
  redlines?: { label: string; change_type: string; text: string }[];
  /** Why a removed document is gone: from the source, or out of the pipeline's filter. */
  reason?: string;
}

export interface ChangelogInput {
  releaseId: string;
  parentReleaseId: string | null;
  added: ChangelogDocument[];
  changed: ChangelogDocument[];
  removed: ChangelogDocument[];
  /** Documents whose only change is where the source holds them (finews moving posts to old_post/), by folder pair. */
  moved: { from: string; to: string; count: number }[];
  rejects: { source_id: string; stage: string; reason: string }[];
}

const LIST_LIMIT = 200;
const CLIP = 160;

const REDLINE_WORDS: Record<string, string> = { added: '新增 added', removed: '删除 removed', modified: '修改 modified', moved: '移动 moved' };

/** One line of text: line breaks and control characters (a crafted file name's newlines) become single spaces. */
const flatten = (text: string): string => text.replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ').trim();

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * A value (a feed's title, a file name) as literal text in Markdown: on one line, HTML's < > & as
 * entities, inline punctuation backslash-escaped, and what would open a block at the start (- + 1.) too.
 */
function escapeMarkdown(value: string): string {
  return flatten(value)
    .replace(/[\\`*_[\]()!#|~<>&]/g, (c) => ENTITIES[c] ?? `\\${c}`)
    .replace(/^([-+]|\d+(?=[.)]))/, (m) => (/^\d/.test(m) ? `${m}\\` : `\\${m}`));
}

/** A value as a code span, fenced by more backticks than it holds, so no backtick inside can close it. */
function codeSpan(value: string): string {
  const text = flatten(value);
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  // CommonMark strips one space each side, which keeps a backtick at either end off the fence.
  const pad = /^`|`$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

const clip = (text: string): string => {
  const flat = flatten(text);
  return flat.length > CLIP ? `${flat.slice(0, CLIP)}…` : flat;
};

function line(d: ChangelogDocument): string {
  const bits = [d.published_at?.slice(0, 10), d.issuer, d.doc_type]
    .filter((b): b is string => Boolean(b))
    .map(escapeMarkdown)
    .join(' · ');
  return `- **${escapeMarkdown(d.title) || '(无标题 untitled)'}**${bits ? ` — ${bits}` : ''} (${codeSpan(d.doc_id)})`;
}

function section(heading: string, docs: ChangelogDocument[], detail: (d: ChangelogDocument) => string[] = () => []): string[] {
  if (docs.length === 0) return [];
  const out = [`## ${heading} (${docs.length})`, ''];
  for (const d of docs.slice(0, LIST_LIMIT)) out.push(line(d), ...detail(d));
  if (docs.length > LIST_LIMIT) out.push(`- … and ${docs.length - LIST_LIMIT} more: see \`${downloadName(CHANGE_FEED, 'csv')}\``);
  out.push('');
  return out;
}

function changedDetail(d: ChangelogDocument): string[] {
  const out: string[] = [];
  if (d.changed_columns?.length) out.push(`  - 元数据变化 metadata changed: ${d.changed_columns.map(escapeMarkdown).join(', ')}`);
  if (d.revised) out.push(`  - 正文修订 content revised: version ${d.revised.from} → ${d.revised.to}`);
  const counts = Object.entries(d.redlineCounts ?? {});
  if (counts.length) {
    const words = counts
      .sort()
      .map(([type, n]) => `${n} ${REDLINE_WORDS[type] ?? escapeMarkdown(type)}`)
      .join(', ');
    out.push(`  - 条目 provisions: ${words} (all in \`redlines.csv\`)`);
  }
  // The sentences that hold the change, so a change deep in a long provision is not cut off.
  for (const r of d.redlines ?? []) out.push(`  - ${escapeMarkdown(r.label)} ${REDLINE_WORDS[r.change_type] ?? escapeMarkdown(r.change_type)}: ${escapeMarkdown(clip(changeContextMarkup(r.text)))}`);
  return out;
}

/** CHANGELOG.md: what changed in this release, in words a journalist reads. */
export function buildChangelog(input: ChangelogInput): string {
  const { added, changed, removed } = input;
  const out = [
    `# 数据更新 Release ${escapeMarkdown(input.releaseId)}`,
    '',
    input.parentReleaseId ? `Changes since release ${escapeMarkdown(input.parentReleaseId)}.` : 'First release of this dataset.',
    '',
    `| 新增 new | 变更 changed | 删除 removed |`,
    `|---:|---:|---:|`,
    `| ${added.length} | ${changed.length} | ${removed.length} |`,
    '',
    ...input.moved.map(
      (m) =>
        `${m.count} ${m.count === 1 ? 'document' : 'documents'} moved in the source 来源中移动 from ${codeSpan(`${m.from}/`)} to ${codeSpan(`${m.to}/`)} (only their source_path and url changed).`,
    ),
    ...(input.moved.length ? [''] : []),
    ...section('新增文件 New documents', added),
    ...section('变更文件 Changed documents', changed, changedDetail),
    ...section('删除文件 Removed documents', removed, (d) => (d.reason ? [`  - 原因 reason: ${escapeMarkdown(d.reason)}`] : [])),
  ];
  if (input.rejects.length) {
    out.push(`## 未能处理 Posts that could not be processed (${input.rejects.length})`, '');
    for (const r of input.rejects.slice(0, LIST_LIMIT)) out.push(`- ${codeSpan(r.source_id)} (${escapeMarkdown(r.stage)}): ${escapeMarkdown(r.reason)}`);
    out.push('', 'See `rejects.csv`.', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
