import { join, resolve } from 'node:path';
import { TABLE_BY_NAME, TABLES } from '../core/tables.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../core/layout.ts';
import { escapeControls, escapeJsonControls } from '../core/terminal.ts';
import { checkRelease, compareReleases, exportTables, type ReleaseDiff } from '../pipeline/releases.ts';

function formatDiff(d: ReleaseDiff): string {
  const out = [`${d.from} → ${d.to}`, ''];
  for (const t of d.tables) out.push(`${t.table.padEnd(12)} +${t.inserted} inserted  ~${t.updated} updated  -${t.deleted} deleted`);
  const groups = [
    ['added', 'New documents 新增'],
    ['changed', 'Changed documents 变更'],
    ['removed', 'Removed documents 删除'],
  ] as const;
  for (const [kind, heading] of groups) {
    const docs = d.documents.filter((x) => x.change === kind);
    if (docs.length === 0) continue;
    out.push('', `${heading} (${docs.length})`);
    for (const x of docs) {
      const meta = [x.published_at?.slice(0, 10), x.issuer].filter(Boolean).join(', ');
      out.push(`  ${x.title || '(untitled)'}${meta ? ` (${meta})` : ''} [${x.doc_id}]`);
      if (kind !== 'changed') continue;
      if (x.changed_columns.length) out.push(`    columns: ${x.changed_columns.join(', ')}`);
      const p = x.provisions;
      if (p.inserted + p.updated + p.deleted) out.push(`    provisions: +${p.inserted} ~${p.updated} -${p.deleted}`);
    }
  }
  if (d.documents.length === 0) out.push('', 'No differences.');
  // Titles and issuers come from remote posts: each line is escaped on its own.
  return `${out.map((line) => escapeControls(line)).join('\n')}\n`;
}

/** `zhengce diff <a> <b>`: the changes between two releases, readable or as JSON. */
export async function diffCommand(args: string[], o: { json: boolean; pipeline?: string; out: NodeJS.WritableStream }): Promise<number> {
  if (args.length !== 2) throw new CliError('name two releases: zhengce diff <release-a> <release-b> (see zhengce diff --help)');
  const d = await compareReleases(args[0], args[1], { pipeline: o.pipeline, cwd: process.cwd() });
  o.out.write(o.json ? `${escapeJsonControls(JSON.stringify(d, null, 2))}\n` : formatDiff(d));
  return EXIT.ok;
}

/** `zhengce validate <release>`: every file against datapackage.json; exit 1 on any mismatch. */
export async function validateCommand(args: string[], o: { json: boolean; pipeline?: string; out: NodeJS.WritableStream }): Promise<number> {
  if (args.length !== 1) throw new CliError('name one release: zhengce validate <release> (see zhengce validate --help)');
  const { dir, report } = await checkRelease(args[0], { pipeline: o.pipeline, cwd: process.cwd() });
  if (o.json) o.out.write(`${escapeJsonControls(JSON.stringify({ release: dir, ok: report.problems.length === 0, ...report }, null, 2))}\n`);
  else if (report.problems.length === 0) o.out.write(`${escapeControls(dir)}: valid (${report.resources} files match datapackage.json)\n`);
  else o.out.write(`${escapeControls(dir)}: ${report.problems.length} problem(s)\n${report.problems.map((p) => `  - ${escapeControls(p)}`).join('\n')}\n`);
  return report.problems.length === 0 ? EXIT.ok : EXIT.failed;
}

/** `zhengce export <release>`: whole tables of a kept release, or of one only history/ still holds, as single files. */
export async function exportCommand(args: string[], o: { pipeline?: string; tables: string[]; format?: string; out?: string; stdout: NodeJS.WritableStream }): Promise<number> {
  if (args.length !== 1) throw new CliError('name one release: zhengce export <release> --out DIR (see zhengce export --help)');
  if (!o.out) throw new CliError('say where the files go: --out DIR');
  const isFormat = (f: string): f is ExportFormat => (EXPORT_FORMATS as readonly string[]).includes(f);
  if (o.format !== undefined && !isFormat(o.format)) throw new CliError(`--format must be ${EXPORT_FORMATS.slice(0, -1).join(', ')} or ${EXPORT_FORMATS.at(-1)}, not "${o.format}"`);
  const unknown = o.tables.filter((t) => !TABLE_BY_NAME.has(t));
  if (unknown.length) throw new CliError(`no table ${unknown.map((t) => `"${t}"`).join(', ')}; tables: ${TABLES.map((t) => t.name).join(', ')}`);
  const outDir = resolve(process.cwd(), o.out);
  const { files, skipped } = await exportTables(args[0], {
    pipeline: o.pipeline,
    cwd: process.cwd(),
    tables: o.tables.length ? o.tables : undefined,
    formats: o.format ? [o.format] : EXPORT_FORMATS.slice(0, 2),
    outDir,
  });
  for (const f of files) o.stdout.write(`${escapeControls(join(outDir, f.path))}  ${f.rows} rows\n`);
  for (const s of skipped) o.stdout.write(`no xlsx for ${escapeControls(s)}\n`);
  return EXIT.ok;
}
