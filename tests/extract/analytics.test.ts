import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { extractDocument } from '../../src/extract/index.ts';
import { sentenceSpans } from '../../src/extract/sentences.ts';
import { parsePost } from '../../src/parse/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { corpusPost } from '../parse/helpers.ts';

const sentences = (text: string) => sentenceSpans(text).map((s) => text.slice(s.start, s.end));

describe('sentences', () => {
  test('split at 。！？； but never inside “…”, 《…》 or （…）', () => {
    assert.deepEqual(sentences('探索“原始数据不出域；数据可用不可见”的交易范式。落实《条例；细则》（试行；暂行）要求！好吗？'), [
      '探索“原始数据不出域；数据可用不可见”的交易范式。',
      '落实《条例；细则》（试行；暂行）要求！',
      '好吗？',
    ]);
  });
});

describe('measures and mentions of 要素市场化配置综合改革试点总体方案 (read from the post)', () => {
  const doc = extractDocument(parsePost(corpusPost('2022-01-06-202201062238656632.md')));
  const mention = (kind: string, value: string) => doc.mentions.filter((m) => m.kind === kind && m.value === value);

  test('at least 100 measures with at least 8 distinct verbs', () => {
    // 32 items of 2–8 directive sentences each (支持…, 探索…, 完善…): well over 100.
    assert.ok(doc.measures.length >= 100, `${doc.measures.length}`);
    const verbs = new Set(doc.measures.map((m) => m.verb));
    assert.ok(verbs.size >= 8, [...verbs].join(' '));
    for (const v of ['支持', '探索', '完善', '建立健全', '推进', '鼓励', '加强', '深化']) assert.ok(verbs.has(v), v);
  });

  test('a measure keeps its provision, verb and the bodies put in charge', () => {
    // (三十一) 建立由国家发展改革委牵头、有关部门作为成员单位的…部际协调机制
    const lead = doc.measures.find((m) => m.text.startsWith('建立由国家发展改革委牵头'));
    assert.ok(lead);
    assert.equal(lead.path, '10.31');
    assert.equal(lead.verb, '建立');
    assert.deepEqual(lead.agencies, ['国家发展和改革委员会']);
    const guide = doc.measures.find((m) => m.text.startsWith('国家发展改革委要会同有关方面'));
    assert.deepEqual(guide?.agencies, ['国家发展和改革委员会']);
    // (五) 支持探索土地管理制度改革。— its heading is a measure too; it names no body.
    const heading = doc.measures.find((m) => m.path === '2.5' && m.measure_no === 1);
    assert.equal(heading?.text, '支持探索土地管理制度改革。');
    assert.deepEqual(heading?.agencies, []);
    // 重要情况及时向党中央、国务院报告: bodies reported to are not in charge.
    assert.ok(doc.measures.every((m) => !m.agencies.includes('国务院')));
  });

  test('section headings are not measures: 十、强化组织实施 names the measures under it, (五) keeps its short title as a measure', () => {
    // 十、强化组织实施 and 二、进一步提高土地要素配置效率 are heading lines; (五)支持探索土地管理制度改革。… is an item.
    assert.ok(!doc.measures.some((m) => m.text === '强化组织实施'));
    assert.ok(!doc.measures.some((m) => m.text === '进一步提高土地要素配置效率'));
    assert.ok(doc.measures.some((m) => m.path === '2.5' && m.text === '支持探索土地管理制度改革。'));
  });

  test('measures carry their position in the document (ord 1, 2, 3 …), so (二十八) in 九、 comes before (二十九) in 十、', () => {
    assert.deepEqual(
      doc.measures.map((m) => m.ord),
      doc.measures.map((_, i) => i + 1),
    );
    const ordOf = (path: string) => doc.measures.find((m) => m.path === path)!.ord;
    assert.ok(ordOf('9.28') < ordOf('10.29'));
  });

  test('sentences that order nothing are not measures', () => {
    assert.ok(!doc.measures.some((m) => m.text === '试点期限为2021—2025年。'));
    assert.ok(!doc.measures.some((m) => m.text.startsWith('到2025年，基本完成试点任务')));
  });

  test('mentions: the agency in full, the cited 意见, quoted terms, per provision with counts', () => {
    // (三十一) prints 国家发展改革委 twice.
    assert.deepEqual(
      mention('agency', '国家发展和改革委员会').map((m) => [m.path, m.count]),
      [['10.31', 2]],
    );
    // The preamble: 为深入贯彻落实《中共中央国务院关于构建更加完善的要素市场化配置体制机制的意见》
    assert.deepEqual(
      mention('document', '中共中央国务院关于构建更加完善的要素市场化配置体制机制的意见').map((m) => [m.path, m.count, m.doc_number]),
      [['0', 1, null]],
    );
    assert.deepEqual(
      mention('term', '标准地').map((m) => m.path),
      ['2.6'],
    ); // 支持产业用地实行“标准地”出让
    assert.deepEqual(
      mention('term', '信易贷').map((m) => m.path),
      ['4.13'],
    ); // 推广“信易贷”模式
    // The agencies inside the cited title (中共中央, 国务院) are that document's, not this preamble's.
    assert.equal(doc.mentions.filter((m) => m.path === '0' && m.kind === 'agency').length, 0);
  });

  test('a cited title keeps the 发文字号 printed after it', () => {
    const post = parsePost(corpusPost('2022-01-06-202201062238656632.md'));
    post.paragraphs = ['为贯彻落实《国务院关于印发〈X方案〉的通知》（国发〔2019〕4号），现提出如下意见。', '一、总体要求', '（一）支持上海、深圳开展试点。'];
    const cited = extractDocument(post).mentions;
    assert.deepEqual(
      cited.filter((m) => m.kind === 'document').map((m) => [m.value, m.doc_number]),
      [['国务院关于印发〈X方案〉的通知', '国发〔2019〕4号']],
    );
    assert.deepEqual(
      cited.filter((m) => m.kind === 'region').map((m) => m.value),
      ['上海市', '深圳市'],
    );
  });

  test('news items have no measures (their mentions: news.test.ts)', () => {
    const news = extractDocument(parsePost(corpusPost('2021-12-08-202112082207168450.md')));
    assert.equal(news.fields.is_policy, false);
    assert.equal(news.measures.length, 0);
  });
});

describe('measures out of sample: 100 measures of three documents not in instruments.csv, labelled by hand before any tuning (their instruments: instruments.test.ts)', () => {
  // tests/fixtures/measures-heldout.csv: every sentence from the start of each document in order (preamble
  // included) until 100 of them are measures, with the leading verb and instrument read by hand; an empty verb:
  // not a measure (titles, addressees, descriptive preamble, 指导思想, principles, targets, （…负责） notes). Seven of its
  // measures are section heading lines (支持企业稳定发展, 丰富赛事活动，完善赛事体系 …), labelled before headings stopped
  // being measures (issue #24): measure/not agreement 150/171 then, 143/171 now, the seven headings being the difference.
  const rows: { source_id: string; path: string; text: string; verb: string }[] = parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'measures-heldout.csv')), { columns: true });

  test('agreement on which sentences are measures, and on the verb of the measures both find', () => {
    const inSample: { source_id: string }[] = parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'instruments.csv')), { columns: true });
    const held = new Set(inSample.map((r) => r.source_id));
    assert.equal(rows.filter((r) => r.verb !== '').length, 100);
    assert.equal(new Set(rows.map((r) => r.source_id)).size, 3);
    assert.ok(rows.every((r) => !held.has(r.source_id)));
    const docs = new Map<string, ReturnType<typeof extractDocument>>();
    let sameKind = 0;
    let both = 0;
    let sameVerb = 0;
    for (const r of rows) {
      if (!docs.has(r.source_id)) docs.set(r.source_id, extractDocument(parsePost(corpusPost(`${r.source_id}.html`))));
      const measure = docs.get(r.source_id)!.measures.find((m) => m.path === r.path && m.text === r.text);
      if ((measure !== undefined) === (r.verb !== '')) sameKind++;
      if (measure === undefined || r.verb === '') continue;
      both++;
      if (measure.verb === r.verb) sameVerb++;
    }
    const labelled = rows.filter((r) => r.verb !== '').length;
    console.log(
      `held-out measures (labelled before tuning: 143/171, verb 76/86): ${labelled} of ${rows.length} sentences are measures by hand; measure/not agreement ${sameKind}/${rows.length}; of ${both} found by both, verb ${sameVerb}/${both} = ${(sameVerb / both).toFixed(3)}`,
    );
    // Floors below the measured figures (see the log line), so a regression shows.
    assert.ok(sameKind / rows.length >= 0.8, `${sameKind}`);
    assert.ok(sameVerb / both >= 0.8, `${sameVerb}/${both}`);
  });
});

describe('what is not a measure', () => {
  test('descriptive and introducing preamble sentences, title lines, section-name headings; a leading （…负责） note does not hide the verb', () => {
    const post = parsePost(corpusPost('govcn-2018-12-21-content_5350734.html'));
    const measures = extractDocument({
      ...post,
      paragraphs: [
        '体育竞赛表演产业的指导意见',
        '发展体育竞赛表演产业对挖掘和释放消费潜力具有重要意义。但也要看到，产业存在有效供给不充分等问题。',
        '为破解有关难题，加快产业发展，现提出以下意见：',
        '一、总体要求',
        '（一）发展目标。到2025年，总规模达到2万亿元。',
        '二、主要任务',
        '（二）鼓励创新创业。大力推进商事制度改革。（市场监管总局负责）加强创新创业教育服务，帮助企业有效对接。',
      ],
    }).measures.map((m) => [m.path, m.verb, m.text]);
    assert.deepEqual(measures, [
      ['2.2', '鼓励', '鼓励创新创业。'],
      ['2.2', '推进', '大力推进商事制度改革。'],
      ['2.2', '加强', '（市场监管总局负责）加强创新创业教育服务，帮助企业有效对接。'],
    ]);
  });
});
