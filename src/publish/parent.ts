// The parent release, as the next one reuses it: unchanged files are hard-linked, but only once checked.
// Releases share an unchanged file's inode, so a file edited in place (an editor, `echo >>`, `truncate`)
// is damaged in every release holding it; linking it again would carry the damage into the new release.
import { copyFile, link, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileDigest, readReleaseContents, type PublishedFile, type ReleaseContents, type ReleaseFile } from './datapackage.ts';
import { readStamps, sameStamp, stampOf, type Stamp } from './stamps.ts';

/** A parent file that no longer holds what its release recorded. */
export interface DamagedFile {
  path: string;
  /** What was found, in words: its size, or that its sha256 differs. */
  found: string;
  /** Every release folder holding this same (hard-linked) file. */
  sharedBy: string[];
}

export class ParentRelease {
  readonly damaged: DamagedFile[] = [];

  private constructor(
    readonly id: string,
    readonly dir: string,
    readonly contents: ReleaseContents,
    /** The files' stamps when they were last known whole (null: every file is hashed). */
    private readonly stamps: Map<string, Stamp> | null,
  ) {}

  /** The parent release at `outputDir/releases/id`, or null when it lists nothing linkable (missing, or an earlier layout). */
  static async open(outputDir: string, id: string): Promise<ParentRelease | null> {
    const dir = join(outputDir, 'releases', id);
    const contents = await readReleaseContents(dir);
    return contents && new ParentRelease(id, dir, contents, await readStamps(outputDir, id));
  }

  /** The parent's files of table `table`, by part and format. */
  tableFile(table: string, part: string, path: string): PublishedFile | null {
    const f = this.contents.tables.get(path);
    return f && f.table.name === table && f.part === part ? f : null;
  }

  /** Whether the parent's file at `path` still holds the bytes its datapackage.json recorded; a damaged one is remembered. */
  async holds(expected: ReleaseFile): Promise<boolean> {
    const file = join(this.dir, expected.path);
    const stamp = await stampOf(file);
    // Untouched since it was last known whole: its bytes are the same.
    if (sameStamp(stamp, this.stamps?.get(expected.path))) return true;
    const size = stamp ? stamp[1] : null;
    let found: string | null = null;
    if (size === null) found = 'missing';
    else if (size !== expected.bytes) found = `${size} bytes instead of ${expected.bytes}`;
    else if ((await fileDigest(file)).sha256 !== expected.sha256) found = 'same size, different content (sha256)';
    if (found === null) return true;
    this.damaged.push({ path: expected.path, found, sharedBy: await this.releasesSharing(expected.path) });
    return false;
  }

  /** Links the parent's file into `dir` when it still holds what was recorded; false when it does not (the caller writes it anew). */
  async link(expected: ReleaseFile, dir: string): Promise<boolean> {
    if (!(await this.holds(expected))) return false;
    await linkFile(join(this.dir, expected.path), join(dir, expected.path));
    return true;
  }

  /** The release folders whose file at `path` is the parent's own (one inode, hard-linked). */
  private async releasesSharing(path: string): Promise<string[]> {
    const ino = await stat(join(this.dir, path)).then(
      (s) => s.ino,
      () => null,
    );
    if (ino === null) return [this.id];
    const releases = dirname(this.dir);
    const names = (await readdir(releases).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
    const sharing: string[] = [];
    for (const n of names)
      if (
        (await stat(join(releases, n, path)).then(
          (s) => s.ino,
          () => null,
        )) === ino
      )
        sharing.push(n);
    return sharing;
  }
}

/** A hard link to `from` (a copy where the file system has no hard links). */
export async function linkFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await link(from, to).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EXDEV' || err.code === 'EPERM' || err.code === 'ENOTSUP') return copyFile(from, to);
    throw err;
  });
}
