// The worst day: a fault-injecting merchant and provider emulators, driven from Chromium.
// Every case asserts what the merchant received (requests, charges) and what the page saw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conektaForm, events, eventNames, fillConektaCard, fillKrCard, krOptions, mount, openPage, optionsFor, payInPage, payWithBambooCard, waitForEvent, suiteWorld } from './helpers.mjs';

const PROVIDERS = ['bamboo', 'conekta', 'kr'];
const GOOD = { bamboo: '4111111111111111', conekta: '4242424242424242', kr: '4970100000000055' };

describe('fault injection', () => {
  const ctx = suiteWorld();

  async function ready(page, provider, extra = {}) {
    const opts = provider === 'kr' ? await krOptions(ctx.world, extra) : optionsFor(ctx.world, provider, extra);
    const m = await mount(page, opts);
    assert.deepEqual(m, { ok: true });
    await waitForEvent(page, 'ready');
    await (provider === 'conekta' ? conektaForm(page) : page.frameLocator('#checkout iframe')).locator('input').first().waitFor();
  }

  /** One new-card attempt with a good card; resolves the `pay()` outcome. */
  async function attempt(page, provider, extra = {}) {
    await ready(page, provider, extra);
    if (provider === 'bamboo') {
      const p = payInPage(page);
      await payWithBambooCard(page, GOOD.bamboo);
      return p;
    }
    await (provider === 'kr' ? fillKrCard : fillConektaCard)(page, GOOD[provider]);
    return payInPage(page);
  }

  const oneKey = (reqs) => new Set(reqs.map((r) => r.key)).size === 1;

  // [name, faults, merchant options, expected outcome, requests, charges]
  const MERCHANT_CASES = [
    ['connection dropped before charging', { target: 'merchant-before', kind: 'drop' }, {}, 'approved', 2, 1],
    ['500 before charging', { target: 'merchant-before', kind: 'status', status: 500 }, {}, 'approved', 2, 1],
    ['503 after charging (retry must not charge again)', { target: 'merchant', kind: 'status', status: 503 }, {}, 'approved', 2, 1],
    ['slow answer past timeoutMs (retried, deduplicated)', { target: 'merchant-before', kind: 'delay', delayMs: 2500 }, { timeoutMs: 1000 }, 'approved', 2, 1],
    ['500 three times with retries: 2', { target: 'merchant-before', kind: 'status', status: 500, times: 3 }, {}, 'network', 3, 0],
    ['422 is not retried', { target: 'merchant-before', kind: 'status', status: 422 }, {}, 'merchant_rejected', 1, 0],
    ['not JSON', { target: 'merchant', kind: 'garbage', body: '<html>oops' }, {}, 'merchant_bad_response', 1, 1],
    ['unknown status', { target: 'merchant', kind: 'garbage', body: '{"status":"ok"}' }, {}, 'merchant_bad_response', 1, 1],
    ['pending without paymentId', { target: 'merchant', kind: 'garbage', body: '{"status":"pending"}' }, {}, 'merchant_bad_response', 1, 1],
  ];

  for (const provider of PROVIDERS) {
    for (const [name, fault, merchant, outcome, requests, charges] of MERCHANT_CASES) {
      it(`${provider}: ${name} → ${outcome}, ${requests} request(s), ${charges} charge(s)`, async () => {
        const { page } = ctx.tab;
        await ctx.world.faults(fault);
        const r = await attempt(page, provider, { merchant: { paymentUrl: '/merchant/pay', ...merchant } });
        if (outcome === 'approved') assert.equal(r.status, 'approved', JSON.stringify(r));
        else {
          assert.equal(r.status, 'error');
          assert.equal(r.error.code, outcome);
        }
        // KR charges in the browser: when the page's request never got through, Lyra's IPN still
        // tells the merchant service, which records the payment (nothing is lost).
        const expected = provider === 'kr' ? Math.max(charges, 1) : charges;
        let s = await ctx.world.state();
        for (let i = 0; i < 30 && s.charges.length !== expected; i++) {
          await new Promise((ok) => setTimeout(ok, 100));
          s = await ctx.world.state();
        }
        assert.equal(s.requests.length, requests, 'requests that reached the merchant');
        assert.ok(oneKey(s.requests), 'every retry reuses the Idempotency-Key');
        assert.equal(s.charges.length, expected, 'charges');
        assert.deepEqual((await eventNames(page)).filter((n) => n === 'result'), ['result'], 'exactly one result');
      });
    }
  }

  it('429 with Retry-After: 1 waits at least a second before the retry', async () => {
    const { page } = ctx.tab;
    await ctx.world.faults({ target: 'merchant-before', kind: 'status', status: 429, retryAfter: 1 });
    const r = await attempt(page, 'conekta');
    assert.equal(r.status, 'approved');
    const [a, b] = (await ctx.world.state()).requests;
    assert.ok(b.at - a.at >= 1000, `waited ${b.at - a.at} ms`);
    assert.equal((await ctx.world.state()).charges.length, 1);
  });

  for (const provider of PROVIDERS) {
    it(`${provider}: script 404 and a script that defines nothing → script_load_failed`, async () => {
      for (const kind of ['status', 'nodefine']) {
        const t = await openPage(ctx.world);
        await ctx.world.faults({ target: `script:${provider}`, kind, status: 404 });
        const opts = provider === 'kr' ? await krOptions(ctx.world) : optionsFor(ctx.world, provider);
        await mount(t.page, opts);
        const e = await waitForEvent(t.page, 'error');
        assert.equal(e.code, 'script_load_failed', kind);
        assert.equal(await t.page.evaluate(() => checkout.state), 'failed');
        assert.match(e.message, kind === 'nodefine' ? /NoGlobal/ : /Failed/);
        // With no form there is nothing to submit: pay() says so at once instead of waiting.
        assert.equal(await t.page.evaluate(() => checkout.pay().then(() => 'resolved', (e) => e.code)), 'not_ready');
        await t.close();
      }
    });

    it(`${provider}: a slow (2 s) provider script still mounts`, async () => {
      await ctx.world.faults({ target: `script:${provider}`, kind: 'delay', delayMs: 2000 });
      const started = Date.now();
      await ready(ctx.tab.page, provider);
      assert.ok(Date.now() - started >= 2000);
    });
  }

  it('a provider script that never loads fails after the 15 s bound; its tag goes, and the next checkout loads it', { timeout: 50_000 }, async () => {
    const { page } = ctx.tab;
    await ctx.world.faults({ target: 'script:conekta', kind: 'delay', delayMs: 25_000 });
    await mount(page, optionsFor(ctx.world, 'conekta'));
    const e = await waitForEvent(page, 'error', 1, 20_000);
    assert.equal(e.code, 'script_load_failed');
    assert.match(e.message, /TimedOut/);
    assert.equal(e.retryable, true);
    assert.equal(await page.locator('script[data-pasarela-src]').count(), 0, 'the timed-out tag is gone');
    // Retried: a tag of its own (the browser may still hand it the first, slow response, which
    // the preload of the same URL started), ready within its own bound.
    await page.evaluate(() => { checkout.destroy(); window.__events = []; });
    assert.deepEqual(await mount(page, optionsFor(ctx.world, 'conekta')), { ok: true });
    await waitForEvent(page, 'ready', 1, 16_000);
    assert.equal(await page.locator('script[data-pasarela-src]').count(), 1);
  });

  it('a wasm that never arrives: createCheckout fails script_load_failed (retryable) after its 30 s bound, and the next call loads it', async () => {
    const { page } = ctx.tab;
    let held = true;
    await page.route('**/pkg/pasarela_conekta_bg.wasm', (route) => (held ? undefined : route.continue()));
    await page.clock.install();
    const first = mount(page, optionsFor(ctx.world, 'conekta'));
    await page.waitForTimeout(300);
    await page.clock.runFor(30_500);
    const r = await first;
    assert.equal(r.ok, false);
    assert.deepEqual([r.error.code, r.error.retryable], ['script_load_failed', true]);
    held = false;
    assert.deepEqual(await mount(page, optionsFor(ctx.world, 'conekta')), { ok: true });
  });

  it('double and triple pay() share one attempt: one token, one request, one charge', async () => {
    const { page } = ctx.tab;
    await ready(page, 'conekta');
    await fillConektaCard(page, GOOD.conekta);
    const same = await page.evaluate(async () => {
      const ps = [checkout.pay(), checkout.pay(), checkout.pay()];
      const rs = await Promise.all(ps);
      return { identical: ps[0] === ps[1] && ps[1] === ps[2], status: rs.map((r) => r.status) };
    });
    assert.deepEqual(same, { identical: true, status: ['approved', 'approved', 'approved'] });
    assert.deepEqual(await eventNames(page), ['ready', 'token', 'result']);
    const s = await ctx.world.state();
    assert.equal(s.requests.length, 1);
    assert.equal(s.charges.length, 1);
  });

  it('destroy() mid-flight settles the promise with destroyed and emits one result', async () => {
    const { page } = ctx.tab;
    await ctx.world.faults({ target: 'merchant-before', kind: 'delay', delayMs: 1500 });
    await ready(page, 'conekta');
    await fillConektaCard(page, GOOD.conekta);
    const outcome = page.evaluate(() => checkout.pay().then(() => 'resolved', (e) => e.code));
    await waitForEvent(page, 'token');
    await page.evaluate(() => checkout.destroy());
    assert.equal(await outcome, 'destroyed');
    await page.waitForTimeout(2500); // the merchant's late answer must change nothing
    const names = await eventNames(page);
    assert.deepEqual(names, ['ready', 'token', 'result']);
    assert.equal((await events(page))[2].payload.status, 'error');
    assert.equal(await page.evaluate(() => [checkout.state, document.querySelector('#checkout').childElementCount].join()), 'destroyed,0');
  });

  it('a one-time token is never sent after 10 minutes: a retry that would is token_expired', async () => {
    const { page } = ctx.tab;
    await page.clock.install();
    await page.reload();
    await ctx.world.faults({ target: 'merchant-before', kind: 'status', status: 429, retryAfter: 5 });
    await ready(page, 'bamboo');
    const p = payInPage(page);
    await payWithBambooCard(page, GOOD.bamboo);
    await page.waitForFunction(() => true);
    for (let i = 0; i < 50 && (await ctx.world.state()).requests.length < 1; i++) await new Promise((r) => setTimeout(r, 100));
    await page.clock.fastForward('11:00'); // the shopper's phone slept through the back-off
    const r = await p;
    assert.equal(r.status, 'error');
    assert.equal(r.error.code, 'token_expired');
    const s = await ctx.world.state();
    assert.equal(s.requests.length, 1, 'the stale token was not sent again');
    assert.equal(s.charges.length, 0);
  });

  it('no token value in events, DOM, console, URLs or error messages (all providers)', async () => {
    for (const provider of PROVIDERS) {
      await ctx.world.reset();
      const t = await openPage(ctx.world);
      const urls = [];
      t.page.on('request', (req) => urls.push(req.url()));
      const r = await attempt(t.page, provider);
      assert.equal(r.status, 'approved');
      const sent = (await ctx.world.state()).requests[0].body.source;
      const secret = provider === 'kr' ? null : sent.token.replace('…', '');
      const everything = JSON.stringify(await events(t.page)) + (await t.page.content()) + t.consoleLines.join('\n') + urls.join('\n');
      if (secret) {
        assert.doesNotMatch(everything, new RegExp(`${secret}[A-Za-z0-9_-]{6}`), provider);
        assert.doesNotMatch(everything, provider === 'bamboo' ? /OT__[A-Za-z0-9_-]{8}/ : /tok_[A-Za-z0-9]{8}/, provider);
      }
      await t.close();
    }
  });

  it('a Rust panic surfaces as an internal error, settles the promise, and destroy() still cleans up', async () => {
    const { page } = ctx.tab;
    await ctx.world.faults({ target: 'merchant-before', kind: 'delay', delayMs: 3000 });
    await ready(page, 'conekta');
    await fillConektaCard(page, GOOD.conekta);
    const outcome = page.evaluate(() => checkout.pay().then(() => 'resolved', (e) => e.code));
    await waitForEvent(page, 'token');
    // What the panic hook calls (src/boundary.rs) when Rust panics.
    await page.evaluate(() => window.__pasarelaPanic({ code: 'internal', message: 'Error interno del pago', retryable: false }));
    assert.equal(await outcome, 'internal');
    assert.equal((await waitForEvent(page, 'error')).code, 'internal');
    assert.equal(await page.evaluate(() => checkout.state), 'failed');
    await page.evaluate(() => checkout.destroy());
    assert.equal(await page.$eval('#checkout', (e) => e.childElementCount), 0);
  });

  it('random page input never escapes as anything but a PasarelaError, and renders nothing', async () => {
    const { page, consoleLines } = ctx.tab;
    const out = await page.evaluate(async () => {
      const { createCheckout } = await import('/pkg/pasarela.mjs');
      let seed = 42;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
      const leaves = [() => null, () => undefined, () => rnd() * 1e6 - 5e5, () => Math.floor(rnd() * 10), () => 'bamboo', () => 'kr', () => '#checkout',
        () => 'USD', () => '<img src=x onerror=alert(1)>', () => NaN, () => Infinity, () => -0, () => 10n, () => Symbol('s'), () => () => 1,
        () => new Date(), () => new Map([[1, 2]]), () => document.body, () => [], () => 'OT__leak_'];
      const weird = () => {
        const o = {};
        Object.defineProperty(o, 'amount', { enumerable: true, get() { throw new Error('getter'); } });
        return pick([o, new Proxy({}, { ownKeys() { throw new Error('proxy'); } }), (() => { const c = { a: 1 }; c.self = c; return c; })(), Object.create(null)]);
      };
      const gen = (depth) => {
        const r = rnd();
        if (depth > 3 || r < 0.4) return pick(leaves)();
        if (r < 0.5) return weird();
        if (r < 0.65) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
        const keys = ['provider', 'container', 'publicKey', 'order', 'merchant', 'profiles', 'amount', 'currency', 'id', 'paymentUrl', 'kr', 'formToken', 'Token', 'x'];
        const o = {};
        for (let i = Math.floor(rnd() * 6); i > 0; i--) o[pick(keys)] = gen(depth + 1);
        return o;
      };
      const base = () => ({ provider: 'bamboo', container: '#checkout', publicKey: 'pk', order: { id: 'F', amount: 100, currency: 'USD' }, merchant: { paymentUrl: '/merchant/pay' }, scriptUrl: '/nonexistent.js' });
      const bad = [];
      let ok = 0;
      for (let i = 0; i < 300; i++) {
        let input = gen(0);
        if (i % 2) { input = base(); const path = pick([['order', 'amount'], ['order'], ['merchant', 'paymentUrl'], ['profiles'], ['provider'], ['container'], ['locale']]); let at = input; for (const k of path.slice(0, -1)) at = at[k]; at[path.at(-1)] = gen(1); }
        try {
          const c = await createCheckout(input);
          ok++;
          c.destroy();
        } catch (e) {
          if (!(e && e.name === 'PasarelaError' && ['invalid_options', 'secret_in_profile'].includes(e.code) && e instanceof Error)) bad.push(String(e && e.stack || e));
        }
        if (document.querySelector('#checkout').childElementCount) bad.push(`rendered after input ${i}`);
      }
      return { ok, bad };
    });
    assert.deepEqual(out.bad, []);
    assert.ok(!consoleLines.some((l) => l.startsWith('pageerror')), consoleLines.join('\n'));
  });

  it('200 create/destroy cycles leave no nodes, no listeners, no provider bindings and bounded memory', { timeout: 120_000 }, async () => {
    const { page } = ctx.tab;
    const cdp = await page.context().newCDPSession(page);
    const listeners = async () => {
      const r = await cdp.send('Runtime.evaluate', { includeCommandLineAPI: true, returnByValue: true,
        expression: '[window, document, document.body].map((t) => Object.values(getEventListeners(t)).reduce((n, l) => n + l.length, 0)).join()' });
      return r.result.value;
    };
    const profiles = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, brand: 'Visa', last4: String(4000 + i), expiry: '203012', holder: `Cliente ${i}` }));
    const cycle = (n) => page.evaluate(async ({ n, opts }) => {
      const { createCheckout } = await import('/pkg/pasarela.mjs');
      for (let i = 0; i < n; i++) {
        const c = await createCheckout(opts);
        await new Promise((ok) => c.on('ready', ok));
        c.destroy();
      }
    }, { n, opts: optionsFor(ctx.world, 'bamboo', { profiles }) });
    const memory = () => page.evaluate(async () => (await import('/pkg/pasarela.mjs'))._wasmMemoryBytes());
    await cycle(1);
    const [mem1, l1] = [await memory(), await listeners()];
    await cycle(199);
    const [mem200, l200] = [await memory(), await listeners()];
    console.log(`# leak: wasm memory after 1 cycle ${mem1} B, after 200 ${mem200} B; listeners window,document,body ${l1} → ${l200}`);
    // Issue #6's budget is 1 MiB; the list's signals once leaked ~4.7 KB a cycle, which stayed
    // under it, so the test holds the line much lower: a steady state allocates nothing new.
    assert.ok(mem200 - mem1 <= 64 * 1024, `memory grew ${mem200 - mem1} B`);
    assert.equal(l200, l1);
    const left = await page.evaluate(() => ({
      nodes: document.querySelector('#checkout').childElementCount,
      frames: document.querySelectorAll('iframe').length,
      bound: window.PWCheckout.__boundEvents().length,
    }));
    assert.deepEqual(left, { nodes: 0, frames: 0, bound: 0 });
  });
});
