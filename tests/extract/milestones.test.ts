// Milestones by the gold rules (../shared/gold/README.md: 起 covers 自…年1月1日起施行; history, events and news facts are
// not targets), on real texts of ../shared/corpus and ../shared/corpus-laws.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { extractDocument } from '../../src/extract/index.ts';
import { reportedYearOf } from '../../src/extract/milestones.ts';
import { parsePost } from '../../src/parse/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { corpusPost, rawPost } from '../parse/helpers.ts';

const LAWS = join(ROOT, '..', 'shared', 'corpus-laws');
const skip = existsSync(LAWS) ? false : `${LAWS} not found: these tests read ../shared/corpus-laws`;

const milestonesOfLaw = (file: string) => {
  const doc = extractDocument(parsePost(rawPost(file, readFileSync(join(LAWS, file)))));
  return { issued: doc.fields.issued_date, milestones: doc.milestones.map((m) => [m.year, m.period, m.kind]) };
};

describe('a regulation’s own 自…年…月…日起施行 is a start (period 起)', { skip }, () => {
  test('also in a version amended after it took effect: 刑法 (2023-12-29), 本法自1997年10月1日起施行', () => {
    const { issued, milestones } = milestonesOfLaw('刑法/刑法.md');
    assert.equal(issued, '2023-12-29');
    assert.deepEqual(milestones, [[1997, '起', 'start']]);
  });

  test('in full-width digits: 本办法自２０００年１月１日起施行', () => {
    assert.deepEqual(milestonesOfLaw('部门规章/市场监督管理总局/处方药与非处方药分类管理办法（试行）(1999-06-18).md').milestones, [[2000, '起', 'start']]);
  });

  test('in Chinese numerals: 本规定自二○○四年十月一日起施行', () => {
    assert.deepEqual(milestonesOfLaw('部门规章/公安部/公安机关适用继续盘问规定(2004-07-12).md').milestones, [[2004, '起', 'start']]);
  });

  test('a goal article states its years as targets: 淮河流域水污染防治的目标：1997年…；2000年…', () => {
    const { milestones } = milestonesOfLaw('行政法规/淮河流域水污染防治暂行条例(2011-01-08).md');
    assert.deepEqual(milestones.slice(0, 2), [
      [1997, null, 'target'],
      [2000, null, 'target'],
    ]);
  });
});

describe('dates that are no target', () => {
  test('到…年底 followed by what has already been done is a state reached, not a target (finews, no date)', () => {
    // -202205262391921712.md: 据霍尼韦尔官网，到2021年底，霍尼韦尔生产的HFO-1234yf制冷剂已应用于全球超1.2亿辆汽车。
    const doc = extractDocument(parsePost(corpusPost('-202205262391921712.md')));
    assert.deepEqual(doc.milestones, []);
  });

  test('新闻联播 20221212: only what lies after the programme date (自2023年1月1日起施行, 预计2023年建成通车)', () => {
    // Also printed there: 2022年12月7日至10日 (a visit) and 2022年，全国粮食总产量达13731亿斤 (a result).
    const doc = extractDocument(parsePost(corpusPost('xwlb-20221212.md')));
    assert.deepEqual(
      doc.milestones.map((m) => [m.year, m.period]),
      [
        [2023, '起'],
        [2023, null],
      ],
    );
  });

  test('the year a report reports on is read from its title; a plan’s or a holiday notice’s year is none', () => {
    assert.equal(reportedYearOf('国务院办公厅关于2019年部分节假日安排的通知'), null); // govcn-2018-12-06-content_5346276
    assert.equal(reportedYearOf('国务院关于2018年度国家科学技术奖励的决定'), null); // govcn-2019-01-08-content_5355822
    // The shape of a report on a year's work, which the corpus does not hold:
    assert.equal(reportedYearOf('国务院关于2018年度国有资产管理情况的综合报告'), 2018);
  });
});
