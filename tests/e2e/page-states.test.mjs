// What the shopper sees and hears after an attempt, on a phone-sized page (390 px): a decline
// with the merchant's reason and what to do next, the form kept in place; an approval shown and
// said, the pay button disabled for good; a pending payment saying what it waits for; an error
// in the shopper's words, never an HTTP status (the developer reads it in `details`), reported
// once; errors worded by the on-demand part even when it is still on its way.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { events, fillConektaCard, mount, openPage, optionsFor, payInPage, shopper, suiteWorld, waitForEvent } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };

/** The live region as the shopper meets it: its text, kind, outcome, and whether it is in view. */
const liveRegion = (page) => page.evaluate(() => {
  const s = document.querySelector('#checkout .pasarela [role=status]');
  const box = s.getBoundingClientRect();
  return { text: s.textContent, kind: s.dataset.kind || '', outcome: s.dataset.outcome || '', visible: box.height > 0 && box.width > 0 };
});

describe('page states after an attempt', () => {
  const ctx = suiteWorld();

  async function phone() {
    await ctx.tab?.close();
    ctx.tab = await openPage(ctx.world, '/harness.html', PHONE);
    return ctx.tab.page;
  }

  for (const [locale, said] of [
    ['es', 'Pago rechazado. Fondos insuficientes. Pruebe con otra tarjeta.'],
    ['en', 'Payment declined. Fondos insuficientes. Try another card.'],
    ['pt', 'Pagamento recusado. Fondos insuficientes. Tente outro cartão.'],
  ]) {
    it(`${locale}: a decline shows and says the merchant's reason and what to do next; the same form then pays`, async () => {
      const page = await phone();
      assert.deepEqual(await mount(page, optionsFor(ctx.world, 'conekta', { locale })), { ok: true });
      await waitForEvent(page, 'ready');
      await fillConektaCard(page, '4000000000000127'); // insufficient funds
      const r = await payInPage(page);
      assert.deepEqual([r.status, r.message], ['declined', 'Fondos insuficientes.']);
      assert.deepEqual(await liveRegion(page), { text: said, kind: 'error', outcome: 'declined', visible: true });
      // The card form stays where it was: the shopper corrects it, or types another card, in place.
      await fillConektaCard(page, '4242424242424242');
      assert.equal((await payInPage(page)).status, 'approved');
      assert.equal((await ctx.world.state()).charges.length, 1);
      const after = await liveRegion(page);
      assert.deepEqual([after.text, after.outcome], [{ es: 'Pago aprobado', en: 'Payment approved', pt: 'Pagamento aprovado' }[locale], 'approved']);
    });
  }

  for (const [status, code] of [[401, 'merchant_rejected'], [503, 'network']]) {
    it(`a ${status} from the storefront reaches the shopper in words, the status only in the error's details`, async () => {
      const page = await phone();
      await ctx.world.faults({ target: 'merchant-before', kind: 'status', status, times: 5 });
      const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111']);
      await mount(page, optionsFor(ctx.world, 'bamboo', { profiles: saved.profiles, merchant: { paymentUrl: '/merchant/pay', retries: 0 } }));
      await waitForEvent(page, 'ready');
      const r = await payInPage(page);
      assert.equal(r.status, 'error');
      assert.deepEqual([r.error.code, r.error.details], [code, `HTTP ${status}`]);
      assert.doesNotMatch(r.error.message, /HTTP|\d{3}/);
      assert.equal(r.message, r.error.message, "the result's message is the error's");
      const e = await waitForEvent(page, 'error');
      assert.deepEqual([e.message, e.details], [r.error.message, `HTTP ${status}`]);
      const said = await liveRegion(page);
      assert.equal(said.text, r.error.message);
      assert.doesNotMatch(said.text, /HTTP|\d{3}/);
      assert.match(said.text, status === 401 ? /^La tienda no aceptó el pago/ : /^No hay conexión con la tienda/);
    });
  }

  it('an error before the on-demand part has arrived is worded once it does, its events in order', async () => {
    const page = await phone();
    // The on-demand part takes 1.5 s to come; the storefront refuses the payment at once.
    await page.route('**/pkg/pasarela_extra.mjs', async (route) => { await new Promise((ok) => setTimeout(ok, 1500)); await route.continue(); });
    await ctx.world.faults({ target: 'merchant-before', kind: 'status', status: 422 });
    const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111']);
    await mount(page, optionsFor(ctx.world, 'bamboo', { locale: 'en', profiles: saved.profiles }));
    await waitForEvent(page, 'ready');
    const r = await payInPage(page);
    assert.equal(r.error.message, 'The store did not accept the payment; reload the page and try again');
    const seen = (await events(page)).filter((e) => e.name === 'error' || e.name === 'result');
    assert.deepEqual(seen.map((e) => e.name), ['error', 'result'], 'one error, then one result');
    assert.equal(seen[0].payload.message, r.error.message);
    assert.equal(seen[1].payload.error.message, r.error.message);
  });

  it('an on-demand part that never arrives does not hold an error forever: it is told without its words, bounded', async () => {
    const page = await phone();
    await page.route('**/pkg/pasarela_extra.mjs', () => {}); // never answered
    await ctx.world.faults({ target: 'merchant-before', kind: 'status', status: 422 });
    const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111']);
    await mount(page, optionsFor(ctx.world, 'bamboo', { locale: 'en', profiles: saved.profiles }));
    await waitForEvent(page, 'ready');
    const t0 = Date.now();
    const r = await payInPage(page);
    assert.equal(r.status, 'error');
    assert.equal(r.error.code, 'merchant_rejected');
    assert.ok(Date.now() - t0 < 12000, `pay() settled after ${Date.now() - t0} ms`);
    assert.deepEqual((await events(page)).filter((e) => e.name === 'error' || e.name === 'result').map((e) => e.name), ['error', 'result']);
  });

  it("an approval is shown and said, and Pasarela's pay button stays disabled (a new list too)", async () => {
    const page = await phone();
    const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111']);
    await mount(page, optionsFor(ctx.world, 'bamboo', { locale: 'en', profiles: saved.profiles }));
    await waitForEvent(page, 'ready');
    await page.click('#checkout .pasarela-pay');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    await page.waitForFunction(() => document.querySelector('#checkout [role=status]').dataset.outcome === 'approved');
    assert.deepEqual(await liveRegion(page), { text: 'Payment approved', kind: '', outcome: 'approved', visible: true });
    assert.equal(await page.isDisabled('#checkout .pasarela-pay'), true);
    await page.evaluate((p) => checkout.setProfiles(p), saved.profiles);
    assert.equal(await page.isDisabled('#checkout .pasarela-pay'), true, 'still disabled after setProfiles');
    assert.equal((await ctx.world.state()).charges.length, 1);
  });

  it('a pending payment says what it waits for', async () => {
    const page = await phone();
    const saved = await shopper(ctx.world, 'bamboo', ['4000000000003063']);
    await mount(page, optionsFor(ctx.world, 'bamboo', { profiles: saved.profiles }));
    await waitForEvent(page, 'ready');
    const p = payInPage(page);
    await waitForEvent(page, 'action');
    await page.frameLocator('.pwcheckout-overlay iframe').locator('#pw-close').click(); // left unfinished
    assert.equal((await p).status, 'pending');
    await page.waitForFunction(() => document.querySelector('#checkout [role=status]').dataset.outcome === 'pending');
    assert.deepEqual(await liveRegion(page), {
      text: 'Pago pendiente. Esperando la confirmación del banco o del medio de pago.', kind: '', outcome: 'pending', visible: true,
    });
  });

  it('one invalid card number: one error event, its message said once', async () => {
    const page = await phone();
    await mount(page, optionsFor(ctx.world, 'conekta', { locale: 'pt' }));
    await waitForEvent(page, 'ready');
    await fillConektaCard(page, '4242424242424241');
    const r = await payInPage(page);
    assert.equal(r.error.code, 'tokenization_failed');
    const errors = (await events(page)).filter((e) => e.name === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal((await liveRegion(page)).text, 'Verifique os dados do cartão (El número de tarjeta es inválido.)');
    assert.equal((await ctx.world.state()).requests.length, 0);
  });
});
