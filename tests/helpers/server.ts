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
type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; headers?: Record<string, string> }
  | { kind: 'truncate' }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
  | { kind: 'drip'; everyMs: number };

export type FaultPlan = (request: { path: string; attempt: number }) => Fault | null;

interface LoggedRequest {
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
  /** Where a trees answer is cut with `truncated: true` (GitHub's 100,000 entries / 7 MB unless a test lowers them). */
  treeLimits: TreeLimits;
  /** GitHub's primary rate limit on the API host: each trees call spends one; at 0 the answer is a 403 until `reset` (epoch seconds). Null: unlimited. */
  apiRateLimit: { limit: number; remaining: number; reset: number } | null;
  /** Repository path → the older copy the raw host still serves (its CDN lags a change by a few minutes). */
  rawStale: Map<string, ServedFile>;
  /** Requests being answered now, and the most at once since the last reset. */
  inFlight: number;
  peakInFlight: number;
  /** The root tree of the branch, not recursive: the listing's first call. */
  treesPath: string;
  /** The path of a trees call for a tree sha (or the branch), recursive or not. */
  treePath(ref: string, recursive: boolean): string;
  /** The sha of the tree at a repository folder ('' for the root), as the replica lists it now. */
  treeSha(folder: string): string;
  rawPath(path: string): string;
  /** Requests whose path starts with `prefix` (default: raw downloads). */
  requestsTo(prefix?: string): LoggedRequest[];
  /** Back to the fixture files, no faults, no logged requests, attempt counts from zero. */
  reset(): void;
  close(): Promise<void>;
}

/** `git hash-object` of some bytes, computed here independently of the code under test. */
export function blobSha(bytes: Uint8Array): string {
  return createHash('sha1')
    .update(Buffer.from(`blob ${bytes.byteLength}\0`))
    .update(bytes)
    .digest('hex');
}

/**
 * The bundled real posts in GitHub's layout: every Jekyll/markdown post under `_posts/`, and two
 * gov.cn pages under `pages/`, keyed by their repository path.
 */
export function fixtureFiles(): Map<string, ServedFile> {
  const files = new Map<string, ServedFile>();
  for (const name of readdirSync(SAMPLE_POSTS)
    .filter((n) => n.endsWith('.md'))
    .sort()) {
    files.set(`_posts/${name}`, { bytes: readFileSync(join(SAMPLE_POSTS, name)), contentType: 'text/plain; charset=utf-8' });
  }
  for (const name of PAGES) files.set(`pages/${name}`, { bytes: readFileSync(join(SAMPLE_POSTS, name)), contentType: 'text/html; charset=utf-8' });
  return files;
}

/** The blob sha and size of each served file, computed once per file object (100,000-file trees are listed many times). */
const blobInfo = new WeakMap<ServedFile, { sha: string; size: number }>();
function servedBlob(file: ServedFile): { sha: string; size: number } {
  let info = blobInfo.get(file);
  if (info === undefined) {
    const bytes = file.bytes;
    blobInfo.set(file, (info = { sha: blobSha(bytes), size: bytes.length }));
  }
  return info;
}

/** One git tree of the replica: its sha and its direct entries (name, sha, blob size), sorted as git sorts them. */
interface ReplicaTree {
  sha: string;
  entries: { name: string; type: 'blob' | 'tree'; sha: string; size?: number }[];
}

/** The repository's git trees, every folder by path ('' for the root), with shas derived from their content as git's are. */
function buildTrees(files: Map<string, ServedFile>): Map<string, ReplicaTree> {
  const children = new Map<string, Map<string, ServedFile | null>>();
  const childrenOf = (folder: string) => {
    let map = children.get(folder);
    if (!map) children.set(folder, (map = new Map()));
    return map;
  };
  for (const [path, file] of files) {
    const parts = path.split('/');
    for (let i = 0; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      childrenOf(folder).set(parts[i], i === parts.length - 1 ? file : null);
    }
  }
  const trees = new Map<string, ReplicaTree>();
  const build = (folder: string): ReplicaTree => {
    const entries: ReplicaTree['entries'] = [];
    for (const [name, file] of [...childrenOf(folder)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (file) entries.push({ name, type: 'blob', ...servedBlob(file) });
      else entries.push({ name, type: 'tree', sha: build(folder ? `${folder}/${name}` : name).sha });
    }
    const hash = createHash('sha1');
    for (const e of entries) hash.update(`${e.type} ${e.name} ${e.sha}\n`);
    const tree = { sha: hash.digest('hex'), entries };
    trees.set(folder, tree);
    return tree;
  };
  build('');
  return trees;
}

/** A Map that counts its edits, so the replica rebuilds its trees only after a commit, as GitHub has them stored. */
class EditCountedMap<K, V> extends Map<K, V> {
  edits = 0;
  override set(key: K, value: V): this {
    this.edits++;
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    this.edits++;
    return super.delete(key);
  }
  override clear(): void {
    this.edits++;
    super.clear();
  }
}

let treeCache: { files: Map<string, ServedFile>; edits: number; trees: Map<string, ReplicaTree> } | null = null;
/** buildTrees, once per state of the files (a Map that is not edit-counted is built every time). */
function currentTrees(files: Map<string, ServedFile>): Map<string, ReplicaTree> {
  const edits = files instanceof EditCountedMap ? files.edits : -1;
  if (treeCache && treeCache.files === files && edits >= 0 && treeCache.edits === edits) return treeCache.trees;
  treeCache = { files, edits, trees: buildTrees(files) };
  return treeCache.trees;
}

/** GitHub's documented limits of one trees answer: past them it says `truncated: true` and lists a prefix. */
interface TreeLimits {
  entries: number;
  bytes: number;
}
const GITHUB_TREE_LIMITS: TreeLimits = { entries: 100_000, bytes: 7 * 1024 * 1024 };

/** A trees answer in GitHub's shape for one tree, recursive or not, cut at the limits. */
function treeAnswer(trees: Map<string, ReplicaTree>, folder: string, recursive: boolean, limits: TreeLimits, apiBase: string): string {
  const byPath = (path: string) => trees.get(path)!;
  const parts: string[] = [];
  let bytes = 0;
  let truncated = false;
  const walk = (path: string, prefix: string): boolean => {
    for (const e of byPath(path).entries) {
      const entryPath = prefix + e.name;
      const kind = e.type === 'blob' ? 'blobs' : 'trees';
      const json = JSON.stringify({
        path: entryPath,
        mode: e.type === 'blob' ? '100644' : '040000',
        type: e.type,
        sha: e.sha,
        ...(e.size !== undefined ? { size: e.size } : {}),
        url: `${apiBase}/git/${kind}/${e.sha}`,
      });
      if (parts.length >= limits.entries || bytes + json.length + 1 > limits.bytes) return ((truncated = true), false);
      parts.push(json);
      bytes += json.length + 1;
      if (recursive && e.type === 'tree' && !walk(path ? `${path}/${e.name}` : e.name, `${entryPath}/`)) return false;
    }
    return true;
  };
  walk(folder, '');
  const sha = byPath(folder).sha;
  return `{"sha":"${sha}","url":"${apiBase}/git/trees/${sha}","tree":[${parts.join(',')}],"truncated":${truncated}}`;
}

/**
 * A repository in finews's real shape: `posts` under `_posts/`, `oldPosts` under `old_post/` and `others`
 * small files under `assets/` (so a recursive listing of the root passes GitHub's 100,000 entries). Each post
 * is a bundled real Jekyll post under a distinct name, made distinct (its own blob sha) by a trailing HTML
 * comment; its bytes are built when served, so 20,000 posts do not sit in memory.
 */
export function finewsShapeFiles(counts: { posts: number; oldPosts: number; others: number }): Map<string, ServedFile> {
  const bases = [...fixtureFiles()].filter(([path]) => path.startsWith('_posts/')).map(([, file]) => file.bytes);
  const files = new Map<string, ServedFile>();
  const post = (n: number): ServedFile => {
    const base = bases[n % bases.length];
    return {
      contentType: 'text/plain; charset=utf-8',
      get bytes() {
        return Buffer.concat([base, Buffer.from(`<!-- copy ${n} -->\n`)]);
      },
    };
  };
  const name = (n: number) => `${finewsShapeId(n)}.md`;
  for (let n = 0; n < counts.oldPosts; n++) files.set(`old_post/${name(n)}`, post(n));
  for (let n = counts.oldPosts; n < counts.oldPosts + counts.posts; n++) files.set(`_posts/${name(n)}`, post(n));
  for (let n = 0; n < counts.others; n++) files.set(`assets/${n % 100}/${n}.json`, { contentType: 'application/json', bytes: Buffer.from(`{"n":${n}}`) });
  return files;
}

/** The name a post of finewsShapeFiles has: the id of post `n`. */
export function finewsShapeId(n: number): string {
  return `2022-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}-20220${String(n).padStart(13, '0')}`;
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
  const apiPrefix = `/repos/${owner}/${repo}`;
  const treesPrefix = `${apiPrefix}/git/trees/`;
  const treesPath = `${treesPrefix}${branch}`;
  const rawPrefix = `/${owner}/${repo}/${branch}/`;
  /** The trees API: GET …/git/trees/{branch or tree sha}[?recursive=1], with ETags and rate-limit headers. */
  const answerTrees = (req: IncomingMessage, res: ServerResponse, path: string, fault: Fault | null) => {
    const url = new URL(path, 'http://replica');
    const ref = decodeURIComponent(url.pathname.slice(treesPrefix.length));
    const limitHeaders: Record<string, string> = {};
    const limit = state.apiRateLimit;
    if (limit) {
      Object.assign(limitHeaders, { 'x-ratelimit-limit': String(limit.limit), 'x-ratelimit-reset': String(limit.reset), 'x-ratelimit-resource': 'core' });
      if (limit.remaining <= 0) {
        limitHeaders['x-ratelimit-remaining'] = '0';
        return void res
          .writeHead(403, { 'content-type': 'application/json; charset=utf-8', ...limitHeaders })
          .end('{"message":"API rate limit exceeded for 127.0.0.1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}');
      }
      limitHeaders['x-ratelimit-remaining'] = String(--limit.remaining);
    }
    const trees = currentTrees(state.files);
    const folder = ref === branch ? '' : [...trees].find(([, t]) => t.sha === ref)?.[0];
    if (folder === undefined) return void res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', ...limitHeaders }).end('{"message":"Not Found"}');
    const body = Buffer.from(treeAnswer(trees, folder, url.searchParams.has('recursive'), state.treeLimits, `${origin}${apiPrefix}`));
    const etag = `W/"${createHash('sha1').update(body).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag, ...limitHeaders }).end();
    sendBody(res, 200, { 'content-type': 'application/json; charset=utf-8', etag, ...limitHeaders }, body, fault);
  };

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    state.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, at: Date.now() });
    const attempt = attempts.get(path) ?? 0;
    attempts.set(path, attempt + 1);
    const served = (path.startsWith(rawPrefix) ? state.files.get(decodeURIComponent(path.slice(rawPrefix.length))) : state.routes.get(path))?.bytes.length ?? 0;
    state.openBytes += served;
    state.peakOpenBytes = Math.max(state.peakOpenBytes, state.openBytes);
    state.peakInFlight = Math.max(state.peakInFlight, ++state.inFlight);
    let open = true;
    const closed = () => {
      if (open) {
        state.openBytes -= served;
        state.inFlight--;
      }
      open = false;
    };
    res.on('finish', closed).on('close', closed);
    const fault = state.faults?.({ path, attempt }) ?? null;
    const answer = () => {
      if (fault?.kind === 'reset') return void req.socket.destroy();
      if (fault?.kind === 'status') {
        const headers: Record<string, string> = { 'content-type': 'text/plain', ...fault.headers };
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        return void res.writeHead(fault.status, headers).end(`fault ${fault.status}`);
      }
      if (path.startsWith(treesPrefix)) return answerTrees(req, res, path, fault);
      const repoPath = path.startsWith(rawPrefix) ? decodeURIComponent(path.slice(rawPrefix.length)) : null;
      const file = repoPath !== null ? (state.rawStale.get(repoPath) ?? state.files.get(repoPath)) : state.routes.get(path);
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
    files: new EditCountedMap(options.files ?? fixtureFiles()),
    routes: new Map(),
    requests: [],
    openBytes: 0,
    peakOpenBytes: 0,
    faults: null,
    treeLimits: { ...GITHUB_TREE_LIMITS },
    apiRateLimit: null,
    rawStale: new Map(),
    inFlight: 0,
    peakInFlight: 0,
    treesPath,
    treePath: (ref, recursive) => `${treesPrefix}${ref}${recursive ? '?recursive=1' : ''}`,
    treeSha: (folder) => currentTrees(state.files).get(folder)!.sha,
    rawPath: (path) => `${rawPrefix}${path.split('/').map(encodeURIComponent).join('/')}`,
    requestsTo: (prefix = rawPrefix) => state.requests.filter((r) => r.path.startsWith(prefix)),
    reset: () => {
      state.files = new EditCountedMap(options.files ?? fixtureFiles());
      state.routes.clear();
      state.requests.length = 0;
      state.peakOpenBytes = state.openBytes;
      state.faults = null;
      state.treeLimits = { ...GITHUB_TREE_LIMITS };
      state.apiRateLimit = null;
      state.rawStale.clear();
      state.peakInFlight = state.inFlight;
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
  const field = (name: string) =>
    new RegExp(`^${name}:[ \\t]*(.*)$`, 'm')
      .exec(match[1])?.[1]
      ?.trim()
      .replace(/^"(.*)"$/, '$1') ?? '';
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
