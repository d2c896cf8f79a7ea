// What a storefront asked for on a 390 px phone: Pasarela's pay button after the card form it
// pays (or none, `payButton: false`, when the storefront has its own); card brands named as their
// owners write them, with a mark drawn by the package's own CSS (no image request); and the
// regional locales, from the option or the browser's language.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fillConektaCard, krOptions, mount, openPage, optionsFor, payInPage, shopper, suiteWorld, waitForEvent } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };

/** Where the visible pay button is against the visible card form: DOM order and on screen. */
const payButtonPlace = (page) => page.evaluate(() => {
  const form = document.querySelector('#checkout .pasarela-provider-form');
  const pay = document.querySelector('#checkout .pasarela-pay');
  const shown = (e) => !!e && e.getClientRects().length > 0 && e.getBoundingClientRect().height > 0;
  if (!shown(pay)) return { button: false, form: shown(form) };
  return {
    button: true,
    form: shown(form),
    afterInDom: !!(form.compareDocumentPosition(pay) & Node.DOCUMENT_POSITION_FOLLOWING),
    belowOnScreen: pay.getBoundingClientRect().top >= form.getBoundingClientRect().bottom,
  };
});

describe('page polish on a phone', () => {
  const ctx = suiteWorld();

  async function phone(contextOptions) {
    await ctx.tab?.close();
    ctx.tab = await openPage(ctx.world, '/harness.html', PHONE, contextOptions);
    return ctx.tab.page;
  }

  async function withSavedCards(page, provider, extra = {}) {
    const saved = await shopper(ctx.world, provider, ['4111111111111111']);
    const o = provider === 'kr' ? await krOptions(ctx.world, { profiles: saved.profiles, ...extra }) : optionsFor(ctx.world, provider, { profiles: saved.profiles, ...extra });
    assert.deepEqual(await mount(page, o), { ok: true });
    await waitForEvent(page, 'ready');
    return saved;
  }

  for (const provider of ['conekta', 'kr', 'bamboo']) {
    it(`${provider}: with "use another card", Pasarela's pay button comes after the card form it pays`, async () => {
      const page = await phone();
      await withSavedCards(page, provider);
      await page.click('#checkout .pasarela-profile-new');
      await page.waitForSelector('#checkout .pasarela-provider-form', { state: 'visible' });
      await page.waitForTimeout(300); // the provider's form settles its height
      const place = await payButtonPlace(page);
      // Bamboo's embedded form has its own button: Pasarela's is not shown then.
      assert.deepEqual(place, provider === 'bamboo'
        ? { button: false, form: true }
        : { button: true, form: true, afterInDom: true, belowOnScreen: true });
    });
  }

  it('payButton: false leaves paying to the storefront: no Pasarela button, pay() pays the chosen card', async () => {
    const page = await phone();
    const saved = await withSavedCards(page, 'conekta', { payButton: false });
    assert.equal((await payButtonPlace(page)).button, false, 'a saved card chosen: no button');
    await page.click('#checkout .pasarela-profile-new');
    await page.waitForSelector('#checkout .pasarela-provider-form', { state: 'visible' });
    assert.deepEqual(await payButtonPlace(page), { button: false, form: true }, 'a new card: no button');
    await fillConektaCard(page, '4242424242424242');
    assert.equal((await payInPage(page)).status, 'approved');
    const sent = (await ctx.world.state()).requests[0].body.source;
    assert.equal(sent.type, 'token');
    assert.ok(saved.profiles.length === 1);
  });

  it('payButton must be a boolean (invalid_options naming it)', async () => {
    const page = await phone();
    const r = await mount(page, optionsFor(ctx.world, 'conekta', { payButton: 'no' }));
    assert.deepEqual([r.ok, r.error?.code, r.error?.field], [false, 'invalid_options', 'payButton']);
  });

  const BRANDED = [
    ['visa', 'Visa'], ['MASTERCARD', 'Mastercard'], ['american_express', 'American Express'],
    ['Oca', 'OCA'], ['DINERS', 'Diners Club'], ['cabal', 'Cabal'], ['cencosud', 'Cencosud'],
  ];
  const brandRows = (page) => page.$$eval('#checkout .pasarela-profile:not(.pasarela-profile-new) .pasarela-profile-brand', (els) => els.map((e) => {
    const mark = getComputedStyle(e, '::before');
    return { name: e.textContent, brand: e.getAttribute('data-brand'), mark: mark.content !== 'none' && mark.display !== 'none' && parseFloat(mark.width) > 0 ? mark.backgroundColor : null };
  }));

  it('card brands read as their owners write them, and the on-demand stylesheet draws a mark with no image request', async () => {
    const page = await phone();
    const images = [];
    page.on('request', (q) => { if (q.resourceType() === 'image') images.push(q.url()); });
    // The on-demand part comes late: the names read well before it.
    let release;
    const late = new Promise((ok) => { release = ok; });
    await page.route('**/pkg/pasarela_extra.css', async (route) => { await late; await route.continue(); });
    const profiles = BRANDED.map(([brand], i) => ({ id: `c${i}`, brand, last4: `000${i}`, expiry: '203012' }));
    assert.deepEqual(await mount(page, optionsFor(ctx.world, 'conekta', { profiles })), { ok: true });
    await waitForEvent(page, 'ready');
    let rows = await brandRows(page);
    assert.deepEqual(rows.map((r) => r.name), BRANDED.map(([, name], i) => `${name} •••• 000${i}`));
    assert.deepEqual(rows.map((r) => r.brand), BRANDED.map(([, name]) => name), 'data-brand: the name');
    assert.deepEqual(rows.map((r) => r.mark), BRANDED.map(() => null), 'no mark before the stylesheet');
    release();
    await page.waitForFunction(() => [...document.styleSheets].some((s) => (s.href || '').includes('pasarela_extra.css')));
    await page.waitForFunction(() => getComputedStyle(document.querySelector('#checkout [data-brand=Visa]'), '::before').width === '36px');
    rows = await brandRows(page);
    assert.equal(rows[0].mark, 'rgb(26, 31, 113)', 'Visa: its blue');
    assert.ok(rows.every((r) => r.mark && r.mark !== 'rgba(0, 0, 0, 0)'), JSON.stringify(rows));
    assert.equal(new Set(rows.map((r) => r.mark)).size, rows.length, 'each its own colour');
    assert.equal(rows[6].mark, 'rgb(51, 65, 85)', 'an unknown brand: a plain card');
    assert.equal(await page.$eval('#checkout .pasarela-profile-new .pasarela-profile-brand', (e) => getComputedStyle(e, '::before').content), 'none', 'no mark on "use another card"');
    // The mark's own letters are not read out: the accessible name is the brand's name.
    assert.equal(await page.evaluate(() => document.querySelector('#checkout [data-brand=Visa]').textContent), 'Visa •••• 0000');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scroll at 390 px');
    assert.deepEqual(images, []);
  });

  const langOf = (page) => page.$eval('#checkout .pasarela', (e) => e.lang);

  for (const [locale, lang, words] of [
    ['es-AR', 'es-AR', /^Revise el número, el vencimiento y el código de seguridad de la tarjeta/],
    ['es-MX', 'es-MX', /^Revise el número, la fecha de vencimiento y el CVV de la tarjeta/],
    ['pt-BR', 'pt-BR', /^Verifique os dados do cartão/],
  ]) {
    it(`locale '${locale}': the element's lang is the full tag, and a shopper's error is in the region's words`, async () => {
      const page = await phone();
      assert.deepEqual(await mount(page, optionsFor(ctx.world, 'conekta', { locale })), { ok: true });
      await waitForEvent(page, 'ready');
      assert.equal(await langOf(page), lang);
      await fillConektaCard(page, '4242424242424241');
      const r = await payInPage(page);
      assert.equal(r.error.code, 'tokenization_failed');
      assert.match(r.error.message, words);
    });
  }

  it("locale 'es-AR' with saved cards: Spanish words, the amount as Argentina writes it", async () => {
    const page = await phone();
    await withSavedCards(page, 'conekta', { locale: 'es-AR' });
    assert.equal(await page.textContent('#checkout .pasarela-profiles-title'), 'Tarjetas guardadas');
    assert.match(await page.textContent('#checkout .pasarela-pay'), /^Pagar US\$\s1\.234,56$/);
  });

  it("locale 'es-MX': installments are \"Meses\" (a saved Bamboo card's own counts)", async () => {
    const page = await phone();
    await withSavedCards(page, 'bamboo', { locale: 'es-MX' });
    const label = await page.$eval('#checkout .pasarela-installments', (e) => e.firstChild.textContent);
    assert.equal(label, 'Meses');
  });

  it('a locale outside the list is refused, naming it', async () => {
    const page = await phone();
    const r = await mount(page, optionsFor(ctx.world, 'conekta', { locale: 'es-ES' }));
    assert.deepEqual([r.ok, r.error?.code, r.error?.field], [false, 'invalid_options', 'locale']);
    assert.match(r.error.message, /'es-MX', 'es-AR', 'es-UY', 'es-PE' or 'pt-BR'/);
  });

  for (const [browser, lang, title] of [
    ['pt-BR', 'pt-BR', 'Cartões salvos'],
    ['es-UY', 'es-UY', 'Tarjetas guardadas'],
    ['es-CO', 'es-419', 'Tarjetas guardadas'], // its language; USD is shown as Latin America writes it
    ['en-GB', 'en-US', 'Saved cards'],
    ['fr-FR', 'es-419', 'Tarjetas guardadas'], // none of Pasarela's: Spanish
  ]) {
    it(`without a locale, a browser in ${browser} gets the closest: lang ${lang}`, async () => {
      const page = await phone({ locale: browser });
      await withSavedCards(page, 'conekta');
      assert.equal(await langOf(page), lang);
      assert.equal(await page.textContent('#checkout .pasarela-profiles-title'), title);
    });
  }
});
