// Source `github`: a GitHub repository of Jekyll posts, listed with one trees call and fetched from
// raw URLs, downloading only blobs whose sha changed since the last run.
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { PostError } from '../core/errors.ts';
import type { Logger } from '../core/effects.ts';
import type { Source, SourceContext, SourceEvent } from '../core/source.ts';
import { ByteBudget, conditionalHeaders, createHttpClient, fetchInOrder, HttpError, listingCursor, type HttpClient, type HttpOptions, type HttpResponse } from './http.ts';
import { openSnapshotStore, responseMeta, type SnapshotStore } from './raw.ts';

/** Structurally the `github` source of a pipeline config (src/pipeline/config.ts). */
export interface GithubSourceOptions {
  /** owner/name */
  repo: string;
  branch: string;
  /** Folder of posts inside the repository, e.g. `_posts`; empty for the whole tree. */
  path: string;
  api: string;
  raw: string;
  http: HttpOptions;
}

export interface GithubSourceDeps {
  /** GITHUB_TOKEN, read by the caller from the environment; sent as a Bearer token, never logged. */
  token?: string | null;
  /** Replaces the client's own keep-alive Agent (tests, a process-wide agent); the caller closes it. */
  dispatcher?: Dispatcher;
  userAgent?: string;
}

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
  path: string;
  sourceId: string;
  sha: string;
  url: string;
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
    throw new Error(`GitHub answered ${response.url} with something that is not JSON; check source.api in the pipeline`, { cause });
  }
  if (!Array.isArray(answer.tree) || typeof answer.truncated !== 'boolean') {
    throw new Error(`GitHub answered ${response.url} without a "tree" list; check source.api in the pipeline`);
  }
  return answer as TreeAnswer;
}

/** The message for a trees call that failed for good: what happened and what to do about it. */
function explainListingFailure(url: string, err: HttpError, hasToken: boolean): string {
  const reset = Number(err.headers['x-ratelimit-reset']);
  if ((err.status === 403 || err.status === 429) && err.headers['x-ratelimit-remaining'] === '0') {
    const when = Number.isFinite(reset) ? ` (it resets at ${new Date(reset * 1000).toISOString()})` : '';
    const fix = hasToken ? 'wait for the reset' : 'set GITHUB_TOKEN (5,000 requests an hour instead of 60) or wait for the reset';
    return `GitHub's API rate limit is used up for ${url}${when}: ${fix}, then rerun`;
  }
  if (err.status === 401) return `GitHub refused the token for ${url} (HTTP 401): renew GITHUB_TOKEN or unset it for a public repository`;
  if (err.status === 404 || err.status === 403) {
    return `GitHub answered HTTP ${err.status} for ${url}: check source.repo and source.branch in the pipeline (a private repository also needs GITHUB_TOKEN)`;
  }
  return `cannot list ${url}: ${err.message}. Nothing was changed and the previous release stands; rerun later (GitHub status: https://www.githubstatus.com), or replay the last fetch with \`zhengce run --offline <id>\``;
}

/** Post blobs under `folder`, with their ids (path under the folder, without `.md`). */
function postBlobs(tree: TreeEntry[], folder: string, rawBase: string): PostBlob[] {
  const prefix = folder ? `${folder}/` : '';
  return tree
    .filter((e) => e.type === 'blob' && e.path.startsWith(prefix) && e.path.endsWith('.md') && !/(^|\/)readme\.md$/i.test(e.path))
    .map((e) => {
      const relative = e.path.slice(prefix.length);
      return { path: e.path, sourceId: relative.slice(0, -'.md'.length), sha: e.sha, url: `${rawBase}/${encodePath(e.path)}` };
    });
}

interface RunState {
  ctx: SourceContext;
  http: HttpClient;
  snapshots: SnapshotStore;
  source: string;
  auth: Record<string, string>;
  logger: Logger;
  budget: ByteBudget;
  /** What a download holds of the budget until its size is known (http.max_response_bytes). */
  maxBodyBytes: number;
  /** Downloads whose bytes did not hash to the tree's sha (a raw CDN behind the tree). */
  staleDownloads: number;
}

/** Downloads one changed post within the byte budget; a failure that retries could not fix becomes a `failed` event. */
async function downloadPost(blob: PostBlob, run: RunState): Promise<SourceEvent> {
  // Asked for before any await, so shares are granted in the order fetchInOrder yields the posts.
  const held = await run.budget.reserve(run.maxBodyBytes);
  try {
    const response = await run.http.get(blob.url, run.auth);
    held.shrink(response.bytes.byteLength);
    const fetchedAt = run.ctx.clock.now().toISOString();
    // The revision is the sha of the bytes actually received: if the raw CDN served an older copy
    // than the tree lists, the run keeps no cursor, so the next run lists the tree again, sees the
    // post's revision differ from its sha and downloads it again.
    const revision = gitBlobSha(response.bytes);
    if (revision !== blob.sha) {
      run.staleDownloads++;
      run.logger.warn({ url: blob.url, tree_sha: blob.sha, received_sha: revision }, 'raw download differs from the tree; it will be fetched again next run');
    }
    await run.snapshots.saveBody(responseMeta(response, { url: blob.url, source: run.source, source_id: blob.sourceId, fetched_at: fetchedAt, revision }), response.bytes);
    const post = { source: run.source, sourceId: blob.sourceId, url: blob.url, bytes: response.bytes, contentType: response.contentType, revision, fetchedAt };
    return { kind: 'post', post, release: held.release };
  } catch (err) {
    held.release();
    if (!(err instanceof HttpError)) throw err;
    return { kind: 'failed', error: new PostError('fetch', blob.sourceId, err.message, { cause: err }), url: blob.url, attempts: err.attempts };
  }
}

/**
 * Source `github` (DESIGN.md): a 304 on the trees call ends the run with nothing to do; otherwise
 * unchanged blobs are reported `unchanged`, changed or new ones downloaded, and removed ones not
 * reported at all. The cursor (the trees ETag) is kept only when every download succeeded and
 * matched its blob sha, so that a post which failed, or came stale from the raw CDN, is tried again
 * next run even if the repository has not changed since.
 */
export function githubSource(options: GithubSourceOptions, deps: GithubSourceDeps = {}): Source {
  const [owner, name] = options.repo.split('/');
  const branch = encodeURIComponent(options.branch);
  const treesUrl = `${options.api.replace(/\/+$/, '')}/repos/${owner}/${name}/git/trees/${branch}?recursive=1`;
  const rawBase = `${options.raw.replace(/\/+$/, '')}/${owner}/${name}/${branch}`;
  const folder = trimSlashes(options.path);
  const source = `github:${options.repo}`;
  const auth: Record<string, string> = deps.token ? { authorization: `Bearer ${deps.token}` } : {};

  return async function* fetchGithub(ctx) {
    const logger = ctx.logger.child({ source });
    const http = createHttpClient(options.http, { logger, dispatcher: deps.dispatcher, userAgent: deps.userAgent, signal: ctx.signal });
    const snapshots = openSnapshotStore(ctx.rawDir);
    const budget = new ByteBudget(options.http.max_bytes_in_flight);
    const run: RunState = { ctx, http, snapshots, source, auth, logger, budget, maxBodyBytes: options.http.max_response_bytes, staleDownloads: 0 };
    try {
      let response: HttpResponse;
      try {
        const headers = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', ...auth, ...conditionalHeaders(ctx.cursor, treesUrl) };
        response = await http.get(treesUrl, headers);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        throw new Error(explainListingFailure(treesUrl, err, Boolean(deps.token)), { cause: err });
      }
      if (response.status === 304) {
        logger.info({ url: treesUrl }, 'repository unchanged since the last run');
        return { cursor: ctx.cursor, notModified: true };
      }
      const fetchedAt = ctx.clock.now().toISOString();
      await snapshots.saveBody(responseMeta(response, { url: treesUrl, source, source_id: null, fetched_at: fetchedAt, revision: null }), response.bytes);
      const tree = parseTree(response);
      if (tree.truncated) {
        throw new Error(
          `GitHub listed ${treesUrl} only in part (truncated: true, ${tree.tree.length} entries), so removed posts cannot be told apart from unlisted ones. ` +
            'Nothing was changed; use a dir source on a local clone of the repository instead.',
        );
      }

      const toDownload: PostBlob[] = [];
      const seen: string[] = [];
      let fetchFailures = 0;
      for (const blob of postBlobs(tree.tree, folder, rawBase)) {
        seen.push(blob.sourceId);
        const unsafe = unsafePathReason(blob.path);
        if (unsafe) {
          yield { kind: 'failed', error: new PostError('fetch', blob.sourceId, `refused the repository path "${blob.path}": ${unsafe}`), url: blob.url, attempts: 0 };
        } else if (ctx.previous.get(blob.sourceId) === blob.sha) {
          yield { kind: 'unchanged', sourceId: blob.sourceId };
        } else {
          toDownload.push(blob);
        }
      }
      logger.info({ url: treesUrl, posts: seen.length, to_download: toDownload.length }, 'listed repository');
      for await (const event of fetchInOrder(toDownload, options.http.concurrency, (blob) => downloadPost(blob, run))) {
        if (event.kind === 'failed') fetchFailures++;
        yield event;
      }
      await snapshots.saveListing({ url: treesUrl, source, fetched_at: fetchedAt, source_ids: seen });
      // No cursor when a post needs another try (a failed or stale download): the next run must list again.
      return { cursor: fetchFailures > 0 || run.staleDownloads > 0 ? null : listingCursor(response), notModified: false };
    } finally {
      await http.close();
    }
  };
}
