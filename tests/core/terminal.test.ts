import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeControls, escapeJsonControls } from '../../src/core/terminal.ts';

test('escapeControls shows C0, DEL and C1 controls as \\xHH and leaves text and tabs', () => {
  assert.equal(escapeControls('a\x1b[31mb\x07c\x9b2Jd\x7fe\x00f\rg'), 'a\\x1b[31mb\\x07c\\x9b2Jd\\x7fe\\x00f\\x0dg');
  assert.equal(escapeControls('国务院\t关于'), '国务院\t关于');
  assert.equal(escapeControls('one\ntwo'), 'one\\x0atwo');
  assert.equal(escapeControls('one\ntwo\r\x1b', { keepNewlines: true }), 'one\ntwo\\x0d\\x1b');
});

test('escapeJsonControls escapes the DEL and C1 controls JSON.stringify leaves raw, keeping the value', () => {
  const value = { name: 'a\x1bb\x9bc\x7fd\u00a0e' };
  const json = escapeJsonControls(JSON.stringify(value));
  assert.doesNotMatch(json, /[\x00-\x1f\x7f-\x9f]/);
  assert.deepEqual(JSON.parse(json), value);
});
