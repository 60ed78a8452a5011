import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extractDocument } from '../../src/extract/index.ts';
import { parsePost } from '../../src/parse/index.ts';
import { corpusPost } from '../parse/helpers.ts';
import { govPost } from './helpers.ts';

const outlineOf = (paragraphs: string[], title?: string) => extractDocument(govPost(paragraphs, title)).provisions.map((p) => [p.path, p.level, p.label, p.heading]);

describe('要素市场化配置综合改革试点总体方案 (finews repost)', () => {
  const doc = extractDocument(parsePost(corpusPost('2022-01-06-202201062238656632.md')));

  test('document fields', () => {
    const f = doc.fields;
    assert.equal(f.title, '国办印发要素市场化配置综合改革试点总体方案');
    assert.equal(f.is_policy, true);
    assert.equal(f.doc_type, '方案');
    assert.equal(f.plan_type, '方案');
    assert.equal(f.plan_name, '要素市场化配置综合改革试点总体方案');
    assert.equal(f.issuer, '国务院办公厅');
    assert.equal(f.doc_number, null);
    assert.equal(f.issued_date, null);
    assert.equal(f.published_at, '2022-01-06T15:04:39+08:00');
    assert.equal(f.period_start, 2021);
    assert.equal(f.period_end, 2025);
  });

  test('10 level-1 provisions, 32 level-2, continuous item numbers in the paths', () => {
    const level1 = doc.provisions.filter((p) => p.level === 1);
    const level2 = doc.provisions.filter((p) => p.level === 2);
    assert.equal(level1.length, 10);
    assert.equal(level2.length, 32);
    assert.deepEqual([level1[0].heading, level1[9].heading], ['总体要求', '强化组织实施']);
    const fifth = doc.provisions.find((p) => p.label === '(五)')!;
    assert.deepEqual([fifth.path, fifth.level, fifth.parent_path, fifth.heading], ['2.5', 2, '2', '支持探索土地管理制度改革']);
    assert.ok(fifth.text.startsWith('合理划分土地管理事权，'));
    assert.deepEqual(
      doc.provisions.map((p) => p.ord),
      doc.provisions.map((_, i) => i + 1),
    );
  });

  test('4 principles and the milestones 2021, 2022 上半年, 2023, 2025', () => {
    assert.deepEqual(
      doc.principles.map((p) => p.title),
      ['顶层设计、基层探索', '系统集成、协同高效', '问题导向、因地制宜', '稳中求进、守住底线'],
    );
    assert.ok(doc.principles.every((p) => p.path === '1.2'));
    assert.deepEqual(
      doc.milestones.map((m) => [m.year, m.period]),
      [
        [2021, null],
        [2022, '上半年'],
        [2023, null],
        [2025, null],
      ],
    );
    assert.deepEqual(
      doc.milestones.map((m) => m.path),
      ['1.4', '1.4', '1.4', '1.4'],
    );
    assert.ok(doc.milestones[1].text.startsWith('2022年上半年，'));
  });
});

describe('gov.cn documents', () => {
  test('关于印发 notice: the notice metadata, the enclosed plan as outline', () => {
    const doc = extractDocument(parsePost(corpusPost('govcn-2018-11-09-content_5338761.html')));
    assert.equal(doc.fields.doc_type, '通知');
    assert.equal(doc.fields.plan_name, '政府网站集约化试点工作方案');
    assert.equal(doc.fields.doc_number, '国办函〔2018〕71号');
    assert.equal(doc.fields.issued_date, '2018-10-27');
    assert.deepEqual(
      doc.provisions.slice(0, 2).map((p) => [p.path, p.label, p.heading]),
      [
        ['1', '一、', '总体要求'],
        ['1.1', '（一）', '指导思想'],
      ],
    );
    // 1.–4. under （二）基本原则 are level 3 and are the principles.
    assert.deepEqual(
      doc.principles.map((p) => [p.title, p.path]),
      [
        ['问题导向', '1.2.1'],
        ['开放融合', '1.2.2'],
        ['集约节约', '1.2.3'],
        ['平稳有序', '1.2.4'],
      ],
    );
  });

  test('国务院工作规则: 第X章 at level 1, 一、 paragraphs numbered across chapters at level 2', () => {
    const doc = extractDocument(parsePost(corpusPost('govcn-2018-12-03-content_5345397.html')));
    const p = doc.provisions.find((n) => n.label === '五、')!;
    assert.deepEqual([p.path, p.level, p.parent_path], ['2.5', 2, '2']);
    assert.equal(doc.provisions[0].heading, '总则'); // printed 总  则
    assert.equal(doc.fields.plan_type, '规则');
  });

  test('条例 with articles only: articles at level 1 with empty headings, their items below level 2', () => {
    const doc = extractDocument(parsePost(corpusPost('govcn-2018-12-22-content_5351177.html')));
    const articles = doc.provisions.filter((p) => p.level === 1);
    assert.equal(articles.length, 36);
    assert.deepEqual([articles[2].label, articles[2].path, articles[2].heading], ['第三条', '3', '']);
    assert.ok(doc.provisions.filter((p) => p.level === 2).length === 0);
    const item = doc.provisions.find((p) => p.parent_path === '3')!;
    assert.deepEqual([item.label, item.path, item.level], ['（一）', '3.1', 3]);
    assert.equal(doc.fields.doc_number, '国令第707号');
    assert.deepEqual(
      doc.milestones.map((m) => [m.year, m.period, m.kind]),
      [[2019, '起', 'start']],
    );
  });

  test('joint issuer abbreviations are expanded', () => {
    const doc = extractDocument(parsePost(corpusPost('govcn-2018-12-03-content_5345407.html')));
    assert.equal(doc.fields.issuer, '国务院、中央军事委员会');
    assert.equal(doc.fields.doc_type, '批复');
    assert.deepEqual(doc.provisions, []);
  });

  test('a 成文日期 the calendar lacks is no date (DuckDB could not store it); a leap day is one', () => {
    const issued = (date: string) => extractDocument(govPost(['一、总体要求', '内容。'], undefined, { 成文日期: date })).fields.issued_date;
    assert.equal(issued('2021年2月31日'), null);
    assert.equal(issued('2021年13月1日'), null);
    assert.equal(issued('2021年2月29日'), null);
    assert.equal(issued('2020年2月29日'), '2020-02-29');
    assert.equal(issued('二〇二一年四月三十一日'), null);
  });

  test('attachment specimens are not outline', () => {
    const doc = extractDocument(parsePost(corpusPost('govcn-2018-12-11-content_5347765.html')));
    assert.deepEqual(
      doc.provisions.map((p) => p.label),
      ['一、', '二、', '三、', '四、'],
    );
  });
});

describe('news is not a document', () => {
  test('新闻联播 transcript with numbered items and 印发 reports: no provisions or principles (its dates: news.test.ts)', () => {
    const doc = extractDocument(parsePost(corpusPost('xwlb-20221212.md')));
    assert.equal(doc.fields.is_policy, false);
    assert.equal(doc.fields.doc_type, '新闻');
    assert.equal(doc.fields.published_at, '2022-12-12');
    assert.deepEqual([doc.provisions, doc.principles, doc.measures], [[], [], []]);
  });
});

describe('numbering styles', () => {
  test('decimal outline 1 / 1.1 / 1.1.1 with U+3000 (emergency plans)', () => {
    assert.deepEqual(outlineOf(['1 总则', '1.1 编制目的', '为了测试。', '1.2编制依据', '2 组织体系', '2.1 领导机构', '2.1.1 职责', '（1）负责指挥。']), [
      ['1', 1, '1', '总则'],
      ['1.1', 2, '1.1', '编制目的'],
      ['1.2', 2, '1.2', '编制依据'],
      ['2', 1, '2', '组织体系'],
      ['2.1', 2, '2.1', '领导机构'],
      ['2.1.1', 3, '2.1.1', '职责'],
      ['2.1.1.1', 4, '（1）', '负责指挥'],
    ]);
  });

  test('第X部分, 一、, （一）, 1．, （1）, ①, 一是', () => {
    assert.deepEqual(outlineOf(['第一部分 总体要求', '一、指导思想', '（一）坚持方向。内容。', '1．加强领导。内容。', '（1）明确责任。内容。', '①第一项。', '一是抓落实。', '二是抓督查。']), [
      ['1', 1, '第一部分', '总体要求'],
      ['1.1', 2, '一、', '指导思想'],
      ['1.1.1', 3, '（一）', '坚持方向'],
      ['1.1.1.1', 4, '1．', '加强领导'],
      ['1.1.1.1.1', 5, '（1）', '明确责任'],
      ['1.1.1.1.1.1', 6, '①', '第一项'],
      ['1.1.1.1.1.1.1', 7, '一是', '抓落实'],
      ['1.1.1.1.1.1.2', 7, '二是', '抓督查'],
    ]);
  });

  test('第X章 / 第X节 / 第X条 and 第X条之一; a 第X条 quoted mid-sentence is not an article', () => {
    assert.deepEqual(
      outlineOf(['第一章 总 则', '第一条 为了测试。', '第二条 依照本条例第一条规定的办法。', '第二章 分则', '第一节 一般规定', '第三条 内容。', '第三条之一 补充。', '依照第三条办理。']),
      [
        ['1', 1, '第一章', '总则'],
        ['1.1', 2, '第一条', ''],
        ['1.2', 2, '第二条', ''],
        ['2', 1, '第二章', '分则'],
        ['2.1', 2, '第一节', '一般规定'],
        ['2.1.3', 3, '第三条', ''],
        ['2.1.3-1', 3, '第三条之一', ''],
      ],
    );
  });

  test('（一） numbering restarting under each 一、 gives distinct paths', () => {
    assert.deepEqual(
      outlineOf(['一、甲', '（一）子甲。', '二、乙', '（一）子乙。']).map((r) => r[0]),
      ['1', '1.1', '2', '2.1'],
    );
  });

  test('a 目录 block is skipped', () => {
    assert.deepEqual(
      outlineOf(['目 录', '一、总则', '二、附则', '一、总则', '内容。', '二、附则']).map((r) => r[0]),
      ['1', '2'],
    );
  });

  test('a notice that encloses a plan: numbered notice paragraphs are not outline', () => {
    const title = '国务院办公厅关于印发测试工作方案的通知';
    const rows = outlineOf(['一、请认真贯彻执行。', '国务院办公厅', '二〇一八年十二月二十日', '测 试 工 作 方 案', '一、总体要求', '（一）指导思想。内容。'], title);
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['1', '1.1'],
    );
    const doc = extractDocument(govPost(['现印发给你们。', '2018年12月20日', '测试工作方案', '一、总体要求'], title));
    assert.deepEqual([doc.fields.doc_type, doc.fields.plan_type, doc.fields.plan_name], ['通知', '方案', '测试工作方案']);
  });
});

describe('milestones and period', () => {
  const milestones = (text: string, issued = '2018年12月20日') => extractDocument(govPost(['一、目标', text], undefined, { 成文日期: issued })).milestones.map((m) => [m.year, m.period, m.kind]);

  test('targets, deadlines, starts and periods', () => {
    assert.deepEqual(milestones('到2020年，基本建成。2019年12月底前完成。2019年6月底前报送。从2019年起实施。2021年上半年评估。'), [
      [2020, null, 'target'],
      [2019, '年底', 'deadline'],
      [2019, null, 'deadline'],
      [2019, '起', 'start'],
      [2021, '上半年', 'period'],
    ]);
    assert.deepEqual(milestones('对2019年1月1日至2020年12月31日期间新招用的人员给予补贴。'), [
      [2019, null, 'target'],
      [2020, '年底', 'deadline'],
    ]);
    assert.deepEqual(milestones('2018年12月30日至2019年1月1日放假调休。'), []);
  });

  test('history, events, subject years and cited plans are not milestones', () => {
    assert.deepEqual(milestones('2017年印发通知。2018年11月印发意见。以2022年北京冬奥会为契机。2018年度奖励。按照《纲要（2015—2020年）》要求。'), []);
  });

  test('the period statement gives period_start/end and no milestone', () => {
    const doc = extractDocument(govPost(['一、目标', '试点期限为2021—2025年。'], undefined, { 成文日期: '2021年12月21日' }));
    assert.deepEqual([doc.fields.period_start, doc.fields.period_end, doc.milestones], [2021, 2025, []]);
  });
});

describe('principles and milestones by the gold rules, in shapes the 35 gold documents lack', () => {
  const principlesOf = (paragraphs: string[]) => extractDocument(govPost(paragraphs)).principles.map((p) => p.title);
  const milestonesOf = (paragraphs: string[]) => extractDocument(govPost(paragraphs)).milestones.map((m) => [m.year, m.period]);

  test('an unnumbered 基本原则 line opens the numbered items after it, up to the next heading', () => {
    assert.deepEqual(principlesOf(['一、总体要求', '基本原则', '1.坚持党的领导。把党的领导贯穿全过程。', '2.坚持问题导向。聚焦突出问题。', '主要目标', '3.完善制度体系。到2020年建成。']), [
      '坚持党的领导',
      '坚持问题导向',
    ]);
  });

  test('under 工作原则 an item titled 坚持…原则 is a principle, and a title up to 40 characters counts', () => {
    assert.deepEqual(
      principlesOf([
        '一、总体要求',
        '（一）工作原则。',
        '1.坚持依法依规原则。严格依法办事。',
        '2.坚持以人民为中心的发展思想，把人民满意作为出发点和落脚点。切实维护群众利益。',
        '（二）主要任务',
        '1.加强监管。依法监管。',
      ]),
      ['坚持依法依规原则', '坚持以人民为中心的发展思想，把人民满意作为出发点和落脚点'],
    );
  });

  test('dated targets: a month deadline after 到, a window with both ends, 年年内, 秋季学期起, 季度前; no event year, no holiday dates', () => {
    assert.deepEqual(
      milestonesOf([
        '一、主要目标',
        '到2020年6月，完成清理工作。2019年7月1日至2021年6月30日，开展专项整治。',
        '各地要在2022年一季度前完成部署，2023年年内全面推开，2024年秋季学期起在全国实施。',
        '二、保障措施',
        '做好服务保障，2025年北京冬奥会期间加强安保。2026年12月30日至2027年1月1日放假调休。',
      ]),
      [
        [2020, null],
        [2019, null],
        [2021, null],
        [2022, null],
        [2023, '年内'],
        [2024, '起'],
      ],
    );
  });
});

describe('forwarded documents (转发 / 批转 …的通知): the forwarded document as printed', () => {
  const planOf = (title: string) => {
    const f = extractDocument(govPost(['各省、自治区、直辖市人民政府：', '现将有关文件转发给你们，请认真贯彻执行。'], title)).fields;
    return [f.doc_type, f.plan_type, f.plan_name];
  };

  test('a 报告 and a 请示, with the agency that wrote them and full-width brackets', () => {
    assert.deepEqual(planOf('国务院批转民政部关于调整市辖区设置标准的报告的通知'), ['通知', '报告', '民政部关于调整市辖区设置标准的报告']);
    assert.deepEqual(planOf('国务院办公厅转发教育部关于实施高校毕业生就业促进计划（试行）的请示的通知'), ['通知', '请示', '教育部关于实施高校毕业生就业促进计划（试行）的请示']);
  });

  test('an 意见 and a 方案, quotation marks kept', () => {
    assert.deepEqual(planOf('国务院批转发展改革委关于2013年深化经济体制改革重点工作意见的通知'), ['通知', '意见', '发展改革委关于2013年深化经济体制改革重点工作意见']);
    assert.deepEqual(planOf('国务院办公厅转发国家发展改革委关于“十四五”时期深化价格机制改革行动方案的通知'), ['通知', '方案', '国家发展改革委关于“十四五”时期深化价格机制改革行动方案']);
  });
});
