// Types that flow between stages. Every stage imports only from src/core.

/** What a source yields: the bytes of one post plus where they came from. */
export interface RawPost {
  /** Source key, e.g. `dir`, `github:zning1994/finews`, `feed:example.org`. Part of doc_id. */
  source: string;
  /** Stable id of the post within its source: for dir/github the file name without extension. */
  sourceId: string;
  /** Where it was read from (http(s) URL or file path). */
  url: string;
  /** Where the source holds it now (github: its repository path, which changes when the post moves between listed folders). */
  sourcePath?: string;
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
  /** What could not be taken as written, for the log: a value left empty because it was unreadable, a field cut to its bound. */
  warnings: string[];
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

/** Rothwell & Zegveld's policy instruments: 供给型 supply, 需求型 demand, 环境型 environment. */
export type Instrument = 'supply' | 'demand' | 'environment';

/** Where a measure or mention sits: its provision (by `ord`, 0 for the preamble before the first numbered item) and path. */
export interface TextPlace {
  /** `ord` of the provision, 0 for the preamble; links the row to its provision's `part`. */
  provision_ord: number;
  /** Path of the provision; `0` for the preamble. */
  path: string;
}

/** One sentence that orders an action. */
export interface Measure extends TextPlace {
  /** Number of the measure within its provision, from 1. */
  measure_no: number;
  /** Position of the measure in the document, from 1, in document order. */
  ord: number;
  text: string;
  verb: string;
  /** The instrument its text gives evidence of, or null. */
  instrument: Instrument | null;
  /** The sub-tool of the instrument (资金投入, 法规管制, 示范工程 …), or null. */
  tool: string | null;
  /** The keywords that decided the instrument, as printed. */
  evidence: string[];
  /** Full names of the bodies the sentence makes responsible. */
  agencies: string[];
}

export type MentionKind = 'agency' | 'document' | 'term' | 'region';

/** A named thing in one provision, counted. */
export interface Mention extends TextPlace {
  kind: MentionKind;
  /** Normalized value: an agency's or region's full name, a cited title without 《》, a quoted term. */
  value: string;
  count: number;
  /** 发文字号 printed after a cited title: 《X》（国办发〔2021〕51号）. */
  doc_number: string | null;
}

/** Everything extracted from one post. */
export interface PolicyDocument {
  fields: DocumentFields;
  provisions: Provision[];
  principles: Principle[];
  milestones: Milestone[];
  measures: Measure[];
  mentions: Mention[];
}

/** One cell of a row as stages hand it to the store (a table's rows are typed by TableRow in tables.ts): lists stay lists until staged. */
export type Cell = string | number | boolean | null | readonly string[];

/** A post that could not be processed, as rejects.csv and status.json list it. */
export interface RejectRow {
  source_id: string;
  url: string;
  stage: string;
  reason: string;
}

/** ok/partial/failed as the run ended; stopped by SIGTERM/SIGINT before publishing; skipped when another run held the pipeline's lock. */
export type RunRecordStatus = 'ok' | 'partial' | 'failed' | 'stopped' | 'skipped';

/** One attempt to run a pipeline, as the runs table and status.json keep it. */
export interface RunRecord {
  run_id: string;
  pipeline: string;
  started_at: string;
  finished_at: string;
  status: RunRecordStatus;
  fetched: number;
  unchanged: number;
  rejected: number;
  failed: number;
  release_id: string | null;
  error: string | null;
}
