// Installment offers on the page, in Chromium: the choice drawn by the on-demand part after the
// card form or list (native radios, paying in full first and chosen), worded as the region says
// it, following the chosen card (an offer's brands, a saved card's own counts), and the count the
// shopper chose sent in the payment body; pay() refuses a count not offered. axe-clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fillConektaCard, mount, optionsFor, payInPage, radios, suiteWorld, violations, waitForEvent } from './helpers.mjs';

/** Offers as pasarela-server computes them for `amount` (docs/api.md §2), interest-free. */
const free = (count, amount) => ({ count, amount: Math.round(amount / count), total: amount, rate: 0, tea: 0, free: true });

/** The choice as the shopper meets it: each radio's words and whether it is chosen. */
const choices = (page) => page.$$eval('#checkout .pasarela-plans input[type=radio]', (inputs) => inputs.map((i) => ({
  text: i.closest('label').textContent.replace(/\s+/g, ' ').trim(), checked: i.checked, value: i.value,
})));
const counts = async (page) => (await choices(page)).map((c) => Number(c.value));

/** Answers the page's POST /merchant/pay itself (approved) and keeps the bodies it got. */
async function stubMerchant(page) {
  const bodies = [];
  await page.route('**/merchant/pay', (route) => {
    bodies.push(route.request().postDataJSON());
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ status: 'approved', paymentId: `pay_${bodies.length}` }) });
  });
  return bodies;
}

describe('installment offers', () => {
  const ctx = suiteWorld();

  it('es-MX, a new card: months without interest after the card form, pay in full first and chosen, a keyboard choice paid', async () => {
    const { page } = ctx.tab;
    const bodies = await stubMerchant(page);
    const amount = 123456;
    const offers = [free(1, amount), free(3, amount), free(6, amount),
      { count: 12, amount: 12346, total: 148152, rate: 36, tea: 42.58, cft: 48.1, free: false }];
    const o = optionsFor(ctx.world, 'conekta', { order: { id: `T-${Date.now()}`, amount, currency: 'MXN' }, installments: offers });
    assert.deepEqual(await mount(page, o), { ok: true });
    await waitForEvent(page, 'ready');
    await page.waitForSelector('#checkout .pasarela-plans:not([hidden])');
    assert.deepEqual((await choices(page)).map((c) => [c.text.replace(/\u00a0/g, ' '), c.checked]), [
      ['1 pago de $1,234.56', true],
      ['3 meses sin intereses de $411.52', false],
      ['6 meses sin intereses de $205.76', false],
      ['12 meses de $123.46 — Total $1,481.52 — CAT 48.10 %', false],
    ]);
    assert.equal(await page.textContent('#checkout .pasarela-plans legend'), 'Meses');
    // After the card form, before anything else Pasarela draws.
    assert.equal(await page.evaluate(() => {
      const forms = document.querySelector('#checkout .pasarela-forms'), plans = document.querySelector('#checkout .pasarela-plans');
      return !!(forms.compareDocumentPosition(plans) & Node.DOCUMENT_POSITION_FOLLOWING) && !plans.nextElementSibling;
    }), true, 'the choice follows the card form');
    assert.deepEqual(await violations(page, '#checkout'), []);
    // Arrow keys move the choice, as in any radio group.
    await page.focus('#checkout .pasarela-plans input:checked');
    await page.keyboard.press('ArrowDown');
    assert.deepEqual((await choices(page)).map((c) => c.checked), [false, true, false, false]);
    await fillConektaCard(page, '4242424242424242');
    const r = await payInPage(page);
    assert.equal(r.status, 'approved', JSON.stringify(r));
    assert.equal(bodies.at(-1).installments, 3, 'the chosen count is in the payment body');
  });

  it('an offer with interest: Pasarela\'s pay button names its total, which is what is charged; once paid the choice leaves', async () => {
    const { page } = ctx.tab;
    const bodies = await stubMerchant(page);
    const amount = 60000;
    const o = optionsFor(ctx.world, 'conekta', {
      locale: 'en',
      order: { id: `T-${Date.now()}`, amount, currency: 'USD' },
      installments: [free(1, amount), free(3, amount), { count: 12, amount: 5150, total: 61800, rate: 6, tea: 6.17, free: false }],
      profiles: [{ id: 'p-visa', brand: 'Visa', last4: '4242', expiry: '203012' }],
    });
    assert.deepEqual(await mount(page, o), { ok: true });
    await waitForEvent(page, 'ready');
    await page.waitForSelector('#checkout .pasarela-plans:not([hidden])');
    const label = () => page.evaluate(() => document.querySelector('#checkout .pasarela-pay').textContent.replace(/\u00a0/g, ' '));
    assert.match(await label(), / \$600\.00$/);
    await page.check('#checkout .pasarela-plans input[value="12"]');
    assert.match(await label(), / \$618\.00$/, 'the total with interest');
    await page.check('#checkout .pasarela-plans input[value="3"]');
    assert.match(await label(), / \$600\.00$/, 'interest-free: the order amount');
    await page.check('#checkout .pasarela-plans input[value="12"]');
    await page.click('#checkout .pasarela-pay');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    assert.equal(bodies.at(-1).installments, 12);
    assert.equal(await page.isVisible('#checkout .pasarela-plans'), false, 'once paid, the choice leaves with the cards');
  });

  it('brands and a saved card\'s own counts narrow the offers; pay() names a count or is refused one not offered', async () => {
    const { page } = ctx.tab;
    const bodies = await stubMerchant(page);
    const amount = 60000;
    const six = { ...free(6, amount), brands: ['visa'] };
    const o = optionsFor(ctx.world, 'conekta', {
      locale: 'en',
      order: { id: `T-${Date.now()}`, amount, currency: 'USD' },
      installments: [free(1, amount), free(3, amount), six, free(12, amount)],
      profiles: [
        { id: 'p-visa', brand: 'Visa', last4: '4242', expiry: '203012' },
        { id: 'p-mc', brand: 'Mastercard', last4: '4444', expiry: '203012', installments: [1, 3, 18] },
      ],
    });
    assert.deepEqual(await mount(page, o), { ok: true });
    await waitForEvent(page, 'ready');
    await page.waitForSelector('#checkout .pasarela-plans:not([hidden])');
    assert.deepEqual(await counts(page), [1, 3, 6, 12], 'the Visa card: every offer');
    assert.equal((await choices(page))[1].text.replace(/\u00a0/g, ' '), '3 interest-free installments of $200.00');
    assert.equal(await page.isVisible('#checkout .pasarela-installments'), false, 'the list\'s own choice gives way');
    await page.check('#checkout .pasarela-plans input[value="6"]');
    // The Mastercard: 6 is for Visa only, 12 is not among its own counts, 18 is not offered.
    await page.click('#checkout [data-profile-id="p-mc"]');
    await page.waitForFunction(() => document.querySelectorAll('#checkout .pasarela-plans input').length === 2);
    assert.deepEqual((await choices(page)).map((c) => [Number(c.value), c.checked]), [[1, true], [3, false]], 'back to paying in full');
    for (const [opts, field] of [[{ profileId: 'p-mc', installments: 6 }, 'installments'], [{ profileId: 'p-visa', installments: 2 }, 'installments']]) {
      const r = await payInPage(page, opts);
      assert.equal(r.rejected?.code, 'invalid_options', JSON.stringify(opts));
      assert.equal(r.rejected.field, field);
    }
    assert.equal(bodies.length, 0, 'nothing sent for a count not offered');
    await page.check('#checkout .pasarela-plans input[value="3"]');
    await page.click('#checkout .pasarela-pay');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    assert.deepEqual([bodies[0].source, bodies[0].installments], [{ type: 'profile', profileId: 'p-mc' }, 3]);
  });

  it('pay({ installments }) overrides the shopper\'s choice; a new card sees every offer', async () => {
    const { page } = ctx.tab;
    const bodies = await stubMerchant(page);
    const amount = 90000;
    const o = optionsFor(ctx.world, 'conekta', {
      locale: 'pt',
      order: { id: `T-${Date.now()}`, amount, currency: 'BRL' },
      installments: [free(1, amount), free(3, amount), { ...free(6, amount), brands: ['amex'] }],
      profiles: [{ id: 'p-visa', brand: 'Visa', last4: '4242', expiry: '203012' }],
    });
    assert.deepEqual(await mount(page, o), { ok: true });
    await waitForEvent(page, 'ready');
    await page.waitForSelector('#checkout .pasarela-plans:not([hidden])');
    assert.deepEqual(await counts(page), [1, 3]);
    await page.click('#checkout .pasarela-profile-new');
    await page.waitForFunction(() => document.querySelectorAll('#checkout .pasarela-plans input').length === 3);
    assert.deepEqual((await choices(page)).map((c) => c.text.replace(/\u00a0/g, ' ')),
      ['À vista: R$ 900,00', '3x de R$ 300,00 sem juros', '6x de R$ 150,00 sem juros']);
    assert.deepEqual((await radios(page)).map((r) => r.checked), ['false', 'true']);
    await page.click('#checkout [data-profile-id="p-visa"]');
    await page.check('#checkout .pasarela-plans input[value="3"]');
    const r = await payInPage(page, { installments: 1 });
    assert.equal(r.status, 'approved');
    assert.equal(bodies[0].installments, 1, 'pay({ installments }) wins over the choice');
  });

  it('through the merchant service: the session\'s offers as it answers them, the chosen months charged by Conekta', async () => {
    const { page } = ctx.tab;
    const order = { id: `T-svc-${Date.now()}`, amount: 150000, currency: 'MXN' };
    const r = await fetch(`${ctx.world.url}/merchant/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'conekta', order, customer: { email: 'ana@example.com' }, installments: [{ count: 3 }, { count: 6 }] }) });
    const session = await r.json();
    assert.equal(r.status, 200, JSON.stringify(session));
    assert.deepEqual(session.installments.map((o) => o.count), [1, 3, 6]);
    const o = optionsFor(ctx.world, 'conekta', { order, installments: session.installments });
    o.merchant = { paymentUrl: '/merchant/pay', clientSecret: session.clientSecret };
    assert.deepEqual(await mount(page, o), { ok: true }, 'the service\'s offers are valid options as they come');
    await waitForEvent(page, 'ready');
    await page.waitForSelector('#checkout .pasarela-plans:not([hidden])');
    assert.deepEqual((await choices(page)).map((c) => c.text.replace(/\u00a0/g, ' ')),
      ['1 pago de $1,500.00', '3 meses sin intereses de $500.00', '6 meses sin intereses de $250.00']);
    assert.equal((await payInPage(page, { installments: 9 })).rejected?.field, 'installments', 'a count the session did not offer');
    await page.check('#checkout .pasarela-plans input[value="6"]');
    await fillConektaCard(page, '4242424242424242');
    const paid = await payInPage(page);
    assert.equal(paid.status, 'approved', JSON.stringify(paid));
    const orders = (await ctx.world.state()).conekta.orders.filter((c) => c.metadata?.order_id === order.id);
    assert.equal(orders.length, 1);
    assert.equal(orders[0].monthly_installments, 6, 'Conekta was asked for six months without interest');
  });

  it('bad offers are refused naming the field; without offers no choice is drawn', async () => {
    const { page } = ctx.tab;
    const bad = optionsFor(ctx.world, 'conekta', { installments: [free(1, 100), { ...free(3, 100), total: 10 }] });
    const r = await mount(page, bad);
    assert.equal(r.ok, false);
    assert.deepEqual([r.error.code, r.error.field], ['invalid_options', 'installments[1].total']);
    assert.deepEqual(await mount(page, optionsFor(ctx.world, 'conekta')), { ok: true });
    await waitForEvent(page, 'ready');
    await page.waitForFunction(() => document.querySelector('link[data-pasarela-extra]')?.sheet);
    await page.waitForTimeout(100);
    assert.equal(await page.$('#checkout .pasarela-plans'), null);
    assert.equal(await page.getAttribute('#checkout .pasarela', 'data-offers'), null);
  });
});
