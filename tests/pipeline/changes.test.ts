import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { noProgress, silentLogger, type Clock } from '../../src/core/effects.ts';
import { validatePipeline } from '../../src/pipeline/config.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { ROOT } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';

const FIXTURES = join(ROOT, 'tests', 'fixtures');

/** A clock that moves one minute per call, so each run gets its own release id. */
function steppingClock(): Clock {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => new Date((t += 60_000)) };
}

/** A dir pipeline over one folder whose single post we swap between versions. */
async function versionedWorkspace() {
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-versions-'));
  await mkdir(join(cwd, 'posts'));
  const config = validatePipeline({ id: 'versions', source: { type: 'dir', path: 'posts' } }, 'versions');
  const pipeline = { file: 'versions', config, cwd, outputDir: join(cwd, 'output') };
  const clock = steppingClock();
  return {
    out: pipeline.outputDir,
    /** Puts `file` in place as the post `<name>.<ext>` (replacing the previous version) and runs once. */
    async runWith(dir: string, file: string, name: string): Promise<RunResult> {
      for (const f of await readdir(join(cwd, 'posts'))) await rm(join(cwd, 'posts', f));
      await copyFile(join(dir, file), join(cwd, 'posts', `${name}${file.slice(file.lastIndexOf('.'))}`));
      return runPipeline(pipeline, { clock, logger: silentLogger, progress: noProgress, env: {} });
    },
  };
}

/** Reads the pipeline's own store (store.duckdb), which records every run, not only published ones. */
function storeQuery<T>(out: string, sql: string): Promise<T[]> {
  return query<T>(`ATTACH '${join(out, 'store.duckdb')}' AS s (READ_ONLY); ${sql}`);
}

async function versionSets(): Promise<Map<string, string[]>> {
  const sets = new Map<string, string[]>();
  for (const f of (await readdir(join(FIXTURES, 'versions'))).sort()) {
    const name = f.replace(/\.v\d+\.\w+$/, '');
    sets.set(name, [...(sets.get(name) ?? []), f]);
  }
  return sets;
}

describe('real re-scrapes (tests/fixtures/versions)', async () => {
  const sets = await versionSets();
  // The finews template sets, the identical gov.cn crawl and the law whose U+3000 spaces became ASCII:
  // the body text is the same in every version (corpus README), so nothing is published after v1.
  const sameBody = [...sets.keys()].filter((n) => n.startsWith('2021-12-08-') || n.startsWith('govcn-') || n.startsWith('lawrefbook-'));
  assert.equal(sameBody.length, 7);

  for (const name of sameBody) {
    test(`${name}: a format-only change publishes nothing`, async () => {
      const ws = await versionedWorkspace();
      const [first, ...rest] = sets.get(name)!;
      const r1 = await ws.runWith(join(FIXTURES, 'versions'), first, name);
      assert.ok(r1.releaseId, 'v1 is published');
      for (const v of rest) {
        const r = await ws.runWith(join(FIXTURES, 'versions'), v, name);
        assert.equal(r.releaseId, null, `${v} made a release`);
        assert.equal(r.status, 'ok');
      }
      const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${ws.out}/latest/redlines/*.parquet'`);
      assert.equal(Number(n), 0);
      // latest is the v1 release, so the check above holds whatever the later runs did; the store sees every run.
      const store = await storeQuery<{ doc_id: string; version: number; status: string }>(ws.out, 'SELECT doc_id, version, status FROM s.document_versions');
      assert.equal(store.length, 1, `one content version in the store: ${JSON.stringify(store)}`);
      assert.equal(store[0].version, 1);
      assert.equal(store[0].status, 'active');
      const [{ r }] = await storeQuery<{ r: number }>(ws.out, 'SELECT count(*) AS r FROM s.redlines');
      assert.equal(Number(r), 0, 'no redlines in the store');
    });
  }

  test('the category flip of the 要素市场化 post is one update of exactly the metadata columns', async () => {
    const ws = await versionedWorkspace();
    const name = '2022-01-06-202201062238656632';
    await ws.runWith(join(FIXTURES, 'versions'), `${name}.v1.md`, name);
    const r = await ws.runWith(join(FIXTURES, 'versions'), `${name}.v2.md`, name);
    assert.ok(r.releaseId);
    const changes = await query<{ table_name: string; change_type: string; changed_columns: string[]; before: string; after: string }>(
      `SELECT table_name, change_type, changed_columns, CAST(before AS VARCHAR) AS before, CAST(after AS VARCHAR) AS after FROM '${ws.out}/latest/changes/*.parquet'`,
    );
    assert.equal(changes.length, 1, JSON.stringify(changes));
    assert.equal(changes[0].table_name, 'documents');
    assert.equal(changes[0].change_type, 'update');
    // v1: categories emnews, tags 东财滚动新闻; v2: categories zhongguozhengfuwang, tags 中国政府网新闻.
    assert.deepEqual([...changes[0].changed_columns].sort(), ['category', 'tags']);
    assert.equal(JSON.parse(changes[0].before).category, 'emnews');
    assert.equal(JSON.parse(changes[0].after).category, 'zhongguozhengfuwang');
    const [doc] = await query<{ version: number }>(`SELECT version FROM '${ws.out}/latest/documents/*.parquet'`);
    assert.equal(doc.version, 1, 'the content did not change, so neither does the version');
    const changelog = await readFile(join(ws.out, 'latest', 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, /metadata changed: category, tags/);
  });

  test('新闻联播 20220925: the lost 国内联播快讯 section is a new version, a new timestamp line changes nothing; the new title is a title update', async () => {
    const ws = await versionedWorkspace();
    const name = 'xwlb-20220925';
    const versions = sets.get(name)!;
    assert.equal(versions.length, 5);
    const results = [];
    for (const v of versions) results.push(await ws.runWith(join(FIXTURES, 'versions'), v, name));
    const published = results.map((r) => r.releaseId !== null);
    // The corpus README says v1→v2 adds blank lines and wraps after ：, but `diff v1 v2` also shows two edits of the
    // text itself: the bot wrote `### undefined` / `undefined` in place of the 国内联播快讯 section, and
    // （《新闻联播》 20220925 19:00） became 21:00. So v2 is a new content version (the re-wrapping alone is
    // checked in the next test). v2→v3→v4 change only the (更新时间戳: …) line, v4→v5 renames the title.
    assert.equal(published[0], true);
    assert.equal(published.at(-1), true);
    assert.deepEqual(published, [true, true, false, false, true]);
    const store = await storeQuery<{ version: number }>(ws.out, 'SELECT version FROM s.document_versions ORDER BY version');
    assert.deepEqual(
      store.map((v) => v.version),
      [1, 2],
      'v1 and v2 are the only content versions',
    );
    const [last] = await query<{ changed_columns: string[] }>(`SELECT changed_columns FROM '${ws.out}/latest/changes/*.parquet' WHERE table_name = 'documents'`);
    assert.deepEqual([...last.changed_columns], ['title']);
  });

  test('新闻联播 20220925: re-wrapping alone (blank lines, a break after ：) changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhengce-xwlb-'));
    const name = 'xwlb-20220925';
    const v1 = await readFile(join(FIXTURES, 'versions', `${name}.v1.md`), 'utf8');
    const v2 = await readFile(join(FIXTURES, 'versions', `${name}.v2.md`), 'utf8');
    // v1 with v2's edits of the text (the lines that are not just re-wrapped), so that it differs from v2 only in whitespace.
    const edits: [RegExp, string][] = [
      [/^（《新闻联播》 20220925 19:00）$/m, '（《新闻联播》 20220925 21:00）'],
      [/^### 国内联播快讯$/m, '### undefined'],
      [/^<p><strong>央视网消息<\/strong>（新闻联播）：<\/p><p><strong>我国成功发射试验十四号.*$/m, 'undefined'],
      [/^\(更新时间戳: 1664110389206\)$/m, '(更新时间戳: 1664115086333)'],
    ];
    let edited = v1;
    for (const [from, to] of edits) {
      assert.match(edited, from);
      edited = edited.replace(from, to);
    }
    assert.notEqual(edited, v2);
    assert.equal(edited.replace(/\s+/g, ''), v2.replace(/\s+/g, ''), 'only whitespace separates the edited v1 from v2');
    await writeFile(join(dir, `${name}.edited.md`), edited);

    const ws = await versionedWorkspace();
    assert.ok((await ws.runWith(join(FIXTURES, 'versions'), `${name}.v1.md`, name)).releaseId);
    assert.ok((await ws.runWith(dir, `${name}.edited.md`, name)).releaseId, 'the edits of the text are a new version');
    const r = await ws.runWith(join(FIXTURES, 'versions'), `${name}.v2.md`, name);
    assert.equal(r.status, 'ok');
    assert.equal(r.releaseId, null, 're-wrapping made a release');
    const store = await storeQuery<{ version: number }>(ws.out, 'SELECT version FROM s.document_versions ORDER BY version');
    assert.deepEqual(
      store.map((v) => v.version),
      [1, 2],
    );
  });
});

/** Articles (第X条 provisions) of one version, as printed at the start of a paragraph. */
async function articleCount(file: string): Promise<number> {
  const text = await readFile(join(FIXTURES, 'revisions', file), 'utf8');
  return text.split('\n').filter((l) => /^第[一二三四五六七八九十百零〇]+条(?:之[一二三四五六七八九十]+)?[\s\u3000]/.test(l)).length;
}

describe('real amendments (tests/fixtures/revisions)', () => {
  /**
   * Expected article-level redlines, counted by reading `diff v1 v2` of each text and ignoring
   * half-width → full-width brackets and 总则 → 总 则:
   * - 道路运输条例 2022→2023: 第六十三条 and 第六十五条 reworded in place (modified 2); old 第六十八条
   *   (携带车辆营运证) deleted (removed 1); old 第六十九条…第八十三条 renumbered 第六十八条…第八十二条, three of
   *   them also reworded (moved 15); nothing new at the end (added 0). 83 articles → 82.
   * - 船员条例 2020→2023: 第四十九条 drops "、船员适任证书" (modified 1); old 第五十一条 deleted (removed 1);
   *   old 第五十二条…第六十七条 renumbered 第五十一条…第六十六条 (moved 16); added 0. 67 articles → 66.
   */
  const expected = {
    'daolu-yunshu-tiaoli': { modified: 2, removed: 1, moved: 15, added: 0, before: 83, after: 82 },
    'chuanyuan-tiaoli': { modified: 1, removed: 1, moved: 16, added: 0, before: 67, after: 66 },
  };

  for (const [name, want] of Object.entries(expected)) {
    test(`${name}: article redlines match the amendment`, async () => {
      assert.equal(await articleCount(`${name}.v1.md`), want.before);
      assert.equal(await articleCount(`${name}.v2.md`), want.after);
      const ws = await versionedWorkspace();
      await ws.runWith(join(FIXTURES, 'revisions'), `${name}.v1.md`, name);
      const r = await ws.runWith(join(FIXTURES, 'revisions'), `${name}.v2.md`, name);
      assert.ok(r.releaseId);
      const rows = await query<{ change_type: string; n: number }>(`SELECT change_type, count(*) AS n FROM '${ws.out}/latest/redlines/*.parquet' WHERE regexp_matches(label, '^第.+条$') GROUP BY ALL`);
      const got = Object.fromEntries(rows.map((x) => [x.change_type, Number(x.n)]));
      assert.deepEqual(
        { modified: got.modified ?? 0, removed: got.removed ?? 0, moved: got.moved ?? 0, added: got.added ?? 0 },
        { modified: want.modified, removed: want.removed, moved: want.moved, added: want.added },
      );
      const [doc] = await query<{ version: number }>(`SELECT version FROM '${ws.out}/latest/documents/*.parquet'`);
      assert.equal(doc.version, 2);
    });
  }

  test('船员条例: the reworded article carries an inline diff, cosmetic bracket changes do not', async () => {
    const ws = await versionedWorkspace();
    await ws.runWith(join(FIXTURES, 'revisions'), 'chuanyuan-tiaoli.v1.md', 'chuanyuan-tiaoli');
    await ws.runWith(join(FIXTURES, 'revisions'), 'chuanyuan-tiaoli.v2.md', 'chuanyuan-tiaoli');
    const [row] = await query<{ diff: string; old_text: string; new_text: string }>(`SELECT diff, old_text, new_text FROM '${ws.out}/latest/redlines/*.parquet' WHERE label = '第四十九条'`);
    // The markup reads back to both texts, and the only edit is the deletion of the 7 characters 、船员适任证书.
    assert.equal(row.diff.replace(/\{\+.*?\+\}/g, '').replace(/\[-(.*?)-\]/g, '$1'), row.old_text);
    assert.equal(row.diff.replace(/\[-.*?-\]/g, '').replace(/\{\+(.*?)\+\}/g, '$1'), row.new_text);
    assert.doesNotMatch(row.diff, /\{\+/);
    assert.equal([...row.diff.matchAll(/\[-(.*?)-\]/g)].map((m) => m[1]).join('').length, '、船员适任证书'.length);
    const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${ws.out}/latest/redlines/*.parquet' WHERE label = '第七条' OR label = '第三十六条'`);
    assert.equal(Number(n), 0, '(线) → （线） is not a modification');
  });

  test('公司法 2018→2023: every article of each version is accounted for', async () => {
    const ws = await versionedWorkspace();
    await ws.runWith(join(FIXTURES, 'revisions'), 'gongsifa.v1.md', 'gongsifa');
    await ws.runWith(join(FIXTURES, 'revisions'), 'gongsifa.v2.md', 'gongsifa');
    const [c] = await query<Record<string, number>>(
      `SELECT count(*) FILTER (change_type = 'added') AS added, count(*) FILTER (change_type = 'removed') AS removed,
              count(*) FILTER (change_type IN ('modified', 'moved')) AS paired
       FROM '${ws.out}/latest/redlines/*.parquet' WHERE regexp_matches(label, '^第.+条$')`,
    );
    const [{ unchanged }] = await query<{ unchanged: number }>(
      `SELECT count(*) AS unchanged FROM '${ws.out}/latest/provisions/*.parquet' p
       WHERE regexp_matches(label, '^第.+条$') AND path NOT IN (SELECT path FROM '${ws.out}/latest/redlines/*.parquet' WHERE change_type <> 'removed')`,
    );
    const before = await articleCount('gongsifa.v1.md');
    const after = await articleCount('gongsifa.v2.md');
    assert.equal(Number(unchanged) + Number(c.paired) + Number(c.removed), before);
    assert.equal(Number(unchanged) + Number(c.paired) + Number(c.added), after);
    assert.ok(Number(c.added) > 0 && Number(c.paired) > 100, JSON.stringify(c)); // the 2023 revision adds articles and rewrites most
  });
});
