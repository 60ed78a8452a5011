// A loopback server in the shape of GitHub (trees API + raw files) and of a blog's feeds, serving
// real posts, with switches for the faults the HTTP sources must survive. Also the small helpers
// the source tests share: a GBK encoder, feed builders, a capturing logger and a source runner.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, afterEach, before, beforeEach } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Logger } from '../../src/core/effects.ts';
import type { Source, SourceContext, SourceEvent, SourceSummary } from '../../src/core/source.ts';
import type { HttpOptions } from '../../src/sources/http.ts';

/** The real posts bundled for the sample pipeline, served again here rather than kept twice. */
const SAMPLE_POSTS = join(import.meta.dirname, '..', '..', 'pipelines', 'sample', 'posts');
/** gov.cn pages served outside the repository's posts folder (as GBK, or as pages a feed links to). */
const PAGES = ['govcn-2018-12-03-content_5345407.html', 'govcn-2018-12-29-content_5353307.html'];

/** One file of the fake repository, or one page/feed served at a fixed path. */
export interface ServedFile {
  bytes: Buffer;
  contentType: string;
  /** Sent gzip-compressed to clients that accept it (the stored bytes stay the decoded ones). */
  gzip?: Buffer;
  lastModified?: string;
  /** Sent with chunked encoding, no Content-Length (as a streaming server would). */
  chunked?: boolean;
}

/**
 * What to do to the n-th request (attempt 0, 1, …) for a path:
 * a status (with Retry-After), a truncated body (Content-Length larger than what is sent, then the
 * socket is cut), a reset before any answer, a slow answer, or a body sent one byte every `everyMs`.
 */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'truncate' }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
  | { kind: 'drip'; everyMs: number };

export type FaultPlan = (request: { path: string; attempt: number }) => Fault | null;

export interface LoggedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export interface TestServer {
  origin: string;
  owner: string;
  repo: string;
  branch: string;
  /** Repository path → file. Edit it between runs to simulate commits. */
  files: Map<string, ServedFile>;
  /** URL path → page or feed, outside the repository. */
  routes: Map<string, ServedFile>;
  requests: LoggedRequest[];
  /** Sizes of the files being answered now, from each request's arrival until its response closes. */
  openBytes: number;
  /** The largest openBytes since the last reset. */
  peakOpenBytes: number;
  faults: FaultPlan | null;
  /** The trees answer says `truncated: true`. */
  truncatedTree: boolean;
  treesPath: string;
  rawPath(path: string): string;
  /** Requests whose path starts with `prefix` (default: raw downloads). */
  requestsTo(prefix?: string): LoggedRequest[];
  /** Back to the fixture files, no faults, no logged requests, attempt counts from zero. */
  reset(): void;
  close(): Promise<void>;
}

/** `git hash-object` of some bytes, computed here independently of the code under test. */
export function blobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(Buffer.from(`blob ${bytes.byteLength}\0`)).update(bytes).digest('hex');
}

/**
 * The bundled real posts in GitHub's layout: every Jekyll/markdown post under `_posts/`, and two
 * gov.cn pages under `pages/`, keyed by their repository path.
 */
export function fixtureFiles(): Map<string, ServedFile> {
  const files = new Map<string, ServedFile>();
  for (const name of readdirSync(SAMPLE_POSTS).filter((n) => n.endsWith('.md')).sort()) {
    files.set(`_posts/${name}`, { bytes: readFileSync(join(SAMPLE_POSTS, name)), contentType: 'text/plain; charset=utf-8' });
  }
  for (const name of PAGES) files.set(`pages/${name}`, { bytes: readFileSync(join(SAMPLE_POSTS, name)), contentType: 'text/html; charset=utf-8' });
  return files;
}

function treeAnswer(files: Map<string, ServedFile>, truncated: boolean): string {
  const folders = new Set<string>();
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  const tree = [
    ...[...folders].map((path) => ({ path, mode: '040000', type: 'tree', sha: createHash('sha1').update(path).digest('hex') })),
    ...[...files].map(([path, file]) => ({ path, mode: '100644', type: 'blob', sha: blobSha(file.bytes), size: file.bytes.length })),
  ].sort((a, b) => a.path.localeCompare(b.path));
  const sha = createHash('sha1').update(JSON.stringify(tree)).digest('hex');
  return JSON.stringify({ sha, url: `trees/${sha}`, tree, truncated });
}

function sendBody(res: ServerResponse, status: number, headers: Record<string, string | number>, body: Buffer, fault: Fault | null): void {
  res.writeHead(status, { ...headers, 'content-length': body.length });
  if (fault?.kind === 'drip') {
    let sent = 0;
    const timer = setInterval(() => {
      res.write(body.subarray(sent, ++sent));
      if (sent === body.length) res.end();
    }, fault.everyMs);
    res.on('close', () => clearInterval(timer));
    return;
  }
  if (fault?.kind === 'truncate') {
    // Cut the connection a moment after half the body, once the client has surely received that half.
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.end(body);
}

/** A file as GitHub's raw host or a web server sends it: ETag, Range, gzip when asked, conditional GET. */
function sendFile(req: IncomingMessage, res: ServerResponse, file: ServedFile, fault: Fault | null): void {
  const etag = `"${blobSha(file.bytes)}"`;
  const headers: Record<string, string> = { 'content-type': file.contentType, etag, 'accept-ranges': 'bytes' };
  if (file.lastModified) headers['last-modified'] = file.lastModified;
  const unchanged = req.headers['if-none-match'] === etag || (file.lastModified !== undefined && req.headers['if-modified-since'] === file.lastModified);
  if (unchanged) {
    res.writeHead(304, headers).end();
    return;
  }
  if (file.gzip && /gzip/.test(String(req.headers['accept-encoding'] ?? ''))) {
    sendBody(res, 200, { ...headers, 'content-encoding': 'gzip' }, file.gzip, fault);
    return;
  }
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Number(range[2]) : file.bytes.length - 1;
    const partHeaders = { ...headers, 'content-range': `bytes ${start}-${end}/${file.bytes.length}` };
    sendBody(res, 206, partHeaders, file.bytes.subarray(start, end + 1), fault);
    return;
  }
  if (file.chunked) {
    res.writeHead(200, headers);
    res.write(file.bytes.subarray(0, 1)); // a first write before end() makes Node send it chunked
    res.end(file.bytes.subarray(1));
    return;
  }
  sendBody(res, 200, headers, file.bytes, fault);
}

export async function startTestServer(options: { files?: Map<string, ServedFile>; owner?: string; repo?: string; branch?: string } = {}): Promise<TestServer> {
  const owner = options.owner ?? 'zning1994';
  const repo = options.repo ?? 'finews';
  const branch = options.branch ?? 'main';
  const attempts = new Map<string, number>();
  const treesPath = `/repos/${owner}/${repo}/git/trees/${branch}?recursive=1`;
  const rawPrefix = `/${owner}/${repo}/${branch}/`;

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    state.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, at: Date.now() });
    const attempt = attempts.get(path) ?? 0;
    attempts.set(path, attempt + 1);
    const served = (path.startsWith(rawPrefix) ? state.files.get(decodeURIComponent(path.slice(rawPrefix.length))) : state.routes.get(path))?.bytes.length ?? 0;
    state.openBytes += served;
    state.peakOpenBytes = Math.max(state.peakOpenBytes, state.openBytes);
    let open = true;
    const closed = () => {
      if (open) state.openBytes -= served;
      open = false;
    };
    res.on('finish', closed).on('close', closed);
    const fault = state.faults?.({ path, attempt }) ?? null;
    const answer = () => {
      if (fault?.kind === 'reset') return void req.socket.destroy();
      if (fault?.kind === 'status') {
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        return void res.writeHead(fault.status, headers).end(`fault ${fault.status}`);
      }
      if (path === treesPath) {
        const body = Buffer.from(treeAnswer(state.files, state.truncatedTree));
        const etag = `W/"${createHash('sha1').update(body).digest('hex')}"`;
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
        return sendBody(res, 200, { 'content-type': 'application/json; charset=utf-8', etag }, body, fault);
      }
      const file = path.startsWith(rawPrefix) ? state.files.get(decodeURIComponent(path.slice(rawPrefix.length))) : state.routes.get(path);
      if (!file) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
      sendFile(req, res, file, fault);
    };
    if (fault?.kind === 'delay') setTimeout(answer, fault.ms);
    else answer();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state: TestServer = {
    origin,
    owner,
    repo,
    branch,
    files: new Map(options.files ?? fixtureFiles()),
    routes: new Map(),
    requests: [],
    openBytes: 0,
    peakOpenBytes: 0,
    faults: null,
    truncatedTree: false,
    treesPath,
    rawPath: (path) => `${rawPrefix}${path.split('/').map(encodeURIComponent).join('/')}`,
    requestsTo: (prefix = rawPrefix) => state.requests.filter((r) => r.path.startsWith(prefix)),
    reset: () => {
      state.files = new Map(options.files ?? fixtureFiles());
      state.routes.clear();
      state.requests.length = 0;
      state.peakOpenBytes = state.openBytes;
      state.faults = null;
      state.truncatedTree = false;
      attempts.clear();
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  return state;
}

/** A deterministic hash in [0, 1) of a string, standing in for Math.random in fault patterns. */
function unitHash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Faults on a seeded, repeatable pattern: each of the first `faultyAttempts` requests for a path is a
 * 503 with probability `unavailable`, else truncated with probability `truncated`; later attempts succeed.
 */
export function seededFaults(seed: string, rates: { unavailable: number; truncated: number; faultyAttempts?: number }): FaultPlan {
  return ({ path, attempt }) => {
    if (attempt >= (rates.faultyAttempts ?? 2)) return null;
    const roll = unitHash(`${seed}:${path}:${attempt}`);
    if (roll < rates.unavailable) return { kind: 'status', status: 503 };
    if (roll < rates.unavailable + rates.truncated) return { kind: 'truncate' };
    return null;
  };
}

let gbkTable: Map<string, number> | null = null;

/**
 * Encodes text as GBK, with a table built by running Node's own GBK decoder over every two-byte
 * sequence (Node can decode GBK but not encode it). Throws on a character GBK lacks.
 */
export function encodeGbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const char = decoder.decode(new Uint8Array([lead, trail]));
        if (char.length === 1 && char !== '\ufffd' && !gbkTable.has(char)) gbkTable.set(char, (lead << 8) | trail);
      }
    }
  }
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const pair = gbkTable.get(char);
    if (pair === undefined) throw new Error(`no GBK code for U+${code.toString(16)}`);
    bytes.push(pair >> 8, pair & 0xff);
  }
  return Buffer.from(bytes);
}

export function gzip(bytes: Uint8Array): Buffer {
  return gzipSync(bytes);
}

/** The front matter values and HTML body of a real finews post, to build feed items from. */
export function splitJekyllPost(text: string): { title: string; date: string; categories: string; html: string } {
  const match = /^\s*---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error('not a Jekyll post');
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(match[1])?.[1]?.trim().replace(/^"(.*)"$/, '$1') ?? '';
  return { title: field('title'), date: field('date'), categories: field('categories'), html: match[2] };
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface FeedEntry {
  id: string;
  link?: string;
  title: string;
  /** ISO 8601 for Atom, RFC 822 for RSS. */
  date?: string;
  categories?: string[];
  /** Omitted for an item that only links to its page. */
  html?: string;
}

/** An Atom feed in jekyll-feed's shape: entity-escaped HTML in <content type="html">. */
export function atomFeed(selfUrl: string, entries: FeedEntry[]): string {
  const body = entries.map((e) =>
    [
      '<entry>',
      `<title type="html">${escapeXml(e.title)}</title>`,
      e.link ? `<link href="${escapeXml(e.link)}" rel="alternate" type="text/html" title="${escapeXml(e.title)}" />` : '',
      e.date ? `<published>${e.date}</published><updated>${e.date}</updated>` : '',
      `<id>${escapeXml(e.id)}</id>`,
      e.html !== undefined ? `<content type="html" xml:base="${escapeXml(e.link ?? selfUrl)}">${escapeXml(e.html)}</content>` : '',
      ...(e.categories ?? []).map((c) => `<category term="${escapeXml(c)}" />`),
      '</entry>',
    ].join(''),
  );
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><generator uri="https://jekyllrb.com/" version="3.9.0">Jekyll</generator><link href="${escapeXml(selfUrl)}" rel="self" type="application/atom+xml" /><id>${escapeXml(selfUrl)}</id><title type="html">finews</title>\n${body.join('\n')}\n</feed>\n`;
}

/** An RSS 2.0 feed with the HTML in CDATA <description>. */
export function rssFeed(entries: FeedEntry[]): string {
  const items = entries.map((e) =>
    [
      '<item>',
      `<title>${escapeXml(e.title)}</title>`,
      e.link ? `<link>${escapeXml(e.link)}</link>` : '',
      `<guid isPermaLink="false">${escapeXml(e.id)}</guid>`,
      e.date ? `<pubDate>${e.date}</pubDate>` : '',
      ...(e.categories ?? []).map((c) => `<category>${escapeXml(c)}</category>`),
      e.html !== undefined ? `<description><![CDATA[${e.html}]]></description>` : '',
      '</item>',
    ].join(''),
  );
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>finews</title><link>https://finews.withounder.com/</link>\n${items.join('\n')}\n</channel></rss>\n`;
}

/** HTTP options for tests: the real defaults except tiny backoff waits and a high rate limit. */
export function testHttpOptions(overrides: Partial<HttpOptions> = {}): HttpOptions {
  return {
    rate_limit: 1000,
    concurrency: 8,
    max_response_bytes: 1024 * 1024,
    headers_timeout_ms: 2000,
    body_timeout_ms: 2000,
    response_timeout_ms: 10_000,
    max_bytes_in_flight: 256 * 1024 * 1024,
    retries: 4,
    max_retry_delay_ms: 2000,
    min_retry_delay_ms: 5,
    ...overrides,
  };
}

/** A logger that keeps every line (fields and message) as JSON text, to check what was printed. */
export function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const log = (level: string) => (fields: Record<string, unknown>, msg?: string) => void lines.push(JSON.stringify({ level, ...bindings, ...fields, msg }));
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: (more) => make({ ...bindings, ...more }) };
  };
  return Object.assign(make({}), { lines });
}

/** Runs a source to its end and collects what it reported, freeing each post's bytes in the source's budget on receipt. */
export async function runSource(source: Source, ctx: SourceContext): Promise<{ events: SourceEvent[]; summary: SourceSummary }> {
  const events: SourceEvent[] = [];
  const generator = source(ctx);
  for (;;) {
    const step = await generator.next();
    if (step.done) return { events, summary: step.value };
    if (step.value.kind === 'post') step.value.release?.();
    events.push(step.value);
  }
}

/** The previous-run map a pipeline would build from a run's events: sourceId → revision. */
export function revisionsOf(events: SourceEvent[], before: ReadonlyMap<string, string | null> = new Map()): Map<string, string | null> {
  const next = new Map(before);
  for (const e of events) if (e.kind === 'post') next.set(e.post.sourceId, e.post.revision);
  return next;
}

/** Suite hooks: one loopback server for the suite, reset before each test, and a fresh raw-snapshot folder per test. */
export function useServerAndRawDir(onServer: (s: TestServer) => void, onRawDir: (dir: string) => void): void {
  let server: TestServer;
  let rawDir: string;
  before(async () => onServer((server = await startTestServer())));
  after(() => server.close());
  beforeEach(async () => {
    server.reset();
    onRawDir((rawDir = await mkdtemp(join(tmpdir(), 'zhengce-raw-'))));
  });
  afterEach(() => rm(rawDir, { recursive: true, force: true }));
}
