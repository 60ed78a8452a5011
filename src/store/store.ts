import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { quote, sqlString } from '../core/sql.ts';
import type { SortedRows } from '../core/table-rows.ts';
import { isWhole, TABLE_BY_NAME, TABLES, VERSIONED, type Column, type StagedRows, type TableRow, type TableSpec } from '../core/tables.ts';
import type { Cell, RunRecord } from '../core/types.ts';
import { openDuckDB, readAll } from './duckdb.ts';
import { keyedDiffSql, keyExpr, MOVED_ONLY_DOCS } from './keyed-diff.ts';
import { DOC_PARTS_SQL, partRows, planParts, savePartAssignment, type PartPlan } from './parts.ts';
import { stagePlans } from './plans.ts';
import { changelogInput, historyPartitionRows, releaseRows } from './queries.ts';
import { redlineProvisions, type ProvisionText } from './redlines.ts';
import { insertRun, RUNS_SQL } from './runs.ts';
import { columnList, createTableSql, histName, insertRowSql, LIST_SEPARATOR, stageName, stagingType, typedFromStaging } from './schema.ts';
import { sortedRows, sortIntoTable } from './sorted.ts';

type PostStatus = 'active' | 'filtered' | 'rejected' | 'removed';

/** What the store remembers of one post between runs. */
export interface PostState {
  sourceId: string;
  docId: string;
  url: string;
  revision: string | null;
  status: Exclude<PostStatus, 'removed'>;
  fetchedAt: string;
  stage?: string | null;
  reason?: string | null;
}

export interface ReleaseInfo {
  release_id: string;
  created_at: string;
  parent_release_id: string | null;
}

export interface RunCounts {
  added: number;
  changed: number;
  removed: number;
  changes: number;
}

/** Rebuilt every run, so a change there alone (a dictionary grown by new code) makes no release: it ships with the next. */
const WHOLE_NAMES = VERSIONED.filter(isWhole)
  .map((t) => sqlString(t.name))
  .join(', ');
const table = (name: string): TableSpec => TABLE_BY_NAME.get(name)!;

const POSTS_SQL = `CREATE TABLE IF NOT EXISTS posts (
  source_id VARCHAR PRIMARY KEY, doc_id VARCHAR NOT NULL, url VARCHAR, revision VARCHAR, status VARCHAR NOT NULL,
  code_version VARCHAR, fetched_at TIMESTAMPTZ, stage VARCHAR, reason VARCHAR)`;
const STAGE_POSTS_COLUMNS = ['source_id', 'doc_id', 'url', 'revision', 'status', 'fetched_at', 'stage', 'reason'] as const;

function appendCell(app: DuckDBAppender, type: string, value: Cell | undefined): void {
  if (value === null || value === undefined) return app.appendNull();
  if (type === 'INTEGER') return app.appendInteger(value as number);
  if (type === 'BOOLEAN') return app.appendBoolean(value as boolean);
  app.appendVarchar(Array.isArray(value) ? value.join(LIST_SEPARATOR) : String(value));
}

/** Appends one row of table `t` by its columns' names, each cell as `typeOf` its column (its staging type, or its own). */
function appendRow(app: DuckDBAppender, t: TableSpec, row: Readonly<Record<string, Cell>>, typeOf: (c: Column) => string): void {
  for (const c of t.columns) appendCell(app, typeOf(c), row[c.name]);
  app.endRow();
}

/**
 * Collects one run's posts into temporary staging tables through DuckDB Appenders,
 * so memory stays flat however many posts a run brings.
 */
export class Stager {
  private readonly appenders = new Map<string, DuckDBAppender>();
  private pending = 0;
  /** Rows appended so far, over all tables. */
  rows = 0;

  private constructor() {}

  static async open(conn: DuckDBConnection): Promise<Stager> {
    const s = new Stager();
    for (const t of VERSIONED) {
      await conn.run(`DROP TABLE IF EXISTS ${stageName(t)}`);
      await conn.run(createTableSql(stageName(t), t, [], true, true));
      s.appenders.set(t.name, await conn.createAppender(stageName(t)));
    }
    await conn.run('DROP TABLE IF EXISTS stage_posts');
    await conn.run(`CREATE TEMP TABLE stage_posts (${STAGE_POSTS_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')})`);
    s.appenders.set('posts', await conn.createAppender('stage_posts'));
    await conn.run('DROP TABLE IF EXISTS stage_seen');
    await conn.run('CREATE TEMP TABLE stage_seen (source_id VARCHAR)');
    s.appenders.set('seen', await conn.createAppender('stage_seen'));
    return s;
  }

  /** A post processed this run, with its rows when it is active. */
  addPost(state: PostState, rows: StagedRows = {}): void {
    const p = this.appenders.get('posts')!;
    const post: Record<(typeof STAGE_POSTS_COLUMNS)[number], string | null> = {
      source_id: state.sourceId,
      doc_id: state.docId,
      url: state.url,
      revision: state.revision,
      status: state.status,
      fetched_at: state.fetchedAt,
      stage: state.stage ?? null,
      reason: state.reason ?? null,
    };
    for (const c of STAGE_POSTS_COLUMNS) appendCell(p, 'VARCHAR', post[c]);
    p.endRow();
    this.addRows(rows);
  }

  /** Rows of any versioned table; a `whole` table (a dictionary) gets all its rows this way, every run. */
  addRows(rows: StagedRows): void {
    for (const [name, list] of Object.entries(rows)) {
      const app = this.appenders.get(name)!;
      for (const row of list ?? []) {
        appendRow(app, table(name), row, stagingType);
        this.pending++;
        this.rows++;
      }
    }
    this.flushIfLarge();
  }

  /** A post still upstream whose previous version stands (unchanged, or not fetched this time). */
  markSeen(sourceId: string): void {
    const app = this.appenders.get('seen')!;
    app.appendVarchar(sourceId);
    app.endRow();
    this.pending++;
    this.flushIfLarge();
  }

  private flushIfLarge(): void {
    if (this.pending < 50_000) return;
    for (const app of this.appenders.values()) app.flushSync();
    this.pending = 0;
  }

  close(): void {
    for (const app of this.appenders.values()) app.closeSync();
    this.appenders.clear();
  }
}

/** The pipeline's working store: post states, every row version of every table, releases. */
export class Store {
  /** Names the temporary tables of the sorted rows handed out, so two tables' rows can be held at once. */
  private sorts = 0;

  private constructor(
    private readonly db: { conn: DuckDBConnection; close(): void },
    private readonly conn = db.conn,
  ) {}

  /** `timezone` reads times printed without an offset (a finews `date:` without +0800) as local time there. */
  static async open(file: string, timezone = 'UTC'): Promise<Store> {
    const db = await openDuckDB(file, {
      threads: '2',
      // Bounded so a large run spills to disk instead of growing: the process stays under 1 GiB at 100k posts
      // (at 256 MB DuckDB cannot pin the blocks a 100k-post release needs).
      memory_limit: '320MB',
    });
    const store = new Store(db);
    try {
      await db.conn.run(`SET TimeZone = ${sqlString(timezone)}`);
      await store.ensureSchema();
    } catch (err) {
      db.close();
      throw err;
    }
    return store;
  }

  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.run('BEGIN TRANSACTION');
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => {});
      throw err;
    }
    await this.conn.run('COMMIT');
    return result;
  }

  /** Staging tables for this run's posts and rows (see Stager). */
  openStager(): Promise<Stager> {
    return Stager.open(this.conn);
  }

  private async ensureSchema(): Promise<void> {
    await this.conn.run(POSTS_SQL);
    await this.conn.run('CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)');
    await this.conn.run(RUNS_SQL);
    await this.conn.run(DOC_PARTS_SQL);
    // A store of the year-parts layout: its assignment is recomputed (every part is written anew once).
    if ((await this.all("SELECT 1 FROM duckdb_columns() WHERE table_name = 'doc_parts' AND column_name = 'year'")).length) await this.conn.run('DROP TABLE doc_parts; ' + DOC_PARTS_SQL);
    for (const t of TABLES) {
      const extra = t.kind === 'versioned' ? ['_valid_from VARCHAR NOT NULL', '_valid_to VARCHAR'] : [];
      await this.conn.run(createTableSql(histName(t), t, extra));
    }
    // A store made by earlier code gains the columns added since (e.g. redlines.diff_kind), empty for its old rows; inserts go BY NAME.
    const present = new Set((await this.all<{ c: string }>("SELECT table_name || '.' || column_name AS c FROM duckdb_columns() WHERE schema_name = 'main'")).map((r) => r.c));
    for (const t of TABLES) {
      for (const c of t.columns) if (!present.has(`${histName(t)}.${c.name}`)) await this.conn.run(`ALTER TABLE ${quote(histName(t))} ADD COLUMN ${quote(c.name)} ${c.type}`);
    }
  }

  close(): void {
    this.db.close();
  }

  /** A query's rows (the store's own tests read its tables with it). */
  all<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    return readAll<T>(this.conn, sql);
  }

  async getMeta(key: string): Promise<string | null> {
    const rows = await this.all<{ value: string }>(`SELECT value FROM meta WHERE key = ${sqlString(key)}`);
    return rows[0]?.value ?? null;
  }

  async setMeta(key: string, value: string | null): Promise<void> {
    await this.conn.run(`DELETE FROM meta WHERE key = ${sqlString(key)}`);
    if (value !== null) await this.conn.run(`INSERT INTO meta VALUES (${sqlString(key)}, ${sqlString(value)})`);
  }

  /** sourceId → revision of every post still upstream that this code version already processed. */
  async previousRevisions(codeVersion: string): Promise<Map<string, string | null>> {
    const rows = await this.all<{ source_id: string; revision: string | null }>(`SELECT source_id, revision FROM posts WHERE status <> 'removed' AND code_version = ${sqlString(codeVersion)}`);
    return new Map(rows.map((r) => [r.source_id, r.revision]));
  }

  async lastRelease(): Promise<ReleaseInfo | null> {
    const rows = await this.all<ReleaseInfo>('SELECT release_id, created_at, parent_release_id FROM releases ORDER BY release_id DESC LIMIT 1');
    return rows[0] ?? null;
  }

  async releaseIds(): Promise<string[]> {
    return (await this.all<{ release_id: string }>('SELECT release_id FROM releases ORDER BY release_id')).map((r) => r.release_id);
  }

  /** Posts that the last processing could not turn into rows, in a stable order. */
  async rejectedPosts(): Promise<{ source_id: string; url: string; stage: string; reason: string }[]> {
    return this.all("SELECT source_id, url, stage, reason FROM posts WHERE status = 'rejected' ORDER BY source_id");
  }

  /**
   * Compares the staged run with the current rows: finds removals, numbers document versions
   * and writes every insert/update/delete into the temp table run_changes, with keyed joins in DuckDB.
   */
  async computeChanges(options: { notModified: boolean; firstRelease: boolean }): Promise<RunCounts> {
    const c = this.conn;
    await this.findRemoved(options.notModified);
    // No post brought new rows and none went away: nothing can differ, so the comparison (every plan, every table) is skipped.
    const [{ touched }] = await this.all<{ touched: boolean }>("SELECT EXISTS (SELECT 1 FROM stage_posts WHERE status IN ('active', 'filtered')) OR EXISTS (SELECT 1 FROM run_removed) AS touched");
    if (!touched && !options.firstRelease) return { added: 0, changed: 0, removed: 0, changes: 0 };
    await c.run('DROP TABLE IF EXISTS run_affected');
    await c.run(`CREATE TEMP TABLE run_affected AS
      SELECT doc_id FROM stage_posts WHERE status IN ('active', 'filtered') UNION SELECT doc_id FROM run_removed`);
    await stagePlans(c);
    for (const t of VERSIONED) {
      const typed = t.columns.map((col) => `${typedFromStaging(col, 's')} AS ${quote(col.name)}`).join(', ');
      // Only documents get a table of their own (their versions are numbered below); the rest are cast on the fly.
      // CREATE OR REPLACE, not DROP TABLE + DROP VIEW: DROP TABLE IF EXISTS fails on a view, so a second call would.
      await c.run(`CREATE OR REPLACE TEMP ${t.name === 'documents' ? 'TABLE' : 'VIEW'} new_${t.name} AS SELECT ${typed} FROM ${stageName(t)} s`);
    }
    // The last version of each staged document, read by the numbering below and by computeRedlines.
    await c.run(`CREATE OR REPLACE TEMP TABLE run_last_versions AS
      SELECT doc_id, max(version) AS version, arg_max(content_sha256, version) AS content_sha256, arg_max(status, version) AS status
      FROM document_versions WHERE doc_id IN (SELECT doc_id FROM new_documents) GROUP BY doc_id`);
    // A document keeps its version while its content hash stands; a new hash or a return after removal is version + 1.
    await c.run(`UPDATE new_documents AS n SET version = CASE
        WHEN v.status = 'active' AND v.content_sha256 = n.content_sha256 THEN v.version ELSE v.version + 1 END
      FROM run_last_versions v
      WHERE v.doc_id = n.doc_id`);
    await c.run('UPDATE new_documents SET version = 1 WHERE version IS NULL');

    await c.run('DROP TABLE IF EXISTS run_changes');
    await c.run(`CREATE TEMP TABLE run_changes (table_name VARCHAR, row_key VARCHAR, change_type VARCHAR, doc_id VARCHAR,
      changed_columns VARCHAR[], before JSON, after JSON)`);
    for (const t of VERSIONED) {
      // A whole table is compared over all its rows; a document table over the documents this run touched.
      const current = isWhole(t)
        ? `SELECT * FROM ${histName(t)} WHERE _valid_to IS NULL`
        : `SELECT * FROM ${histName(t)} WHERE _valid_to IS NULL AND doc_id IN (SELECT doc_id FROM run_affected UNION SELECT doc_id FROM run_restaged WHERE table_name = '${t.name}')`;
      // The first release logs only its documents (applyRelease), so the other tables' row images are not built.
      const images = !options.firstRelease || t.name === 'documents';
      await c.run(`INSERT INTO run_changes ${keyedDiffSql(t, current, `SELECT * FROM new_${t.name}`, images)}`);
    }
    await this.computeRedlines();
    const [counts] = await this.all<{ added: number; removed: number; changed: number; changes: number }>(`SELECT
        count(*) FILTER (table_name = 'documents' AND change_type = 'insert') AS added,
        count(*) FILTER (table_name = 'documents' AND change_type = 'delete') AS removed,
        (SELECT count(DISTINCT doc_id) FROM run_changes WHERE doc_id NOT IN
           (SELECT doc_id FROM run_changes WHERE table_name = 'documents' AND change_type <> 'update') AND doc_id NOT IN (${MOVED_ONLY_DOCS})) AS changed,
        count(*) FILTER (table_name NOT IN (${WHOLE_NAMES})) AS changes
      FROM run_changes`);
    return { added: Number(counts.added), changed: Number(counts.changed), removed: Number(counts.removed), changes: Number(counts.changes) };
  }

  /** The posts the store holds that this run neither staged nor saw upstream, into run_removed. */
  private async findRemoved(notModified: boolean): Promise<void> {
    await this.conn.run('DROP TABLE IF EXISTS run_removed');
    await this.conn.run(
      notModified
        ? 'CREATE TEMP TABLE run_removed AS SELECT source_id, doc_id FROM posts WHERE false'
        : `CREATE TEMP TABLE run_removed AS SELECT source_id, doc_id FROM posts
           WHERE status <> 'removed' AND source_id NOT IN (SELECT source_id FROM stage_posts UNION ALL SELECT source_id FROM stage_seen)`,
    );
  }

  /** Provision-level redlines for every document whose content changed, into the temp table run_redlines. */
  private async computeRedlines(): Promise<void> {
    const c = this.conn;
    await c.run('DROP TABLE IF EXISTS run_redlines');
    await c.run(createTableSql('run_redlines', table('redlines'), [], false, true));
    await c.run(`CREATE OR REPLACE TEMP TABLE run_revised AS
      SELECT n.doc_id, n.version AS to_version, v.version AS from_version FROM new_documents n JOIN run_last_versions v USING (doc_id)
      WHERE v.status = 'active' AND n.version > v.version`);
    const revised = await this.all<{ doc_id: string; to_version: number; from_version: number }>('SELECT * FROM run_revised ORDER BY doc_id');
    if (revised.length === 0) return;
    const load = async (from: string) => {
      // Paths are unique within a part; the second enclosed document's read `2:1.1`.
      const rows = await this.all<ProvisionText & { doc_id: string }>(
        `SELECT doc_id, CASE WHEN part > 1 THEN part || ':' || path ELSE path END AS path, label, coalesce(heading, '') AS heading, coalesce(text, '') AS text FROM ${from} WHERE doc_id IN (SELECT doc_id FROM run_revised) ORDER BY doc_id, ord`,
      );
      const byDoc = new Map<string, ProvisionText[]>();
      for (const r of rows) {
        const list = byDoc.get(r.doc_id);
        if (list) list.push(r);
        else byDoc.set(r.doc_id, [r]);
      }
      return byDoc;
    };
    const before = await load(`(SELECT * FROM ${histName(table('provisions'))} WHERE _valid_to IS NULL)`);
    const after = await load('new_provisions');
    const app = await c.createAppender('run_redlines');
    for (const r of revised) {
      for (const line of redlineProvisions(before.get(r.doc_id) ?? [], after.get(r.doc_id) ?? [])) {
        const row: TableRow<'redlines'> = { doc_id: r.doc_id, to_version: r.to_version, from_version: r.from_version, ...line };
        appendRow(app, table('redlines'), row, (col) => col.type);
      }
    }
    app.closeSync();
  }

  /** Records the run's post states (revisions, statuses, removals) and the source cursor. */
  async savePostStates(codeVersion: string, cursor: string | null): Promise<void> {
    await this.conn.run(`INSERT OR REPLACE INTO posts
      SELECT source_id, doc_id, url, revision, status, ${sqlString(codeVersion)}, CAST(fetched_at AS TIMESTAMPTZ), stage, reason FROM stage_posts`);
    await this.conn.run("UPDATE posts SET status = 'removed' WHERE source_id IN (SELECT source_id FROM run_removed)");
    await this.setMeta('cursor', cursor);
  }

  /** Closes the changed rows, inserts their new versions and logs the release; the caller owns the transaction. */
  async applyRelease(release: ReleaseInfo & { code_version: string; schema_version: number; inputs_sha256: string }, counts: RunCounts): Promise<void> {
    const c = this.conn;
    const r = sqlString(release.release_id);
    for (const t of VERSIONED) {
      const sameDoc = isWhole(t) ? '' : 'AND h.doc_id = x.doc_id';
      await c.run(`UPDATE ${histName(t)} AS h SET _valid_to = ${r} FROM run_changes x
        WHERE x.table_name = '${t.name}' AND x.change_type <> 'insert' AND h._valid_to IS NULL ${sameDoc} AND ${keyExpr(t, 'h')} = x.row_key`);
      await c.run(`INSERT INTO ${histName(t)} BY NAME SELECT ${columnList(t, 'n')}, ${r} AS _valid_from, NULL AS _valid_to FROM new_${t.name} n
        WHERE ${keyExpr(t, 'n')} IN (SELECT row_key FROM run_changes WHERE table_name = '${t.name}' AND change_type <> 'delete')`);
    }
    await c.run('INSERT INTO redlines BY NAME SELECT * FROM run_redlines');
    // A first release has no parent to differ from: it lists each new document once, not a JSON copy of every row.
    const logged = release.parent_release_id === null ? "WHERE table_name = 'documents'" : '';
    await c.run(`INSERT INTO changes BY NAME SELECT ${r} AS release_id, table_name, row_key, change_type, doc_id, changed_columns, before, after FROM run_changes ${logged}`);
    await c.run(`INSERT INTO document_versions BY NAME
      SELECT n.doc_id, n.version, ${r} AS release_id, n.content_sha256, p.revision AS source_revision,
        date_trunc('second', CAST(p.fetched_at AS TIMESTAMPTZ)) AS fetched_at, 'active' AS status
      FROM new_documents n JOIN stage_posts p USING (doc_id)
      WHERE (n.doc_id, n.version) NOT IN (SELECT (doc_id, version) FROM document_versions)`);
    await c.run(`INSERT INTO document_versions BY NAME
      SELECT x.doc_id, (SELECT max(version) FROM document_versions v WHERE v.doc_id = x.doc_id) + 1 AS version, ${r} AS release_id, 'removed' AS status
      FROM run_changes x WHERE x.table_name = 'documents' AND x.change_type = 'delete'`);
    const releaseRow: TableRow<'releases'> = {
      release_id: release.release_id,
      created_at: release.created_at,
      parent_release_id: release.parent_release_id,
      code_version: release.code_version,
      schema_version: release.schema_version,
      inputs_sha256: release.inputs_sha256,
      documents_added: counts.added,
      documents_changed: counts.changed,
      documents_removed: counts.removed,
    };
    await c.run(insertRowSql(table('releases'), releaseRow));
  }

  /** Appends one run to the runs table. */
  recordRun(r: RunRecord): Promise<void> {
    return insertRun(this.conn, r);
  }

  /** The pipeline of the earliest run recorded, or null before the first: who made a store older than its owner record. */
  async firstRunPipeline(): Promise<string | null> {
    const rows = await this.all<{ pipeline: string }>('SELECT pipeline FROM runs ORDER BY started_at, run_id LIMIT 1');
    return rows[0]?.pipeline ?? null;
  }

  /** This release's parts and the ones each table rewrites (after applyRelease, inside its transaction). */
  planParts(): Promise<PartPlan> {
    return planParts(this.conn);
  }

  /** Keeps this release's part assignment with it (inside its transaction). */
  savePartAssignment(): Promise<void> {
    return savePartAssignment(this.conn);
  }

  /** Release `releaseId`'s rows of table `t` in the given parts, sorted as published (inside the release's transaction). */
  sortedRows(t: TableSpec, releaseId: string, parts: readonly string[]): Promise<SortedRows> {
    return sortedRows(this.conn, `sorted_${this.sorts++}`, partRows(t, releaseRows(t, releaseId), parts), t.columns);
  }

  /** Writes what release `releaseId` wrote into table `t` (history/<table>/release_id=<id>/) as one sorted Parquet file. */
  async writeHistoryRows(t: TableSpec, releaseId: string, file: string): Promise<void> {
    const name = `history_${this.sorts++}`;
    await sortIntoTable(this.conn, name, historyPartitionRows(t, releaseId));
    try {
      await this.conn.run(`COPY ${quote(name)} TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
    } finally {
      await this.conn.run(`DROP TABLE IF EXISTS ${quote(name)}`);
    }
  }

  /** The documents this run adds, changes and removes, summarised for CHANGELOG.md (after computeChanges). */
  changelogInput(): ReturnType<typeof changelogInput> {
    return changelogInput(this.conn);
  }

  /** A fingerprint of every input: the ids and revisions of all posts, and the code that read them. */
  async inputsSha256(codeVersion: string): Promise<string> {
    const [row] = await this.all<{ h: string | null }>(`SELECT sha256(${sqlString(codeVersion)} || coalesce(string_agg(source_id || ':' || coalesce(revision, ''), '\n' ORDER BY source_id), '')) AS h
      FROM posts WHERE status <> 'removed'`);
    return row.h ?? '';
  }
}
