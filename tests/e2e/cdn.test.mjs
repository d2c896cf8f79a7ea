// The script-tag build from a CDN: the page on one origin, the package on another that sends
// CORS headers (as unpkg and jsDelivr do). `pasarela.js` finds `pasarela.mjs` and the wasm beside
// itself, so nothing but `Access-Control-Allow-Origin` is needed on the CDN.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fillConektaCard, optionsFor, suiteWorld, waitForEvent } from './helpers.mjs';

const PKG = new URL('../../pkg/', import.meta.url).pathname;
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** A CDN: pkg/ on its own origin, with or without CORS. */
async function startCdn({ cors }) {
  const server = createServer(async (req, res) => {
    const file = normalize(join(PKG, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    try {
      if (!file.startsWith(PKG)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', ...(cors ? { 'Access-Control-Allow-Origin': '*' } : {}) });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

describe('script tag from another origin', () => {
  const ctx = suiteWorld();
  let cdn;
  before(async () => { cdn = await startCdn({ cors: true }); });
  after(() => cdn.close());

  it("pasarela.js from a CORS-enabled CDN loads its entry and its provider's glue and wasm from there, and pays", async () => {
    const { page, consoleLines } = ctx.tab;
    await page.addScriptTag({ url: `${cdn.url}/pasarela.js` });
    await page.addStyleTag({ url: `${cdn.url}/pasarela.css` });
    const opts = optionsFor(ctx.world, 'conekta');
    await page.evaluate(async (o) => {
      window.__events = [];
      const c = await window.Pasarela.createCheckout(o);
      window.checkout = c;
      for (const e of ['ready', 'result', 'error']) c.on(e, (p) => window.__events.push({ name: e, payload: JSON.parse(JSON.stringify(p)) }));
    }, opts);
    await waitForEvent(ctx.tab.page, 'ready');
    await fillConektaCard(page, '4242424242424242');
    const r = await page.evaluate(() => checkout.pay().then((x) => x.status));
    assert.equal(r, 'approved');
    assert.equal((await ctx.world.state()).charges.length, 1);
    const fromCdn = await page.evaluate((origin) => performance.getEntriesByType('resource')
      .filter((e) => e.name.startsWith(origin)).map((e) => e.name.split('/').pop()).sort(), cdn.url);
    // Its provider's glue and wasm only: a Conekta page loads nothing of Bamboo's or KR's; and,
    // once ready, the part loaded on demand, from there too.
    assert.deepEqual(fromCdn, ['pasarela.css', 'pasarela.js', 'pasarela.mjs', 'pasarela_conekta.js', 'pasarela_conekta_bg.wasm',
      'pasarela_extra.css', 'pasarela_extra.mjs']);
    assert.ok(!consoleLines.some((l) => /error/i.test(l)), consoleLines.join('\n'));
  });
  it('from a CDN without CORS, createCheckout rejects with window.Pasarela.PasarelaError, and a retry can succeed', async () => {
    const bare = await startCdn({ cors: false });
    try {
      const { page } = ctx.tab;
      await page.addScriptTag({ url: `${bare.url}/pasarela.js` });
      const opts = optionsFor(ctx.world, 'conekta');
      const failed = await page.evaluate((o) => window.Pasarela.createCheckout(o).then(() => 'resolved', (e) => ({
        isPasarelaError: e instanceof window.Pasarela.PasarelaError, name: e.name, code: e.code, retryable: e.retryable,
      })), opts);
      assert.deepEqual(failed, { isPasarelaError: true, name: 'PasarelaError', code: 'script_load_failed', retryable: true });
      // The entry's own errors pass the same instanceof (another page, a working CDN).
      await page.goto(`${ctx.world.url}/harness.html`);
      await page.addScriptTag({ url: `${cdn.url}/pasarela.js` });
      const invalid = await page.evaluate((o) => window.Pasarela.createCheckout({ ...o, order: { ...o.order, amount: -1 } })
        .catch((e) => ({ isPasarelaError: e instanceof window.Pasarela.PasarelaError, code: e.code, field: e.field })), opts);
      assert.deepEqual(invalid, { isPasarelaError: true, code: 'invalid_options', field: 'order.amount' });
    } finally {
      await bare.close();
    }
  });
});
