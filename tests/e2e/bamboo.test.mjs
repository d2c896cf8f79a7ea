// Bamboo PWCheckout, new card (anonymous shopper, one-time token): end to end in Chromium.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventNames, events, mount, openPage, optionsFor, payWithBambooCard, waitForEvent, suiteWorld } from './helpers.mjs';

describe('Bamboo one-time-token checkout', () => {
  const ctx = suiteWorld();

  it('approves a good test card with ready → token → result and exactly one charge', async () => {
    const { page, consoleLines } = ctx.tab;
    assert.deepEqual(await mount(page, optionsFor(ctx.world, 'bamboo')), { ok: true });
    assert.deepEqual(await waitForEvent(page, 'ready'), { provider: 'bamboo' });
    assert.equal(await page.evaluate(() => checkout.state), 'ready');
    await payWithBambooCard(page, '4111111111111111');
    const result = await waitForEvent(page, 'result');
    assert.equal(result.status, 'approved');
    assert.match(result.paymentId, /^pay_/);
    assert.deepEqual(await eventNames(page), ['ready', 'token', 'result']);
    const token = (await events(page)).find((e) => e.name === 'token').payload;
    assert.deepEqual(token, { provider: 'bamboo', kind: 'one_time', brand: 'Visa', last4: '1111' });
    assert.equal(await page.evaluate(() => checkout.state), 'succeeded');

    const state = await ctx.world.state();
    assert.equal(state.charges.length, 1, 'exactly one charge');
    assert.equal(state.requests.length, 1);
    const req = state.requests[0];
    assert.match(req.key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.body.source.type, 'token');
    assert.equal(req.body.source.kind, 'one_time');
    assert.match(req.body.source.token, /^OT__/);
    assert.deepEqual(req.body.order.amount, 123456);
    assert.equal(req.body.installments, 1);

    // The token value never stays in the DOM or reaches the console.
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    const inputs = await page.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value).join(' '));
    assert.doesNotMatch(html + inputs, /OT__/);
    assert.ok(!consoleLines.some((l) => /OT__/.test(l)), consoleLines.join('\n'));
  });

  it('declines a declining card without charging, and the shopper can pay again', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'bamboo'));
    await waitForEvent(page, 'ready');
    await payWithBambooCard(page, '4000000000000002');
    const declined = await waitForEvent(page, 'result');
    assert.equal(declined.status, 'declined');
    assert.match(declined.message, /TR013/);
    assert.equal(await page.evaluate(() => checkout.state), 'failed');
    assert.equal((await ctx.world.state()).charges.length, 0);

    await payWithBambooCard(page, '4242424242424242');
    const approved = await waitForEvent(page, 'result', 2);
    assert.equal(approved.status, 'approved');
    const state = await ctx.world.state();
    assert.equal(state.charges.length, 1);
    assert.notEqual(state.requests[0].key, state.requests[1].key, 'a new attempt has a new Idempotency-Key');
  });

  it('pay() waits for the form, and every call during the attempt returns the same promise', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'bamboo'));
    await waitForEvent(page, 'ready');
    const same = await page.evaluate(() => {
      window.__p1 = checkout.pay();
      window.__p2 = checkout.pay();
      return window.__p1 === window.__p2;
    });
    assert.equal(same, true);
    await payWithBambooCard(page, '4111111111111111');
    const [r1, r2, third] = await page.evaluate(async () => {
      const r1 = await window.__p1;
      const r2 = await window.__p2;
      return [r1, r2, (await checkout.pay()) === r1 || (await checkout.pay()).paymentId === r1.paymentId];
    });
    assert.equal(r1.status, 'approved');
    assert.deepEqual(r1, r2);
    assert.equal(third, true, 'pay() after success gives back the same result');
    assert.equal((await ctx.world.state()).charges.length, 1);
    assert.deepEqual((await eventNames(page)).filter((n) => n === 'result'), ['result']);
  });

  it('reports a card the provider refuses as tokenization_failed, sending nothing', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'bamboo', { locale: 'en' }));
    await waitForEvent(page, 'ready');
    const pending = page.evaluate(() => checkout.pay().then((r) => ({ ...r, error: { code: r.error.code, isError: r.error instanceof Error } })));
    await payWithBambooCard(page, '4111111111111112'); // fails Luhn: TK001
    const err = await waitForEvent(page, 'error');
    assert.equal(err.code, 'tokenization_failed');
    assert.equal(err.provider, 'bamboo');
    assert.match(err.message, /check the card details.*TK001/);
    const result = await pending;
    assert.equal(result.status, 'error');
    assert.deepEqual(result.error, { code: 'tokenization_failed', isError: true });
    assert.equal((await ctx.world.state()).requests.length, 0);
  });

  it('rejects bad options with invalid_options naming the field, loading and rendering nothing', async () => {
    const { page } = ctx.tab;
    const bad = optionsFor(ctx.world, 'bamboo');
    bad.order.amount = 12.5;
    const r = await mount(page, bad);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'invalid_options');
    assert.equal(r.error.field, 'order.amount');
    assert.equal(r.error.isError, true);
    const missing = await mount(page, { ...optionsFor(ctx.world, 'bamboo'), container: '#nope' });
    assert.equal(missing.error.field, 'container');
    const counts = await page.evaluate(() => ({
      scripts: document.querySelectorAll('script[data-pasarela-src]').length,
      rendered: document.querySelector('#checkout').childElementCount,
      pw: typeof window.PWCheckout,
    }));
    assert.deepEqual(counts, { scripts: 0, rendered: 0, pw: 'undefined' });
  });

  it('fails with script_load_failed when the provider script is missing', async () => {
    const { page } = ctx.tab;
    await ctx.world.faults({ target: 'script:bamboo', kind: 'status', status: 404 });
    await mount(page, optionsFor(ctx.world, 'bamboo'));
    const err = await waitForEvent(page, 'error');
    assert.equal(err.code, 'script_load_failed');
    assert.equal(err.retryable, true);
    assert.equal(await page.evaluate(() => checkout.state), 'failed');
  });

  it('destroy() removes everything it rendered and unbinds PWCheckout', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'bamboo'));
    await waitForEvent(page, 'ready');
    const after = await page.evaluate(async () => {
      checkout.destroy();
      checkout.destroy(); // idempotent
      let rejected;
      try { await checkout.pay(); } catch (e) { rejected = e.code; }
      return { children: document.querySelector('#checkout').childElementCount, state: checkout.state, rejected };
    });
    assert.deepEqual(after, { children: 0, state: 'destroyed', rejected: 'destroyed' });
  });
});
