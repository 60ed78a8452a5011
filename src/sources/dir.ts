import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { PostError } from '../core/errors.ts';
import { readJson, writeFileAtomic } from '../core/files.ts';
import { sha256 } from '../core/hash.ts';
import type { Source } from '../core/source.ts';

export interface DirSourceOptions {
  /** Folder searched recursively for `*.md` and `*.html` posts. */
  path: string;
  /** How the folder is named in a post's url: the path as written in the pipeline, so urls do not depend on the machine. */
  label: string;
  /** Posts larger than this are reported as failed, not read. */
  maxPostBytes: number;
}

const POST_EXTENSIONS = new Set(['.md', '.html', '.htm']);

/** Every post file under `root`, in a stable (sorted) order. */
async function listPostFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && POST_EXTENSIONS.has(extname(e.name).toLowerCase()) && e.name.toLowerCase() !== 'readme.md')
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** What the last run saw of a file: a file whose size and mtime stand is not read again. */
type StatIndex = Record<string, { size: number; mtimeMs: number; sha256: string }>;

const STAT_INDEX = 'dir-index.json';

const readStatIndex = async (dir: string): Promise<StatIndex> => (await readJson<StatIndex>(join(dir, STAT_INDEX))) ?? {};

async function writeStatIndex(dir: string, index: StatIndex): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, STAT_INDEX), JSON.stringify(index));
}

/**
 * A folder of posts; change detection by content hash. A file whose size and mtime are those of the
 * last run, and whose hash then is the revision the store holds, is not read again: a run costs a stat
 * per unchanged file. The index lives beside the raw snapshots (output/<id>/raw/dir-index.json).
 */
export function dirSource(options: DirSourceOptions): Source {
  return async function* readDir(ctx) {
    const before = await readStatIndex(ctx.rawDir);
    const after: StatIndex = {};
    let files: string[];
    try {
      files = await listPostFiles(options.path);
    } catch (cause) {
      throw new Error(`cannot read the posts folder ${options.path}: ${(cause as Error).message}`, { cause });
    }
    const seen = new Map<string, string>();
    for (const file of files) {
      const rel = relative(options.path, file).split(sep).join('/');
      // The file name without its extension, kept with its sub-folder so that two folders may hold the same name.
      const sourceId = rel.slice(0, rel.length - extname(rel).length);
      const twin = seen.get(sourceId);
      if (twin !== undefined) {
        const error = new PostError('fetch', sourceId, `two files share the id "${sourceId}": ${twin} and ${rel}; rename one`);
        yield { kind: 'failed', error, url: file, attempts: 1 };
        continue;
      }
      seen.set(sourceId, rel);
      const { size, mtimeMs } = await stat(file);
      const known = before[rel];
      if (known && known.size === size && known.mtimeMs === mtimeMs && ctx.previous.get(sourceId) === known.sha256) {
        after[rel] = known;
        yield { kind: 'unchanged', sourceId };
        continue;
      }
      if (size > options.maxPostBytes) {
        const error = new PostError('fetch', sourceId, `${rel} is ${size} bytes, over the limit of ${options.maxPostBytes} (source.max_post_bytes)`);
        yield { kind: 'failed', error, url: file, attempts: 1 };
        continue;
      }
      const bytes = await readFile(file);
      const revision = sha256(bytes);
      after[rel] = { size, mtimeMs, sha256: revision };
      if (ctx.previous.get(sourceId) === revision) {
        yield { kind: 'unchanged', sourceId };
        continue;
      }
      const post = { source: 'dir', sourceId, url: `${options.label.replace(/\/+$/, '')}/${rel}`, bytes, contentType: null, revision, fetchedAt: ctx.clock.now().toISOString() };
      yield { kind: 'post', post };
    }
    await writeStatIndex(ctx.rawDir, after);
    return { cursor: null, notModified: false };
  };
}
