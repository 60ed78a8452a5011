// What the release's pages, search index and feed read from the store: every query in one place, batched by document.
import { sqlString } from '../core/sql.ts';
import { DOCUMENT_CHANGE } from './queries.ts';
import {
  PLAN_POSTS,
  type DocumentPageData,
  type DueTarget,
  type FeedRelease,
  type HomePlan,
  type PageDocument,
  type PageMeasure,
  type PageMention,
  type PageProvision,
  type PageRedline,
  type ReleaseDocument,
  type SearchText,
  type TimelineRow,
} from '../core/publication.ts';
import type { Store } from './store.ts';

/** The current (this release's) rows of a versioned table. */
const current = (table: string): string => `(SELECT * FROM hist_${table} WHERE _valid_to IS NULL)`;

/** Each plan with the document its page is: the official post (its 发文字号), else a policy post, else the earliest. */
const PLAN_TARGETS = `(SELECT p.plan_key, any_value(p.plan_name) AS plan_name,
    arg_min(d.doc_id, (d.doc_number IS DISTINCT FROM p.doc_number, NOT d.is_policy, d.published_at, d.doc_id)) AS target_doc_id
  FROM ${current('plans')} p, unnest(p.doc_ids) AS u(doc_id) JOIN ${current('documents')} d ON d.doc_id = u.doc_id
  GROUP BY p.plan_key)`;

/** Groups rows by doc_id, keeping their order. */
function byDoc<T extends { doc_id: string }>(rows: T[]): Map<string, Omit<T, 'doc_id'>[]> {
  const out = new Map<string, Omit<T, 'doc_id'>[]>();
  for (const { doc_id, ...rest } of rows) {
    const list = out.get(doc_id);
    if (list) list.push(rest);
    else out.set(doc_id, [rest]);
  }
  return out;
}

/** The page data of the given documents (current rows), in one query per table for the whole batch. */
export async function documentPageData(store: Store, docIds: readonly string[]): Promise<DocumentPageData[]> {
  if (docIds.length === 0) return [];
  const ids = `(SELECT unnest([${docIds.map(sqlString).join(', ')}]) AS doc_id)`;
  const inBatch = `doc_id IN ${ids}`;
  const docs = await store.all<PageDocument>(`SELECT doc_id, source, source_id, url, title, CAST(published_at AS VARCHAR) AS published_at, CAST(issued_date AS VARCHAR) AS issued_date,
      category, tags, is_policy, doc_type, plan_type, plan_name, issuer, doc_number, period_start, period_end, version, source_path
    FROM ${current('documents')} WHERE ${inBatch} ORDER BY doc_id`);
  const provisions = byDoc(
    await store.all<PageProvision & { doc_id: string }>(`SELECT doc_id, part, path, level, parent_path, label, heading, text FROM ${current('provisions')} WHERE ${inBatch} ORDER BY doc_id, ord`),
  );
  const principles = byDoc(
    await store.all<DocumentPageData['principles'][number] & { doc_id: string }>(
      `SELECT doc_id, principle_no, path, title, text FROM ${current('principles')} WHERE ${inBatch} ORDER BY doc_id, principle_no`,
    ),
  );
  const milestones = byDoc(
    await store.all<DocumentPageData['milestones'][number] & { doc_id: string }>(
      `SELECT doc_id, milestone_no, path, year, period, kind, text FROM ${current('milestones')} WHERE ${inBatch} ORDER BY doc_id, milestone_no`,
    ),
  );
  // Document order: by the position of the provision each measure is in (the preamble, path 0, first), then within it.
  const measures = byDoc(
    await store.all<PageMeasure & { doc_id: string }>(`SELECT m.doc_id, m.part, m.path, m.measure_no, p.label, m.text, m.verb, m.instrument, m.agencies
      FROM ${current('measures')} m LEFT JOIN ${current('provisions')} p ON p.doc_id = m.doc_id AND p.part = m.part AND p.path = m.path
      WHERE m.${inBatch} ORDER BY m.doc_id, coalesce(p.ord, -1), m.measure_no`),
  );
  const mentions = byDoc(
    await store.all<PageMention & { doc_id: string }>(`SELECT m.doc_id, m.part, m.path, m.kind, m.value, m.count, m.doc_number, m.plan_key, t.target_doc_id
      FROM ${current('mentions')} m LEFT JOIN ${PLAN_TARGETS} t USING (plan_key)
      WHERE m.${inBatch} ORDER BY m.doc_id, m.kind, m.value, m.part, m.path`),
  );
  // The batch's plans, then the first posts of each (a plan's posts are listed once per plan, not once per member).
  const memberOf = await store.all<{ doc_id: string; plan_key: string; plan_name: string; total: number }>(`SELECT u.doc_id, p.plan_key, p.plan_name, len(p.doc_ids) AS total
    FROM ${current('plans')} p, unnest(p.doc_ids) AS u(doc_id) WHERE u.${inBatch}`);
  const keys = [...new Set(memberOf.map((m) => m.plan_key))];
  const postsOf = new Map<string, { doc_id: string; title: string | null; source_id: string }[]>();
  if (keys.length) {
    const posts = await store.all<{ plan_key: string; doc_id: string; title: string | null; source_id: string }>(`SELECT m.plan_key, d.doc_id, d.title, d.source_id
      FROM (SELECT plan_key, unnest(doc_ids) AS doc_id FROM ${current('plans')} WHERE plan_key IN (${keys.map(sqlString).join(', ')})) m JOIN ${current('documents')} d USING (doc_id)
      QUALIFY row_number() OVER (PARTITION BY m.plan_key ORDER BY d.published_at, d.doc_id) <= ${PLAN_POSTS}
      ORDER BY m.plan_key, d.published_at, d.doc_id`);
    for (const { plan_key, ...post } of posts) postsOf.set(plan_key, [...(postsOf.get(plan_key) ?? []), post]);
  }
  const plans = new Map(memberOf.map((m) => [m.doc_id, { plan_key: m.plan_key, plan_name: m.plan_name, posts: postsOf.get(m.plan_key) ?? [], more: Number(m.total) > PLAN_POSTS }]));
  const versions = byDoc(
    await store.all<DocumentPageData['versions'][number] & { doc_id: string }>(
      `SELECT doc_id, version, release_id, status, CAST(fetched_at AS VARCHAR) AS fetched_at FROM document_versions WHERE ${inBatch} ORDER BY doc_id, version`,
    ),
  );
  const redlines = byDoc(
    await store.all<PageRedline & { doc_id: string }>(
      `SELECT doc_id, to_version, from_version, path, label, change_type, old_text, new_text, diff FROM redlines WHERE ${inBatch} ORDER BY doc_id, to_version, path, change_type`,
    ),
  );
  return docs.map((doc) => {
    const plan = plans.get(doc.doc_id);
    return {
      doc,
      provisions: provisions.get(doc.doc_id) ?? [],
      principles: principles.get(doc.doc_id) ?? [],
      milestones: milestones.get(doc.doc_id) ?? [],
      measures: measures.get(doc.doc_id) ?? [],
      mentions: mentions.get(doc.doc_id) ?? [],
      plan: plan ?? null,
      versions: versions.get(doc.doc_id) ?? [],
      redlines: redlines.get(doc.doc_id) ?? [],
    };
  });
}

/** Every current document's id, in order. */
export async function currentDocIds(store: Store): Promise<string[]> {
  return (await store.all<{ doc_id: string }>(`SELECT doc_id FROM ${current('documents')} ORDER BY doc_id`)).map((r) => r.doc_id);
}

/**
 * The documents whose page this release must render again (inside the release's transaction, from its change rows):
 * the document changed in any table, or a plan its page links to changed (the plan's row, or any of its posts).
 */
export async function changedPageDocIds(store: Store): Promise<string[]> {
  const rows = await store.all<{ doc_id: string }>(`
    WITH changed_docs AS (SELECT DISTINCT doc_id FROM run_changes WHERE doc_id IS NOT NULL),
    plan_members AS (SELECT plan_key, unnest(doc_ids) AS doc_id FROM hist_plans WHERE _valid_to IS NULL
      UNION SELECT c.row_key, unnest(CAST(json_extract(c.before, '$.doc_ids') AS VARCHAR[])) FROM run_changes c WHERE c.table_name = 'plans' AND c.before IS NOT NULL),
    changed_plans AS (SELECT row_key AS plan_key FROM run_changes WHERE table_name = 'plans'
      UNION SELECT plan_key FROM plan_members WHERE doc_id IN (SELECT doc_id FROM changed_docs))
    SELECT doc_id FROM (SELECT doc_id FROM changed_docs
      UNION SELECT doc_id FROM ${current('mentions')} WHERE plan_key IN (SELECT plan_key FROM changed_plans)
      UNION SELECT doc_id FROM plan_members WHERE plan_key IN (SELECT plan_key FROM changed_plans))
    WHERE doc_id IN (SELECT doc_id FROM ${current('documents')})
    ORDER BY doc_id`);
  return rows.map((r) => r.doc_id);
}

/** What the search index of a document holds, and a fingerprint that changes when any of it does. */
export interface SearchDocument {
  doc_id: string;
  fingerprint: string;
}

/** Each current document's search fingerprint: its metadata and the hash of its content. */
export async function searchFingerprints(store: Store): Promise<SearchDocument[]> {
  return store.all<SearchDocument>(`SELECT doc_id, sha256(concat_ws(chr(31), doc_id, source_id, coalesce(title, ''), coalesce(doc_number, ''), coalesce(issuer, ''), doc_type,
      coalesce(CAST(published_at AS VARCHAR), ''), coalesce(CAST(issued_date AS VARCHAR), ''), content_sha256, CAST(version AS VARCHAR))) AS fingerprint
    FROM ${current('documents')} ORDER BY doc_id`);
}

/** The text a document is found by: its metadata and every provision's label, heading and text, in document order. */
export async function searchTexts(store: Store, docIds: readonly string[]): Promise<SearchText[]> {
  if (docIds.length === 0) return [];
  const ids = `(SELECT unnest([${docIds.map(sqlString).join(', ')}]) AS doc_id)`;
  return store.all<SearchText>(`SELECT d.doc_id, d.source_id, d.title, d.doc_number, d.issuer, d.doc_type, CAST(coalesce(d.issued_date, CAST(d.published_at AS DATE)) AS VARCHAR) AS date,
      coalesce((SELECT string_agg(concat_ws(' ', p.label, p.heading, p.text), chr(10) ORDER BY p.ord) FROM ${current('provisions')} p WHERE p.doc_id = d.doc_id), '') AS body
    FROM ${current('documents')} d WHERE d.doc_id IN ${ids} ORDER BY d.doc_id`);
}

/** Up to `perRelease` documents each release added, changed or removed, with their title as of that release (a removed one: its last). */
export async function releaseDocuments(store: Store, releaseIds: readonly string[], perRelease: number): Promise<Map<string, ReleaseDocument[]>> {
  const out = new Map<string, ReleaseDocument[]>();
  if (releaseIds.length === 0) return out;
  const rows = await store.all<ReleaseDocument & { release_id: string }>(`
    WITH docs AS (SELECT release_id, doc_id, ${DOCUMENT_CHANGE} AS kind FROM changes
      WHERE release_id IN (${releaseIds.map(sqlString).join(', ')}) AND doc_id IS NOT NULL GROUP BY release_id, doc_id),
    titled AS (SELECT x.*, h.title, h.source_id, h.doc_type, h.issuer, CAST(coalesce(h.issued_date, CAST(h.published_at AS DATE)) AS VARCHAR) AS date FROM docs x
      JOIN hist_documents h ON h.doc_id = x.doc_id AND (x.kind = 'removed' OR (h._valid_from <= x.release_id AND (h._valid_to IS NULL OR h._valid_to > x.release_id)))
      QUALIFY row_number() OVER (PARTITION BY x.release_id, x.doc_id ORDER BY h._valid_from DESC) = 1)
    SELECT release_id, doc_id, kind, title, source_id, doc_type, issuer, date FROM titled
    QUALIFY row_number() OVER (PARTITION BY release_id ORDER BY kind, date DESC NULLS LAST, doc_id) <= ${perRelease}
    ORDER BY release_id, kind, date DESC NULLS LAST, doc_id`);
  for (const { release_id, ...doc } of rows) out.set(release_id, [...(out.get(release_id) ?? []), doc]);
  return out;
}

/** The newest `limit` releases, newest first (this one included, inside its transaction). */
export async function recentReleases(store: Store, limit: number): Promise<FeedRelease[]> {
  return store.all<FeedRelease>(`SELECT release_id, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS created_at, documents_added, documents_changed, documents_removed
    FROM releases ORDER BY release_id DESC LIMIT ${limit}`);
}

/** The newest plans first (by 成文日期, else their first post's date). */
export async function newestPlans(store: Store, limit: number): Promise<HomePlan[]> {
  return store.all<HomePlan>(`SELECT p.plan_key, p.plan_name, p.plan_type, p.doc_number, p.issuer,
      CAST(coalesce(p.issued_date, (SELECT min(CAST(d.published_at AS DATE)) FROM ${current('documents')} d WHERE list_contains(p.doc_ids, d.doc_id))) AS VARCHAR) AS date, t.target_doc_id
    FROM ${current('plans')} p JOIN ${PLAN_TARGETS} t USING (plan_key)
    ORDER BY date DESC NULLS LAST, p.plan_key LIMIT ${limit}`);
}

/** Each plan's dated targets by year (as views.sql's timeline: a plan's targets once, from its official post). */
const TIMELINE = `(SELECT m.year, m.period, m.milestone_no, coalesce(nullif(p.plan_name, ''), nullif(d.plan_name, ''), nullif(trim(d.title), ''), '（无标题） ' || d.source_id) AS plan, m.text, m.doc_id, coalesce(p.plan_key, m.doc_id) AS plan_id
  FROM ${current('milestones')} m JOIN ${current('documents')} d USING (doc_id)
  LEFT JOIN (SELECT plan_key, plan_name, unnest(doc_ids) AS doc_id FROM ${current('plans')}) p USING (doc_id)
  QUALIFY dense_rank() OVER (PARTITION BY coalesce(p.plan_key, m.doc_id) ORDER BY d.doc_number IS NULL, d.published_at, m.doc_id) = 1)`;

/** The timeline's rows: targets per plan and year, the plan's page being its post with the targets. */
export async function timelineRows(store: Store): Promise<TimelineRow[]> {
  return store.all<TimelineRow>(`SELECT any_value(plan) AS plan, any_value(doc_id) AS doc_id, year, count(*)::INT AS n FROM ${TIMELINE} GROUP BY plan_id, year ORDER BY plan_id, year`);
}

/** Targets of `year` and of the years before it, latest first. */
export async function dueTargets(store: Store, year: number, limit: number): Promise<{ targets: DueTarget[]; total: number }> {
  const targets = await store.all<DueTarget & { total: number }>(`SELECT year, period, plan, text, doc_id, milestone_no, count(*) OVER ()::INT AS total FROM ${TIMELINE}
    WHERE year <= ${year} ORDER BY year DESC, list_position(['年底', '下半年', '年内', '上半年', '起'], period) NULLS FIRST, plan, doc_id, milestone_no LIMIT ${limit}`);
  return { targets, total: targets[0]?.total ?? 0 };
}

/** The redlines release `releaseId` made, for the page's account of what changed. */
export async function releaseRedlines(store: Store, releaseId: string, limit: number): Promise<(PageRedline & { doc_id: string; title: string | null; source_id: string })[]> {
  return store.all(`SELECT r.doc_id, d.title, d.source_id, r.to_version, r.from_version, r.path, r.label, r.change_type, r.old_text, r.new_text, r.diff
    FROM redlines r JOIN document_versions v ON v.doc_id = r.doc_id AND v.version = r.to_version AND v.release_id = ${sqlString(releaseId)}
    JOIN hist_documents d ON d.doc_id = r.doc_id AND d._valid_to IS NULL
    ORDER BY r.doc_id, r.path, r.change_type LIMIT ${limit}`);
}
