import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { DEFAULT_DIFF_BUDGET, redlineProvisions, type ProvisionText } from '../../src/store/redlines.ts';

/** A deterministic pseudo-random text over a few CJK characters (a linear congruential generator). */
function randomText(length: number, seed: number): string[] {
  const chars = '推进要素市场化配置改革试点完善配套政策按期报送进展情况强化组织保障';
  let x = seed;
  return Array.from({ length }, () => chars[(x = (x * 1103515245 + 12345) % 2 ** 31) % chars.length]);
}

const node = (path: string, text: string): ProvisionText => ({ path, label: `${path}.`, heading: '', text });

describe('redlines within a budget', () => {
  test('a huge provision with thousands of edits is a whole-text replacement, marked as such, in seconds', () => {
    const old = randomText(80_000, 7);
    const edited = [...old];
    for (let i = 0; i < 7_000; i++) edited[(i * 7919) % edited.length] = '改';
    const [a, b] = [old.join(''), edited.join('')];
    const started = performance.now();
    const [line] = redlineProvisions([node('1', a)], [node('1', b)]);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(line.change_type, 'modified');
    assert.equal(line.diff_kind, 'replaced');
    assert.equal(line.diff, `[-${a}-]{+${b}+}`);
    // An unbounded character diff of these texts takes minutes (140 s for a 238 KB provision with 7,000 edits).
    assert.ok(seconds < 10, `${seconds.toFixed(1)} s`);
  });

  test('an ordinary rewording is a character diff', () => {
    const [line] = redlineProvisions([node('1', '推进改革试点，按期报送进展。')], [node('1', '深化改革试点，按季度报送进展。')]);
    assert.equal(line.diff_kind, 'chars');
    assert.equal(line.diff, '[-推进-]{+深化+}改革试点，按[-期-]{+季度+}报送进展。');
  });

  test("once a document's diff budget is spent, its remaining rewordings are whole-text replacements", () => {
    const olds = Array.from({ length: 6 }, (_, i) => node(String(i + 1), `第${i + 1}项改革试点，按期报送进展。`));
    const news = Array.from({ length: 6 }, (_, i) => node(String(i + 1), `第${i + 1}项改革试点，按季度报送进展。`));
    // Each diff has 15 + 16 characters and 3 edits (期 out, 季 and 度 in): 93 of work, so 200 pays for two of them.
    const lines = redlineProvisions(olds, news, { ...DEFAULT_DIFF_BUDGET, documentWork: 200 });
    assert.deepEqual(
      lines.map((l) => l.diff_kind),
      ['chars', 'chars', 'replaced', 'replaced', 'replaced', 'replaced'],
    );
    assert.equal(lines[2].diff, `[-${olds[2].text}-]{+${news[2].text}+}`);
  });

  test('among thousands of similar items, each renumbered and reworded item is paired with its original', () => {
    // More old items than are scored against each new one: peers are found by the items' rarest trigrams.
    const item = (i: number, verb: string) => `${verb}第${i}项改革试点，按期报送进展。`;
    const olds = Array.from({ length: 3_000 }, (_, i) => node(`1.${i + 1}`, item(i + 1, '推进')));
    const news = [node('1.1', '新增试点任务清单管理。'), ...Array.from({ length: 3_000 }, (_, i) => node(`1.${i + 2}`, item(i + 1, '深化')))];
    const started = performance.now();
    const lines = redlineProvisions(olds, news);
    const seconds = (performance.now() - started) / 1000;
    const moved = lines.filter((l) => l.change_type === 'moved');
    assert.equal(moved.length, 3_000);
    for (const l of moved) assert.equal(Number(l.path.split('.')[1]), Number(l.from_path!.split('.')[1]) + 1, `${l.from_path} → ${l.path}`);
    assert.deepEqual(
      lines.filter((l) => l.change_type !== 'moved').map((l) => [l.change_type, l.path]),
      [['added', '1.1']],
    );
    assert.ok(seconds < 10, `${seconds.toFixed(1)} s`);
  });
});

describe('redline alignment', () => {
  const lines = (olds: ProvisionText[], news: ProvisionText[]) => redlineProvisions(olds, news).map((l) => [l.change_type, l.from_path, l.path]);

  test('an unchanged provision gives no line, also when only its width or spacing changed', () => {
    assert.deepEqual(lines([node('1', '推进改革试点，按期报送进展。')], [node('1', '推进改革试点, 按期报送进展。')]), []);
  });

  test('the same text at another path of the same depth is a move, with no diff', () => {
    const olds = [node('1', '推进改革试点。'), node('2', '完善配套政策。')];
    const news = [node('1', '新增试点任务清单管理。'), node('2', '推进改革试点。'), node('3', '完善配套政策。')];
    const redlines = redlineProvisions(olds, news);
    assert.deepEqual(
      redlines.map((l) => [l.change_type, l.from_path, l.path]),
      [
        ['moved', '1', '2'],
        ['moved', '2', '3'],
        ['added', null, '1'],
      ],
    );
    assert.ok(redlines.filter((l) => l.change_type === 'moved').every((l) => l.diff === null));
  });

  test('a rewording at its own path is modified; a text unlike anything old is added, an old one left over removed', () => {
    const olds = [node('1', '推进改革试点，按期报送进展。'), node('2', '加强组织领导和统筹协调。')];
    const news = [node('1', '深化改革试点，按季度报送进展。'), node('2', '建立数据要素市场交易规则。')];
    assert.deepEqual(lines(olds, news), [
      ['modified', '1', '1'],
      ['modified', '2', '2'],
    ]);
    // Without an old provision at its path, a text unlike every old one is new.
    assert.deepEqual(lines([node('1', '推进改革试点，按期报送进展。')], [node('1', '深化改革试点，按季度报送进展。'), node('2', '建立数据要素市场交易规则。')]), [
      ['modified', '1', '1'],
      ['added', null, '2'],
    ]);
    assert.deepEqual(lines([node('1', '推进改革试点。'), node('2', '加强组织领导和统筹协调。')], [node('1', '推进改革试点。')]), [['removed', '2', '2']]);
  });

  test('a reworded provision that moved is paired with its original by similarity, not with what now stands at its old path', () => {
    const olds = [node('1', '推进要素市场化配置改革试点，按期报送进展情况。'), node('2', '加强组织领导。')];
    const news = [node('1', '加强组织领导。'), node('2', '深化要素市场化配置改革试点，按期报送进展情况。')];
    assert.deepEqual(lines(olds, news), [
      ['moved', '2', '1'],
      ['moved', '1', '2'],
    ]);
  });

  test('texts are paired within one depth only: an item never moves to a heading level', () => {
    const olds = [node('1.1', '推进改革试点。')];
    const news = [node('1', '推进改革试点。')];
    assert.deepEqual(lines(olds, news), [
      ['removed', '1.1', '1.1'],
      ['added', null, '1'],
    ]);
  });
});
