// The demo storefront (www/index.html) as a shopper uses it: pay with the Bamboo emulator.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fillConektaCard, fillKrCard, openPage, payWithBambooCard, startWorld } from './helpers.mjs';

describe('demo storefront', () => {
  let world;
  before(async () => { world = await startWorld(); });
  after(async () => { await world.close(); });

  for (const [pan, outcome, charges] of [['4111111111111111', /aprobado/, 1], ['4000000000000002', /rechazado/, 0]]) {
    it(`completes a payment with ${pan} (${outcome.source})`, async () => {
      await world.reset();
      const { page, close } = await openPage(world, '/');
      await page.waitForSelector('#checkout iframe');
      await payWithBambooCard(page, pan);
      await page.waitForFunction(() => document.querySelector('#outcome').textContent.length > 0);
      assert.match(await page.textContent('#outcome'), outcome);
      assert.equal((await world.state()).charges.length, charges);
      await close();
    });
  }

  for (const [provider, fill, pan] of [['conekta', fillConektaCard, '4242424242424242'], ['kr', fillKrCard, '4970100000000055']]) {
    it(`switches to ${provider} and pays with the page's own button`, async () => {
      await world.reset();
      const { page, close } = await openPage(world, '/');
      await page.waitForSelector('#checkout iframe');
      await page.check(`input[name=provider][value=${provider}]`);
      await page.waitForFunction((p) => document.querySelector(`#checkout .pasarela[data-provider=${p}] :is(iframe, conekta-iframe)`), provider);
      await page.waitForFunction(() => document.querySelector('#checkout .pasarela')?.dataset.state === 'ready');
      await fill(page, pan);
      await page.click('#pay');
      await page.waitForFunction(() => document.querySelector('#outcome').textContent.length > 0);
      assert.match(await page.textContent('#outcome'), /aprobado/);
      assert.equal((await world.state()).charges.length, 1);
      assert.equal(await page.locator('#checkout .pasarela').count(), 1, 'the previous provider was destroyed');
      await close();
    });
  }

  it('a returning shopper pays a saved card in one click', async () => {
    await world.reset();
    const { page, close } = await openPage(world, '/');
    await page.check('#returning');
    await page.waitForSelector('#checkout [role=radiogroup]');
    assert.equal(await page.isVisible('#pay'), false, 'only Pasarela\'s pay button');
    await page.click('#checkout .pasarela-pay');
    await page.waitForFunction(() => document.querySelector('#outcome').textContent.length > 0);
    assert.match(await page.textContent('#outcome'), /aprobado/);
    assert.equal((await world.state()).charges.length, 1);
    await close();
  });

  it('a returning shopper removes a saved card: through the storefront to the service and Conekta, gone after a reload', async () => {
    await world.reset();
    const { page, close } = await openPage(world, '/');
    await page.check('input[name=provider][value=conekta]');
    await page.check('#returning');
    await page.waitForSelector('#checkout .pasarela[data-provider=conekta] .pasarela-manage');
    const cards = () => page.$$eval('#checkout [data-profile-id]', (els) => els.map((e) => e.dataset.profileId));
    const [card] = await cards();
    assert.ok(card, 'a saved card is listed');
    await page.click(`#checkout [data-profile-id="${card}"] + .pasarela-manage button:last-child`);
    await page.click('#checkout .pasarela-confirm-yes');
    await page.waitForFunction((id) => !document.querySelector(`#checkout [data-profile-id="${id}"]`), card);
    const deletes = (await world.state()).conekta.deletes;
    assert.deepEqual(deletes.map((d) => d.status), [200], 'Conekta deleted the payment source once');
    await page.reload();
    await page.check('input[name=provider][value=conekta]');
    await page.check('#returning');
    await page.waitForFunction(() => document.querySelector('#checkout .pasarela')?.dataset.state === 'ready');
    assert.ok(!(await cards()).includes(card), 'the service forgot it');
    await close();
  });
});
