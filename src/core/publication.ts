// What the release's pages, search index and feed are made of: read by src/store, rendered by src/site.

/** Posts of its plan a document page lists (a notice reposted many times links the first). */
export const PLAN_POSTS = 20;

export interface PageDocument {
  doc_id: string;
  source: string;
  source_id: string;
  url: string | null;
  title: string | null;
  published_at: string | null;
  issued_date: string | null;
  category: string | null;
  tags: string[] | null;
  is_policy: boolean;
  doc_type: string;
  plan_type: string | null;
  plan_name: string | null;
  issuer: string | null;
  doc_number: string | null;
  period_start: number | null;
  period_end: number | null;
  version: number;
  source_path: string | null;
}

export interface PageProvision {
  part: number;
  path: string;
  level: number;
  parent_path: string | null;
  label: string;
  heading: string | null;
  text: string | null;
}

export interface PageMeasure {
  part: number;
  path: string;
  measure_no: number;
  label: string | null;
  text: string;
  verb: string;
  instrument: string | null;
  agencies: string[] | null;
}

export interface PageMention {
  part: number;
  path: string;
  kind: string;
  value: string;
  count: number;
  doc_number: string | null;
  plan_key: string | null;
  target_doc_id: string | null;
}

export interface PageRedline {
  to_version: number;
  from_version: number;
  path: string;
  label: string | null;
  change_type: string;
  old_text: string | null;
  new_text: string | null;
  diff: string | null;
}

/** Everything one document's page shows. */
export interface DocumentPageData {
  doc: PageDocument;
  provisions: PageProvision[];
  principles: { principle_no: number; path: string | null; title: string; text: string | null }[];
  milestones: { milestone_no: number; path: string | null; year: number; period: string | null; kind: string; text: string | null }[];
  measures: PageMeasure[];
  mentions: PageMention[];
  /** The plan this post carries and the other posts of it. */
  /** The plan's posts, the first PLAN_POSTS of them by date, and whether it has more (not how many: a count would change every member's page with each repost). */
  plan: { plan_key: string; plan_name: string; posts: { doc_id: string; title: string | null; source_id: string }[]; more: boolean } | null;
  versions: { version: number; release_id: string; status: string; fetched_at: string | null }[];
  redlines: PageRedline[];
}

export interface SearchText {
  doc_id: string;
  source_id: string;
  title: string | null;
  doc_number: string | null;
  issuer: string | null;
  doc_type: string;
  date: string | null;
  body: string;
}

export interface ReleaseDocument {
  doc_id: string;
  kind: 'added' | 'changed' | 'removed';
  title: string | null;
  source_id: string;
  doc_type: string | null;
  issuer: string | null;
  date: string | null;
}

export interface FeedRelease {
  release_id: string;
  created_at: string;
  documents_added: number;
  documents_changed: number;
  documents_removed: number;
}

export interface HomePlan {
  plan_key: string;
  plan_name: string;
  plan_type: string | null;
  doc_number: string | null;
  issuer: string | null;
  date: string | null;
  target_doc_id: string;
}

export interface TimelineRow {
  plan: string;
  doc_id: string;
  year: number;
  n: number;
}

export interface DueTarget {
  year: number;
  period: string | null;
  plan: string;
  text: string | null;
  doc_id: string;
  milestone_no: number;
}
