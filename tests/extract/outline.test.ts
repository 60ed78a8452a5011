import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extractOutline } from '../../src/extract/outline.ts';
import { matchLabel } from '../../src/extract/labels.ts';

const tree = (paragraphs: string[]) => extractOutline(paragraphs, false).provisions.map((p) => [p.path, p.level, p.parent_path, p.label]);

describe('outline numbering', () => {
  test('一、 / （一） / 1. nest by style, and each (一) numbering restarts under its 一、', () => {
    assert.deepEqual(tree(['一、总体要求', '（一）指导思想。', '（二）基本原则。', '二、重点任务', '（一）推进改革。', '1.开展试点。', '2.总结推广。']), [
      ['1', 1, null, '一、'],
      ['1.1', 2, '1', '（一）'],
      ['1.2', 2, '1', '（二）'],
      ['2', 1, null, '二、'],
      ['2.1', 2, '2', '（一）'],
      ['2.1.1', 3, '2.1', '1.'],
      ['2.1.2', 3, '2.1', '2.'],
    ]);
  });

  test('a style already open is a sibling at its level: 二、 after a 1. closes the items below 一、', () => {
    assert.deepEqual(
      tree(['一、任务', '1.甲', '二、保障']).map(([path, level]) => [path, level]),
      [
        ['1', 1],
        ['1.1', 2],
        ['2', 1],
      ],
    );
  });

  test('chapters and articles: a 第X章 closes the open article; items of an article sit two levels below it', () => {
    assert.deepEqual(tree(['第一章 总则', '第一条 为了规范管理，制定本条例。', '（一）适用范围；', '第二章 附则', '第二条 本条例自公布之日起施行。']), [
      ['1', 1, null, '第一章'],
      ['1.1', 2, '1', '第一条'],
      ['1.1.1', 4, '1.1', '（一）'],
      ['2', 1, null, '第二章'],
      ['2.2', 2, '2', '第二条'],
    ]);
  });

  test('a 第X节 closes the items open under its chapter, but stays inside the chapter', () => {
    assert.deepEqual(
      tree(['第一章 总则', '第一节 一般规定', '一、原则', '第二节 特别规定']).map(([path, level]) => [path, level]),
      [
        ['1', 1],
        ['1.1', 2],
        ['1.1.1', 3],
        ['1.2', 2],
      ],
    );
  });

  test('unlabelled paragraphs are the text of the node before them; text before the first label belongs to none', () => {
    const { provisions, owner } = extractOutline(['各地区、各部门：', '一、总体要求', '坚持稳中求进。', '二、重点任务'], false);
    assert.deepEqual([...owner], [-1, 0, 0, 1]);
    assert.equal(provisions[0].heading, '总体要求');
    assert.equal(provisions[0].text, '坚持稳中求进。');
  });

  test('the text ends at the first 附件 marker after numbering began', () => {
    const { provisions, end } = extractOutline(['附件说明在前', '一、任务', '附件2', '1.表格一行'], false);
    assert.equal(end, 2);
    assert.deepEqual(
      provisions.map((p) => p.path),
      ['1'],
    );
  });

  test('labels: Chinese numerals to printed numbers, 第十七条之一 as 17-1, full- and half-width brackets', () => {
    // An article's label is followed by a space (or nothing): 第X条 run into the text is a cross-reference.
    const labels = ['二十三、推进改革', '（十二）推进改革', '(五)推进改革', '第十七条之一 推进改革', '3．推进改革', '（12）推进改革', '⑤推进改革', '三是推进改革'].map(matchLabel);
    assert.deepEqual(
      labels.map((l) => [l?.style, l?.number]),
      [
        ['cn', '23'],
        ['paren-cn', '12'],
        ['paren-cn', '5'],
        ['tiao', '17-1'],
        ['arabic', '3'],
        ['paren-arabic', '12'],
        ['circled', '5'],
        ['shi', '3'],
      ],
    );
  });

  test('a number that is part of the sentence, or a long 第X章 sentence, is no label', () => {
    assert.equal(matchLabel('2025年底前完成'), null);
    assert.equal(matchLabel('第十七条规定的情形'), null);
    assert.equal(matchLabel('第三章规定的事项，应当依照本条例执行。'), null);
  });
});
