// Compiles src/ to dist/ (plain ESM JavaScript, one file per module) so `zhengce` starts without loading
// a TypeScript compiler. Plain JavaScript itself, so bin/zhengce.js can run it before anything is built.
// Type errors are `npm run typecheck`'s job: this only strips types, file by file, in a second or two.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SRC = join(ROOT, 'src');
export const DIST = join(ROOT, 'dist');
/** Written last into dist/: the fingerprint of the sources it was built from. */
const STAMP = '.sources';
const BUILD_SCRIPT = fileURLToPath(import.meta.url);

/** Every file of src/ (and this script) by path, size and mtime: a stat per file, about a millisecond for all. */
export function sourcesFingerprint() {
  const lines = readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .concat(BUILD_SCRIPT)
    .map((file) => {
      const s = statSync(file);
      return `${file.slice(ROOT.length)} ${s.size} ${s.mtimeMs}`;
    });
  return lines.sort().join('\n');
}

/** True when dist/ was built from the sources as they are now. */
export function isBuildCurrent() {
  try {
    return readFileSync(join(DIST, STAMP), 'utf8') === sourcesFingerprint();
  } catch {
    return false;
  }
}

/** Builds dist/ aside and renames it into place, so a process starting meanwhile never loads half a build. */
export async function build() {
  const { default: ts } = await import('typescript');
  const fingerprint = sourcesFingerprint();
  const tmp = `${DIST}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const rel of readdirSync(SRC, { recursive: true })) {
    const from = join(SRC, rel);
    if (!statSync(from).isFile()) continue;
    const to = join(tmp, rel);
    mkdirSync(dirname(to), { recursive: true });
    if (!rel.endsWith('.ts')) {
      copyFileSync(from, to);
      continue;
    }
    const { outputText } = ts.transpileModule(readFileSync(from, 'utf8'), {
      fileName: from,
      // The sources import each other as `./x.ts`; the build imports `./x.js`.
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, rewriteRelativeImportExtensions: true },
    });
    writeFileSync(to.replace(/\.ts$/, '.js'), outputText);
  }
  writeFileSync(join(tmp, STAMP), fingerprint);
  // Another process built these sources meanwhile: its build stays, so no process loses the folder it loads from.
  if (isBuildCurrent()) {
    rmSync(tmp, { recursive: true, force: true });
    return;
  }
  const old = `${DIST}.old-${process.pid}`;
  try {
    renameSync(DIST, old);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  try {
    renameSync(tmp, DIST);
  } catch (err) {
    // Another process put its build in place first: it was built from the same sources.
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] === BUILD_SCRIPT) await build();
