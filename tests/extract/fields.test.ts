// Document fields by the gold rules (../shared/gold/README.md), on sentences quoted exactly from ../shared/corpus and
// ../shared/corpus-laws. The corpus prints no forwarding notice and no 函 that encloses a document: where a test
// needs such a title, it is composed by the pattern the rule names, and says so.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ParsedPost } from '../../src/core/types.ts';
import { fullAgencyNames } from '../../src/extract/dictionaries/agencies.ts';
import { extractDocument } from '../../src/extract/index.ts';
import { govPost } from './helpers.ts';

/** The posts here are the State Council's (国务院), written 2018-10-27. */
const STATE_COUNCIL = { 发文机关: '国务院', 成文日期: '2018年10月27日' };

const planOf = (post: ParsedPost) => {
  const f = extractDocument(post).fields;
  return [f.doc_type, f.plan_type, f.plan_name];
};

describe('a forwarded document is named as the body cites it in 《》, without the author printed before the 《》', () => {
  // corpus-laws 行政法规/总会计师条例(2011-01-08).md, 第二十三条: the 1963 notice that forwarded the 规定 cites it so.
  const article =
    '第二十三条 本条例自发布之日起施行。1963年10月18日国务院批转国家经济委员会、财政部《关于国营工业、交通企业设置总会计师的几项规定(草案)》、1978年9月12日国务院发布的《会计人员职权条例》中有关总会计师的规定同时废止。';

  test('the cited title, not the title’s contraction with its author', () => {
    // The notice's title, composed as such titles contract the name: 批转 + author + 关于… + 的通知.
    const title = '国务院批转国家经济委员会、财政部关于国营工业、交通企业设置总会计师的几项规定(草案)的通知';
    assert.deepEqual(planOf(govPost([article], title, STATE_COUNCIL)), ['通知', '规定', '关于国营工业、交通企业设置总会计师的几项规定(草案)']);
  });

  test('the title’s contraction when the body cites no title of that 文种', () => {
    // corpus-laws 行政法规/高等教育自学考试暂行条例(2014-07-29).md cites both notices; neither is a 请示.
    const title = '国务院批转教育部等部门关于成立全国高等教育自学考试指导委员会的请示的通知';
    const cites = '1981年1月13日《国务院批转教育部关于高等教育自学考试试行办法的报告》和1983年5月3日《国务院批转教育部等部门关于成立全国高等教育自学考试指导委员会的请示的通知》同时废止。';
    assert.deepEqual(planOf(govPost([cites], title, STATE_COUNCIL)), ['通知', '请示', '教育部等部门关于成立全国高等教育自学考试指导委员会的请示']);
  });
});

describe('关于印发X的函 encloses X as 关于印发X的通知 does', () => {
  // The notice's own text and the enclosed plan's first lines, from govcn-2018-11-09-content_5338761 (a 通知); the
  // title is that notice's with 函 as its 文种.
  const paragraphs = [
    '各省、自治区、直辖市人民政府，国务院各部委、各直属机构：',
    '《政府网站集约化试点工作方案》已经国务院领导同志同意，现印发给你们，请认真贯彻执行。',
    '国务院办公厅',
    '2018年10月27日',
    '（此件公开发布）',
    '政府网站集约化试点工作方案',
    '为贯彻落实党中央、国务院关于加强全国网络安全和信息化工作有关部署，推进政府网站互联互通融合发展，现就开展政府网站集约化试点工作，制定以下方案。',
    '一、总体要求',
    '（一）指导思想。',
  ];
  const doc = extractDocument(govPost(paragraphs, '国务院办公厅关于印发政府网站集约化试点工作方案的函', STATE_COUNCIL));

  test('doc_type 函, the enclosed 方案 as plan_type and plan_name', () => {
    assert.deepEqual([doc.fields.doc_type, doc.fields.plan_type, doc.fields.plan_name], ['函', '方案', '政府网站集约化试点工作方案']);
  });

  test('the outline is the enclosed plan’s', () => {
    assert.deepEqual(
      doc.provisions.map((p) => [p.path, p.heading]),
      [
        ['1', '总体要求'],
        ['1.1', '指导思想'],
      ],
    );
  });
});

describe('issuers in full, joint issuers each expanded (中央军委 → 中央军事委员会)', () => {
  test('printed forms from the corpus: separated, run together, or spaced', () => {
    assert.deepEqual(fullAgencyNames('国务院、中央军委'), ['国务院', '中央军事委员会']); // govcn-2018-12-03-content_5345407 发文机关
    assert.deepEqual(fullAgencyNames('中共中央国务院'), ['中共中央', '国务院']); // 《中共中央国务院关于构建…的意见》 (finews 要素市场化 plan)
    assert.deepEqual(fullAgencyNames('中办 国办'), ['中共中央办公厅', '国务院办公厅']); // xwlb-20221212: 中办 国办印发《…》
    assert.deepEqual(fullAgencyNames('食品药品监管局、海关总署'), ['国家食品药品监督管理局', '海关总署']); // corpus-laws 药品进口管理办法 header
  });

  test('a name the dictionary does not know is kept as printed, whole', () => {
    assert.deepEqual(fullAgencyNames('国家计量局'), ['国家计量局']); // corpus-laws: 国家计量局《关于在我国统一实行法定计量单位的请示报告》
    assert.deepEqual(fullAgencyNames('国务院法制办公室'), ['国务院法制办公室']);
  });

  test('a title that runs joint issuers together gives each in full', () => {
    // The 要素市场化 plan cites 《中共中央国务院关于构建更加完善的要素市场化配置体制机制的意见》; here it is the title.
    const post = govPost(['一、总体要求'], '中共中央国务院关于构建更加完善的要素市场化配置体制机制的意见', { ...STATE_COUNCIL, 发文机关: '' });
    assert.equal(extractDocument(post).fields.issuer, '中共中央、国务院');
  });
});
