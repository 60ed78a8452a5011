// Types that flow between stages. Every stage imports only from src/core.

/** What a source yields: the bytes of one post plus where they came from. */
export interface RawPost {
  /** Source key, e.g. `dir`, `github:zning1994/finews`, `feed:example.org`. Part of doc_id. */
  source: string;
  /** Stable id of the post within its source: for dir/github the file name without extension. */
  sourceId: string;
  /** Where it was read from (http(s) URL or file path). */
  url: string;
  bytes: Uint8Array;
  /** Content-Type header when fetched over HTTP; null for files. */
  contentType: string | null;
  /** Source revision, e.g. a git blob sha; null when the source has none. */
  revision: string | null;
  /** ISO 8601 UTC time the bytes were fetched or read. */
  fetchedAt: string;
}

export type PostFormat = 'jekyll' | 'govcn' | 'lawmd';

/** A post reduced to metadata and clean body paragraphs. */
export interface ParsedPost {
  source: string;
  sourceId: string;
  url: string;
  format: PostFormat;
  title: string;
  /** ISO 8601 with offset (`2022-01-06T15:04:39+08:00`) or a bare date; null when absent. */
  publishedAt: string | null;
  categories: string[];
  tags: string[];
  /** Named metadata fields as printed (gov.cn table: 索引号, 发文机关, 成文日期, 发文字号, …). */
  meta: Record<string, string>;
  /** Body text, one entry per paragraph, trimmed, markup removed, template lines dropped. */
  paragraphs: string[];
  /** The post's own link line (finews `<http://…>`), when present. */
  link: string | null;
}

export interface DocumentFields {
  title: string;
  is_policy: boolean;
  doc_type: string;
  plan_type: string | null;
  plan_name: string | null;
  issuer: string | null;
  doc_number: string | null;
  /** YYYY-MM-DD */
  issued_date: string | null;
  /** ISO 8601 with offset, or null */
  published_at: string | null;
  period_start: number | null;
  period_end: number | null;
}

export interface Provision {
  path: string;
  level: number;
  parent_path: string | null;
  label: string;
  heading: string;
  text: string;
  ord: number;
}

export interface Principle {
  principle_no: number;
  path: string | null;
  title: string;
  text: string;
}

export type MilestonePeriod = '上半年' | '下半年' | '年底' | '年内' | '起' | null;
export type MilestoneKind = 'start' | 'target' | 'deadline' | 'period';

export interface Milestone {
  milestone_no: number;
  path: string | null;
  year: number;
  period: MilestonePeriod;
  kind: MilestoneKind;
  text: string;
}

/** Everything extracted from one post. */
export interface PolicyDocument {
  fields: DocumentFields;
  provisions: Provision[];
  principles: Principle[];
  milestones: Milestone[];
}
