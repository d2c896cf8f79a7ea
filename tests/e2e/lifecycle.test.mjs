// destroy() ends everything, in every phase of an attempt; and the smaller lifecycle rules: one
// checkout per container, a dead script tag never waited on, no Idempotency-Key without a CSPRNG,
// merchant timeouts without AbortSignal.timeout.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { events, fillConektaCard, fillKrCard, krOptions, mount, openBambooVerification, optionsFor, payInPage, payWithBambooCard, suiteWorld, waitForEvent } from './helpers.mjs';

describe('destroy() in every phase', () => {
  const ctx = suiteWorld();

  it('during a retry back-off (429, Retry-After: 2): the retry is never sent, nothing is charged', async () => {
    const { page } = ctx.tab;
    await ctx.world.faults({ target: 'merchant-before', kind: 'status', status: 429, retryAfter: 2 });
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    await fillConektaCard(page, '4242424242424242');
    const p = payInPage(page);
    await page.waitForFunction(() => window.__events.some((e) => e.name === 'token'));
    await page.waitForTimeout(700); // the 429 has come back; Pasarela waits out Retry-After
    await page.evaluate(() => checkout.destroy());
    assert.equal((await p).rejected.code, 'destroyed');
    await page.waitForTimeout(3000); // past the back-off
    const s = await ctx.world.state();
    assert.deepEqual([s.requests.length, s.charges.length], [1, 0]);
  });

  it("during Bamboo's verification: the PWCapture form goes with it, so the code can no longer charge", async () => {
    const { page } = ctx.tab;
    const { outcome: p } = await openBambooVerification(ctx.world, page);
    await page.evaluate(() => checkout.destroy());
    assert.equal((await p).rejected.code, 'destroyed');
    assert.equal(await page.locator('.pwcheckout-overlay').count(), 0, 'no verification form left on the page');
    assert.equal((await ctx.world.state()).charges.length, 0);
  });

  it('while polling a pending payment: the destroyed result keeps its paymentId', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    await fillConektaCard(page, '4000000000001091'); // 3-D Secure: pending, then declined later
    const p = payInPage(page);
    await page.waitForFunction(() => window.__events.some((e) => e.name === 'token'));
    await page.waitForTimeout(800); // the merchant answered pending; Pasarela is polling
    await page.evaluate(() => checkout.destroy());
    await p;
    const result = (await events(page)).find((e) => e.name === 'result').payload;
    assert.equal(result.status, 'error');
    assert.equal(result.error.code, 'destroyed', "an 'error' result carries its error");
    assert.match(result.paymentId || '', /\w/, 'the payment a webhook may still settle is named');
  });

  it("an attempt started by the provider form's own button, then destroyed, leaves no unhandled rejection", async () => {
    const { page, consoleLines } = ctx.tab;
    await ctx.world.faults({ target: 'merchant-before', kind: 'delay', delayMs: 1500 });
    await mount(page, optionsFor(ctx.world, 'bamboo'));
    await waitForEvent(page, 'ready');
    await payWithBambooCard(page, '4111111111111111'); // no pay(): the form's own button
    await page.waitForFunction(() => window.__events.some((e) => e.name === 'token'));
    await page.evaluate(() => {
      window.__unhandled = 0;
      window.addEventListener('unhandledrejection', () => { window.__unhandled += 1; });
      checkout.destroy();
    });
    await page.waitForTimeout(2500);
    assert.equal(await page.evaluate(() => window.__unhandled), 0);
    assert.ok(!consoleLines.some((l) => /Uncaught \(in promise\)/.test(l)), consoleLines.join('\n'));
    assert.equal((await events(page)).filter((e) => e.name === 'result').length, 1, 'one result still reports it');
  });
});

describe('page code running inside a provider call finds the checkout free', () => {
  const ctx = suiteWorld();

  // The adapter is taken out of the checkout while it is called: a provider library that runs
  // page code synchronously (a wrapped method, a listener of its own) may read or destroy the
  // checkout then. With a borrow held across the call, that was a RefCell panic (`internal`).
  it("PWCheckout.Unbind reading the state during destroy(), KR.submit destroying the checkout: no internal error", async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'bamboo'));
    await waitForEvent(page, 'ready');
    const seen = await page.evaluate(() => {
      const unbind = PWCheckout.Unbind;
      const states = [];
      PWCheckout.Unbind = function (...args) { states.push(checkout.state); return unbind.apply(this, args); };
      checkout.destroy();
      return states;
    });
    assert.ok(seen.length > 0 && seen.every((s) => s === 'destroyed'), String(seen));

    await mount(page, await krOptions(ctx.world, { order: { id: `K-${Date.now()}`, amount: 5000, currency: 'PEN' } }));
    await waitForEvent(page, 'ready', 2);
    await fillKrCard(page, '4970100000000055');
    const out = await page.evaluate(async () => {
      const submit = KR.submit;
      let removed = 0;
      const removeForms = KR.removeForms;
      KR.removeForms = function (...args) { removed += 1; return removeForms.apply(this, args); };
      KR.submit = function (...args) { window.__during = checkout.state; checkout.destroy(); return submit.apply(this, args); };
      const r = await checkout.pay().then((x) => ['resolved', x.status], (e) => ['rejected', e.code]);
      return { r, during: window.__during, removed, state: checkout.state };
    });
    assert.deepEqual(out, { r: ['rejected', 'destroyed'], during: 'ready', removed: 1, state: 'destroyed' });
    const codes = (await events(page)).filter((e) => e.name === 'error').map((e) => e.payload.code);
    assert.ok(!codes.includes('internal'), codes.join());
    await page.waitForTimeout(500);
    assert.equal((await ctx.world.state()).charges.length, 0);
  });
});

describe('lifecycle rules', () => {
  const ctx = suiteWorld();

  it('createCheckout(options, { signal }): aborted before it resolves, it rejects with aborted and renders nothing', async () => {
    const { page } = ctx.tab;
    const opts = optionsFor(ctx.world, 'conekta');
    const out = await page.evaluate(async (o) => {
      const { createCheckout, PasarelaError } = await import('/pkg/pasarela.mjs');
      const settle = (p) => p.then(() => 'resolved', (e) => [e.code, e instanceof PasarelaError]);
      // Aborted while the wasm still loads (the first call of the page), and aborted up front.
      const ac = new AbortController();
      const during = createCheckout(o, { signal: ac.signal });
      ac.abort();
      const early = new AbortController();
      early.abort();
      const r = [await settle(during), await settle(createCheckout(o, { signal: early.signal }))];
      const rendered = document.querySelector('#checkout').childElementCount;
      // Not aborted: it mounts, and a later abort changes nothing.
      const late = new AbortController();
      const c = await createCheckout(o, { signal: late.signal });
      late.abort();
      return { r, rendered, state: c.state };
    }, opts);
    assert.deepEqual(out.r, [['aborted', true], ['aborted', true]]);
    assert.equal(out.rendered, 0);
    assert.notEqual(out.state, 'destroyed');
  });

  it('a ready listener added after ready (a few awaits later) is called once; one removed before the microtask is not', async () => {
    const { page } = ctx.tab;
    await page.evaluate(async (o) => {
      const { createCheckout } = await import('/pkg/pasarela.mjs');
      const c = await createCheckout(o);
      window.checkout = c;
      await new Promise((r) => setTimeout(r, 500));
    }, optionsFor(ctx.world, 'conekta'));
    const calls = await page.evaluate(async () => {
      const seen = [];
      const fn = (p) => seen.push(p.provider);
      checkout.on('ready', fn);
      checkout.on('ready', fn);
      const gone = () => seen.push('removed one called');
      checkout.on('ready', gone)();
      await new Promise((r) => setTimeout(r, 50));
      return seen;
    });
    assert.deepEqual(calls, ['conekta']);
  });

  it('URL options resolve on this site or to https:// only: a token never travels in clear to another origin', async () => {
    const { page } = ctx.tab;
    const refused = [];
    for (const [path, url] of [
      ['merchant.paymentUrl', 'http://evil.example/pay'],
      ['merchant.statusUrl', 'http://evil.example/status'],
      ['scriptUrl', 'http://cdn.example/conekta.js'],
      ['merchant.paymentUrl', '/\\evil.example/pay'],
    ]) {
      const o = optionsFor(ctx.world, 'conekta');
      if (path === 'scriptUrl') o.scriptUrl = url;
      else o.merchant[path.split('.')[1]] = url;
      const r = await mount(page, o);
      refused.push(r.ok ? 'accepted' : `${r.error.code} ${r.error.field}`);
    }
    assert.deepEqual(refused, [
      'invalid_options merchant.paymentUrl',
      'invalid_options merchant.statusUrl',
      'invalid_options scriptUrl',
      'invalid_options merchant.paymentUrl',
    ]);
    assert.equal(await page.evaluate(() => document.querySelector('#checkout').childElementCount), 0);
    // Another origin over https, or this one over plain http (the sandbox), is accepted.
    const o = optionsFor(ctx.world, 'conekta');
    o.merchant.statusUrl = 'https://shop.example/status';
    assert.deepEqual(await mount(page, o), { ok: true });
  });

  it('a second checkout in a container that hosts a live one is refused (container); after destroy() it mounts', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    const out = await page.evaluate(async (o) => {
      const { createCheckout } = await import('/pkg/pasarela.mjs');
      let refused;
      try { await createCheckout(o); } catch (e) { refused = [e.code, e.field]; }
      const hosts = document.querySelectorAll('#checkout > .pasarela').length;
      checkout.destroy();
      const c = await createCheckout(o);
      const after = document.querySelectorAll('#checkout > .pasarela').length;
      c.destroy();
      return { refused, hosts, after };
    }, optionsFor(ctx.world, 'conekta'));
    assert.deepEqual(out, { refused: ['invalid_options', 'container'], hosts: 1, after: 1 });
  });

  it('a script that loaded without its global is not waited on again: the next checkout fails or succeeds at once', { timeout: 40_000 }, async () => {
    const { page } = ctx.tab;
    await ctx.world.faults({ target: 'script:conekta', kind: 'nodefine', times: 2 });
    const timed = async () => {
      const t0 = Date.now();
      await page.evaluate(() => { window.__events = []; if (typeof window.checkout?.destroy === 'function') window.checkout.destroy(); });
      await mount(page, optionsFor(ctx.world, 'conekta'));
      const e = await Promise.race([waitForEvent(page, 'error', 1, 20_000).then((x) => x.code), waitForEvent(page, 'ready', 1, 20_000).then(() => 'ready')]);
      return [e, Date.now() - t0];
    };
    const [first] = await timed();
    assert.equal(first, 'script_load_failed');
    const [second, ms2] = await timed(); // the tag of the first is gone: loads again, fails again
    assert.equal(second, 'script_load_failed');
    assert.ok(ms2 < 5000, `failed at once (${ms2} ms), not after the 15 s timeout`);
    const [third, ms3] = await timed(); // the fault is spent: the real script now loads
    assert.equal(third, 'ready');
    assert.ok(ms3 < 5000, `ready at once (${ms3} ms)`);
    assert.equal(await page.evaluate(() => document.querySelectorAll('script[data-pasarela-src]').length), 1);
  });

  it('without a working crypto.getRandomValues no attempt starts (no Math.random key)', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    await page.evaluate(() => { crypto.getRandomValues = () => { throw new Error('no entropy'); }; });
    await fillConektaCard(page, '4242424242424242');
    const r = await payInPage(page);
    assert.deepEqual([r.status, r.error.code], ['error', 'unsupported']);
    assert.match(r.error.message, /getRandomValues/);
    assert.equal((await ctx.world.state()).requests.length, 0);
  });

  it('merchant timeouts work without AbortSignal.timeout (older Safari/Firefox): aborted, retried, one charge', async () => {
    const { page } = ctx.tab;
    await page.evaluate(() => { delete AbortSignal.timeout; });
    await ctx.world.faults({ target: 'merchant-before', kind: 'delay', delayMs: 2500 });
    await mount(page, optionsFor(ctx.world, 'conekta', { merchant: { paymentUrl: '/merchant/pay', timeoutMs: 1000 } }));
    await waitForEvent(page, 'ready');
    await fillConektaCard(page, '4242424242424242');
    assert.equal((await payInPage(page)).status, 'approved');
    const s = await ctx.world.state();
    assert.deepEqual([s.requests.length, s.charges.length], [2, 1]);
  });
});

describe('a long-lived page', () => {
  const ctx = suiteWorld();

  it('500 create/destroy cycles leave the page as it was: <head>, <body>, listeners, timers, wasm memory', { timeout: 180_000 }, async () => {
    const { page } = ctx.tab;
    const cdp = await page.context().newCDPSession(page);
    const listeners = async () => (await cdp.send('Runtime.evaluate', { includeCommandLineAPI: true, returnByValue: true,
      expression: '[window, document, document.head, document.body].map((t) => Object.values(getEventListeners(t)).reduce((n, l) => n + l.length, 0)).join()' })).result.value;
    const o = optionsFor(ctx.world, 'conekta');
    await page.evaluate(() => {
      // Timers the page has running (set, neither cleared nor fired), counted from here on.
      const running = new Set();
      const set = window.setTimeout.bind(window), clear = window.clearTimeout.bind(window);
      window.setTimeout = (fn, ms, ...args) => {
        const id = set((...a) => { running.delete(id); return typeof fn === 'function' ? fn(...a) : undefined; }, ms, ...args);
        running.add(id);
        return id;
      };
      window.clearTimeout = (id) => { running.delete(id); clear(id); };
      window.__timers = running;
      window.__pause = (ms) => new Promise((r) => set(r, ms));
    });
    const snapshot = () => page.evaluate(async () => ({
      head: [...document.head.children].map((e) => e.tagName).join(),
      body: document.body.getElementsByTagName('*').length,
      preloads: document.querySelectorAll('link[rel=preload]').length,
      timers: window.__timers.size,
      memory: (await import('/pkg/pasarela.mjs'))._wasmMemoryBytes(),
    }));
    const cycles = (n, o) => page.evaluate(async ({ n, o }) => {
      const { createCheckout } = await import('/pkg/pasarela.mjs');
      for (let i = 0; i < n; i += 1) {
        const c = await createCheckout(o);
        if (i % 2) await new Promise((r) => c.on('ready', r)); // half of them destroyed before ready
        c.destroy();
        // A refused one too: its preload goes with the rejection.
        await createCheckout({ ...o, order: { ...o.order, amount: -1 } }).catch(() => {});
      }
      await window.__pause(300);
    }, { n, o });
    // One checkout first, its form on screen: the provider's own scripts and styles come once per page.
    await page.evaluate(async (o) => {
      const { createCheckout } = await import('/pkg/pasarela.mjs');
      const c = await createCheckout(o);
      while (!document.querySelector('conekta-iframe')) await window.__pause(20);
      c.destroy();
      await window.__pause(300);
    }, o);
    const [before, l1] = [await snapshot(), await listeners()];
    await cycles(500, o);
    const [after, l500] = [await snapshot(), await listeners()];
    console.log(`# 500 cycles: wasm memory ${before.memory} → ${after.memory} B; listeners window,document,head,body ${l1} → ${l500}; timers ${before.timers} → ${after.timers}`);
    assert.deepEqual({ ...after, memory: 0 }, { ...before, memory: 0 }, 'elements, preloads and timers');
    assert.equal(after.preloads, 0, 'no <link rel=preload> left behind');
    assert.equal(l500, l1, 'listeners');
    assert.ok(after.memory - before.memory <= 64 * 1024, `wasm memory grew ${after.memory - before.memory} B`);
  });

  it('a checkout that paid, or that set a KR form up, leaves no timer running once destroyed', async () => {
    const { page } = ctx.tab;
    await page.evaluate(() => {
      const running = new Map();
      const set = window.setTimeout.bind(window), clear = window.clearTimeout.bind(window);
      window.setTimeout = (fn, ms, ...args) => {
        const id = set((...a) => { running.delete(id); return typeof fn === 'function' ? fn(...a) : undefined; }, ms, ...args);
        running.set(id, ms);
        return id;
      };
      window.clearTimeout = (id) => { running.delete(id); clear(id); };
      // Timers of a second or more (the waits' bounds; the providers' own short ones aside).
      window.__longTimers = () => [...running.values()].filter((ms) => ms >= 1000);
    });
    // A Conekta payment: the request's abort timer and the token wait's bound were left running.
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    await fillConektaCard(page, '4242424242424242');
    assert.equal((await payInPage(page)).status, 'approved');
    await page.evaluate(() => checkout.destroy());
    assert.deepEqual(await page.evaluate(() => window.__longTimers()), [], 'after a payment');
    // A KR form set up, then destroyed: the 15 s bound of its set-up was left running.
    await mount(page, await krOptions(ctx.world));
    await waitForEvent(page, 'ready', 2);
    await page.evaluate(() => checkout.destroy());
    assert.deepEqual(await page.evaluate(() => window.__longTimers()), [], 'after a KR form');
  });

  for (const provider of ['kr', 'bamboo']) {
    it(`${provider}: a checkout whose script failed to load lets go of the page: the retry the error invites mounts`, async () => {
      const { page } = ctx.tab;
      await ctx.world.faults({ target: `script:${provider}`, kind: 'status', status: 404 });
      const o = provider === 'kr' ? await krOptions(ctx.world) : optionsFor(ctx.world, provider);
      assert.equal((await mount(page, o)).ok, true);
      const failed = await waitForEvent(page, 'error');
      assert.deepEqual([failed.code, failed.retryable], ['script_load_failed', true]);
      // The storefront retries without destroying the failed checkout first.
      const retry = await page.evaluate(async (o) => {
        document.body.insertAdjacentHTML('beforeend', '<div id="retry"></div>');
        const { createCheckout } = await import('/pkg/pasarela.mjs');
        try {
          const c = await createCheckout({ ...o, container: '#retry' });
          await new Promise((r, j) => { c.on('ready', r); c.on('error', j); });
          return c.state;
        } catch (e) {
          return `${e.code}: ${e.message}`;
        }
      }, o);
      assert.equal(retry, 'ready');
    });
  }

  it('a route handler still running when its page closes leaves no unhandled rejection (the harness unroutes first)', async () => {
    const { openPage } = await import('./helpers.mjs');
    const seen = [];
    const onRejection = (e) => seen.push(String(e));
    process.on('unhandledRejection', onRejection);
    try {
      const tab = await openPage(ctx.world);
      let entered;
      const inHandler = new Promise((r) => { entered = r; });
      await tab.page.route('**/slow-for-the-harness', async (route) => {
        entered();
        await new Promise((r) => setTimeout(r, 300));
        await route.fulfill({ body: 'late' });
      });
      tab.page.evaluate(() => fetch('/slow-for-the-harness').catch(() => {})).catch(() => {});
      await inHandler;
      await tab.close();
      await new Promise((r) => setTimeout(r, 600));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    assert.deepEqual(seen, []);
  });
});
