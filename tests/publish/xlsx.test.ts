// XLSX that opens right, read back by LibreOffice itself (headless, converted to CSV): paths, labels and 发文字号 stay
// text, formula-looking values stay plain text without a visible ', dates are dates, long texts whole.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { TABLE_BY_NAME } from '../../src/core/tables.ts';
import { writeXlsx } from '../../src/publish/xlsx.ts';
import { makeWorkspace, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';

const run = promisify(execFile);
/** LibreOffice as the test set-up installs it (Debian's libreoffice-calc-nogui, scripts/setup-test-tools.sh). */
const SOFFICE = process.env.ZHENGCE_SOFFICE ?? '/usr/bin/soffice';

/** Converts each XLSX to CSV (UTF-8, comma, as shown) with LibreOffice headless, in a profile of its own; returns the rows of each. */
async function libreOfficeCsv(files: string[]): Promise<Record<string, string>[][]> {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-lo-'));
  await run(SOFFICE, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true', '--outdir', dir, ...files], {
    timeout: 180_000,
  });
  return Promise.all(
    files.map(
      async (f) =>
        parse(
          await readFile(
            join(
              dir,
              f
                .split('/')
                .pop()!
                .replace(/\.xlsx$/, '.csv'),
            ),
            'utf8',
          ),
          { columns: true },
        ) as Record<string, string>[],
    ),
  );
}

test('an XLSX written by zhengce and by `zhengce export --format xlsx` opens in LibreOffice with paths, 发文字号, formulas-as-text and dates intact', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-xlsx-'));
  const long = '数据'.repeat(3000);
  const written = join(dir, 'written.xlsx');
  const rows = await writeXlsx(
    written,
    TABLE_BY_NAME.get('documents')!,
    [
      {
        doc_id: 'd1',
        source: 'dir',
        source_id: '=cmd|x',
        title: '+体育',
        published_at: '2019-01-22 10:30:00+08',
        issued_date: '2019-01-21',
        tags: ['a', 'b'],
        is_policy: true,
        doc_type: long,
        doc_number: '国办发〔2019〕4号',
        period_start: 2019,
        version: 1,
        content_sha256: '-1',
      },
    ],
    { timeZone: 'Asia/Shanghai', date: new Date(0) },
  );
  assert.equal(rows, 1);

  // A run (in process) and the real export command on a real gov.cn post whose outline has a 4.10 beside its 4.1.
  const ws = await makeWorkspace({ posts: [join(SAMPLE_POSTS, 'govcn-2018-12-20-content_5350427.html')] });
  assert.equal((await runInProcess(ws.file, ws.cwd)).code, 0);
  const out = join(ws.cwd, 'export');
  const exported = await runCli(['export', '-p', ws.file, 'latest', '--format', 'xlsx', '--table', 'provisions', '--table', 'documents', '--out', out], ws.cwd);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /provisions\.xlsx/);

  // The run itself wrote the latest release's spreadsheets into downloads/, beside the CSV.
  const downloaded = join(dir, 'downloaded-provisions.xlsx');
  await copyFile(join(ws.out, 'downloads', 'provisions.xlsx'), downloaded);
  const [docs, provisions, exportedDocs, downloadedProvisions] = await libreOfficeCsv([written, join(out, 'provisions.xlsx'), join(out, 'documents.xlsx'), downloaded]);
  assert.equal(docs[0].title, '+体育', 'a formula-looking value is plain text, no visible quote');
  assert.equal(docs[0].source_id, '=cmd|x');
  assert.equal(docs[0].content_sha256, '-1');
  assert.equal(docs[0].doc_number, '国办发〔2019〕4号');
  assert.equal(docs[0].issued_date, '2019-01-21');
  assert.equal(docs[0]['published_at (Asia/Shanghai)'], '2019-01-22 10:30:00');
  assert.equal(docs[0].tags, 'a; b');
  assert.equal(docs[0].doc_type, long, 'a long text whole');
  // Every path as the release's own CSV holds it (read by a CSV parser, not a spreadsheet): 4.10 stays 4.10.
  const published = parse(await readFile(join(ws.out, 'downloads', 'provisions.csv'), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
  assert.ok(published.some((p) => p.path === '4.10'));
  assert.deepEqual(
    provisions.map((p) => [p.path, p.label, p.parent_path]),
    published.map((p) => [p.path, p.label, p.parent_path]),
  );
  assert.deepEqual(
    downloadedProvisions.map((p) => [p.path, p.label, p.parent_path]),
    published.map((p) => [p.path, p.label, p.parent_path]),
  );
  assert.equal(exportedDocs[0].doc_number, '国办发〔2018〕115号');
});
