// The 1,506 LawRefBook laws in ../shared/corpus-laws (read when present): every file parses, and its
// articles are exactly the paragraphs that start with 第X条 (or 第X条之X) after the history block.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractDocument } from '../../src/extract/index.ts';
import { parsePost } from '../../src/parse/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { rawPost } from '../parse/helpers.ts';

const LAWS = join(ROOT, '..', 'shared', 'corpus-laws');
const INFO_END = '<!-- INFO END -->';
/** Read from the raw text, independently of the parser: an article label at the start of a line, then a space. */
const ARTICLE_LINE = /^(第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?)[ \u3000]/;
const ARTICLE_LABEL = /^第.+条(?:之.+)?$/;

function lawFiles(): string[] {
  return readdirSync(LAWS, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md') && e.name !== 'README.md')
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function printedArticles(text: string): string[] {
  const at = text.indexOf(INFO_END);
  const body = at >= 0 ? text.slice(at + INFO_END.length) : text;
  return body.split('\n').flatMap((line) => ARTICLE_LINE.exec(line.trim())?.[1] ?? []);
}

test(
  'corpus-laws: every law parses and its provisions hold exactly its printed articles',
  { skip: existsSync(LAWS) ? false : `${LAWS} not found: the corpus-laws test needs ../shared/corpus-laws next to the repository` },
  () => {
    const files = lawFiles();
    assert.ok(files.length >= 1500, `${files.length} law files`);
    const failures: string[] = [];
    let articles = 0;
    for (const file of files) {
      const bytes = readFileSync(file);
      const doc = extractDocument(parsePost(rawPost(file.slice(LAWS.length + 1), bytes)));
      const got = doc.provisions.filter((p) => ARTICLE_LABEL.test(p.label)).map((p) => p.label);
      const expected = printedArticles(bytes.toString('utf8'));
      articles += got.length;
      if (got.join() !== expected.join()) failures.push(`${file}: ${got.length} articles extracted, ${expected.length} printed`);
    }
    assert.deepEqual(failures, []);
    assert.ok(articles > 60000, `${articles} articles`);
  },
);

const laws = existsSync(LAWS) ? lawFiles() : [];
const skipLaws = existsSync(LAWS) ? false : `${LAWS} not found`;

test('corpus-laws: issuer and issued_date are read from the header history of ≥ 99 % of the texts that print one', { skip: skipLaws }, () => {
  let withHistory = 0;
  let issuer = 0;
  let issued = 0;
  let both = 0;
  const missing: string[] = [];
  let allIssuer = 0;
  let allIssued = 0;
  for (const file of laws) {
    const post = parsePost(rawPost(file.slice(LAWS.length + 1), readFileSync(file)));
    const all = extractDocument(post).fields;
    if (all.issuer !== null) allIssuer++;
    if (all.issued_date !== null) allIssued++;
    if (post.meta.history === undefined) continue;
    withHistory++;
    const f = extractDocument(post).fields;
    if (f.issuer !== null) issuer++;
    if (f.issued_date !== null) issued++;
    if (f.issuer !== null && f.issued_date !== null) both++;
    else missing.push(file.slice(LAWS.length + 1));
  }
  const share = both / withHistory;
  console.log(
    `corpus-laws: of all ${laws.length} texts, issuer ${allIssuer}, issued_date ${allIssued}; ${withHistory} with a header history: issuer ${issuer}, issued_date ${issued}, both ${both} (${(100 * share).toFixed(1)} %); without: ${missing.join(', ')}`,
  );
  assert.ok(withHistory >= 1380, `${withHistory} texts with a history`);
  assert.ok(share >= 0.99, `${(100 * share).toFixed(1)} %: ${missing.join(', ')}`);
});

/**
 * 30 texts (every 50th of the sorted list, from the 7th), their header read by hand and the gold rules
 * applied: issuer = the adopting body (通过), else the promulgating one (令…公布, 发布), never one that only
 * approves when another is printed; issued_date = the last adoption, amendment or approval line (施行 and,
 * when another line is printed, 公布 are not versions); doc_number = the printed 令 number.
 * Each row: file, issuer, issued_date, doc_number, and what its header prints.
 */
const READ_BY_HAND: Array<[file: string, issuer: string | null, issued: string | null, number: string | null, header: string]> = [
  ['刑法/刑法修正案（九）.md', '全国人民代表大会常务委员会', '2015-08-29', null, '2015年8月29日 第十二届全国人大常委会第十六次会议通过'],
  [
    '司法解释/最高人民法院、最高人民检察院关于办理妨害武装部队制式服装、车辆号牌管理秩序等刑事案件具体应用法律若干问题的解释(2011-07-20).md',
    '最高人民法院、最高人民检察院',
    '2011-04-13',
    null,
    '2011年3月28日 审判委员会、2011年4月13日 检察委员会通过; 7月20日 两高公告公布; 8月1日 施行',
  ],
  ['司法解释/最高人民法院关于《刑法修正案（九）》时间效力问题的解释(2015-10-29).md', '最高人民法院', null, null, 'no header history: the issuer is the title before 关于, no date is printed'],
  ['司法解释/最高人民法院关于公布失信被执行人名单信息的若干规定(2013-07-16).md', '最高人民法院', '2013-07-01', null, '2013年7月1日 审判委员会通过; 7月16日 公告公布; 10月1日 施行'],
  ['司法解释/最高人民法院关于审理企业破产案件指定管理人的规定(2007-04-12).md', '最高人民法院', '2007-04-04', null, '2007年4月4日 审判委员会通过; 4月12日 公告公布'],
  ['司法解释/最高人民法院关于审理房屋登记案件若干问题的规定(2010-11-05).md', '最高人民法院', '2010-08-02', null, '2010年8月2日 通过; 11月5日 公告公布'],
  ['司法解释/最高人民法院关于审理申请注册的药品相关的专利权纠纷民事案件适用法律若干问题的规定(2021-07-04).md', '最高人民法院', '2021-05-24', null, '2021年5月24日 通过; 7月5日 施行'],
  ['司法解释/最高人民法院关于执行担保若干问题的规定(2020-12-29).md', '最高人民法院', '2020-12-23', null, '2017年12月11日 通过; 2020年12月23日 通过 (the amended version)'],
  ['司法解释/最高人民法院关于适用《保险法》若干问题的解释（三）(2020-12-29).md', '最高人民法院', '2020-12-23', null, '2015年9月21日 通过; 2020年12月23日 通过'],
  ['宪法/宪法修正案（1993年）.md', '全国人民代表大会', '1993-03-29', null, '1993年3月29日 第八届全国人大第一次会议通过; 同日 公告第八号公布施行 (a 公告, not a 令)'],
  ['宪法相关法/立法法(2023-03-13).md', '全国人民代表大会', '2023-03-13', null, '2000年 全国人大通过; 2015年, 2023年3月13日 全国人大 决定 修正'],
  ['社会法/妇女权益保障法(2018-10-26).md', '全国人民代表大会', '2018-10-26', null, '1992年 全国人大通过; 2005年, 2018年10月26日 常委会修正 (amendments do not change the adopting body)'],
  ['经济法/反食品浪费法(2021-04-29).md', '全国人民代表大会常务委员会', '2021-04-29', null, '2021年4月29日 常委会通过'],
  ['经济法/资源税法(2019-08-26).md', '全国人民代表大会常务委员会', '2019-08-26', null, '2019年8月26日 常委会通过'],
  ['行政法/土地管理法(2019-08-26).md', '全国人民代表大会常务委员会', '2019-08-26', null, '1986年 常委会通过; 1988, 1998 修订, 2004, 2019年8月26日 修正 (its 决定 title wraps onto the next line)'],
  ['行政法/疫苗管理法(2019-06-29).md', '全国人民代表大会常务委员会', '2019-06-29', null, '2019年6月29日 常委会通过'],
  ['行政法规/中国人民银行货币政策委员会条例(1997-04-15).md', '国务院', '1997-04-15', '国务院令第215号', '1997年4月15日 中华人民共和国国务院令第215号发布'],
  ['行政法规/传统工艺美术保护条例(2013-07-18).md', '国务院', '1997-05-20', '国务院令第217号', '1997年5月20日 国务院令第217号发布 (the header prints no later line)'],
  ['行政法规/关于爱国卫生运动委员会及其办事机构若干问题的规定(1980-05-09).md', '国务院', '1980-05-09', null, '1980年5月9日 国务院批准 (the only body printed)'],
  ['行政法规/危险化学品安全管理条例(2013-12-07).md', '国务院', '2011-02-16', '国务院令第344号', '2002年 国务院令第344号公布; 2011年2月16日 国务院常务会议修订通过'],
  ['行政法规/国务院关于鼓励华侨和香港澳门同胞投资的规定(1990-08-18).md', '国务院', '1990-08-19', '国务院令第64号', '1990年8月19日 国务院令第64号发布'],
  ['行政法规/地震预报管理条例(1998-12-17).md', '国务院', '1998-12-17', '国务院令第255号', '1998年12月17日 国务院令第255号发布'],
  ['行政法规/存款保险条例(2015-02-17).md', '国务院', '2014-10-29', '国务院令第660号', '2014年10月29日 国务院常务会议通过; 2015年2月17日 国务院令第660号公布; 5月1日 施行'],
  ['行政法规/总会计师条例(2011-01-08).md', '国务院', '1990-12-31', '国务院令第72号', '1990年12月31日 国务院令第72号发布'],
  ['行政法规/核材料管制条例(1987-06-14).md', '国务院', '1987-06-15', null, '1987年6月15日 国务院发布'],
  ['行政法规/治安保卫委员会暂行组织条例(1952-08-11).md', '公安部', '1952-06-27', null, '1952年6月27日 政务院批准; 8月11日 公安部发布 (the approver is not the issuer)'],
  ['行政法规/生猪屠宰管理条例(2021-06-25).md', '国务院', '2021-06-25', '国务院令第742号', '1997年 令第238号公布; 2008 令第525号修订; 2011, 2016 决定修订; 2021年6月25日 令第742号第四次修订'],
  ['行政法规/自然灾害救助条例(2019-03-02).md', '国务院', '2010-07-08', '国务院令第577号', '2010年7月8日 国务院令第577号公布 (the header prints no later line)'],
  ['行政法规/进出口商品检验法实施条例(2019-03-02).md', '国务院', '2017-03-01', '国务院令第447号', '2005年 令第447号公布; 2013, 2016, 2017年3月1日 决定修订'],
  ['行政法规/风景名胜区条例(2016-02-06).md', '国务院', '2006-09-19', '国务院令第474号', '2006年9月19日 国务院令第474号公布'],
];

test('corpus-laws: 30 headers read by hand give issuer, issued_date and 令 number', { skip: skipLaws }, () => {
  assert.equal(READ_BY_HAND.length, 30);
  const wrong: string[] = [];
  for (const [file, issuer, issued, number] of READ_BY_HAND) {
    const f = extractDocument(parsePost(rawPost(file, readFileSync(join(LAWS, file))))).fields;
    const got = [f.issuer, f.issued_date, f.doc_number];
    if (got.join('|') !== [issuer, issued, number].join('|')) wrong.push(`${file}: ${got.join(' | ')}`);
  }
  assert.deepEqual(wrong, []);
});

/** A local regulation as LawRefBook prints one: a city's adoption, the province's approval, 第X章 / 第X节 / 第X条. */
const LOCAL_REGULATION = `# 苏州市测试管理条例

2019年10月31日 苏州市第十六届人民代表大会常务委员会第二十次会议通过

2019年11月29日 江苏省第十三届人民代表大会常务委员会第十二次会议批准

2020年3月1日 施行

<!-- INFO END -->

## 第一章 总则

第一条 为了测试，制定本条例。

## 第二章 管理

### 第一节 一般规定

第二条 市人民政府负责管理。

### 第二节 生活、卫生。

第三条 区人民政府负责卫生。

## 第三章 附则

第四条 本条例自2020年3月1日起施行。
`;

test('a local regulation: the city body that adopted it is the issuer, the province that approved it only dates it; 第X节 is level 2 under its 章', () => {
  const doc = extractDocument(parsePost(rawPost('local', LOCAL_REGULATION)));
  assert.equal(doc.fields.issuer, '苏州市人民代表大会常务委员会');
  assert.equal(doc.fields.issued_date, '2019-11-29');
  assert.equal(doc.fields.doc_number, null);
  const top = doc.provisions.filter((p) => p.level <= 2).map((p) => [p.path, p.level, p.label, p.heading]);
  assert.deepEqual(top, [
    ['1', 1, '第一章', '总则'],
    ['1.1', 2, '第一条', ''],
    ['2', 1, '第二章', '管理'],
    ['2.1', 2, '第一节', '一般规定'],
    ['2.2', 2, '第二节', '生活、卫生。'],
    ['3', 1, '第三章', '附则'],
    ['3.4', 2, '第四条', ''],
  ]);
  // The 条 inside a 节 sit below it.
  assert.deepEqual(
    doc.provisions.filter((p) => p.level === 3).map((p) => p.path),
    ['2.1.2', '2.2.3'],
  );
});

test('a joint judicial interpretation: both adopting courts, the last adoption date; a 国务院令 gives its 令 number', () => {
  const joint = `# 最高人民法院 最高人民检察院关于测试的解释\n\n2018年9月17日 最高人民法院审判委员会第1749次会议、2018年12月12日最高人民检察院第十三届检察委员会第十一次会议通过\n\n2019年1月31日 最高人民法院、最高人民检察院公告公布\n\n<!-- INFO END -->\n\n第一条 测试。\n`;
  const f = extractDocument(parsePost(rawPost('joint', joint))).fields;
  assert.deepEqual([f.issuer, f.issued_date, f.doc_number], ['最高人民法院、最高人民检察院', '2018-12-12', null]);
  const order = `# 测试条例\n\n２００１年６月１５日 中华人民共和国国务院令第３０６号公布\n\n2010年1月9日 《国务院关于修改〈测试条例〉的决定》第一次修订\n\n<!-- INFO END -->\n\n第一条 测试。\n`;
  const g = extractDocument(parsePost(rawPost('order', order))).fields;
  assert.deepEqual([g.issuer, g.issued_date, g.doc_number], ['国务院', '2010-01-09', '国务院令第306号']);
});

test('a history printed as a bracketed paragraph at the top of the body is read like a header history', () => {
  // The shape of 司法解释/最高人民法院关于审理军队、武警部队…若干问题的规定(2020-12-29).md, shortened.
  const text = `# 最高人民法院关于测试的规定\n\n<!-- INFO END -->\n\n（2001年2月6日最高人民法院审判委员会第1158次会议通过，根据2020年12月23日最高人民法院审判委员会第1823次会议通过的《最高人民法院关于修改〈测试〉等二十九件商事类司法解释的决定》修正）\n\n为依法审理，作如下规定：\n\n一、测试。\n`;
  const f = extractDocument(parsePost(rawPost('bracketed', text))).fields;
  assert.deepEqual([f.issuer, f.issued_date], ['最高人民法院', '2020-12-23']);
});
