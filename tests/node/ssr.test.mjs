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

test('pasarela/react renders on the server to its empty container, with no checkout started', async () => {
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  const realFetch = globalThis.fetch;
  let fetched = 0;
  globalThis.fetch = (...args) => { fetched += 1; return realFetch(...args); };
  try {
    const { createElement } = await import('react');
    const { renderToString } = await import('react-dom/server');
    const { PasarelaCheckout, usePasarelaCheckout } = await import('../../pkg/react.mjs');
    assert.equal(typeof usePasarelaCheckout, 'function');
    const added = Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k));
    assert.deepEqual(added, [], 'no global defined by the import');
    const options = { provider: 'conekta', publicKey: 'key_x', order: { id: 'A', amount: 100, currency: 'MXN' }, merchant: { paymentUrl: '/pay' } };
    let errors = 0;
    const html = renderToString(createElement(PasarelaCheckout, { options, id: 'checkout', className: 'pay', onError: () => { errors += 1; } }));
    assert.equal(html, '<div class="pay" id="checkout"></div>');
    assert.equal(errors, 0, 'effects do not run on the server');
    assert.equal(fetched, 0, 'nothing was fetched');
  } finally {
    globalThis.fetch = realFetch;
  }
});
