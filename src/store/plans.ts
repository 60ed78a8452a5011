// The plans table: one row per policy across its posts, and the plan each cited document resolves to.
//
// A news repost prints no 发文字号 while the official notice does, so posts are grouped by a shared 发文字号,
// and a post without one joins by its normalized plan name the one numbered plan of that name (groupPlans):
// two different 发文字号 are never one plan. The plan_key hashes the group's 发文字号, else its normalized
// name: deterministic, and stable while the group keeps its members. plans is a
// `whole` table: rebuilt each run from the current documents into stage_plans and compared over the table,
// so history and changes track it like any other. Mentions of kind document get the plan_key of the plan
// they name; when a new post makes an old citation resolve, that document's mentions are restaged too.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sha256 } from '../core/hash.ts';
import { TABLE_BY_NAME } from '../core/tables.ts';
import { columnList, histName, LIST_SEPARATOR_SQL } from './schema.ts';

const all = async <T>(conn: DuckDBConnection, sql: string): Promise<T[]> => (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];

/** The plan of a policy document: its enclosed or announced plan, or the document itself. */
const PLAN_NAME = 'coalesce(plan_name, title)';

/** A name as compared across posts: no spaces, no 《》〈〉“”, nothing before 关于 (国务院关于X的意见 = 关于X的意见). */
const NAME_KEY_MACRO = `CREATE OR REPLACE TEMP MACRO plan_name_key(x) AS regexp_replace(regexp_replace(x, '[\\s《》〈〉“”"]', '', 'g'), '^.{0,30}?关于', '关于')`;
/** The plan a citation resolves to: by its 发文字号, else by its name when one plan alone carries it (needs run_plan_lookup). */
const CITED_PLAN_MACRO = `CREATE OR REPLACE TEMP MACRO cited_plan(kind, value, number) AS CASE WHEN kind = 'document' THEN coalesce(
  (SELECT plan_key FROM run_plan_lookup WHERE match = 'no:' || number),
  (SELECT plan_key FROM run_plan_lookup WHERE match = 'name:' || plan_name_key(value))) END`;

/**
 * Groups documents into plans. Returns doc_id → plan_key.
 *
 * A 发文字号 names one document, so posts with the same number are one plan and posts with different numbers
 * never are: a recurring title (国务院关于修改部分行政法规的决定, issued again every year or two under a new
 * number) stays one plan per number. A post without a number (a news repost) joins by name the one numbered
 * plan that carries that name; when no numbered post carries it, the unnumbered posts of that name are a
 * plan of their own, and so they are when several numbered plans carry it (nothing tells which one it reposts).
 * The key hashes `no:<发文字号>`, else `name:<name key>`.
 */
export function groupPlans(docs: { doc_id: string; name_key: string; doc_number: string | null }[]): Map<string, string> {
  const numbersOfName = new Map<string, Set<string>>();
  for (const d of docs) {
    if (!d.doc_number) continue;
    const numbers = numbersOfName.get(d.name_key);
    if (numbers) numbers.add(d.doc_number);
    else numbersOfName.set(d.name_key, new Set([d.doc_number]));
  }
  const identity = (d: { name_key: string; doc_number: string | null }): string => {
    if (d.doc_number) return `no:${d.doc_number}`;
    const numbers = numbersOfName.get(d.name_key);
    return numbers?.size === 1 ? `no:${[...numbers][0]}` : `name:${d.name_key}`;
  };
  return new Map(docs.map((d) => [d.doc_id, sha256(identity(d)).slice(0, 16)]));
}

/**
 * Fills stage_plans from the documents current after this run and resolves the cited documents of
 * stage_mentions (restaging the mentions of unchanged documents whose citations now resolve differently).
 * Needs run_affected; writes run_restaged (table_name, doc_id).
 */
export async function stagePlans(conn: DuckDBConnection): Promise<void> {
  await conn.run(NAME_KEY_MACRO);
  const docCols = 'doc_id, title, doc_type, plan_type, plan_name, issuer, doc_number, CAST(issued_date AS DATE) AS issued_date, CAST(published_at AS TIMESTAMPTZ) AS published_at';
  await conn.run(`CREATE OR REPLACE TEMP TABLE run_policy_documents AS
    SELECT ${docCols} FROM stage_documents WHERE is_policy
    UNION ALL
    SELECT ${docCols} FROM ${histName(TABLE_BY_NAME.get('documents')!)} WHERE _valid_to IS NULL AND is_policy AND doc_id NOT IN (SELECT doc_id FROM run_affected)`);
  const docs = await all<{ doc_id: string; name_key: string; doc_number: string | null }>(conn, `SELECT doc_id, plan_name_key(${PLAN_NAME}) AS name_key, doc_number FROM run_policy_documents`);
  const planOf = groupPlans(docs);
  await conn.run('CREATE OR REPLACE TEMP TABLE run_plan_members (doc_id VARCHAR, plan_key VARCHAR)');
  const app = await conn.createAppender('run_plan_members');
  for (const [docId, planKey] of planOf) {
    app.appendVarchar(docId);
    app.appendVarchar(planKey);
    app.endRow();
  }
  app.closeSync();
  // The official document (one with a 发文字号) names the plan best; then the earliest post.
  const best = 'd.doc_number IS NULL, d.published_at, d.doc_id';
  // Only this function stages plans: emptied first, so computing a run's changes twice stages them once.
  await conn.run('DELETE FROM stage_plans');
  await conn.run(`INSERT INTO stage_plans
    SELECT m.plan_key,
      first(${PLAN_NAME} ORDER BY ${best}),
      first(coalesce(d.plan_type, d.doc_type) ORDER BY ${best}),
      min(d.doc_number),
      first(d.issuer ORDER BY d.issuer IS NULL, ${best}),
      CAST(min(d.issued_date) AS VARCHAR),
      string_agg(d.doc_id, ${LIST_SEPARATOR_SQL} ORDER BY d.doc_id)
    FROM run_plan_members m JOIN run_policy_documents d USING (doc_id) GROUP BY m.plan_key`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE run_plan_lookup AS
    SELECT match, CASE WHEN count(DISTINCT plan_key) = 1 THEN min(plan_key) END AS plan_key FROM (
      SELECT 'name:' || plan_name_key(${PLAN_NAME}) AS match, plan_key FROM run_policy_documents JOIN run_plan_members USING (doc_id)
      UNION ALL SELECT 'name:' || plan_name_key(title), plan_key FROM run_policy_documents JOIN run_plan_members USING (doc_id)
      UNION ALL SELECT 'no:' || doc_number, plan_key FROM run_policy_documents JOIN run_plan_members USING (doc_id) WHERE doc_number IS NOT NULL)
    GROUP BY match`);
  await conn.run(CITED_PLAN_MACRO);
  await resolveCitations(conn);
}

async function resolveCitations(conn: DuckDBConnection): Promise<void> {
  const mentions = TABLE_BY_NAME.get('mentions')!;
  // Staged mentions of a document outside run_affected are the ones restaged below by an earlier call on this staging.
  await conn.run('DELETE FROM stage_mentions WHERE doc_id NOT IN (SELECT doc_id FROM run_affected)');
  await conn.run(`UPDATE stage_mentions SET plan_key = cited_plan(kind, value, doc_number) WHERE kind = 'document'`);
  const current = `${histName(mentions)} WHERE _valid_to IS NULL AND doc_id NOT IN (SELECT doc_id FROM run_affected)`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE run_restaged AS
    SELECT DISTINCT 'mentions' AS table_name, doc_id FROM ${current} AND kind = 'document' AND cited_plan(kind, value, doc_number) IS DISTINCT FROM plan_key`);
  await conn.run(`INSERT INTO stage_mentions (${columnList(mentions)})
    SELECT ${columnList(mentions).replace('"plan_key"', 'cited_plan(kind, value, doc_number)')} FROM ${current} AND doc_id IN (SELECT doc_id FROM run_restaged)`);
}
