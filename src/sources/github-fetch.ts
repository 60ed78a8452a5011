// Source `github`: a GitHub repository of Jekyll posts, listed within GitHub's limits (the root tree, then
// each listed folder's tree by sha) and fetched from raw URLs, downloading only blobs never fetched before.
import { createHash } from 'node:crypto';
import { PostError, SourceUnavailableError } from '../core/errors.ts';
import type { Logger } from '../core/effects.ts';
import type { Source, SourceContext, SourceEvent } from '../core/source.ts';
import { ByteBudget, createHttpClient, fetchInOrder, HttpError, parseRetryAfter, type HttpClient, type HttpResponse } from './http.ts';
import type { GithubSourceOptions } from './github.ts';
import type { SourceDeps, SourceProbe } from './source-type.ts';
import { openSnapshotStore, readStoredObject, responseMeta, storedBodiesByRevision, type BodySnapshot, type SnapshotStore } from './raw.ts';

/** What the github source uses of the command's deps: GITHUB_TOKEN (sent as a Bearer token, never logged) and a dispatcher replacing the client's own Agent. */
type GithubSourceDeps = Pick<SourceDeps, 'githubToken' | 'dispatcher'>;

interface TreeEntry {
  path: string;
  type: string;
  sha: string;
  size?: number;
}

interface TreeAnswer {
  sha: string;
  truncated: boolean;
  tree: TreeEntry[];
}

/** A post file found in the tree. */
interface PostBlob {
  /** Repository path, e.g. `old_post/2022-01-06-x.md`. */
  path: string;
  sourceId: string;
  sha: string;
  url: string;
}

/** What a run keeps of each listed folder: its tree sha (null: list it again) and the sha256 of its listing in raw/. */
interface FolderCursor {
  tree: string | null;
  listing: string;
}

/** SourceSummary.cursor of this source: the root tree's ETag (null: list again) and each folder's listing. */
interface GithubCursor {
  url: string;
  etag: string | null;
  folders: Record<string, FolderCursor>;
}

/** A folder's listing as kept in raw/: its tree sha and [repository path, blob sha] of every file under it. */
interface FolderListing {
  folder: string;
  tree: string;
  files: [string, string][];
}

/** The sha git gives a file's bytes (`git hash-object`), which the trees API reports per blob. */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

// Letters and digits of any script, plus the punctuation real post names use; nothing that a
// shell, a URL or a file system reads specially.
const SAFE_SEGMENT = /^[\p{L}\p{N}\p{M}_\-.~+()（）@,，、·]+$/u;

/** Why a repository path must not be used as a post name, or null when it is fine. */
export function unsafePathReason(path: string): string | null {
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return 'it has an empty, "." or ".." segment that could escape the folder';
    if (segment.startsWith('.')) return `"${segment}" is a hidden name`;
    if (!SAFE_SEGMENT.test(segment)) return `"${segment}" has characters other than letters, digits and - _ . ~ + ( ) @ ,`;
    if (Buffer.byteLength(segment) > 255) return `"${segment.slice(0, 20)}…" is longer than 255 bytes`;
  }
  return null;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function trimSlashes(text: string): string {
  return text.replace(/^\/+|\/+$/g, '');
}

function parseTree(response: HttpResponse): TreeAnswer {
  let answer: Partial<TreeAnswer>;
  try {
    answer = JSON.parse(Buffer.from(response.bytes).toString('utf8')) as Partial<TreeAnswer>;
  } catch (cause) {
    throw new SourceUnavailableError(`GitHub answered ${response.url} with something that is not JSON; check source.api in the pipeline`, { cause });
  }
  if (!Array.isArray(answer.tree) || typeof answer.truncated !== 'boolean') {
    throw new SourceUnavailableError(`GitHub answered ${response.url} without a "tree" list; check source.api in the pipeline`);
  }
  return answer as TreeAnswer;
}

/** Thrown when GitHub's rate limit asks for a wait longer than the run may spend: the run stops, its downloads kept. */
class RateLimitStop extends SourceUnavailableError {}

/**
 * How long a 403/429 asks to wait before the next request, or null when it is no rate limit:
 * a secondary limit's Retry-After, or the primary limit's reset time once x-ratelimit-remaining is 0.
 */
function rateLimitWait(err: HttpError, now: number): number | null {
  if (err.status !== 403 && err.status !== 429) return null;
  const retryAfter = parseRetryAfter(err.headers['retry-after'], now);
  if (retryAfter !== null) return retryAfter;
  const reset = Number(err.headers['x-ratelimit-reset']);
  if (err.headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  // GitHub's advice for a secondary limit without a hint: wait at least a minute.
  return err.status === 429 ? 60_000 : null;
}

/** The message for a trees call that failed for good: what happened and what to do about it. */
function explainListingFailure(url: string, err: HttpError): string {
  if (err.status === 401) return `GitHub refused the token for ${url} (HTTP 401): renew GITHUB_TOKEN or unset it for a public repository`;
  if (err.status === 404 || err.status === 403) {
    return `GitHub answered HTTP ${err.status} for ${url}: check source.repo and source.branch in the pipeline (a private repository also needs GITHUB_TOKEN)`;
  }
  return `cannot list ${url}: ${err.message}; rerun later (GitHub status: https://www.githubstatus.com), or replay the last fetch with \`zhengce run --offline <id>\``;
}

/** Post blobs among a folder's files, with their ids (path under the folder, without `.md`). */
function postBlobs(files: [string, string][], folder: string, rawBase: string): PostBlob[] {
  const prefix = `${folder}/`;
  return files
    .filter(([path]) => path.startsWith(prefix) && path.endsWith('.md') && !/(^|\/)readme\.md$/i.test(path))
    .map(([path, sha]) => ({ path, sourceId: path.slice(prefix.length, -'.md'.length), sha, url: `${rawBase}/${encodePath(path)}` }));
}

function readCursor(cursor: string | null, url: string): GithubCursor | null {
  try {
    const saved = cursor ? (JSON.parse(cursor) as Partial<GithubCursor>) : null;
    return saved && saved.url === url && saved.folders && typeof saved.folders === 'object' ? (saved as GithubCursor) : null;
  } catch {
    return null;
  }
}

/** GitHub's cap on one trees answer (7 MB), with room: a listing is held to it, not to http.max_response_bytes, which is for posts. */
const TREE_MAX_BYTES = 8 * 1024 * 1024;

interface RunState {
  ctx: SourceContext;
  http: HttpClient;
  /** The client for trees calls: the same options but TREE_MAX_BYTES. */
  treeHttp: HttpClient;
  snapshots: SnapshotStore;
  source: string;
  auth: Record<string, string>;
  logger: Logger;
  budget: ByteBudget;
  /** What a download holds of the budget until its size is known (http.max_response_bytes). */
  maxBodyBytes: number;
  /** The longest rate-limit wait the run sits out (http.max_retry_delay_ms); a longer one stops it. */
  maxWaitMs: number;
  hasToken: boolean;
  /** Bodies already in raw/, by blob sha: a resumed first run does not fetch them again. */
  stored: Map<string, BodySnapshot>;
  downloaded: number;
  /** Repository paths whose download did not hash to the tree's sha (a raw CDN behind the tree). */
  stalePaths: Set<string>;
}

/** A GET that sits out a short rate-limit wait and stops the run on a long one, saying until when and what to do. */
async function getWithinLimits(run: RunState, url: string, headers: Record<string, string>, http = run.http): Promise<HttpResponse> {
  for (;;) {
    try {
      return await http.get(url, headers);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      const now = run.ctx.clock.now().getTime();
      const wait = rateLimitWait(err, now);
      if (wait === null) throw err;
      const until = new Date(now + wait).toISOString();
      if (wait > run.maxWaitMs) {
        const fix = run.hasToken ? `rerun after ${until}` : `set GITHUB_TOKEN (5,000 requests an hour instead of 60) or rerun after ${until}`;
        throw new RateLimitStop(
          `GitHub's rate limit (HTTP ${err.status}) stops the run at ${url} until ${until}, longer than http.max_retry_delay_ms (${run.maxWaitMs} ms) allows waiting: ` +
            `the ${run.downloaded} post(s) downloaded so far are kept in raw/ and will not be downloaded again; ${fix}`,
          { cause: err },
        );
      }
      run.logger.warn({ url, status: err.status, wait_ms: Math.round(wait) }, `GitHub rate limit: waiting until ${until}`);
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(done, wait);
        run.ctx.signal?.addEventListener('abort', () => (clearTimeout(timer), fail(run.ctx.signal!.reason as Error)), { once: true });
      });
    }
  }
}

/** A trees call: JSON in GitHub's API version, the token when set, failures worded for the operator. */
async function getTree(run: RunState, url: string, extra: Record<string, string> = {}): Promise<HttpResponse> {
  try {
    return await getWithinLimits(run, url, { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', ...run.auth, ...extra }, run.treeHttp);
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    throw new SourceUnavailableError(explainListingFailure(url, err), { cause: err });
  }
}

/** Gets one post: from raw/ when its blob was fetched before, else downloaded within the byte budget; a failure that retries could not fix becomes a `failed` event. */
async function obtainPost(blob: PostBlob, run: RunState): Promise<SourceEvent> {
  const kept = run.stored.get(blob.sha);
  // Asked for before any await, so shares are granted in the order fetchInOrder yields the posts.
  const held = await run.budget.reserve(kept ? kept.bytes : run.maxBodyBytes);
  try {
    const keptBytes = kept ? await readStoredObject(run.ctx.rawDir, kept.sha256) : null;
    if (kept && keptBytes) {
      const snapshot = await run.snapshots.saveBody({ ...kept, url: blob.url, source_id: blob.sourceId, source_path: blob.path }, keptBytes);
      const post = {
        source: run.source,
        sourceId: blob.sourceId,
        sourcePath: blob.path,
        url: blob.url,
        bytes: keptBytes,
        contentType: snapshot.content_type,
        revision: blob.sha,
        fetchedAt: kept.fetched_at,
      };
      return { kind: 'post', post, release: held.release };
    }
    const response = await getWithinLimits(run, blob.url, run.auth);
    held.shrink(response.bytes.byteLength);
    run.downloaded++;
    const fetchedAt = run.ctx.clock.now().toISOString();
    // The revision is the sha of the bytes actually received: if the raw CDN served an older copy
    // than the tree lists, the folder keeps no tree sha, so the next run lists it again, sees the
    // post's revision differ from its sha and downloads it again.
    const revision = gitBlobSha(response.bytes);
    if (revision !== blob.sha) {
      run.stalePaths.add(blob.path);
      run.logger.warn({ url: blob.url, tree_sha: blob.sha, received_sha: revision }, 'raw download differs from the tree; it will be fetched again next run');
    }
    await run.snapshots.saveBody(
      { ...responseMeta(response, { url: blob.url, source: run.source, source_id: blob.sourceId, fetched_at: fetchedAt, revision }), source_path: blob.path },
      response.bytes,
    );
    const post = { source: run.source, sourceId: blob.sourceId, sourcePath: blob.path, url: blob.url, bytes: response.bytes, contentType: response.contentType, revision, fetchedAt };
    return { kind: 'post', post, release: held.release };
  } catch (err) {
    held.release();
    if (!(err instanceof HttpError)) throw err;
    return { kind: 'failed', error: new PostError('fetch', blob.sourceId, err.message, { cause: err }), url: blob.url, attempts: err.attempts };
  }
}

/**
 * Source `github` (docs/design.md, README Sources): a 304 on the root tree ends the run with nothing to do; a listed
 * folder whose tree sha stands is read from its listing in raw/, the others listed by sha. A post is
 * `unchanged` when its blob sha and path stand; moved (same blob, another path) or changed, it is
 * read from raw/ when its blob was fetched before, else downloaded. The cursor keeps the root ETag
 * and a folder's tree sha only when every post under it arrived matching its blob sha, so a post
 * which failed, or came stale from the raw CDN, is tried again next run.
 */
export function githubSource(options: GithubSourceOptions, deps: GithubSourceDeps = {}): Source {
  const [owner, name] = options.repo.split('/');
  const branch = encodeURIComponent(options.branch);
  const treesBase = `${options.api.replace(/\/+$/, '')}/repos/${owner}/${name}/git/trees`;
  const rootUrl = `${treesBase}/${branch}`;
  const rawBase = `${options.raw.replace(/\/+$/, '')}/${owner}/${name}/${branch}`;
  const folders = [...new Set((Array.isArray(options.path) ? options.path : [options.path]).map(trimSlashes))];
  const source = `github:${options.repo}`;
  const auth: Record<string, string> = deps.githubToken ? { authorization: `Bearer ${deps.githubToken}` } : {};

  return async function* fetchGithub(ctx) {
    const logger = ctx.logger.child({ source });
    const http = createHttpClient(options.http, { logger, dispatcher: deps.dispatcher, signal: ctx.signal });
    const snapshots = openSnapshotStore(ctx.rawDir);
    const treeHttp = createHttpClient({ ...options.http, max_response_bytes: Math.max(options.http.max_response_bytes, TREE_MAX_BYTES) }, { logger, dispatcher: deps.dispatcher, signal: ctx.signal });
    const budget = new ByteBudget(options.http.max_bytes_in_flight);
    const run: RunState = {
      ctx,
      http,
      treeHttp,
      snapshots,
      source,
      auth,
      logger,
      budget,
      maxBodyBytes: options.http.max_response_bytes,
      maxWaitMs: options.http.max_retry_delay_ms,
      hasToken: Boolean(deps.githubToken),
      stored: new Map(),
      downloaded: 0,
      stalePaths: new Set(),
    };
    let requests = 0;
    const tree = async (url: string, extra?: Record<string, string>) => (requests++, getTree(run, url, extra));
    try {
      const last = readCursor(ctx.cursor, rootUrl);
      const root = await tree(rootUrl, last?.etag ? { 'if-none-match': last.etag } : {});
      if (root.status === 304) {
        logger.info({ url: rootUrl }, 'repository unchanged since the last run');
        return { cursor: ctx.cursor, notModified: true };
      }
      const fetchedAt = ctx.clock.now().toISOString();
      await snapshots.saveBody(responseMeta(root, { url: rootUrl, source, source_id: null, fetched_at: fetchedAt, revision: null }), root.bytes);

      /** Every file under tree `sha`, as [path from the repository root, blob sha]; a truncated answer is walked one level at a time. */
      const filesUnder = async (sha: string, prefix: string): Promise<[string, string][]> => {
        const answer = parseTree(await tree(`${treesBase}/${sha}?recursive=1`));
        if (!answer.truncated) return answer.tree.filter((e) => e.type === 'blob').map((e) => [`${prefix}${e.path}`, e.sha]);
        logger.info({ tree: sha, folder: prefix, listed: answer.tree.length }, 'tree listing truncated by GitHub: listing it one level at a time');
        const walk = async (treeSha: string, at: string): Promise<[string, string][]> => {
          const level = parseTree(await tree(`${treesBase}/${treeSha}`));
          if (level.truncated)
            throw new SourceUnavailableError(
              `GitHub lists the folder ${at || '/'} of ${options.repo} only in part even one level deep (${level.tree.length} entries), so removed posts cannot be told apart from unlisted ones; use a dir source on a local clone instead`,
            );
          const files: [string, string][] = [];
          for (const e of level.tree) {
            if (e.type === 'blob') files.push([`${at}${e.path}`, e.sha]);
            else if (e.type === 'tree') files.push(...(await walk(e.sha, `${at}${e.path}/`)));
          }
          return files;
        };
        return walk(sha, prefix);
      };

      /** The tree sha of a folder, walking from the root one level per segment; null when the folder is not in the branch. */
      const folderSha = async (folder: string): Promise<string | null> => {
        let entries = parseTree(root).tree;
        const segments = folder.split('/');
        for (let i = 0; ; i++) {
          const entry = entries.find((e) => e.path === segments[i] && e.type === 'tree');
          if (!entry || i === segments.length - 1) return entry?.sha ?? null;
          entries = parseTree(await tree(`${treesBase}/${entry.sha}`)).tree;
        }
      };

      const listings = new Map<string, FolderListing>();
      const previousListings = new Map<string, FolderListing>();
      const cursorFolders: Record<string, FolderCursor> = {};
      for (const folder of folders) {
        const kept = last?.folders[folder];
        const keptBytes = kept ? await readStoredObject(ctx.rawDir, kept.listing) : null;
        const previous = keptBytes ? (JSON.parse(keptBytes.toString('utf8')) as FolderListing) : null;
        if (previous) previousListings.set(folder, previous);
        const sha = await folderSha(folder);
        if (sha === null) {
          logger.info({ folder }, 'folder not in the branch: no posts there');
          continue;
        }
        let listing: FolderListing;
        if (previous && kept?.tree === sha && previous.tree === sha) {
          listing = previous;
        } else {
          listing = { folder, tree: sha, files: await filesUnder(sha, `${folder}/`) };
        }
        const bytes = Buffer.from(JSON.stringify(listing));
        const snapshot = await snapshots.saveBody(
          {
            url: `${treesBase}/${sha}`,
            source,
            source_id: null,
            fetched_at: fetchedAt,
            status: 200,
            etag: null,
            last_modified: null,
            content_type: 'application/json',
            content_encoding: null,
            revision: sha,
          },
          bytes,
        );
        listings.set(folder, listing);
        cursorFolders[folder] = { tree: sha, listing: snapshot.sha256 };
      }
      if (listings.size === 0) {
        throw new SourceUnavailableError(
          `none of the folders ${folders.join(', ')} (source.path) is in ${options.repo} on branch ${options.branch}; check source.path and source.branch in the pipeline`,
        );
      }

      // Where each post was at the last run, to tell a move (same blob, another path) from no change.
      const previousPath = new Map<string, string>();
      for (const listing of previousListings.values()) for (const blob of postBlobs(listing.files, listing.folder, rawBase)) previousPath.set(blob.sourceId, blob.path);

      // One post per id across the folders: a post caught half-way through a move stays where it was, else the later folder wins.
      const byId = new Map<string, PostBlob>();
      for (const [folder, listing] of listings) {
        for (const blob of postBlobs(listing.files, folder, rawBase)) {
          const other = byId.get(blob.sourceId);
          if (!other || other.path !== previousPath.get(blob.sourceId)) byId.set(blob.sourceId, blob);
        }
      }
      const blobs = [...byId.values()].sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));
      const toObtain: PostBlob[] = [];
      const troubled = new Set<string>();
      for (const blob of blobs) {
        const unsafe = unsafePathReason(blob.path);
        if (unsafe) {
          yield { kind: 'failed', error: new PostError('fetch', blob.sourceId, `refused the repository path "${blob.path}": ${unsafe}`), url: blob.url, attempts: 0 };
        } else if (ctx.previous.get(blob.sourceId) === blob.sha && previousPath.get(blob.sourceId) === blob.path) {
          yield { kind: 'unchanged', sourceId: blob.sourceId };
        } else {
          toObtain.push(blob);
        }
      }
      if (toObtain.length > 0) run.stored = await storedBodiesByRevision(ctx.rawDir, source);
      const toDownload = toObtain.filter((b) => !run.stored.has(b.sha)).length;
      logger.info({ url: rootUrl, folders: [...listings.keys()], posts: blobs.length, to_read: toObtain.length, to_download: toDownload }, 'listed repository');
      for await (const event of fetchInOrder(toObtain, options.http.concurrency, (blob) => obtainPost(blob, run))) {
        if (event.kind === 'failed') troubled.add(byId.get(event.error.sourceId)!.path);
        yield event;
      }
      for (const path of run.stalePaths) troubled.add(path);
      await snapshots.saveListing({ url: rootUrl, source, fetched_at: fetchedAt, source_ids: blobs.map((b) => b.sourceId) });
      // A folder holding a post that needs another try keeps no tree sha, and the root no ETag: the next run lists them again.
      for (const folder of Object.keys(cursorFolders)) {
        if ([...troubled].some((path) => path.startsWith(`${folder}/`))) cursorFolders[folder].tree = null;
      }
      const cursor: GithubCursor = { url: rootUrl, etag: troubled.size > 0 ? null : (root.etag ?? null), folders: cursorFolders };
      logger.info({ requests, downloads: run.downloaded, read_from_raw: toObtain.length - run.downloaded }, 'github requests made');
      return { cursor: JSON.stringify(cursor), notModified: false };
    } finally {
      await Promise.all([http.close(), treeHttp.close()]);
    }
  };
}

/**
 * Whether the repository's listed folders are as at the last run (`cursor`): the root tree answers 304, or
 * every folder keeps its tree sha. Then a run has nothing to read; the cursor returned carries the root's new
 * ETag. Any doubt (no cursor, a folder to list again, an error) is `false`: the run then reads the source.
 */
export async function githubUnchanged(options: GithubSourceOptions, deps: GithubSourceDeps, cursor: string | null, logger: Logger, signal?: AbortSignal): Promise<SourceProbe> {
  const [owner, name] = options.repo.split('/');
  const rootUrl = `${options.api.replace(/\/+$/, '')}/repos/${owner}/${name}/git/trees/${encodeURIComponent(options.branch)}`;
  const folders = [...new Set((Array.isArray(options.path) ? options.path : [options.path]).map(trimSlashes))];
  const last = readCursor(cursor, rootUrl);
  if (!last?.etag || folders.some((f) => f.includes('/') || (f in last.folders && last.folders[f].tree === null))) return { unchanged: false, cursor };
  const http = createHttpClient({ ...options.http, retries: 0, max_response_bytes: Math.max(options.http.max_response_bytes, TREE_MAX_BYTES) }, { logger, dispatcher: deps.dispatcher, signal });
  try {
    const auth: Record<string, string> = deps.githubToken ? { authorization: `Bearer ${deps.githubToken}` } : {};
    const root = await http.get(rootUrl, { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', ...auth, 'if-none-match': last.etag });
    if (root.status === 304) return { unchanged: true, cursor };
    const entries = parseTree(root).tree;
    const same = folders.every((f) => (entries.find((e) => e.path === f && e.type === 'tree')?.sha ?? null) === (last.folders[f]?.tree ?? null));
    return same ? { unchanged: true, cursor: JSON.stringify({ ...last, etag: root.etag ?? null }) } : { unchanged: false, cursor };
  } catch {
    return { unchanged: false, cursor };
  } finally {
    await http.close();
  }
}
