import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sentenceSpans } from '../../src/extract/sentences.ts';

const sentences = (text: string) => sentenceSpans(text).map((s) => text.slice(s.start, s.end));

describe('sentenceSpans', () => {
  test('each sentence keeps its final mark; the ASCII marks ; ! ? split too', () => {
    assert.deepEqual(sentences('推进改革;完善政策!好吗?最后一句'), ['推进改革;', '完善政策!', '好吗?', '最后一句']);
  });

  test('spaces around a sentence (ASCII, U+3000, no-break space, newlines) are trimmed', () => {
    const text = ' \u3000推进改革。\n\u00a0完善政策。 ';
    assert.deepEqual(sentences(text), ['推进改革。', '完善政策。']);
    const [first] = sentenceSpans(text);
    assert.deepEqual(first, { start: 2, end: 7 });
  });

  test('a lone mark, or marks in a row, make no empty sentences', () => {
    assert.deepEqual(sentences('。推进改革。。；'), ['推进改革。']);
  });

  test('a quote, title or bracket left open runs to the end of the text', () => {
    assert.deepEqual(sentences('他说“第一句。第二句。'), ['他说“第一句。第二句。']);
  });

  test('a closing mark without its opening one does not hold the next sentences together', () => {
    assert.deepEqual(sentences('附注）推进改革。完善政策。'), ['附注）推进改革。', '完善政策。']);
  });

  test('nested quotes close one level at a time', () => {
    assert.deepEqual(sentences('落实《关于“试点；推广”的意见》。完善政策。'), ['落实《关于“试点；推广”的意见》。', '完善政策。']);
  });
});
