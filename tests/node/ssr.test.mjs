// The package under server rendering: importing it in Node does nothing (no globals, no fetch,
// no timers), and `createCheckout` there rejects with a typed `unsupported` error instead of a
// raw `TypeError: fetch failed`. Runs against the built pkg/.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('importing the package in Node has no side effects; createCheckout rejects with unsupported', async () => {
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  const realFetch = globalThis.fetch;
  let fetched = 0;
  globalThis.fetch = (...args) => { fetched += 1; return realFetch(...args); };
  try {
    const pasarela = await import('../../pkg/pasarela.mjs');
    const added = Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k));
    assert.deepEqual(added, [], 'no global defined by the import');
    const e = await pasarela.createCheckout({ provider: 'conekta' }).then(() => null, (err) => err);
    assert.ok(e instanceof pasarela.PasarelaError && e instanceof Error);
    assert.equal(e.code, 'unsupported');
    assert.match(e.message, /browser/);
    assert.equal(fetched, 0, 'nothing was fetched');
  } finally {
    globalThis.fetch = realFetch;
  }
});
