import { mkdir, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { PostError, SourceUnavailableError } from '../core/errors.ts';
import { isWithin, readJson, resolveSymlinks, writeFileAtomic } from '../core/files.ts';
import { sha256 } from '../core/hash.ts';
import type { Source } from '../core/source.ts';
import type { SourceType } from './source-type.ts';

const MB = 1024 * 1024;

/** A dir source's `source:` block. */
const schema = z.strictObject({
  type: z.literal('dir'),
  /** Folder searched recursively for `*.md` and `*.html` posts, relative to where the command runs; as written, it names the folder in a post's url, so urls do not depend on the machine. */
  path: z.string().min(1),
  /** Posts larger than this are reported as failed, not read. */
  max_post_bytes: z
    .number()
    .int()
    .positive()
    .default(5 * MB),
});

export type DirSourceOptions = z.infer<typeof schema>;

const POST_EXTENSIONS = new Set(['.md', '.html', '.htm']);

/** Whether a file at this path is read as a post: a README is the folder's own notes. */
const isPostName = (path: string): boolean => POST_EXTENSIONS.has(extname(path).toLowerCase()) && basename(path).toLowerCase() !== 'readme.md';

/** A post file under the folder by its path below it (`/`-separated); `problem` says why a link to it is not followed. */
interface Listed {
  rel: string;
  problem: string | null;
}

/**
 * Every post under `root` in a stable (sorted) order. Symbolic links whose target stays inside the
 * folder are followed; a broken link, a link out of the folder, or a folder link back to a folder
 * it is inside (a loop) is listed with its problem, so that it is reported by name.
 */
async function listPosts(root: string): Promise<Listed[]> {
  const rootReal = await realpath(root);
  const listed: Listed[] = [];
  // `ancestors` holds the real paths of the folders walked down to `dir`, the last being dir's own.
  async function walk(dir: string, relDir: string, ancestors: string[]): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path, rel, [...ancestors, join(ancestors[ancestors.length - 1], entry.name)]);
      else if (entry.isFile()) {
        if (isPostName(entry.name)) listed.push({ rel, problem: null });
      } else if (entry.isSymbolicLink()) await followLink(path, rel, ancestors);
    }
  }
  async function followLink(path: string, rel: string, ancestors: string[]): Promise<void> {
    const postName = isPostName(rel);
    let target: string;
    let isDir: boolean;
    try {
      target = await realpath(path);
      isDir = (await stat(target)).isDirectory();
    } catch (cause) {
      // A broken link not named as a post is ignored, as any other file not named as a post is.
      if (postName) listed.push({ rel, problem: `${rel} is a broken symbolic link (${(cause as NodeJS.ErrnoException).code}); restore its target or remove it` });
      return;
    }
    if (!isDir && !postName) return;
    if (!isWithin(target, rootReal)) listed.push({ rel, problem: `${rel} is a symbolic link to ${target}, outside the posts folder ${rootReal}; not followed: copy it into the folder` });
    else if (!isDir) listed.push({ rel, problem: null });
    else if (ancestors.includes(target)) listed.push({ rel, problem: `${rel} is a symbolic link to ${target}, a folder it is inside (a loop); not followed: remove the link` });
    else await walk(path, rel, [...ancestors, target]);
  }
  await walk(root, '', [rootReal]);
  return listed.sort((x, y) => (x.rel < y.rel ? -1 : x.rel > y.rel ? 1 : 0));
}

/** The message for a listed file that cannot be read now; one gone since the listing is most often a `git pull` at work. */
function unreadable(rel: string, cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${rel} was listed but is gone (moved or deleted while the folder was read, e.g. by a git pull); its previous version is kept until a run no longer lists it`;
  return `cannot read ${rel}: ${(cause as Error).message}`;
}

/** What the last run saw of a file: a file whose size and mtime stand is not read again. */
type StatIndex = Record<string, { size: number; mtimeMs: number; sha256: string }>;

const STAT_INDEX = 'dir-index.json';

const readStatIndex = async (dir: string): Promise<StatIndex> => (await readJson<StatIndex>(join(dir, STAT_INDEX))) ?? {};

async function writeStatIndex(dir: string, index: StatIndex): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, STAT_INDEX), JSON.stringify(index));
}

/** One line of the folder's fingerprint: a post file's path with its size and mtime, or that it cannot be read. */
const fingerprintLine = (rel: string, state: { size: number; mtimeMs: number } | string): string => (typeof state === 'string' ? `${rel}\t!${state}` : `${rel}\t${state.size}\t${state.mtimeMs}`);

/**
 * What the folder holds, as a hash of every post file's path, size and mtime: equal to the last run's
 * (the dir source's cursor), nothing was added, changed or removed, so a run can end without reading a post.
 */
async function dirFingerprint(path: string): Promise<string> {
  const lines: string[] = [];
  for (const { rel, problem } of await listPosts(path)) {
    if (problem !== null) lines.push(fingerprintLine(rel, 'link'));
    else
      lines.push(
        fingerprintLine(
          rel,
          await stat(join(path, rel)).then(
            (s) => ({ size: s.size, mtimeMs: s.mtimeMs }),
            () => 'unreadable',
          ),
        ),
      );
  }
  return sha256(lines.join('\n'));
}

/**
 * A folder of posts; change detection by content hash. A file whose size and mtime are those of the
 * last run, and whose hash then is the revision the store holds, is not read again: a run costs a stat
 * per unchanged file. The index lives beside the raw snapshots (output/<id>/raw/dir-index.json).
 */
export function dirSource(options: DirSourceOptions, deps: { cwd: string }): Source {
  const folder = resolve(deps.cwd, options.path);
  return async function* readDir(ctx) {
    const before = await readStatIndex(ctx.rawDir);
    const after: StatIndex = {};
    let listed: Listed[];
    try {
      listed = await listPosts(folder);
    } catch (cause) {
      throw new SourceUnavailableError(`cannot read the posts folder ${folder}: ${(cause as Error).message}`, { cause });
    }
    const seen = new Map<string, string>();
    const fingerprint: string[] = [];
    for (const item of listed) {
      const { rel, problem } = item;
      // The file name without its extension, kept with its sub-folder so that two folders may hold the same name.
      const sourceId = isPostName(rel) ? rel.slice(0, rel.length - extname(rel).length) : rel;
      const file = join(folder, rel);
      const twin = seen.get(sourceId);
      if (twin !== undefined) {
        const error = new PostError('fetch', sourceId, `two files share the id "${sourceId}": ${twin} and ${rel}; rename one`);
        yield { kind: 'failed', error, url: file, attempts: 1 };
        continue;
      }
      seen.set(sourceId, rel);
      if (problem !== null) {
        fingerprint.push(fingerprintLine(rel, 'link'));
        yield { kind: 'failed', error: new PostError('fetch', sourceId, problem), url: file, attempts: 1 };
        continue;
      }
      let size: number;
      let mtimeMs: number;
      try {
        ({ size, mtimeMs } = await stat(file));
      } catch (cause) {
        fingerprint.push(fingerprintLine(rel, 'unreadable'));
        yield { kind: 'failed', error: new PostError('fetch', sourceId, unreadable(rel, cause), { cause }), url: file, attempts: 1 };
        continue;
      }
      fingerprint.push(fingerprintLine(rel, { size, mtimeMs }));
      const known = before[rel];
      if (known && known.size === size && known.mtimeMs === mtimeMs && ctx.previous.get(sourceId) === known.sha256) {
        after[rel] = known;
        yield { kind: 'unchanged', sourceId };
        continue;
      }
      if (size > options.max_post_bytes) {
        const error = new PostError('fetch', sourceId, `${rel} is ${size} bytes, over the limit of ${options.max_post_bytes} (source.max_post_bytes)`);
        yield { kind: 'failed', error, url: file, attempts: 1 };
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (cause) {
        yield { kind: 'failed', error: new PostError('fetch', sourceId, unreadable(rel, cause), { cause }), url: file, attempts: 1 };
        continue;
      }
      const revision = sha256(bytes);
      after[rel] = { size, mtimeMs, sha256: revision };
      if (ctx.previous.get(sourceId) === revision) {
        yield { kind: 'unchanged', sourceId };
        continue;
      }
      const post = { source: 'dir', sourceId, url: `${options.path.replace(/\/+$/, '')}/${rel}`, bytes, contentType: null, revision, fetchedAt: ctx.clock.now().toISOString() };
      yield { kind: 'post', post };
    }
    await writeStatIndex(ctx.rawDir, after);
    return { cursor: sha256(fingerprint.join('\n')), notModified: false };
  };
}

export const dirSourceType = {
  type: 'dir',
  schema,
  create: dirSource,
  describe: (options) => `folder ${options.path}`,
  canonical: async (options, deps) => `dir ${await resolveSymlinks(resolve(deps.cwd, options.path))}`,
  // The folder itself is the record: a rebuild reads it again.
  snapshots: false,
  unchanged: async (options, deps, cursor) => ({ unchanged: cursor !== null && (await dirFingerprint(resolve(deps.cwd, options.path)).catch(() => null)) === cursor, cursor }),
} satisfies SourceType<typeof schema>;
