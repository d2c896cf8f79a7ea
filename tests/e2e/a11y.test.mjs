// Accessibility: an axe-core audit (WCAG 2.2 A and AA rules) of what Pasarela renders in each
// locale — the saved-card list with its installments choice, the "use another card" state — and
// of the demo page; the result and errors announced through the container's live region; focus
// after a decline and after Bamboo's CVV form closes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conektaForm, fillConektaCard, mount, openBambooVerification, optionsFor, payInPage, shopper, suiteWorld, violations, waitForEvent } from './helpers.mjs';

const status = (page) => page.evaluate(() => {
  const s = document.querySelector('#checkout .pasarela [role=status]');
  return s && { text: s.textContent, kind: s.dataset.kind || '' };
});

describe('accessibility', () => {
  const ctx = suiteWorld();

  for (const locale of ['es', 'en', 'pt']) {
    it(`${locale}: the saved-card list, its installments and "use another card" have no WCAG 2.2 AA violation`, async () => {
      const { page } = ctx.tab;
      await page.evaluate((l) => { document.documentElement.lang = l; }, locale);
      const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111', '4000000000003063']);
      await mount(page, optionsFor(ctx.world, 'bamboo', { locale, profiles: saved.profiles }));
      await waitForEvent(page, 'ready');
      assert.equal(await page.isVisible('#checkout .pasarela-installments select'), true, 'installments offered');
      assert.deepEqual(await violations(page, '#checkout'), [], 'profile list');
      await page.click('#checkout .pasarela-profile-new');
      await page.waitForSelector('#checkout iframe');
      assert.deepEqual(await violations(page, '#checkout'), [], '"use another card"');
    });
  }

  for (const locale of ['es', 'en', 'pt']) {
    it(`${locale}: the demo page has no WCAG 2.2 AA violation`, async () => {
      // The demo runs under the strict CSP: the audit's own script is let in by the browser alone.
      const context = await ctx.world.browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      await page.goto(`${ctx.world.url}/`);
      await page.waitForSelector('.pasarela', { timeout: 15_000 });
      if (locale !== 'es') {
        await page.selectOption('#locale', locale);
        // The host's `lang` is the locale with the region its amounts are shown for (`en-US`).
      await page.waitForFunction((l) => document.querySelector('.pasarela')?.getAttribute('lang')?.startsWith(l), locale, { timeout: 15_000 });
      }
      assert.deepEqual(await violations(page, 'body'), []);
      await context.close();
    });
  }

  it('a decline is announced in the live region, localised, and focus returns to the chosen card', async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'bamboo', ['4000000000000002']);
    await mount(page, optionsFor(ctx.world, 'bamboo', { locale: 'en', profiles: saved.profiles }));
    await waitForEvent(page, 'ready');
    assert.deepEqual(await status(page), { text: '', kind: '' }, 'an empty live region from the start');
    await page.focus('#checkout .pasarela-pay');
    await page.keyboard.press('Enter');
    assert.equal((await waitForEvent(page, 'result')).status, 'declined');
    // The merchant's reason as it sent it, then what to do next, in the checkout's locale.
    assert.deepEqual(await status(page), { text: 'Payment declined. TR013: Transacción rechazada. Try another card.', kind: 'error' });
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role') === 'radio' && document.activeElement.getAttribute('aria-checked')), 'true');
  });

  it('an approval and an error are announced too (es)', async () => {
    const { page } = ctx.tab;
    await ctx.world.faults({ target: 'merchant-before', kind: 'status', status: 422 });
    const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111']);
    await mount(page, optionsFor(ctx.world, 'bamboo', { profiles: saved.profiles }));
    await waitForEvent(page, 'ready');
    assert.equal((await payInPage(page)).status, 'error');
    assert.deepEqual(await status(page), { text: 'La tienda no aceptó el pago; recargue la página e intente de nuevo', kind: 'error' });
    assert.equal((await payInPage(page)).status, 'approved');
    assert.deepEqual(await status(page), { text: 'Pago aprobado', kind: '' });
  });

  it("a decline while the shopper types in Conekta's form (its fields in a shadow root) leaves focus in the field", async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'conekta', ['4242424242424242']);
    await mount(page, optionsFor(ctx.world, 'conekta', { profiles: saved.profiles }));
    await waitForEvent(page, 'ready');
    await page.click('#checkout .pasarela-profile-new'); // "use another card": its radio is the checked one
    await fillConektaCard(page, '4000000000000127'); // insufficient funds
    await conektaForm(page).locator('#ck-cvc').focus();
    assert.equal((await payInPage(page)).status, 'declined');
    const focused = await page.evaluate(() => [document.activeElement.tagName, document.activeElement.shadowRoot?.activeElement?.id]);
    assert.deepEqual(focused, ['CONEKTA-IFRAME', 'ck-cvc'], 'not moved to the "use another card" radio');
  });

  it("after Bamboo's CVV form closes, focus is back on the chosen card", async () => {
    const { page } = ctx.tab;
    const { outcome } = await openBambooVerification(ctx.world, page);
    await page.frameLocator('.pwcheckout-overlay iframe').locator('#pw-cvv').fill('000');
    await page.frameLocator('.pwcheckout-overlay iframe').locator('#pw-submit').click();
    assert.equal((await outcome).status, 'declined');
    await page.waitForSelector('.pwcheckout-overlay', { state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-checked')), 'true');
  });
});
