// The example storefronts under examples/ (Vite + TypeScript, Vite + React, webpack 5, esbuild), each built by
// its bundler from the built package and paid through in Chromium: what each bundler does with
// the `.wasm` is what a storefront engineer gets.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fillConektaCard, suiteWorld } from './helpers.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const EXAMPLES = ['vite-ts', 'vite-react', 'webpack', 'esbuild'];
/** Pasarela's hosts and Conekta forms on the page (one checkout = one of each). */
const rendered = (page) => page.evaluate(() => ({
  hosts: document.querySelectorAll('.pasarela').length,
  forms: document.querySelectorAll('.pasarela conekta-iframe').length,
}));

describe('example storefronts', () => {
  const ctx = suiteWorld();
  before(() => { execFileSync('node', ['examples/build.mjs'], { cwd: ROOT, stdio: 'inherit' }); });

  for (const name of EXAMPLES) {
    it(`${name}: built from the package, it pays an approved Conekta payment, one charge`, async () => {
      const { page, consoleLines } = ctx.tab;
      await page.goto(`${ctx.world.url}/examples/${name}/`);
      await page.waitForSelector('body[data-ready=true]', { timeout: 15_000 });
      await fillConektaCard(page, '4242424242424242');
      await page.click('#buy');
      await page.waitForSelector('body[data-result]', { timeout: 15_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.result), 'approved');
      assert.equal((await ctx.world.state()).charges.length, 1);
      assert.ok(!consoleLines.some((l) => /error|warn/i.test(l)), consoleLines.join('\n'));
    });
  }

  describe('pasarela/react (examples/vite-react, under <StrictMode>)', () => {
    const react = (path = '') => `${ctx.world.url}/examples/vite-react/${path}`;

    it("StrictMode's double effect leaves one checkout, which charges once", async () => {
      const { page } = ctx.tab;
      await page.goto(react());
      await page.waitForSelector('body[data-ready=true]', { timeout: 15_000 });
      await page.waitForTimeout(300);
      assert.deepEqual(await rendered(page), { hosts: 1, forms: 1 });
      assert.deepEqual(await page.evaluate(() => window.pasarelaErrors), undefined, 'the aborted start reports nothing');
      await fillConektaCard(page, '4242424242424242');
      await page.click('#buy');
      await page.waitForSelector('body[data-result]', { timeout: 15_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.result), 'approved');
      assert.equal((await ctx.world.state()).charges.length, 1);
    });

    it('unmounted before createCheckout resolves: nothing is rendered, nothing is reported', async () => {
      const { page, consoleLines } = ctx.tab;
      await page.goto(react('?hidden'));
      await page.waitForSelector('#toggle');
      // Mounted and unmounted in one task: the start is aborted while the wasm loads.
      await page.evaluate(() => { const t = document.querySelector('#toggle'); t.click(); t.click(); });
      await page.waitForTimeout(1500);
      assert.deepEqual(await rendered(page), { hosts: 0, forms: 0 });
      assert.equal(await page.evaluate(() => window.pasarelaErrors), undefined);
      // Shown again, it works.
      await page.click('#toggle');
      await page.waitForSelector('body[data-ready=true]', { timeout: 15_000 });
      assert.deepEqual(await rendered(page), { hosts: 1, forms: 1 });
      assert.ok(!consoleLines.some((l) => /error|warn/i.test(l)), consoleLines.join('\n'));
    });

    it('changed options destroy the old checkout and charge the new amount', async () => {
      const { page } = ctx.tab;
      await page.goto(react());
      await page.waitForSelector('body[data-ready=true]', { timeout: 15_000 });
      await page.click('#amount');
      await page.waitForSelector('body[data-ready=true]', { timeout: 15_000 });
      await page.waitForTimeout(300);
      assert.deepEqual(await rendered(page), { hosts: 1, forms: 1 });
      await fillConektaCard(page, '4242424242424242');
      await page.click('#buy');
      await page.waitForSelector('body[data-result]', { timeout: 15_000 });
      const charges = (await ctx.world.state()).charges;
      assert.deepEqual(charges.map((c) => c.order.amount), [20000]);
      assert.match(charges[0].order.id, /^REACT-\d+-20000$/);
    });
  });
});
