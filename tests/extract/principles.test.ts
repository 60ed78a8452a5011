// Principles by the gold rules (../shared/gold/README.md): the short titles of the items under a heading that names
// principles (基本原则, 工作原则, 清理整顿的原则 …), and —— bullets. Real texts of ../shared/corpus and corpus-laws.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ParsedPost } from '../../src/core/types.ts';
import { extractDocument } from '../../src/extract/index.ts';
import { parsePost } from '../../src/parse/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { corpusPost, rawPost } from '../parse/helpers.ts';

const LAWS = join(ROOT, '..', 'shared', 'corpus-laws');

describe('articles under a chapter that names principles are no principles: an article has no short title', { skip: existsSync(LAWS) ? false : `${LAWS} not found` }, () => {
  const principlesOf = (file: string) => extractDocument(parsePost(rawPost(file, readFileSync(join(LAWS, file))))).principles.map((p) => p.title);

  test('刑事诉讼法 第一章 任务和基本原则, 民事诉讼法 第一章 任务、适用范围和基本原则 and 第二十三章 一般原则', () => {
    assert.deepEqual(principlesOf('诉讼与非诉讼程序法/刑事诉讼法(2018-10-26).md'), []);
    assert.deepEqual(principlesOf('诉讼与非诉讼程序法/民事诉讼法(2021-12-24).md'), []);
  });

  test('nor the second paragraph of such an article (公安机关办理刑事案件程序规定 第十一条)', () => {
    assert.deepEqual(principlesOf('部门规章/公安部/公安机关办理刑事案件程序规定(2020-07-20).md'), []);
  });
});

describe('items titled …的原则 under a principles heading of an older document', () => {
  // The corpus prints no such section: the heading and the long item are 重新组建仲裁机构方案 (corpus-laws, 1995),
  // its 一、 and its 二、(三) paragraph; the two items are titled with principles corpus-laws prints (国防交通条例:
  // 统一领导、分级负责、统筹规划、平战结合的原则; 国有土地上房屋征收与补偿条例: 决策民主、程序正当、结果公开的原则).
  const post = (paragraphs: string[]): ParsedPost => ({ ...parsePost(corpusPost('govcn-2018-12-03-content_5345397.html')), paragraphs });
  const principlesOf = (paragraphs: string[]) => extractDocument(post(paragraphs)).principles.map((p) => [p.path, p.title]);

  test('an item that is only its title …的原则 is a principle; a long item among them, titled otherwise, is not', () => {
    assert.deepEqual(
      principlesOf([
        '一、关于重新组建仲裁机构的原则',
        '(一)统一领导、分级负责、统筹规划、平战结合的原则。',
        '(二)决策民主、程序正当、结果公开的原则。',
        '(三)仲裁委员会由主任1人、副主任2至4人和委员7至11人组成。其中，驻会专职组成人员1至2人，其他组成人员均为兼职。',
        '二、关于仲裁委员会',
        '(一)依法可以设立仲裁委员会的市只能组建一个统一的仲裁委员会，不得按照不同专业设立专业仲裁委员会或者专业仲裁庭。',
      ]),
      [
        ['1.1', '统一领导、分级负责、统筹规划、平战结合的原则'],
        ['1.2', '决策民主、程序正当、结果公开的原则'],
      ],
    );
  });

  test('the document’s own items, whole sentences without short titles, are none', () => {
    // 重新组建仲裁机构方案 一、 as printed.
    assert.deepEqual(
      principlesOf([
        '一、关于重新组建仲裁机构的原则',
        '(一)全面、准确地把握《中华人民共和国仲裁法》(以下简称仲裁法)精神，严格依照仲裁法组建。',
        '(二)体现全心全意为人民服务的宗旨，保证仲裁能够按照公正、及时的原则解决经济纠纷。',
        '(三)从实际情况出发，根据需要与可能进行组建。',
        '(四)统一认识，加强领导，调动各方面的积极因素，保证仲裁工作平稳过渡。',
      ]),
      [],
    );
  });
});
