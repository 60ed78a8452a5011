// The interactive release site: DuckDB-WASM over the release's own CSV files, served from this folder (no CDN).
import * as duckdb from '@duckdb/duckdb-wasm';
import Chart from 'chart.js/auto';
import { stringify } from 'csv-stringify/browser/esm/sync';

const PAGE = 50;
// DuckDB types for the datapackage.json field types; lists and objects stay text, as the CSV writes them.
const SQL_TYPES = { integer: 'BIGINT', boolean: 'BOOLEAN', date: 'DATE' };

let db;
let conn;
let pkg;
const loaded = new Map();

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

async function openDatabase(base) {
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

/** Loads a table from its CSV parts (the core reader: the Parquet reader is a network extension in DuckDB-WASM). */
function ensureTable(name, release) {
  if (!loaded.has(name)) {
    loaded.set(
      name,
      (async () => {
        const parts = pkg.resources.filter((x) => x.format === 'csv' && x.x_table === name);
        if (!parts.length) throw new Error(`table ${name} is not in this release`);
        const schema = typeof parts[0].schema === 'string' ? await (await fetch(new URL(parts[0].schema, release))).json() : parts[0].schema;
        const files = [];
        for (const r of parts) {
          const res = await fetch(new URL(r.path, release));
          if (!res.ok) throw new Error(`${r.path}: HTTP ${res.status}`);
          const file = `${name}/${files.length}.csv`;
          await db.registerFileBuffer(file, new Uint8Array(await res.arrayBuffer()));
          files.push(file);
        }
        const columns = schema.fields.map((f) => `${sqlString(f.name)}: ${sqlString(SQL_TYPES[f.type] ?? 'VARCHAR')}`).join(', ');
        await conn.query(`CREATE TABLE ${ident(name)} AS SELECT * FROM read_csv([${files.map(sqlString).join(', ')}], header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${columns}})`);
      })(),
    );
  }
  return loaded.get(name);
}

async function rows(sql, tables, release) {
  await Promise.all(tables.map((t) => ensureTable(t, release)));
  const result = await conn.query(sql);
  return result.toArray().map((r) => r.toJSON());
}

/** Excel-safe CSV: BOM, CRLF, formula-looking cells neutralised (the same options as the release's CSV). */
function csvBlob(records, columns) {
  const text = stringify(records, { bom: true, header: true, columns, record_delimiter: 'windows', escape_formulas: true, cast: { object: (v) => (v instanceof Date ? v.toISOString() : JSON.stringify(v)), boolean: (v) => String(v) } });
  return new Blob([text], { type: 'text/csv;charset=utf-8' });
}

function downloadLink(records, columns, filename) {
  const url = URL.createObjectURL(csvBlob(records, columns));
  return el('a', { href: url, download: filename, class: 'csv-download' }, `Download CSV 下载 (${records.length} rows)`);
}

function resultTable(records) {
  if (!records.length) return el('p', {}, 'No rows. 无结果。');
  const cols = Object.keys(records[0]);
  return el('table', { class: 'result' }, el('thead', {}, el('tr', {}, cols.map((c) => el('th', {}, c)))), el('tbody', {}, records.map((r) => el('tr', {}, cols.map((c) => el('td', {}, r[c] === null ? '' : typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c])))))));
}

const cellDate = (v) => (v === null || v === undefined ? '' : typeof v === 'number' ? new Date(v).toISOString().slice(0, 10) : String(v).slice(0, 10));

/** The documents browser: substring search on title, 发文字号 and issuer, filters by 文种, issuer and year, one page at a time. */
async function browser(root, release) {
  const section = el('section', { id: 'browse' }, el('h2', {}, 'Documents 文件'));
  root.append(section);
  await ensureTable('documents', release);
  // The browser's own narrow copy, its date worked out once, so each keystroke scans only what it searches.
  await conn.query(`CREATE TEMP TABLE IF NOT EXISTS browse AS SELECT doc_id, title, coalesce(doc_number, '') AS doc_number, coalesce(issuer, '') AS issuer, doc_type, coalesce(issued_date, published_at::DATE) AS date FROM documents ORDER BY date DESC NULLS LAST, doc_id`);
  const options = async (sql) => (await rows(sql, [], release)).map((r) => r.v).filter((v) => v !== null);
  const types = await options('SELECT DISTINCT doc_type AS v FROM documents ORDER BY 1');
  const issuers = await options('SELECT DISTINCT issuer AS v FROM documents ORDER BY 1');
  const years = await options('SELECT DISTINCT year(coalesce(issued_date, published_at::DATE))::INT AS v FROM documents ORDER BY 1 DESC');
  const select = (id, label, values) => el('select', { id }, el('option', { value: '' }, label), values.map((v) => el('option', { value: v }, v)));
  const q = el('input', { id: 'search', type: 'search', placeholder: '标题、发文字号或发文机关 title, number or issuer', size: '40' });
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
      where.push(`(contains(title, ${s}) OR contains(doc_number, ${s}) OR contains(issuer, ${s}))`);
    }
    if (type.value) where.push(`doc_type = ${sqlString(type.value)}`);
    if (issuer.value) where.push(`issuer = ${sqlString(issuer.value)}`);
    if (year.value) where.push(`year(date) = ${Number(year.value)}`);
    // One scan gives the page and the count of all matches (the window runs before the limit).
    const docs = await rows(`SELECT doc_id, title, doc_number, issuer, doc_type, date::VARCHAR AS date, count(*) OVER ()::INT AS n FROM browse WHERE ${where.join(' AND ')} ORDER BY browse.date DESC NULLS LAST, doc_id LIMIT ${PAGE} OFFSET ${page * PAGE}`, [], release);
    const n = docs.length ? docs[0].n : 0;
    if (mine !== seq) return;
    list.replaceChildren(
      el('p', { id: 'match-count' }, `${n} documents 件`),
      el('table', {}, el('thead', {}, el('tr', {}, ['日期 date', '标题 title', '发文字号 number', '发文机关 issuer', '文种 type'].map((h) => el('th', {}, h)))), el('tbody', {}, docs.map((d) => el('tr', {}, el('td', {}, d.date ?? ''), el('td', {}, el('a', { href: `#doc=${encodeURIComponent(d.doc_id)}` }, d.title)), el('td', {}, d.doc_number ?? ''), el('td', {}, d.issuer ?? ''), el('td', {}, d.doc_type ?? ''))))),
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

/** `[-removed-]{+added+}` markup (redlines.diff) as <del>/<ins>. */
function redline(diff) {
  const out = el('span', { class: 'redline' });
  let last = 0;
  for (const m of diff.matchAll(/\[-([\s\S]*?)-\]|\{\+([\s\S]*?)\+\}/g)) {
    out.append(diff.slice(last, m.index));
    out.append(m[1] !== undefined ? el('del', {}, m[1]) : el('ins', {}, m[2]));
    last = m.index + m[0].length;
  }
  out.append(diff.slice(last));
  return out;
}

/** Provisions as trees of nested lists by parent_path, one per part (the notice, then each enclosed document). */
function outlineTree(provisions) {
  const children = new Map();
  const paths = new Set(provisions.map((p) => `${p.part}/${p.path}`));
  for (const p of provisions) {
    const key = p.parent_path && paths.has(`${p.part}/${p.parent_path}`) ? `${p.part}/${p.parent_path}` : `${p.part}/`;
    children.set(key, [...(children.get(key) ?? []), p]);
  }
  const branch = (key) => {
    const items = children.get(key) ?? [];
    if (!items.length) return null;
    return el('ul', {}, items.map((p) => el('li', { class: `level-${p.level}`, 'data-path': p.path }, el('strong', {}, `${p.label ?? ''} ${p.heading ?? ''}`.trim()), p.heading ? null : el('span', { class: 'muted' }, ` ${(p.text ?? '').slice(0, 80)}`), branch(`${p.part}/${p.path}`))));
  };
  const parts = [...new Set(provisions.map((p) => p.part))];
  return el('div', { id: 'outline' }, parts.map((part) => el('div', { class: 'part', 'data-part': part }, part === 0 ? null : el('p', { class: 'muted' }, `附件 enclosed document ${part}`), branch(`${part}/`))));
}

async function documentPage(root, release, docId) {
  const id = sqlString(docId);
  const [doc] = await rows(`SELECT * FROM documents WHERE doc_id = ${id}`, ['documents'], release);
  const section = el('section', { id: 'document' }, el('p', {}, el('a', { href: '#' }, '← all documents 全部文件')));
  root.append(section);
  if (!doc) {
    section.append(el('p', {}, `No document ${docId} in this release.`));
    return;
  }
  section.append(el('h2', {}, doc.title), el('table', { id: 'metadata' }, el('tbody', {}, Object.entries(doc).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, k.endsWith('_date') ? cellDate(v) : v ?? ''))))));
  const [provisions, principles, milestones, measures, mentions, versions, redlines] = await Promise.all([
    rows(`SELECT part, path, level, parent_path, label, heading, text FROM provisions WHERE doc_id = ${id} ORDER BY part, ord`, ['provisions'], release),
    rows(`SELECT principle_no, title, text FROM principles WHERE doc_id = ${id} ORDER BY principle_no`, ['principles'], release),
    rows(`SELECT year, period, kind, path, text FROM milestones WHERE doc_id = ${id} ORDER BY milestone_no`, ['milestones'], release),
    rows(`SELECT path, verb, instrument, agencies, text FROM measures WHERE doc_id = ${id} ORDER BY part, measure_no`, ['measures'], release),
    rows(`SELECT kind, value, count, path FROM mentions WHERE doc_id = ${id} ORDER BY kind, value, path`, ['mentions'], release),
    rows(`SELECT version, release_id, status, fetched_at FROM document_versions WHERE doc_id = ${id} ORDER BY version`, ['document_versions'], release),
    rows(`SELECT to_version, from_version, path, label, change_type, old_text, new_text, diff FROM redlines WHERE doc_id = ${id} ORDER BY to_version, path`, ['redlines'], release),
  ]);
  section.append(el('h3', {}, `Outline 大纲 (${provisions.length})`), outlineTree(provisions));
  section.append(el('h3', {}, `Principles 基本原则 (${principles.length})`), el('ol', { id: 'principles' }, principles.map((p) => el('li', {}, el('strong', {}, p.title), ' ', p.text ?? ''))));
  section.append(el('h3', {}, `Dated targets 时间节点 (${milestones.length})`), resultTable(milestones));
  section.append(el('h3', {}, `Measures 措施 (${measures.length})`), resultTable(measures));
  section.append(el('h3', {}, `Mentions 提及 (${mentions.length})`), resultTable(mentions));
  section.append(el('h3', {}, `Versions 版本 (${versions.length})`), resultTable(versions));
  const changes = el('div', { id: 'redlines' });
  for (const r of redlines) {
    const body = r.diff ? redline(r.diff) : r.change_type === 'removed' ? el('del', {}, r.old_text ?? '') : r.change_type === 'added' ? el('ins', {}, r.new_text ?? '') : el('span', {}, r.new_text ?? '');
    changes.append(el('p', { class: `change ${r.change_type}` }, el('strong', {}, `v${r.from_version}→v${r.to_version} ${r.label ?? r.path} (${r.change_type}) `), body));
  }
  section.append(el('h3', {}, `Redlines 修订对照 (${redlines.length})`), changes);
}

/** Dated targets per year, one stacked series per plan (Chart.js). */
async function timeline(root, release) {
  const section = el('section', { id: 'timeline' }, el('h2', {}, 'Timeline 时间表: dated targets per year by plan'));
  const canvas = el('canvas', { id: 'timeline-chart', height: '120' });
  section.append(canvas);
  root.append(section);
  const data = await rows(`SELECT m.year::INT AS year, coalesce(d.plan_name, d.title) AS plan, count(*)::INT AS n FROM milestones m JOIN documents d USING (doc_id) WHERE m.year IS NOT NULL GROUP BY ALL ORDER BY year, plan`, ['milestones', 'documents'], release);
  const years = [...new Set(data.map((d) => d.year))];
  const plans = [...new Set(data.map((d) => d.plan))];
  new Chart(canvas, {
    type: 'bar',
    data: { labels: years, datasets: plans.map((p) => ({ label: p, data: years.map((y) => data.find((d) => d.year === y && d.plan === p)?.n ?? 0) })) },
    options: { animation: false, plugins: { legend: { display: plans.length <= 12 } }, scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'targets 目标数' } } } },
  });
}

/** The SQL console: tables load when a query names them; the result downloads as Excel-safe CSV. */
function sqlConsole(root, release) {
  const names = pkg.resources.filter((r) => r.format === 'csv').map((r) => r.x_table);
  const input = el('textarea', { id: 'sql-input', rows: '4' }, 'SELECT doc_type, count(*) AS n FROM documents GROUP BY 1 ORDER BY 2 DESC');
  const out = el('div', { id: 'sql-result' });
  const run = el('button', { id: 'sql-run', type: 'button' }, 'Run 运行');
  run.addEventListener('click', async () => {
    const sql = input.value;
    out.replaceChildren(el('p', { class: 'muted' }, 'running…'));
    try {
      const used = names.filter((n) => new RegExp(`\\b${n}\\b`, 'i').test(sql));
      const records = await rows(sql, used, release);
      out.replaceChildren(downloadLink(records, records.length ? Object.keys(records[0]) : [], 'query.csv'), resultTable(records.slice(0, 1000)));
    } catch (err) {
      out.replaceChildren(el('p', { class: 'error' }, String(err.message ?? err)));
    }
  });
  root.append(el('section', { id: 'sql' }, el('h2', {}, 'SQL console 查询'), el('p', {}, `Tables 表: ${names.join(', ')}`), input, run, out));
}

/** A filtered selection of any table as CSV: one column contains a text. */
function selection(root, release) {
  const tables = pkg.resources.filter((r) => r.format === 'csv');
  const table = el('select', { id: 'pick-table' }, tables.map((r) => el('option', { value: r.x_table }, `${r.x_table} (${r.rows})`)));
  const column = el('select', { id: 'pick-column' });
  const value = el('input', { id: 'pick-value', type: 'search', placeholder: 'contains 包含' });
  const fill = () => column.replaceChildren(...tables.find((r) => r.x_table === table.value).schema.fields.map((f) => el('option', { value: f.name }, f.name)));
  table.addEventListener('change', fill);
  fill();
  const out = el('div', { id: 'pick-result' });
  const go = el('button', { id: 'pick-run', type: 'button' }, 'Select 筛选');
  go.addEventListener('click', async () => {
    const where = value.value ? `WHERE contains(${ident(column.value)}::VARCHAR, ${sqlString(value.value)})` : '';
    const records = await rows(`SELECT * FROM ${ident(table.value)} ${where}`, [table.value], release);
    const fields = tables.find((r) => r.x_table === table.value).schema.fields.map((f) => f.name);
    out.replaceChildren(downloadLink(records, fields, `${table.value}-selection.csv`), resultTable(records.slice(0, 20)));
  });
  root.append(el('section', { id: 'selection' }, el('h2', {}, 'Download a selection 下载筛选结果'), table, column, value, go, out));
}

export async function start({ base, release }) {
  const root = document.getElementById('app');
  root.hidden = false;
  root.append(el('p', { id: 'site-status', class: 'muted' }, 'Loading DuckDB-WASM…'));
  pkg = await (await fetch(new URL('datapackage.json', release))).json();
  await openDatabase(base);
  let shown = null;
  const route = async () => {
    const doc = new URLSearchParams(location.hash.slice(1)).get('doc');
    // The page's own anchors (#sql, #downloads) change the hash too: only a change of document re-renders.
    if ((doc ?? '') === shown) return;
    shown = doc ?? '';
    delete root.dataset.ready;
    root.replaceChildren();
    if (doc) {
      await documentPage(root, release, doc);
      window.scrollTo(0, 0);
    } else {
      await browser(root, release);
      await timeline(root, release);
      sqlConsole(root, release);
      selection(root, release);
    }
    root.dataset.ready = location.hash || '#';
  };
  window.addEventListener('hashchange', () => route().catch(showError));
  await route();
  function showError(err) {
    root.append(el('p', { class: 'error' }, String(err.message ?? err)));
  }
}
