import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PostError } from '../../src/core/errors.ts';
import type { RawPost } from '../../src/core/types.ts';
import { parseGovcn } from '../../src/parse/govcn.ts';
import { parsePost } from '../../src/parse/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { corpusFileNames, corpusPost, rawPost } from './helpers.ts';

describe('format sniffing (by content, never by name)', () => {
  test('every bundled post parses, into the format its content shows', () => {
    // README: the real posts of ../shared/corpus/posts are copied byte for byte into pipelines/sample/posts (35 files).
    assert.equal(corpusFileNames().length, 35);
    for (const name of corpusFileNames()) {
      const post = parsePost(corpusPost(name));
      const expected = name.startsWith('govcn-') ? 'govcn' : name.startsWith('xwlb-') ? 'lawmd' : 'jekyll';
      assert.equal(post.format, expected, name);
      assert.ok(post.paragraphs.length > 0, name);
    }
  });

  test('a gov.cn page saved under a .md name is still a gov.cn page', () => {
    const html = corpusPost('govcn-2018-12-24-content_5351607.html').bytes;
    assert.equal(parsePost(rawPost('renamed', html)).format, 'govcn');
  });
});

describe('Jekyll posts', () => {
  test('要素市场化 post: title, date with offset, link, paragraphs without the source credit', () => {
    const post = parsePost(corpusPost('2022-01-06-202201062238656632.md'));
    assert.equal(post.title, '国办印发要素市场化配置综合改革试点总体方案');
    assert.equal(post.publishedAt, '2022-01-06T15:04:39+08:00');
    assert.deepEqual(post.categories, ['zhongguozhengfuwang']);
    assert.deepEqual(post.tags, ['中国政府网新闻']);
    assert.equal(post.link, 'http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202201062238656632');
    assert.equal(post.paragraphs[1], '一、总体要求');
    assert.ok(post.paragraphs[2].startsWith('(一)指导思想。以习近平新时代'));
    assert.ok(post.paragraphs.at(-1)!.startsWith('(三十二)强化试点法治保障。'));
    assert.ok(!post.paragraphs.some((p) => p.includes('文章来源')), 'em_media credit dropped');
    assert.ok(!post.paragraphs.some((p) => p.includes('返回')), 'footer dropped');
  });

  test('eastmoney stock tags unwrapped, hidden paragraphs and K-line image blocks dropped, empty date is null', () => {
    const post = parsePost(corpusPost('-202205262391921712.md'));
    assert.equal(post.title, '');
    assert.equal(post.publishedAt, null);
    assert.equal(post.link, null); // the link line is `<>`
    assert.equal(post.paragraphs[0], '国内首款使用超低GWP(全球变暖潜值)制冷剂的新能源汽车来了！');
    assert.ok(post.paragraphs[1].startsWith('据霍尼韦尔官网消息，5月24日，霍尼韦尔宣布为蔚来旗下ET7新能源汽车'));
    assert.ok(!post.paragraphs.some((p) => p.includes('K图')));
    assert.ok(post.meta.digest.startsWith('据霍尼韦尔官网消息'));
  });

  test('plain-text body, footer on two lines, date without offset keeps its local time', () => {
    const post = parsePost(corpusPost('2021-12-08-202112082206928461.md'));
    assert.equal(post.publishedAt, '2021-12-08T12:41:23');
    assert.deepEqual(post.paragraphs, ['“股王”茅台重回2000元关口！酿酒板块多股大涨，北上资金半天“扫货”A股近60亿，大行情要来？']);
    assert.equal(post.link, 'http://finance.eastmoney.com/news/1344,202112082206928461.html');
  });

  test('front matter after a leading blank line; ｜-joined absolute footer; list-valued tags', () => {
    const text = [
      '',
      '---',
      'layout: post',
      'title: "标题"',
      'date: 2021-12-08 10:46:18 +0800',
      'categories: emnews',
      'tags: [东财滚动新闻, 要闻]',
      '---',
      '',
      '正文一句。',
      '',
      '<http://finance.eastmoney.com/news/1,2.html>',
      '',
      '[返回东财滚动新闻](//finews.withounder.com/emnews/)｜[返回首页](//finews.withounder.com/)',
    ].join('\n');
    const post = parsePost(rawPost('x', text));
    assert.equal(post.format, 'jekyll');
    assert.equal(post.publishedAt, '2021-12-08T10:46:18+08:00');
    assert.deepEqual(post.tags, ['东财滚动新闻', '要闻']);
    assert.deepEqual(post.paragraphs, ['正文一句。']);
  });

  test('a date tagged !!timestamp, which yaml turns into a Date, is still the publication date', () => {
    const post = parsePost(rawPost('x', '---\ntitle: "标题"\ndate: !!timestamp 2021-12-08 10:46:18\n---\n\n正文一句。\n'));
    assert.equal(post.publishedAt, '2021-12-08T10:46:18.000Z');
  });
});

describe('gov.cn policy-library pages', () => {
  test('metadata table → meta, title and publication date; body paragraphs with &nbsp; and U+3000 collapsed', () => {
    const post = parsePost(corpusPost('govcn-2018-11-09-content_5338761.html'));
    assert.deepEqual(
      { ...post.meta },
      {
        索引号: '000014349/2018-00204',
        主题分类: '综合政务\\政务公开',
        发文机关: '国务院办公厅',
        成文日期: '2018年10月27日',
        标题: '国务院办公厅关于印发《政府网站集约化试点工作方案》的通知',
        发文字号: '国办函〔2018〕71号',
        发布日期: '2018年11月09日',
        主题词: '',
      },
    );
    assert.equal(post.title, '国务院办公厅关于印发《政府网站集约化试点工作方案》的通知');
    assert.equal(post.publishedAt, '2018-11-09');
    assert.ok(post.paragraphs.includes('国务院办公厅'), 'signature padded with &nbsp; is trimmed');
    assert.ok(post.paragraphs.includes('2018年10月27日'));
    assert.ok(post.paragraphs.includes('（一）指导思想。'));
    assert.ok(!post.paragraphs.some((p) => p.includes('扫一扫')), 'nothing after the body cell');
  });

  test('attachment tables stay out of the paragraphs', () => {
    const post = parsePost(corpusPost('govcn-2019-01-30-content_5362266.html'));
    assert.ok(post.paragraphs.some((p) => p.startsWith('（五）做好督导总结宣传。')));
    assert.ok(post.paragraphs.includes('三级公立医院绩效考核指标'), 'the attachment title is text, its table is not');
    assert.ok(post.paragraphs.length < 100, `the indicator table's cells are not paragraphs (${post.paragraphs.length})`);
  });

  test('numbers split across tags are joined; letter-spaced titles keep their text', () => {
    const html =
      '<div class="wrap"><table><tr><td><b>标　　题：</b></td><td>国家粮食应急预案</td></tr></table>' +
      '<table><tr><td id="UCAP-CONTENT"><p><b>国 家 粮 食 应 急 预 案</b></p><p><span>1</span><span>.</span><span>2</span>&nbsp;&nbsp;编制依据</p></td></tr></table>' +
      '<div>页脚</div></div>';
    const post = parsePost(rawPost('p', html));
    assert.equal(post.title, '国家粮食应急预案');
    assert.deepEqual(post.paragraphs, ['国 家 粮 食 应 急 预 案', '1.2 编制依据']);
  });
});

describe('gov.cn pages in UTF-8 are parsed over their bytes, and only their text is decoded', () => {
  /** The same page decoded whole, then parsed: the ordinary path. */
  const decodedWhole = (raw: RawPost) => ({ source: raw.source, sourceId: raw.sourceId, url: raw.url, format: 'govcn', ...parseGovcn(new TextDecoder().decode(raw.bytes)) });

  test('every bundled gov.cn page gives exactly what decoding the whole page gives', () => {
    const pages = corpusFileNames().filter((f) => f.startsWith('govcn-'));
    assert.ok(pages.length >= 20);
    for (const f of pages) assert.deepEqual(parsePost(corpusPost(f)), decodedWhole(corpusPost(f)), f);
  });

  test('a BOM, entities beside multi-byte text, and a declared GBK charset', () => {
    const body = '<td id="UCAP-CONTENT"><p>第一条　价格&amp;数量&nbsp;不变&#x3002;</p></td>';
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(body)]);
    assert.deepEqual(parsePost(rawPost('bom', bom)).paragraphs, ['第一条 价格&数量 不变。']);
    // 中文 in GBK: not UTF-8, and read by the page's declared charset.
    const gbk = new Uint8Array([...Buffer.from('<meta charset="gbk"><td id="UCAP-CONTENT"><p>'), 0xd6, 0xd0, 0xce, 0xc4, ...Buffer.from('</p></td>')]);
    assert.deepEqual(parsePost(rawPost('gbk', gbk)).paragraphs, ['中文']);
  });
});

describe('plain markdown', () => {
  test('a law: title, history before INFO END in meta, headings and articles as paragraphs', () => {
    const text =
      '# 中华人民共和国测试法\n\n2007年8月30日 第十届全国人民代表大会常务委员会第二十九次会议通过\n\n<!-- INFO END -->\n\n## 第一章　总则\n\n第一条　为了测试，制定本法。\n\n第二条 本法适用于测试。\n';
    const post = parsePost(rawPost('law', text));
    assert.equal(post.format, 'lawmd');
    assert.equal(post.title, '中华人民共和国测试法');
    assert.equal(post.meta.history, '2007年8月30日 第十届全国人民代表大会常务委员会第二十九次会议通过');
    assert.deepEqual(post.paragraphs, ['第一章 总则', '第一条 为了测试，制定本法。', '第二条 本法适用于测试。']);
  });

  test('a 新闻联播 transcript: programme date from the title', () => {
    const post = parsePost(corpusPost('xwlb-20221212.md'));
    assert.equal(post.title, '《新闻联播》 (20221212)');
    assert.equal(post.publishedAt, '2022-12-12');
    assert.equal(post.paragraphs[0], '新闻摘要');
  });
});

describe('bad input is rejected with a reason a user can act on', () => {
  const rejects = (bytes: Uint8Array | string, stage: string, reason: RegExp): void => {
    assert.throws(
      () => parsePost(rawPost('bad', bytes)),
      (e: unknown) => e instanceof PostError && e.stage === stage && e.sourceId === 'bad' && reason.test(e.message),
    );
  };

  test('empty file', () => {
    rejects(new Uint8Array(0), 'parse', /empty/);
    rejects(' \n\n', 'parse', /only whitespace/);
  });
  test('binary junk', () => {
    rejects(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a]), 'parse', /binary/);
    rejects('text\u0001\u0002more', 'parse', /control character/);
  });
  test('front matter never closed', () => rejects('---\ntitle: "x"\ndate: 2021-12-08\n\n<p>正文</p>\n', 'parse', /never closed/));
  test('front matter that is not YAML', () => rejects('---\ntitle: "unterminated\ndate: [1, 2\n---\n\n正文\n', 'parse', /not valid YAML/));
  test('front matter that is not a mapping', () => rejects('---\n- a\n- b\n---\n\n正文\n', 'parse', /mapping/));
  test('a body with no paragraphs', () => {
    rejects('---\ntitle: "x"\n---\n\n<http://a.b/c>\n\n[返回首页](../)\n', 'parse', /no text paragraphs/);
    rejects('# 只有标题\n', 'parse', /no paragraphs/);
    rejects('# 只有标题\n', 'parse', /has a title but no paragraphs/);
    rejects('（更新时间戳: 1664115469821）\n', 'parse', /has no title and no paragraphs/);
  });
  test('UTF-16 with a BOM is text, not binary', () => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from('# 标题\n\n第一条 内容。\n', (c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]).flat()]);
    assert.equal(parsePost(rawPost('u16', utf16)).title, '标题');
  });
  test('invalid UTF-8', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('---\ntitle: x\n---\n正文'), 0xff, 0xfe]);
    rejects(bytes, 'decode', /invalid utf-8 bytes at byte/);
  });
});

describe('unreadable or runaway metadata is published empty or cut, with a warning', () => {
  const badPost = (name: string): RawPost => rawPost(name, readFileSync(join(ROOT, 'tests', 'fixtures', 'bad', `${name}.md`)));
  const original = parsePost(corpusPost('2021-12-08-202112082206885265.md'));

  test('real posts warn of nothing but the finews post whose date is only an offset', () => {
    const warned = corpusFileNames().filter((name) => parsePost(corpusPost(name)).warnings.length > 0);
    assert.deepEqual(warned, ['-202205262391921712.md']);
    // `date:  +0800`: YAML reads the number 800.
    assert.deepEqual(parsePost(corpusPost(warned[0])).warnings, ['front matter date: 800 (read as a number) is not a date (e.g. 2022-01-06 15:04:39 +0800): published_at is left empty']);
  });

  test('date: 0, a day the calendar lacks and words: published_at is empty and a warning says why', () => {
    const zero = parsePost(badPost('date-zero'));
    assert.equal(zero.publishedAt, null);
    assert.deepEqual(zero.warnings, ['front matter date: 0 (read as a number) is not a date (e.g. 2022-01-06 15:04:39 +0800): published_at is left empty']);
    const notADay = parsePost(badPost('date-not-a-day'));
    assert.equal(notADay.publishedAt, null, 'DuckDB cannot cast 2021-02-30: it must not reach the store');
    assert.deepEqual(notADay.warnings, ['front matter date: "2021-02-30 12:05:03" is not a date (e.g. 2022-01-06 15:04:39 +0800): published_at is left empty']);
    for (const date of ['soon', '2021-12-08 25:00:00', '2021-13-01', '+0800']) {
      const post = parsePost(rawPost('words', `---\ntitle: 标题\ndate: ${date}\n---\n\n正文。\n`));
      assert.equal(post.publishedAt, null, date);
      assert.match(post.warnings.join(), /front matter date: .* is not a date/, date);
    }
    // The rest of the post is read as before.
    assert.deepEqual({ ...zero, sourceId: original.sourceId, url: original.url, publishedAt: original.publishedAt, warnings: [] }, original);
  });

  test('a title that is a list is left empty, with a warning naming the value', () => {
    const post = parsePost(badPost('title-list'));
    assert.equal(post.title, '');
    assert.deepEqual(post.warnings, ['front matter title: ["融信中国已于公开市场回购合计本金额1191万美元的部分票据","部分票据"] is a list, not text: the title is left empty']);
  });

  test('no date and no title are no warning: nothing was there to read', () => {
    assert.deepEqual(parsePost(rawPost('bare', '---\nlayout: post\n---\n\n正文。\n')).warnings, []);
  });

  test('a title over 2,000 characters is cut to its first 2,000, with a warning giving its length', () => {
    const post = parsePost(badPost('long-title'));
    assert.equal(Array.from(post.title).length, 2000);
    assert.ok(original.title.repeat(200).startsWith(post.title));
    assert.deepEqual(post.warnings, ['the title is 5,800 characters long: cut to its first 2,000']);
    assert.deepEqual(post.paragraphs, original.paragraphs);
  });
});
