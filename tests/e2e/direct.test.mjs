// The direct path, in Chromium: the storefront's backend opens a session at the merchant service
// (server/) and hands the page its client secret; the page then pays the service itself, across
// origins (CORS), and the service charges the session's price, not the page's. The page accepts
// only an https:// service on another origin, so the service is reached as in production, behind
// a TLS front (here a self-signed one the test browser is told to accept).
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, mount, openPage, optionsFor, payInPage, payWithBambooCard, shopper, suiteWorld, waitForEvent } from './helpers.mjs';

/** An https:// front for `target` (TLS terminated here, as a load balancer does), on a free port. */
async function tlsFront(target) {
  const dir = mkdtempSync(join(tmpdir(), 'pasarela-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const seen = [];
  const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const up = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `https://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

/** What a storefront's backend does before rendering the page: a session, its client secret. */
async function backendSession(world, body) {
  const r = await fetch(`${world.url}/merchant/session`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, 200);
  return r.json();
}

describe('paying the merchant service directly with a client secret', () => {
  const ctx = suiteWorld();
  let front;
  before(async () => { front = await tlsFront(ctx.world.sandbox.merchant.url); });
  after(async () => { await front?.close(); });
  const direct = (session) => ({ paymentUrl: `${front.url}/pay`, clientSecret: session.clientSecret, retries: 1 });
  /** A page of the storefront on `origin`, in a browser context that trusts the test's TLS front. */
  const storefrontPage = (origin = ctx.world.url) => openPage({ ...ctx.world, url: origin }, '/harness.html', undefined, { ignoreHTTPSErrors: true });
  const payStatus = async (page, opts) => { const r = await payInPage(page, opts); return { status: r.status, code: r.error?.code }; };

  it('Bamboo new card: one cross-origin request to the service, the session charged once', async () => {
    const { page, consoleLines, close } = await storefrontPage();
    try {
      const opts = optionsFor(ctx.world, 'bamboo');
      const session = await backendSession(ctx.world, { provider: 'bamboo', order: opts.order, customer: { email: 'ana@example.com' } });
      assert.deepEqual(await mount(page, { ...opts, merchant: direct(session) }), { ok: true });
      await waitForEvent(page, 'ready');
      await payWithBambooCard(page, '4111111111111111');
      const result = await waitForEvent(page, 'result');
      assert.equal(result.status, 'approved');
      const state = await ctx.world.state();
      assert.equal(state.requests.length, 0, 'nothing went through the storefront backend');
      assert.deepEqual(state.charges.map((c) => c.order), [opts.order]);
      assert.equal(state.bamboo.purchases.length, 1);
      assert.ok(!consoleLines.some((l) => l.includes(session.clientSecret) || /OT__/.test(l)), consoleLines.join('\n'));
      const html = await page.evaluate(() => document.documentElement.outerHTML);
      assert.ok(!html.includes(session.clientSecret), 'the client secret stays out of the DOM');
    } finally { await close(); }
  });

  it('a page showing another amount than the session is refused, and nothing is charged', async () => {
    const { page, close } = await storefrontPage();
    try {
      const opts = optionsFor(ctx.world, 'bamboo');
      const session = await backendSession(ctx.world, { provider: 'bamboo', order: { ...opts.order, amount: 9900 } });
      await mount(page, { ...opts, merchant: direct(session) });
      await waitForEvent(page, 'ready');
      await payWithBambooCard(page, '4111111111111111');
      const error = await waitForEvent(page, 'error');
      assert.equal(error.code, 'merchant_rejected');
      // The status is the developer's (`details`); the shopper reads words, never "422".
      assert.equal(error.details, 'HTTP 422');
      assert.doesNotMatch(error.message, /422/);
      const state = await ctx.world.state();
      assert.equal(state.charges.length, 0);
      assert.equal(state.bamboo.purchases.length, 0);
    } finally { await close(); }
  });

  it('Conekta one-click: the session lists the customer’s cards, and another customer’s session cannot use them', async () => {
    const saved = await shopper(ctx.world, 'conekta', ['4242424242424242']);
    const opts = optionsFor(ctx.world, 'conekta', { order: { id: `D-${Date.now()}`, amount: 25000, currency: 'MXN' } });
    const ana = await backendSession(ctx.world, { provider: 'conekta', order: opts.order, customer: { email: 'ana@example.com' } });
    assert.deepEqual(ana.profiles.map((p) => p.id), saved.profiles.map((p) => p.id));
    assert.ok(ana.profiles.every((p) => !JSON.stringify(p).includes('src_')), 'display fields only');

    // Bob's page tries Ana's saved card: refused by the service.
    const bob = await backendSession(ctx.world, { provider: 'conekta', order: opts.order, customer: { email: 'bob@example.com' } });
    const bobs = await storefrontPage();
    try {
      assert.deepEqual(await mount(bobs.page, { ...opts, profiles: ana.profiles, merchant: direct(bob) }), { ok: true });
      await waitForEvent(bobs.page, 'ready');
      assert.deepEqual(await payStatus(bobs.page, { profileId: ana.profiles[0].id }), { status: 'error', code: 'merchant_rejected' });
      assert.equal((await ctx.world.state()).conekta.orders.length, 0);
    } finally { await bobs.close(); }

    const anas = await storefrontPage();
    try {
      await mount(anas.page, { ...opts, profiles: ana.profiles, merchant: direct(ana) });
      await waitForEvent(anas.page, 'ready');
      assert.deepEqual(await payStatus(anas.page, { profileId: ana.profiles[0].id }), { status: 'approved', code: undefined });
      const state = await ctx.world.state();
      assert.equal(state.conekta.orders.length, 1);
      assert.deepEqual(state.charges.map((c) => c.order.amount), [25000]);
    } finally { await anas.close(); }
  });

  it('a storefront origin the service does not allow cannot pay it (CORS), and nothing is charged', async () => {
    front.seen.length = 0;
    const elsewhere = ctx.world.url.replace('127.0.0.1', 'localhost');
    const { page, close } = await storefrontPage(elsewhere);
    try {
      const opts = optionsFor({ ...ctx.world, url: elsewhere }, 'bamboo');
      const session = await backendSession(ctx.world, { provider: 'bamboo', order: opts.order });
      assert.deepEqual(await mount(page, { ...opts, merchant: direct(session) }), { ok: true });
      await waitForEvent(page, 'ready');
      await payWithBambooCard(page, '4111111111111111');
      const error = await waitForEvent(page, 'error');
      assert.equal(error.code, 'network');
      assert.ok((await events(page)).some((e) => e.name === 'token'), 'the card was tokenized; only the service refused the origin');
      assert.ok(front.seen.includes('OPTIONS /pay'), 'the browser asked (preflight)');
      assert.ok(!front.seen.includes('POST /pay'), 'and, refused, never sent the payment');
      const state = await ctx.world.state();
      assert.equal(state.bamboo.purchases.length, 0);
      assert.equal(state.charges.length, 0);
    } finally { await close(); }
  });
});
