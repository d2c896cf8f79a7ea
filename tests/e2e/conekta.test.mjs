// Conekta's checkout component behind the same API: end to end in Chromium.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conektaForm, eventNames, fillConektaCard, mount, openPage, optionsFor, payInPage, waitForEvent, suiteWorld } from './helpers.mjs';

describe('Conekta checkout', () => {
  const ctx = suiteWorld();

  async function ready(page, extra) {
    assert.deepEqual(await mount(page, optionsFor(ctx.world, 'conekta', extra)), { ok: true });
    assert.deepEqual(await waitForEvent(page, 'ready'), { provider: 'conekta' });
    await conektaForm(page).locator('#ck-number').waitFor();
  }

  it('approves 4242… through pay(): ready → token → result, one charge, order.paid webhook', async () => {
    const { page, consoleLines } = ctx.tab;
    await ready(page);
    await fillConektaCard(page, '4242424242424242');
    const r = await payInPage(page);
    assert.equal(r.status, 'approved');
    assert.deepEqual(await eventNames(page), ['ready', 'token', 'result']);
    assert.deepEqual((await waitForEvent(page, 'token')), { provider: 'conekta', kind: 'one_time' });
    const s = await ctx.world.state();
    assert.equal(s.charges.length, 1);
    assert.equal(s.requests[0].body.source.type, 'token');
    assert.match(s.requests[0].body.source.token, /^tok_/);
    assert.deepEqual(s.webhooks.map((w) => w.type), ['order.paid']);
    assert.doesNotMatch(await page.content(), /tok_/);
    assert.ok(!consoleLines.some((l) => /tok_/.test(l)));
  });

  it('refuses another provider\'s block naming it, and enroll() as unsupported', async () => {
    const { page } = ctx.tab;
    const r = await mount(page, { ...optionsFor(ctx.world, 'conekta'), kr: { formToken: 'ft' } });
    assert.equal(r.ok, false);
    assert.deepEqual([r.error.code, r.error.field], ['invalid_options', 'kr']);
    assert.equal(await page.evaluate(() => document.querySelector('#checkout').childElementCount), 0);
    await ready(page);
    const e = await page.evaluate(() => checkout.enroll({ captureUrl: '/x', uniqueId: 'u' }).then(
      () => 'resolved',
      (err) => [err.code, err instanceof Error],
    ));
    assert.deepEqual(e, ['unsupported', true]);
  });

  it('declines an insufficient-funds card with Conekta\'s message and no charge', async () => {
    const { page } = ctx.tab;
    await ready(page);
    await fillConektaCard(page, '4000000000000127');
    const r = await payInPage(page);
    assert.equal(r.status, 'declined');
    assert.match(r.message, /Fondos insuficientes/);
    assert.equal((await ctx.world.state()).charges.length, 0);
    assert.equal(await page.evaluate(() => checkout.state), 'failed');
  });

  it('reports onCreateTokenError as tokenization_failed with the shopper message, localised', async () => {
    const { page } = ctx.tab;
    await ready(page, { locale: 'pt' });
    await fillConektaCard(page, '4242424242424241');
    const r = await payInPage(page);
    assert.equal(r.status, 'error');
    assert.equal(r.error.code, 'tokenization_failed');
    assert.match(r.error.message, /^Verifique os dados do cartão \(El número de tarjeta es inválido\.\)$/);
    assert.equal((await ctx.world.state()).requests.length, 0);
  });

  it('pay() before the card iframe hands over its submit trigger is kept and pressed when it arrives', async () => {
    const { page } = ctx.tab;
    // The iframe's form is on screen while its script is still on the way (it is `defer`red):
    // a shopper can type and press the store's button before Conekta can submit.
    await ctx.world.faults({ target: 'script:conekta', kind: 'delay', delayMs: 2500, path: 'component-static' });
    await ready(page);
    await fillConektaCard(page, '4242424242424242');
    const r = await payInPage(page);
    assert.equal(r.status, 'approved');
    assert.deepEqual(await eventNames(page), ['ready', 'token', 'result']);
    assert.equal((await ctx.world.state()).charges.length, 1);
  });

  it('follows pending_payment to paid by polling statusUrl (3-D Secure card, webhook settles it)', async () => {
    const { page } = ctx.tab;
    await ready(page);
    await fillConektaCard(page, '4000000000002701');
    const p = payInPage(page);
    await page.waitForFunction(() => checkout.state === 'processing');
    const r = await p;
    assert.equal(r.status, 'approved');
    const s = await ctx.world.state();
    assert.deepEqual(s.webhooks.map((w) => w.type), ['order.pending_payment', 'order.paid']);
    assert.equal(s.charges.length, 1);
    assert.deepEqual((await eventNames(page)).filter((n) => n === 'result'), ['result']);
  });
});
