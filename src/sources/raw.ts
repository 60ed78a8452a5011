// Raw snapshots: every body a source fetched, stored once under its sha256, with an append-only
// index saying where and when it came from, so a run can be audited and replayed with no network.
import { appendFile, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { detectCharset } from '../core/charset.ts';
import { PostError, SourceUnavailableError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/files.ts';
import { sha256 } from '../core/hash.ts';
import type { Source } from '../core/source.ts';
import type { HttpResponse } from './http.ts';

/** One fetched (or, for feed items, derived) body, as a line of raw/index.jsonl. */
export interface BodySnapshot {
  kind: 'body';
  url: string;
  /** RawPost.source of the posts this body feeds, e.g. `github:zning1994/finews`. */
  source: string;
  /** The post this body is; null for a listing (trees JSON, feed XML). */
  source_id: string | null;
  fetched_at: string;
  status: number;
  etag: string | null;
  last_modified: string | null;
  content_type: string | null;
  /** How the body travelled (gzip, br), or null. The stored bytes are always decoded. */
  content_encoding: string | null;
  /** The text charset the body declares (detectCharset), e.g. utf-8, gb18030. */
  encoding: string;
  /** RawPost.revision (git blob sha for github; content sha256 for feeds). */
  revision: string | null;
  /** sha256 of the feed body a feed item was cut from; absent for bodies fetched as such. */
  derived_from?: string;
  /** RawPost.sourcePath (github: the repository path the body was read at); absent when the source has none. */
  source_path?: string;
  bytes: number;
  sha256: string;
}

/** Every sourceId a completed run saw upstream; what is not listed had been removed. */
interface ListingSnapshot {
  kind: 'listing';
  url: string;
  source: string;
  fetched_at: string;
  source_ids: string[];
}

export type IndexLine = BodySnapshot | ListingSnapshot;

export type BodyMeta = Omit<BodySnapshot, 'kind' | 'encoding' | 'bytes' | 'sha256'>;

/** The snapshot fields an HTTP answer gives, plus where the body came from and what it is. */
export function responseMeta(response: HttpResponse, meta: Pick<BodyMeta, 'url' | 'source' | 'source_id' | 'fetched_at' | 'revision'>): BodyMeta {
  return {
    url: meta.url,
    source: meta.source,
    source_id: meta.source_id,
    fetched_at: meta.fetched_at,
    status: response.status,
    etag: response.etag,
    last_modified: response.lastModified,
    content_type: response.contentType,
    content_encoding: response.contentEncoding,
    revision: meta.revision,
  };
}

export interface SnapshotStore {
  saveBody(meta: BodyMeta, body: Uint8Array): Promise<BodySnapshot>;
  saveListing(listing: Omit<ListingSnapshot, 'kind'>): Promise<void>;
}

const INDEX_FILE = 'index.jsonl';

function objectPath(rawDir: string, hash: string): string {
  return join(rawDir, 'objects', hash.slice(0, 2), hash);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes a content-addressed object aside, then renames it, so a crash never leaves half a body under its hash (nor a failure a temporary file). */
async function writeObject(rawDir: string, hash: string, body: Uint8Array, madeDirs: Set<string>): Promise<void> {
  const path = objectPath(rawDir, hash);
  if (await exists(path)) return;
  const dir = join(rawDir, 'objects', hash.slice(0, 2));
  if (!madeDirs.has(dir)) await mkdir(dir, { recursive: true });
  madeDirs.add(dir);
  await writeFileAtomic(path, body);
}

/** Ends the index with a newline if a crash cut its last line short, so the next line is not glued to it. */
async function closeTornLine(indexPath: string): Promise<void> {
  const handle = await open(indexPath, 'a+');
  try {
    const { size } = await handle.stat();
    const last = Buffer.alloc(1);
    if (size > 0 && (await handle.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a) await handle.appendFile('\n');
  } finally {
    await handle.close();
  }
}

/** The raw/ folder of one pipeline: objects/<ab>/<sha256> plus index.jsonl. */
export function openSnapshotStore(rawDir: string): SnapshotStore {
  const indexPath = join(rawDir, INDEX_FILE);
  const madeDirs = new Set<string>();
  // Lines wait here and go out in one append per batch: concurrent downloads never interleave a
  // line, and 2,000 posts do not cost 2,000 opens of the index.
  let waiting: string[] = [];
  // Making the folder starts now but may fail (EACCES, ENOTDIR) before anything awaits it: the
  // failure is kept, marked handled so it cannot kill the process, and thrown by every save.
  const ready = mkdir(rawDir, { recursive: true })
    .then(() => closeTornLine(indexPath))
    .catch((cause: unknown) => {
      throw new SourceUnavailableError(`cannot write raw snapshots in ${rawDir}: ${(cause as Error).message}. Check that the folder can be created and written`, { cause });
    });
  ready.catch(() => {});
  let flushed: Promise<void> = ready;
  const append = (line: IndexLine): Promise<void> => {
    waiting.push(`${JSON.stringify(line)}\n`);
    if (waiting.length === 1) {
      flushed = flushed.then(() => {
        const batch = waiting.join('');
        waiting = [];
        return appendFile(indexPath, batch);
      });
    }
    return flushed;
  };

  return {
    async saveBody(meta, body) {
      await ready;
      const hash = sha256(body);
      await writeObject(rawDir, hash, body, madeDirs);
      const snapshot: BodySnapshot = { kind: 'body', ...meta, encoding: detectCharset(body, meta.content_type), bytes: body.byteLength, sha256: hash };
      await append(snapshot);
      return snapshot;
    },
    async saveListing(listing) {
      await append({ kind: 'listing', ...listing });
    },
  };
}

/** The lines of raw/index.jsonl one at a time, so memory does not grow with the index; a line cut short by a crash is skipped, not fatal. */
export async function* readSnapshotIndex(rawDir: string): AsyncGenerator<IndexLine, void, void> {
  const handle = await open(join(rawDir, INDEX_FILE));
  try {
    for await (const line of handle.readLines()) {
      if (!line.trim()) continue;
      try {
        yield JSON.parse(line) as IndexLine;
      } catch {
        continue;
      }
    }
  } finally {
    await handle.close();
  }
}

/**
 * The newest listing and the newest snapshot of each post of its source (later index lines are newer),
 * in one pass: memory grows with the number of posts, not with the number of runs indexed.
 */
async function newestListedBodies(lines: AsyncIterable<IndexLine>): Promise<{ listing: ListingSnapshot; bodies: Map<string, BodySnapshot> } | null> {
  let listing: ListingSnapshot | null = null;
  // Which source the newest listing names is known only at the end: the newest bodies of each are kept.
  const bodiesBySource = new Map<string, Map<string, BodySnapshot>>();
  for await (const line of lines) {
    if (line.kind === 'listing') listing = line;
    else if (line.source_id !== null) {
      let bodies = bodiesBySource.get(line.source);
      if (!bodies) bodiesBySource.set(line.source, (bodies = new Map()));
      bodies.set(line.source_id, line);
    }
  }
  if (!listing) return null;
  return { listing, bodies: bodiesBySource.get(listing.source) ?? new Map() };
}

/**
 * A Source that replays, with no network, the newest snapshot of every post the last completed
 * online run listed (`zhengce run --offline <id>`). A listed post with no stored body is `failed`,
 * so the pipeline keeps its previous version rather than deleting it.
 */
export function rawSnapshotSource(rawDir: string): Source {
  return async function* replaySnapshots(ctx) {
    await stat(join(rawDir, INDEX_FILE)).catch((cause: unknown) => {
      throw new SourceUnavailableError(`no raw snapshots to replay in ${rawDir} (${(cause as Error).message}); run the pipeline once online first`, { cause });
    });
    const newest = await newestListedBodies(readSnapshotIndex(rawDir));
    if (!newest) throw new SourceUnavailableError(`${join(rawDir, INDEX_FILE)} records no completed run to replay; run the pipeline once online first`);
    for (const sourceId of newest.listing.source_ids) {
      const snapshot = newest.bodies.get(sourceId);
      if (!snapshot) {
        const error = new PostError('fetch', sourceId, `no raw snapshot of "${sourceId}" in ${rawDir} (it was never fetched successfully)`);
        yield { kind: 'failed', error, url: newest.listing.url, attempts: 0 };
        continue;
      }
      if (snapshot.revision !== null && ctx.previous.get(sourceId) === snapshot.revision) {
        yield { kind: 'unchanged', sourceId };
        continue;
      }
      const path = objectPath(rawDir, snapshot.sha256);
      const bytes = await readFile(path).catch(() => null);
      if (!bytes || sha256(bytes) !== snapshot.sha256) {
        const error = new PostError('fetch', sourceId, `raw snapshot ${path} of "${sourceId}" is missing or does not match its sha256`);
        yield { kind: 'failed', error, url: snapshot.url, attempts: 0 };
        continue;
      }
      const post = {
        source: snapshot.source,
        sourceId,
        sourcePath: snapshot.source_path,
        url: snapshot.url,
        bytes,
        contentType: snapshot.content_type,
        revision: snapshot.revision,
        fetchedAt: snapshot.fetched_at,
      };
      yield { kind: 'post', post };
    }
    return { cursor: ctx.cursor, notModified: false };
  };
}

/** The newest stored body of `source` for each revision (a github blob sha), so a body once fetched is never fetched again. */
export async function storedBodiesByRevision(rawDir: string, source: string): Promise<Map<string, BodySnapshot>> {
  const bodies = new Map<string, BodySnapshot>();
  const index = await stat(join(rawDir, INDEX_FILE)).then(
    () => readSnapshotIndex(rawDir),
    () => null,
  );
  if (!index) return bodies;
  for await (const line of index) {
    if (line.kind === 'body' && line.source === source && line.source_id !== null && line.revision !== null) bodies.set(line.revision, line);
  }
  return bodies;
}

/** The bytes stored under a sha256 in raw/objects, or null when missing or not matching it. */
export async function readStoredObject(rawDir: string, hash: string): Promise<Buffer | null> {
  const bytes = await readFile(objectPath(rawDir, hash)).catch(() => null);
  return bytes && sha256(bytes) === hash ? bytes : null;
}
