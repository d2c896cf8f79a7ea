// The example storefronts under examples/ (Vite + TypeScript, webpack 5, esbuild), each built by
// its bundler from the built package and paid through in Chromium: what each bundler does with
// the `.wasm` is what a storefront engineer gets.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fillConektaCard, suiteWorld } from './helpers.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const EXAMPLES = ['vite-ts', 'webpack', 'esbuild'];

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
});
