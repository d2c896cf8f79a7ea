// Pasarela under a strict Content-Security-Policy (no 'unsafe-inline', no 'unsafe-eval';
// 'wasm-unsafe-eval' allowed): every provider mounts and pays under the policy its library needs
// (docs/providers/*.md), and the browser reports no violation. KR's client injects its theme as a
// <style>, so KR needs 'unsafe-inline' in style-src, and the strict policy is seen to refuse it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conektaForm, fillConektaCard, fillKrCard, krOptions, mount, openPage, optionsFor, payInPage, payWithBambooCard, shopper, startWorld, waitForEvent } from './helpers.mjs';
import { CSP_FOR, STRICT_CSP } from '../../www/server.mjs';

describe('strict CSP', () => {
  let world;
  before(async () => { world = await startWorld(); });
  after(async () => { await world.close(); });

  async function cspPage(provider) {
    const tab = await openPage(world, `/harness-csp.html${provider ? `?provider=${provider}` : ''}`);
    await tab.page.evaluate(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    return tab;
  }

  it('the harness really is served with the strict policy', async () => {
    const r = await fetch(`${world.url}/harness-csp.html`);
    assert.equal(r.headers.get('content-security-policy'), STRICT_CSP);
    assert.doesNotMatch(STRICT_CSP, /unsafe-inline|'unsafe-eval'/);
  });

  it('Bamboo: saved-card list and one-click, then a new card, without violations', async () => {
    await world.reset();
    const { page, close } = await cspPage();
    const saved = await shopper(world, 'bamboo', ['4111111111111111']);
    await mount(page, optionsFor(world, 'bamboo', { profiles: saved.profiles }));
    await waitForEvent(page, 'ready');
    await page.click('#checkout .pasarela-profile-new');
    await payWithBambooCard(page, '4111111111111111');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    await close();
  });

  it('Conekta and KR mount and pay without violations under their documented policies', async () => {
    assert.match(CSP_FOR.kr, /style-src 'self' 'unsafe-inline'/);
    for (const [provider, fill, pan] of [['conekta', fillConektaCard, '4242424242424242'], ['kr', fillKrCard, '4970100000000055']]) {
      await world.reset();
      const { page, close } = await cspPage(provider);
      const opts = provider === 'kr' ? await krOptions(world) : optionsFor(world, provider);
      await mount(page, opts);
      await waitForEvent(page, 'ready');
      await (provider === 'conekta' ? conektaForm(page) : page.frameLocator('#checkout iframe')).locator('input').first().waitFor();
      await fill(page, pan);
      assert.equal((await payInPage(page)).status, 'approved', provider);
      assert.deepEqual(await page.evaluate(() => window.__violations), [], provider);
      await close();
    }
  });

  it("KR's injected theme is refused by the strict policy: the emulator does what the real client does", async () => {
    await world.reset();
    const { page, close } = await cspPage();
    await mount(page, await krOptions(world));
    await waitForEvent(page, 'ready');
    await page.waitForFunction(() => window.__violations.length > 0);
    assert.ok((await page.evaluate(() => window.__violations)).some((v) => v.startsWith('style-src')));
    await close();
  });
});
