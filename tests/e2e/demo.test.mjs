// The demo storefront (www/index.html) as a shopper uses it: pay with the Bamboo emulator.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, payWithBambooCard, startWorld } from './helpers.mjs';

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
});
