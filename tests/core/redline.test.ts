import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeContext, changeContextMarkup, redlinePieces } from '../../src/core/redline.ts';

test('the diff markup reads into pieces, and its context is the sentences that hold a change', () => {
  assert.deepEqual(redlinePieces('到202[-5-]{+6+}年'), [
    { kind: 'same', text: '到202' },
    { kind: 'del', text: '5' },
    { kind: 'ins', text: '6' },
    { kind: 'same', text: '年' },
  ]);
  // A change deep in a long provision: the sentences around it are left out, the one that holds it is whole.
  const before = '第一句不变。'.repeat(40);
  const diff = `${before}公司应当在[-十日-]{+十五日+}内通知债权人；其后一句也不变。最后一句。`;
  assert.equal(changeContextMarkup(diff), '…公司应当在[-十日-]{+十五日+}内通知债权人；…');
  // An inserted sentence is shown with the text up to the next sentence end; the unchanged sentence before it is left out.
  assert.equal(changeContextMarkup('甲。{+新增的一句。+}乙。'), '…{+新增的一句。+}乙。');
  // No markup: the text as it is.
  assert.deepEqual(changeContext('没有变化。'), [{ kind: 'same', text: '没有变化。' }]);
});
