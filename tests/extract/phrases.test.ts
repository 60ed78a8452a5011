import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PhraseMatcher } from '../../src/extract/phrases.ts';

const found = <V>(m: PhraseMatcher<V>, text: string) => m.findAll(text).map((x) => [text.slice(x.start, x.end), x.value]);

describe('PhraseMatcher', () => {
  const agencies = new PhraseMatcher([
    ['国务院', 'state-council'],
    ['国务院办公厅', 'general-office'],
    ['办公厅', 'office'],
  ] as const);

  test('the longest phrase at a position wins, and the scan resumes after it (no overlapping match)', () => {
    assert.deepEqual(found(agencies, '国务院办公厅印发'), [['国务院办公厅', 'general-office']]);
  });

  test('a longer phrase that breaks off falls back to the longest complete one, and the rest is scanned on', () => {
    assert.deepEqual(found(agencies, '国务院办公室与省政府办公厅'), [
      ['国务院', 'state-council'],
      ['办公厅', 'office'],
    ]);
  });

  test('matches at the very start and end of the text, back to back', () => {
    assert.deepEqual(found(agencies, '国务院国务院'), [
      ['国务院', 'state-council'],
      ['国务院', 'state-council'],
    ]);
  });

  test('a prefix of a phrase alone, or a text without any phrase, matches nothing', () => {
    assert.deepEqual(found(agencies, '国务'), []);
    assert.deepEqual(found(agencies, ''), []);
    assert.deepEqual(found(agencies, '推进改革试点'), []);
  });

  test('a later phrase of the same printed form replaces the earlier', () => {
    const m = new PhraseMatcher([
      ['支持', 'first'],
      ['支持', 'second'],
    ]);
    assert.deepEqual(found(m, '大力支持'), [['支持', 'second']]);
  });

  test('ten thousand phrases sharing prefixes are each found as themselves (the edge table past its first slots)', () => {
    const phrases = Array.from({ length: 10_000 }, (_, i) => [`试点${i.toString(36)}号`, i] as const);
    const m = new PhraseMatcher(phrases);
    for (const [phrase, value] of phrases) assert.deepEqual(found(m, `开展${phrase}工作`), [[phrase, value]], phrase);
  });
});
