// zhengce serve: an output folder over HTTP on the loopback, with the range requests DuckDB-WASM and download managers use.
import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join, relative, sep } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import sirv from 'sirv';
import { silentLogger, type Logger } from '../core/effects.ts';
import { isPublished } from '../core/layout.ts';

export interface SiteServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** The longest request target answered (414 past it): release paths are a few dozen characters. */
const MAX_TARGET = 2048;
/** A path in origin form of RFC 3986 characters: a backslash, NUL, space, bracket or raw non-ASCII byte makes it malformed. */
const ORIGIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
/** A decoded segment holding a separator or a control character names no file a release has. */
const FORBIDDEN_IN_SEGMENT = /[/\\\x00-\x1f\x7f]/;
/** File system answers that mean "no such published file"; any other error is a fault of the server (500, logged). */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);

type Target = { segments: string[]; folder: boolean } | { refused: 400 | 414; reason: string };

/** The request path as decoded segments, never normalised (no `..`, `.` or empty segment is accepted), so what is checked is what is opened. */
function parseTarget(raw: string): Target {
  if (raw.length > MAX_TARGET) return { refused: 414, reason: `request target longer than ${MAX_TARGET} characters` };
  const path = raw.split('?', 1)[0];
  if (!ORIGIN_PATH.test(path)) return { refused: 400, reason: 'the path is not a URL path (a character a URL path cannot hold, or not starting with /)' };
  const parts = path.slice(1).split('/');
  const folder = parts.at(-1) === '';
  if (folder) parts.pop();
  const segments: string[] = [];
  for (const part of parts) {
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return { refused: 400, reason: 'malformed percent-escape' };
    }
    if (segment === '' || segment === '.' || segment === '..') return { refused: 400, reason: 'empty, . or .. path segment' };
    if (FORBIDDEN_IN_SEGMENT.test(segment)) return { refused: 400, reason: 'encoded /, \\ or control character in a path segment' };
    segments.push(segment);
  }
  return { segments, folder };
}

interface PublishedEntry {
  kind: 'file' | 'folder';
  /** The real path (every symlink resolved) and its segments relative to the served folder. */
  path: string;
  real: string[];
  stats: Stats;
}

/** The entry a path names, if both the path asked for and the file it finally resolves to are published (a symlink out of the published set is not followed). */
async function publishedEntry(root: string, segments: string[]): Promise<PublishedEntry | null> {
  if (!isPublished(segments, 'file') && !isPublished(segments, 'folder')) return null;
  let found: { path: string; stats: Stats };
  try {
    const path = await realpath(join(root, ...segments));
    found = { path, stats: await stat(path) };
  } catch (err) {
    if (MISSING.has((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  }
  const rel = relative(root, found.path);
  const kind = found.stats.isFile() ? 'file' : found.stats.isDirectory() ? 'folder' : null;
  // A FIFO or device is never published: reading one would hold the request forever.
  if (kind === null || isAbsolute(rel)) return null;
  const real = rel.split(sep);
  return isPublished(segments, kind) && isPublished(real, kind) ? { kind, path: found.path, real, stats: found.stats } : null;
}

type ByteRange = { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * A Range header against a file of `size` bytes (RFC 9110 §14). Another unit, or several ranges (no multipart answers
 * here), is ignored: the whole file, which §14.2 allows. An invalid range (`10-5`, `abc`) or one past the end is 416.
 */
function byteRange(header: string, size: number): ByteRange {
  const set = /^bytes=(.*)$/i.exec(header.trim());
  if (!set || set[1].includes(',')) return { kind: 'whole' };
  const spec = /^[ \t]*(\d*)-(\d*)[ \t]*$/.exec(set[1]);
  if (!spec || (spec[1] === '' && spec[2] === '')) return { kind: 'unsatisfiable' };
  // Number() of a huge digit string is a huge float or Infinity: compared against size, never passed to the file system.
  const last = spec[2] === '' ? null : Number(spec[2]);
  if (spec[1] === '') {
    // A suffix range: the last `last` bytes.
    if (last === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - last!), end: size - 1 };
  }
  const first = Number(spec[1]);
  if ((last !== null && last < first) || first >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start: first, end: Math.min(last ?? size - 1, size - 1) };
}

/** sirv's validators (its toHeaders), so a 206 of a file carries the ETag and Last-Modified its 200 does. */
const etagOf = (s: Stats): string => `W/"${s.size}-${s.mtime.getTime()}"`;
const lastModifiedOf = (s: Stats): string => s.mtime.toUTCString();

/** If-Range (RFC 9110 §13.1.5): a range only of the version the client holds. sirv's ETags are weak and never match, so only an exact date does. */
function rangeStillValid(req: IncomingMessage, s: Stats): boolean {
  const ifRange = req.headers['if-range'];
  return ifRange === undefined || ifRange === lastModifiedOf(s);
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** A URL path of segments, each percent-encoded. */
const urlPath = (segments: string[]): string => `/${segments.map(encodeURIComponent).join('/')}`;

/** sirv pipes the file with no error handler and leaves it open when the client goes: a file removed meanwhile would throw out of the server, a dropped download would hold its file. */
function guardBody(body: Readable, res: ServerResponse, logger: Logger): void {
  body.on('error', (err) => {
    logger.warn({ stage: 'serve', err }, 'reading a served file failed');
    res.destroy();
  });
  res.once('close', () => body.destroy());
}

function sendPart(res: ServerResponse, file: PublishedEntry, start: number, end: number, logger: Logger): void {
  const s = file.stats;
  res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${s.size}`, 'content-length': end - start + 1, etag: etagOf(s), 'last-modified': lastModifiedOf(s), 'cache-control': 'no-cache' });
  pipeline(createReadStream(file.path, { start, end }), res, (err) => {
    if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.warn({ stage: 'serve', err, file: file.path }, 'reading a served file failed');
  });
}

/** Answers one request: only published files, by their resolved path; sirv sends them, with no Range (parsed here). */
function siteHandler(root: string, logger: Logger): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  // extensions: none, so sirv opens exactly the file resolved here; dev: looked up per request, so a release published while serving appears.
  const files = sirv(root, { dev: true, etag: true, extensions: [] });
  return async (req, res) => {
    const target = parseTarget(req.url ?? '');
    if ('refused' in target) return reply(res, target.refused, `bad request: ${target.reason}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return reply(res, 405, 'only GET and HEAD\n');
    }
    if (target.segments.length === 0) {
      res.writeHead(302, { location: '/latest/', 'content-length': 0 }).end();
      return;
    }
    const file = await publishedEntry(root, target.folder ? [...target.segments, 'index.html'] : target.segments);
    if (!file || (file.kind === 'folder' && target.folder)) return reply(res, 404, 'not found\n');
    if (file.kind === 'folder') {
      // A folder's page links relatively (../../site/): served from its own URL with the slash, or they would break.
      res.writeHead(302, { location: `${urlPath(target.segments)}/`, 'content-length': 0 }).end();
      return;
    }
    res.setHeader('accept-ranges', 'bytes');
    const range =
      req.method === 'GET' && req.headers.range !== undefined && req.headers['if-none-match'] !== etagOf(file.stats) && rangeStillValid(req, file.stats)
        ? byteRange(req.headers.range, file.stats.size)
        : { kind: 'whole' as const };
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { 'content-range': `bytes */${file.stats.size}`, 'content-length': 0 }).end();
      return;
    }
    if (range.kind === 'part') return sendPart(res, file, range.start, range.end, logger);
    // sirv gets the resolved path (it does not look again through a symlink that could change) and decodes it back to the
    // same name, or the file is not served; a ? or # in a name would read differently.
    const url = urlPath(file.real);
    if (decodeURI(url) !== `/${file.real.join('/')}`) return reply(res, 404, 'not found\n');
    req.url = url;
    delete req.headers.range;
    res.once('pipe', (body: Readable) => guardBody(body, res, logger));
    files(req, res, () => reply(res, 404, 'not found\n'));
  };
}

/** Serves the published part of `dir` (core/layout.ts's isPublished) on 127.0.0.1:`port` (0: any free port); `/` leads to the latest release. */
export async function serveSite(dir: string, port: number, logger: Logger = silentLogger): Promise<SiteServer> {
  const root = await realpath(dir);
  const handle = siteHandler(root, logger);
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ stage: 'serve', err, url: req.url }, 'answering a request failed');
      if (res.headersSent) res.destroy();
      else reply(res, 500, 'internal error (logged by zhengce serve)\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { server, url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
