// Screenshots of every state a shopper meets, and an axe-core audit (WCAG 2.2 A and AA) of each:
// the demo storefront (www/index.html) driven through the sandbox — the real merchant service
// and the provider emulators — in es-MX, es-AR and pt-BR, each state shot at 390 px and at
// 1280 px wide into docs/screenshots/<state>-<locale>-<width>.png (README, "Screenshots").
//
// States: the choice of method, saved cards, installments, a new card, declined, the bank's
// verification (challenge), pending, approved and a cash voucher. A state this build cannot reach
// is skipped with a printed line, never drawn by hand. The three locales run side by side (each
// in its own browser context, with the locale's time zone), one state after another within a
// locale; both widths are taken from the same page by resizing it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fillConektaCard, startWorld, violations } from './helpers.mjs';

const SHOTS = new URL('../../docs/screenshots/', import.meta.url);
const WIDTHS = [{ width: 390, height: 844 }, { width: 1280, height: 800 }];
const LOCALES = { 'es-MX': 'America/Mexico_City', 'es-AR': 'America/Argentina/Buenos_Aires', 'pt-BR': 'America/Sao_Paulo' };
const STATE_MS = 15_000; // the bound on reaching any one state

describe('screenshots of every state, audited by axe', { concurrency: true }, () => {
  let world;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    world = await startWorld();
    // The returning shopper's saved cards, made once for all three locales' pages.
    for (const [provider, cards] of [['conekta', ['4242424242424242']], ['bamboo', ['4111111111111111', '5555555555554444']]]) {
      const r = await fetch(`${world.url}/merchant/customers`, { method: 'POST', body: JSON.stringify({ provider, email: 'ana@example.com', cards }) });
      assert.equal(r.status, 200);
    }
  });
  after(async () => { await world?.close(); });

  for (const [locale, timezoneId] of Object.entries(LOCALES)) {
    it(locale, async (t) => {
      const problems = [];
      let shots = 0, fellBack = false;
      const skip = (state, why) => t.diagnostic(`${locale}: ${state} skipped — ${why}`);

      /** A new shopper's tab on the demo with `query` (its own cart), ready. */
      async function storefront(query) {
        // The demo runs under a strict CSP: the audit's script is let in by the browser alone.
        const context = await world.browser.newContext({ viewport: WIDTHS[0], locale, timezoneId, bypassCSP: true });
        const page = await context.newPage();
        page.setDefaultTimeout(STATE_MS);
        await page.goto(`${world.url}/?${new URLSearchParams({ locale, ...query })}`);
        await page.waitForFunction(() => document.querySelector('#checkout .pasarela')?.dataset.state === 'ready');
        const used = await page.getAttribute('#checkout', 'data-locale');
        // The demo falls back to the base language while the package refuses regional locales.
        if (used !== locale && !fellBack) t.diagnostic(`${locale}: the package took '${used}' (it refuses '${locale}' for now)`);
        fellBack ||= used !== locale;
        return { page, close: () => context.close() };
      }

      /**
       * The state on screen now, at each width: its picture (the checkout column; `screen`: the
       * whole window, for a dialog over the page) and its audit.
       */
      async function shoot(page, state, { screen = false } = {}) {
        for (const size of WIDTHS) {
          await page.setViewportSize(size);
          // The window from its top (pressing pay scrolled it): a dialog over the page as it opens.
          if (screen) await page.evaluate(() => window.scrollTo(0, 0));
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          const options = { path: new URL(`${state}-${locale}-${size.width}.png`, SHOTS).pathname, animations: 'disabled' };
          await (screen ? page.screenshot(options) : page.locator('section.checkout').screenshot(options));
          shots += 1;
          for (const v of await violations(page)) problems.push(`${state} at ${size.width} px: ${v}`);
          // Reflow (WCAG 1.4.10): nothing wider than the window.
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          if (wide > size.width) problems.push(`${state} at ${size.width} px: the page is ${wide} px wide`);
        }
        await page.setViewportSize(WIDTHS[0]);
      }

      const results = (page) => page.$$eval('#events li', (els) => els.map((e) => e.textContent).filter((x) => x.startsWith('result ')).map((x) => JSON.parse(x.slice(7))));
      /** The `n`th result the demo logged (bounded). */
      async function nthResult(page, n) {
        await page.waitForFunction((n) => [...document.querySelectorAll('#events li')].filter((li) => li.textContent.startsWith('result ')).length >= n, n);
        return (await results(page))[n - 1];
      }
      async function payCard(page, pan) {
        await fillConektaCard(page, pan);
        await page.click('#pay');
      }

      // Conekta in pesos: the choice of method; a card declined; another approved.
      {
        const { page, close } = await storefront({ provider: 'conekta' });
        if (await page.$('#checkout .pasarela-methods')) await shoot(page, 'methods');
        else skip('methods', 'no choice of method is drawn');
        await payCard(page, '4000000000000127');
        assert.equal((await nthResult(page, 1)).status, 'declined');
        await shoot(page, 'declined');
        await payCard(page, '4242424242424242');
        assert.equal((await nthResult(page, 2)).status, 'approved');
        await shoot(page, 'approved');
        await close();
      }
      // A cash voucher (OXXO).
      {
        const { page, close } = await storefront({ provider: 'conekta' });
        if (await page.$('#checkout .pasarela-methods input[value=cash]')) {
          await page.check('#checkout .pasarela-methods input[value=cash]');
          await page.click('#pay');
          await page.waitForSelector('#checkout .pasarela-voucher img');
          await page.waitForFunction(() => document.querySelector('#checkout .pasarela-voucher img').complete);
          await shoot(page, 'voucher');
        } else skip('voucher', 'cash is not offered');
        await close();
      }
      // 3-D Secure in the page; the shopper closes it, and the payment is pending.
      {
        const { page, close } = await storefront({ provider: 'conekta' });
        await payCard(page, '4000000000003220');
        await page.frameLocator('#checkout [role=dialog] iframe').locator('#approve').waitFor();
        await shoot(page, 'challenge', { screen: true });
        await page.click('#checkout .pasarela-challenge-close');
        assert.equal((await nthResult(page, 1)).status, 'pending');
        await shoot(page, 'pending');
        await close();
      }
      // A returning shopper: her saved cards, then "use another card".
      {
        const { page, close } = await storefront({ provider: 'conekta' });
        await page.check('#returning');
        await page.waitForSelector('#checkout [role=radiogroup] [role=radio]');
        await shoot(page, 'saved-cards');
        await page.click('#checkout .pasarela-profile-new');
        await page.waitForSelector('#checkout conekta-iframe');
        await fillConektaCard(page, '4242424242424242');
        await shoot(page, 'new-card');
        await close();
      }
      // Installments: the session's offers (or the saved card's own counts), one chosen.
      {
        const { page, close } = await storefront({ provider: 'bamboo' });
        await page.check('#returning');
        await page.waitForSelector('#checkout [role=radiogroup] [role=radio]');
        // The session's priced offers (`installments`: a radio per offer), or, from a package
        // without them, the saved card's own counts (a select).
        const offers = page.locator('#checkout .pasarela-plans input[type=radio]');
        const select = page.locator('#checkout .pasarela-installments select');
        if (await offers.count() && await offers.last().isVisible()) {
          await offers.last().check();
          await shoot(page, 'installments');
        } else if (await select.isVisible()) {
          const values = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
          await select.selectOption(values.at(-1));
          await shoot(page, 'installments');
        } else skip('installments', 'no installments choice is drawn for the saved card');
        await close();
      }

      t.diagnostic(`${locale}: ${shots} screenshots`);
      assert.deepEqual(problems, [], 'WCAG 2.2 AA');
    });
  }
});

