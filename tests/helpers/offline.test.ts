import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { request } from 'undici';

// Addresses that lead nowhere even if the guard failed (RFC 5737's documentation range, RFC 2606's .invalid): only the guard's own message passes.
test('tests are offline: a connection to a host off the loopback is refused before it leaves the machine', async () => {
  assert.throws(() => connect(80, '203.0.113.7'), /tests are offline: a connection to 203\.0\.113\.7:80 was refused/);
  await assert.rejects(request('https://zhengce-offline.invalid/', { headersTimeout: 5000 }), /tests are offline: a connection to zhengce-offline\.invalid:443 was refused/);
});
