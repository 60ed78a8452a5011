// npm run score -- <gold-dir> <release-dir> [--json]
// Prints, per document field and per table, accuracy or precision/recall/F1 of a release against the
// gold JSONs (metric definitions and "macro F1" in scripts/score-lib.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatReport, readGoldDir, readRelease, score } from './score-lib.ts';

function main(argv: string[]): number {
  const json = argv.includes('--json');
  const [goldDir, releaseDir] = argv.filter((a) => a !== '--json');
  if (!goldDir || !releaseDir || argv.includes('--help')) {
    console.error('usage: npm run score -- <gold-dir> <release-dir> [--json]');
    return argv.includes('--help') ? 0 : 1;
  }
  if (!existsSync(join(releaseDir, 'csv', 'documents.csv')) && !existsSync(join(releaseDir, 'documents.csv'))) {
    console.error(`no documents.csv in ${releaseDir}: give the folder of one release (output/<id>/releases/<release_id>)`);
    return 1;
  }
  const report = score(readGoldDir(goldDir), readRelease(releaseDir));
  console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
