import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { request } from 'undici';

test('tests are offline: a connection to a public host is refused before it leaves the machine', async () => {
  assert.throws(() => connect(80, '93.184.216.34'), /tests are offline: a connection to 93\.184\.216\.34:80 was refused/);
  await assert.rejects(request('https://example.com/', { headersTimeout: 5000 }), /tests are offline: a connection to example\.com:443 was refused/);
});
