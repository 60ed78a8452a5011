// The interactive parts of a release's home page, over HTTP: full-text search (Pagefind, this release's own index),
// and on DuckDB-WASM over the release's CSV files typed as in its Parquet tables: the documents browser, the SQL
// console (views.sql's views, ?sql= in the address) and a filtered selection of any table as CSV or XLSX.
import * as duckdb from '@duckdb/duckdb-wasm';
import { stringify } from 'csv-stringify/browser/esm/sync';
import { CSV_OPTIONS } from '../../core/csv.js';
import { normalizeDocNumber } from '../../core/text.js';

const PAGE = 50;
/**
 * Each Table Schema field type as its Parquet type, from the text of a CSV part (for programs: times in UTC, lists as
 * JSON arrays). Times become TIMESTAMP, the wall clock of the pipeline's time zone: DuckDB-WASM has no time zones
 * offline (ICU is a network extension), so the zone's offset is added here (its offset today: a zone with summer time
 * shows winter times an hour off). Lists become VARCHAR[] without the JSON extension, which is a network one too.
 */
const CASTS = {
  integer: (c) => `CAST(${c} AS INTEGER)`,
  boolean: (c) => `CAST(${c} AS BOOLEAN)`,
  date: (c) => `CAST(${c} AS DATE)`,
  datetime: (c) => `CAST(rtrim(${c}, 'Z') AS TIMESTAMP) + INTERVAL (${zoneOffsetMinutes()}) MINUTE`,
  array: (c) => `CASE WHEN ${c} IS NULL THEN NULL ELSE list_transform(regexp_extract_all(${c}, '"((?:[^"\\\\]|\\\\.)*)"', 1), (x) -> replace(replace(x, '\\"', '"'), '\\\\', '\\')) END`,
};

/** The pipeline's time zone's offset from UTC now, in minutes (datapackage.json's x_timezone). */
function zoneOffsetMinutes() {
  const zone = pkg.x_timezone ?? 'UTC';
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

let db;
let conn;
let pkg;
let base;
const loaded = new Map();
/** views.sql's derived views (timeline): name → its CREATE statement, made when a query first names it. */
const views = new Map();
const madeViews = new Set();

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'on') for (const [ev, f] of Object.entries(v)) e.addEventListener(ev, f);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
};

const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;
const docTitle = (title, sourceId) => (title && String(title).trim() ? title : `（无标题） ${sourceId}`);
const docHref = (docId) => `docs/${encodeURIComponent(docId)}.html`;

async function openDatabase() {
  const bundles = {
    mvp: { mainModule: new URL('duckdb-mvp.wasm', base).href, mainWorker: new URL('duckdb-browser-mvp.worker.js', base).href },
    eh: { mainModule: new URL('duckdb-eh.wasm', base).href, mainWorker: new URL('duckdb-browser-eh.worker.js', base).href },
  };
  const bundle = await duckdb.selectBundle(bundles);
  const worker = new Worker(bundle.mainWorker);
  db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  await db.open({ query: { castBigIntToDouble: true } });
  conn = await db.connect();
  // Extensions come from extensions.duckdb.org, unreachable offline: nothing may try to fetch one.
  await conn.query('SET autoinstall_known_extensions = false; SET autoload_known_extensions = false');
}

/** A table's CSV parts (one resource each in datapackage.json). */
const csvParts = (name) => pkg.resources.filter((x) => x.format === 'csv' && x.x_table === name);
/** Every table of the release, in datapackage.json's order, with its rows. */
const tables = () => [...new Set(pkg.resources.filter((r) => r.format === 'csv').map((r) => r.x_table))].map((name) => ({ name, rows: csvParts(name).reduce((n, r) => n + r.rows, 0) }));
const tableNames = () => tables().map((t) => t.name);
const schemas = new Map();
/** A table's Table Schema (schemas/<table>.json, which its resources name). */
function schemaOf(name, release) {
  if (!schemas.has(name)) {
    const schema = csvParts(name)[0]?.schema;
    schemas.set(name, typeof schema === 'string' ? fetch(new URL(schema, release)).then((r) => r.json()) : Promise.resolve(schema));
  }
  return schemas.get(name);
}

/** Loads a table from its CSV parts (the core reader: the Parquet reader is a network extension in DuckDB-WASM), typed by its schema. */
function ensureTable(name, release) {
  if (!loaded.has(name)) {
    loaded.set(
      name,
      (async () => {
        const parts = csvParts(name);
        if (!parts.length) throw new Error(`table ${name} is not in this release`);
        const { fields } = await schemaOf(name, release);
        const files = await Promise.all(
          parts.map(async (r, i) => {
            const res = await fetch(new URL(r.path, release));
            if (!res.ok) throw new Error(`${r.path}: HTTP ${res.status}`);
            const file = `${name}/${i}.csv`;
            await db.registerFileBuffer(file, new Uint8Array(await res.arrayBuffer()));
            return file;
          }),
        );
        const columns = fields.map((f) => `${sqlString(f.name)}: 'VARCHAR'`).join(', ');
        const select = fields.map((f) => `${CASTS[f.type] ? CASTS[f.type](ident(f.name)) : ident(f.name)} AS ${ident(f.name)}`).join(', ');
        await conn.query(
          `CREATE TABLE ${ident(name)} AS SELECT ${select} FROM read_csv([${files.map(sqlString).join(', ')}], header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${columns}})`,
        );
      })(),
    );
  }
  return loaded.get(name);
}

const mentioned = (sql, names) => names.filter((n) => new RegExp(`\\b${n}\\b`, 'i').test(sql));

/** Loads the tables and makes the views a query names (a view: its own tables first). */
async function prepare(sql, release) {
  await Promise.all(mentioned(sql, tableNames()).map((t) => ensureTable(t, release)));
  for (const name of mentioned(sql, [...views.keys()]).filter((v) => !madeViews.has(v))) {
    const create = views.get(name);
    await Promise.all(mentioned(create, tableNames()).map((t) => ensureTable(t, release)));
    await conn.query(create);
    madeViews.add(name);
  }
}

async function rows(sql, release) {
  await prepare(sql, release);
  const result = await conn.query(sql);
  return result.toArray().map((r) => r.toJSON());
}

/** views.sql's views over other views (the table views read Parquet, which the page has loaded itself). */
async function readViews(release) {
  const res = await fetch(new URL('views.sql', release));
  if (!res.ok) return;
  for (const statement of (await res.text()).split(/;\s*\n/)) {
    const m = /CREATE OR REPLACE VIEW (\w+)\s+AS\s+([\s\S]*)/.exec(statement);
    if (m && !/read_parquet\(/.test(m[2])) views.set(m[1], `${statement.trim().replace(/^--.*\n/gm, '')}`);
  }
}

/** A cell as text in a CSV or a table: dates as YYYY-MM-DD, times as YYYY-MM-DD HH:MM:SS, lists joined by "; ". */
function plain(v, type) {
  if (v === null || v === undefined) return null;
  if (type === 'date' || (typeof v === 'number' && type === 'datetime')) {
    const iso = new Date(v).toISOString();
    return type === 'date' ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  if (typeof v === 'object' && typeof v.toArray === 'function') return Array.from(v.toArray()).join('; ');
  if (Array.isArray(v)) return v.join('; ');
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

/** Excel-safe CSV: the spreadsheet flavour of downloads/ (BOM, CRLF, a cell holding a line break quoted, formula-looking cells neutralised). */
function csvBlob(records, fields) {
  const data = records.map((r) => Object.fromEntries(fields.map((f) => [f.name, plain(r[f.name], f.type)])));
  const text = stringify(data, { ...CSV_OPTIONS.spreadsheet, columns: fields.map((f) => f.name), cast: { boolean: (v) => String(v) } });
  return new Blob([text], { type: 'text/csv;charset=utf-8' });
}

/** exceljs's browser build, loaded from the site's own folder on first use. */
function loadExcel() {
  if (!window.ExcelJS) {
    window.ExcelJS = new Promise((resolve, reject) => {
      const s = el('script', { src: new URL('exceljs.min.js', base).href });
      s.onload = () => resolve(window.ExcelJS);
      s.onerror = () => reject(new Error('exceljs.min.js could not load'));
      document.head.append(s);
    });
  }
  return Promise.resolve(window.ExcelJS);
}

/** The selection as XLSX: text stays text (4.10, 国办发〔2019〕4号), dates are dates, nothing is a formula. */
async function xlsxBlob(records, fields, sheetName) {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName.slice(0, 31));
  ws.columns = fields.map((f) => ({
    header: f.name,
    key: f.name,
    width: f.type === 'string' ? 30 : 14,
    style: f.type === 'date' ? { numFmt: 'yyyy-mm-dd' } : f.type === 'datetime' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {},
  }));
  for (const r of records) {
    ws.addRow(
      fields.map((f) => {
        const v = r[f.name];
        if (v === null || v === undefined) return null;
        if ((f.type === 'date' || f.type === 'datetime') && typeof v === 'number') return new Date(v);
        if (f.type === 'integer' || f.type === 'boolean') return v;
        return String(plain(v, f.type));
      }),
    );
  }
  return new Blob([await wb.xlsx.writeBuffer()], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
}

function downloadLinks(records, fields, name) {
  const xlsx = el('button', { type: 'button', class: 'xlsx-download' }, 'XLSX 下载');
  xlsx.addEventListener('click', async () => {
    xlsx.disabled = true;
    const a = el('a', { href: URL.createObjectURL(await xlsxBlob(records, fields, name)), download: `${name}.xlsx`, class: 'xlsx-file' }, `${name}.xlsx`);
    xlsx.replaceWith(a);
  });
  return el('p', {}, el('a', { href: URL.createObjectURL(csvBlob(records, fields)), download: `${name}.csv`, class: 'csv-download' }, `CSV 下载 (${records.length} 行 rows)`), ' ', xlsx);
}

function resultTable(records) {
  if (!records.length) return el('p', {}, '无结果 No rows.');
  const cols = Object.keys(records[0]);
  return el(
    'table',
    { class: 'result' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        cols.map((c) => el('th', {}, c)),
      ),
    ),
    el(
      'tbody',
      {},
      records.map((r) =>
        el(
          'tr',
          {},
          cols.map((c) => el('td', {}, r[c] === null ? '' : String(plain(r[c], typeof r[c] === 'number' && /_at$|date$/.test(c) ? (c.endsWith('_at') ? 'datetime' : 'date') : null)))),
        ),
      ),
    ),
  );
}

/** Pagefind's excerpt keeps only its <mark> tags: everything else in it is text. */
function excerptNodes(excerpt) {
  const out = [];
  const parts = String(excerpt).split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const p of parts) {
    if (p === '<mark>') marked = true;
    else if (p === '</mark>') marked = false;
    else if (p) {
      // Pagefind gives the excerpt as HTML: its entities are read back to text, never parsed as markup.
      const text = new DOMParser().parseFromString(`<!doctype html><body>${p.replace(/</g, '&lt;')}`, 'text/html').body.textContent;
      out.push(marked ? el('mark', {}, text) : text);
    }
  }
  return out;
}

/** A 发文字号 as the search index files it (its year bracket as 〔〕). */
const DOC_NUMBER = /^\S+〔\d{4}〕\S*号$/;

/**
 * A 发文字号 finds exactly its documents (a filter); other text is first searched as a phrase (数据要素 as written,
 * not 数据 or 要素 anywhere), then, when no document holds the phrase, word by word.
 */
async function findDocuments(pagefind, query) {
  if (DOC_NUMBER.test(query)) {
    const exact = await pagefind.search(null, { filters: { number: query } });
    if (exact.results.length) return exact;
  }
  if (!/[\s"]/.test(query)) {
    const phrase = await pagefind.search(`"${query}"`);
    if (phrase.results.length) return phrase;
  }
  return pagefind.search(query);
}

/** Full-text search over this release's documents: Pagefind shards merged; ?q= in the address runs and links a search. */
async function search(release) {
  const form = document.getElementById('search-form');
  const input = document.getElementById('q');
  const out = document.getElementById('search-results');
  if (!form || !out) return;
  const manifest = await (await fetch(new URL('search/manifest.json', release))).json();
  const shards = Object.keys(manifest.shards);
  let pagefind = null;
  if (shards.length) {
    pagefind = await import(new URL(`search/${shards[0]}/pagefind.js`, release).href);
    await pagefind.options({ basePath: new URL(`search/${shards[0]}/`, release).pathname });
    for (const s of shards.slice(1)) await pagefind.mergeIndex(new URL(`search/${s}/`, release).pathname);
    await pagefind.init();
  }
  const run = async (q) => {
    delete out.dataset.ready;
    const query = normalizeDocNumber(q.trim());
    if (!query) {
      out.replaceChildren();
      out.dataset.ready = '';
      return;
    }
    out.replaceChildren(el('p', { class: 'muted' }, '检索中 searching…'));
    const found = pagefind ? await findDocuments(pagefind, query) : { results: [] };
    const data = await Promise.all(found.results.slice(0, 20).map((r) => r.data()));
    out.replaceChildren(
      el('p', { id: 'search-count' }, `${found.results.length} 件 documents`),
      ...data.map((d) => {
        const meta = [d.meta.number, d.meta.issuer, d.meta.date, d.meta.type].filter(Boolean).join(' · ');
        return el(
          'div',
          { class: 'result' },
          el('p', {}, el('a', { href: new URL(d.url.replace(/^\/+/, ''), release).href }, d.meta.title ?? d.url)),
          meta ? el('p', { class: 'muted' }, meta) : null,
          el('p', { class: 'excerpt' }, excerptNodes(d.excerpt)),
        );
      }),
    );
    out.dataset.ready = q;
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const url = new URL(location.href);
    url.searchParams.set('q', input.value);
    url.hash = 'search';
    history.replaceState(null, '', url);
    run(input.value).catch((err) => out.replaceChildren(el('p', { class: 'error' }, String(err.message ?? err))));
  });
  const q = new URLSearchParams(location.search).get('q');
  if (q) {
    input.value = q;
    await run(q);
    document.getElementById('search').scrollIntoView();
  } else out.dataset.ready = '';
}

/** The documents browser: substring search on title, 发文字号 and issuer, filters by 文种, issuer and year, one page at a time. */
async function browser(root, release) {
  const section = el('section', { id: 'browse' }, el('h2', {}, '文件浏览 ', el('span', { class: 'en' }, 'Documents')));
  root.append(section);
  await ensureTable('documents', release);
  // The browser's own narrow copy, its date worked out once, so each keystroke scans only what it searches.
  await conn.query(
    `CREATE TEMP TABLE IF NOT EXISTS browse AS SELECT doc_id, source_id, title, coalesce(doc_number, '') AS doc_number, coalesce(issuer, '') AS issuer, doc_type, coalesce(issued_date, CAST(published_at AS DATE)) AS date FROM documents ORDER BY date DESC NULLS LAST, doc_id`,
  );
  const options = async (sql) => (await rows(sql, release)).map((r) => r.v).filter((v) => v !== null);
  const types = await options('SELECT DISTINCT doc_type AS v FROM browse ORDER BY 1');
  const issuers = await options("SELECT DISTINCT issuer AS v FROM browse WHERE issuer <> '' ORDER BY 1");
  const years = await options('SELECT DISTINCT year(date)::INT AS v FROM browse ORDER BY 1 DESC');
  const select = (id, label, values) =>
    el(
      'select',
      { id },
      el('option', { value: '' }, label),
      values.map((v) => el('option', { value: v }, v)),
    );
  const q = el('input', { id: 'doc-filter', type: 'search', placeholder: '标题、发文字号或发文机关 title, number or issuer', size: '40' });
  const type = select('filter-type', '文种 (all)', types);
  const issuer = select('filter-issuer', '发文机关 issuer (all)', issuers);
  const year = select('filter-year', '年份 year (all)', years);
  const list = el('div', { id: 'documents' });
  const pager = el('div', { class: 'pager' });
  section.append(el('div', { class: 'filters' }, q, type, issuer, year), list, pager);
  let page = 0;
  let seq = 0;
  const render = async () => {
    const mine = ++seq;
    const where = ['true'];
    if (q.value.trim()) {
      const s = sqlString(q.value.trim());
      const n = sqlString(normalizeDocNumber(q.value.trim()));
      where.push(`(contains(title, ${s}) OR contains(doc_number, ${n}) OR contains(doc_number, ${s}) OR contains(issuer, ${s}))`);
    }
    if (type.value) where.push(`doc_type = ${sqlString(type.value)}`);
    if (issuer.value) where.push(`issuer = ${sqlString(issuer.value)}`);
    if (year.value) where.push(`year(date) = ${Number(year.value)}`);
    // One scan gives the page and the count of all matches (the window runs before the limit).
    const docs = await rows(
      `SELECT doc_id, source_id, title, doc_number, issuer, doc_type, date::VARCHAR AS date, count(*) OVER ()::INT AS n FROM browse WHERE ${where.join(' AND ')} ORDER BY browse.date DESC NULLS LAST, doc_id LIMIT ${PAGE} OFFSET ${page * PAGE}`,
      release,
    );
    const n = docs.length ? docs[0].n : 0;
    if (mine !== seq) return;
    list.replaceChildren(
      el('p', { id: 'match-count' }, `${n} documents 件`),
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['日期 date', '标题 title', '发文字号 number', '发文机关 issuer', '文种 type'].map((h) => el('th', {}, h)),
          ),
        ),
        el(
          'tbody',
          {},
          docs.map((d) =>
            el(
              'tr',
              {},
              el('td', {}, d.date ?? ''),
              el('td', {}, el('a', { href: docHref(d.doc_id) }, docTitle(d.title, d.source_id))),
              el('td', {}, d.doc_number ?? ''),
              el('td', {}, d.issuer ?? ''),
              el('td', {}, d.doc_type ?? ''),
            ),
          ),
        ),
      ),
    );
    const pages = Math.max(1, Math.ceil(n / PAGE));
    pager.replaceChildren(
      el('button', { type: 'button', ...(page === 0 ? { disabled: '' } : {}), on: { click: () => ((page -= 1), render()) } }, '‹ prev'),
      `page ${page + 1} / ${pages}`,
      el('button', { type: 'button', ...(page + 1 >= pages ? { disabled: '' } : {}), on: { click: () => ((page += 1), render()) } }, 'next ›'),
    );
  };
  let timer;
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => ((page = 0), render()), 150);
  });
  for (const s of [type, issuer, year]) s.addEventListener('change', () => ((page = 0), render()));
  await render();
}

/** The SQL console: tables load when a query names them; ?sql= in the address runs a linked query. */
async function sqlConsole(root, release) {
  const names = tableNames();
  const input = el('textarea', { id: 'sql-input', rows: '4' }, 'SELECT doc_type, count(*) AS n FROM documents GROUP BY 1 ORDER BY 2 DESC');
  const out = el('div', { id: 'sql-result' });
  const run = el('button', { id: 'sql-run', type: 'button' }, 'Run 运行');
  const go = async () => {
    const sql = input.value;
    const url = new URL(location.href);
    url.searchParams.set('sql', sql);
    url.hash = 'sql';
    history.replaceState(null, '', url);
    delete out.dataset.ready;
    out.replaceChildren(el('p', { class: 'muted' }, 'running…'));
    try {
      const records = await rows(sql, release);
      const fields = records.length
        ? Object.keys(records[0]).map((name) => ({
            name,
            type: typeof records[0][name] === 'number' && /date$/.test(name) ? 'date' : typeof records[0][name] === 'number' && /_at$/.test(name) ? 'datetime' : 'string',
          }))
        : [];
      out.replaceChildren(downloadLinks(records, fields, 'query'), resultTable(records.slice(0, 1000)));
    } catch (err) {
      out.replaceChildren(el('p', { class: 'error' }, String(err.message ?? err)));
    }
    out.dataset.ready = sql;
  };
  run.addEventListener('click', go);
  root.append(
    el(
      'section',
      { id: 'sql' },
      el('h2', {}, 'SQL 查询 ', el('span', { class: 'en' }, 'console')),
      el('p', {}, `表 Tables: ${names.join(', ')}; 视图 views: ${[...views.keys()].join(', ') || '—'}. 时间为管道时区的当地时间 (TIMESTAMP) times are the wall clock of the pipeline's time zone.`),
      input,
      run,
      out,
    ),
  );
  const linked = new URLSearchParams(location.search).get('sql');
  if (linked) {
    input.value = linked;
    await go();
    document.getElementById('sql').scrollIntoView();
  }
}

/** A filtered selection of any table as CSV or XLSX: one column contains a text. */
function selection(root, release) {
  const table = el(
    'select',
    { id: 'pick-table' },
    tables().map((t) => el('option', { value: t.name }, `${t.name} (${t.rows})`)),
  );
  const column = el('select', { id: 'pick-column' });
  const value = el('input', { id: 'pick-value', type: 'search', placeholder: 'contains 包含' });
  const fill = async () => column.replaceChildren(...(await schemaOf(table.value, release)).fields.map((f) => el('option', { value: f.name }, f.name)));
  table.addEventListener('change', fill);
  fill();
  const out = el('div', { id: 'pick-result' });
  const go = el('button', { id: 'pick-run', type: 'button' }, 'Select 筛选');
  go.addEventListener('click', async () => {
    const where = value.value ? `WHERE contains(CAST(${ident(column.value)} AS VARCHAR), ${sqlString(value.value)})` : '';
    const records = await rows(`SELECT * FROM ${ident(table.value)} ${where}`, release);
    const { fields } = await schemaOf(table.value, release);
    out.replaceChildren(downloadLinks(records, fields, `${table.value}-selection`), resultTable(records.slice(0, 20)));
  });
  root.append(el('section', { id: 'selection' }, el('h2', {}, '下载筛选结果 ', el('span', { class: 'en' }, 'Download a selection')), table, column, value, go, out));
}

export async function start(options) {
  base = options.base;
  const { release } = options;
  // Links of the earlier in-page document view lead to the document's own page.
  const legacy = new URLSearchParams(location.hash.slice(1)).get('doc');
  if (legacy) {
    location.replace(new URL(docHref(legacy), release).href);
    return;
  }
  const root = document.getElementById('app');
  root.hidden = false;
  const status = el('p', { id: 'site-status', class: 'muted' }, '正在载入 DuckDB-WASM… loading');
  root.append(status);
  // Search needs no database: it starts first, and a linked search (?q=) is answered before DuckDB-WASM takes the CPU.
  const searching = search(release).catch((err) => {
    document.getElementById('search-results')?.replaceChildren(el('p', { class: 'error' }, `检索不可用 search unavailable: ${err.message ?? err}`));
  });
  if (new URLSearchParams(location.search).has('q')) await searching;
  pkg = await (await fetch(new URL('datapackage.json', release))).json();
  await Promise.all([openDatabase(), readViews(release)]);
  await browser(root, release);
  await sqlConsole(root, release);
  selection(root, release);
  status.remove();
  await searching;
  root.dataset.ready = '#';
}
