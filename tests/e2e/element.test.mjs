// <pasarela-checkout>, the custom element of the script-tag build: options from its JSON
// attribute or property, the checkout's events as CustomEvents on the element, lifecycle through
// connectedCallback/disconnectedCallback, and the same strict CSP as the rest of the package.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conektaForm, fillConektaCard, openPage, optionsFor, suiteWorld } from './helpers.mjs';

/** Loads pasarela.js and records every checkout event the elements dispatch, in order. */
async function withScriptTag(page) {
  await page.addScriptTag({ url: '/pkg/pasarela.js' });
  await page.evaluate(() => {
    window.__elementEvents = [];
    window.record = (el) => {
      for (const type of ['ready', 'profileselected', 'token', 'action', 'notification', 'result', 'error']) {
        el.addEventListener(type, (e) => window.__elementEvents.push({
          type, bubbles: e.bubbles, isPasarelaError: e.detail instanceof window.Pasarela.PasarelaError,
          detail: JSON.parse(JSON.stringify(e.detail, (k, v) => (v instanceof Error ? { code: v.code, field: v.field, message: v.message } : v))),
        }));
      }
      return el;
    };
  });
}

const elementEvents = (page) => page.evaluate(() => window.__elementEvents);
async function waitForElementEvent(page, type, count = 1) {
  await page.waitForFunction(([t, n]) => window.__elementEvents.filter((e) => e.type === t).length >= n, [type, count], { timeout: 15_000 });
  return (await elementEvents(page)).filter((e) => e.type === type).at(-1);
}
/** Puts one `<pasarela-checkout id="checkout">` on the page, `options` by property or as the JSON attribute. */
function addElement(page, options, { as = 'property' } = {}) {
  return page.evaluate(([o, how]) => {
    const el = record(document.createElement('pasarela-checkout'));
    el.id = 'checkout';
    if (how === 'attribute') el.setAttribute('options', typeof o === 'string' ? o : JSON.stringify(o));
    else el.options = o;
    document.body.replaceChildren(el);
  }, [options, as]);
}
const conektaFrames = (page) => page.evaluate(() => document.querySelectorAll('pasarela-checkout conekta-iframe').length);

describe('<pasarela-checkout>', () => {
  const ctx = suiteWorld();

  it('options from the JSON attribute: it renders inside itself, dispatches ready and result, and pays once', async () => {
    const { page, consoleLines } = ctx.tab;
    await withScriptTag(page);
    const { container, ...options } = optionsFor(ctx.world, 'conekta');
    await addElement(page, options, { as: 'attribute' });
    const ready = await waitForElementEvent(page, 'ready');
    assert.deepEqual(ready.detail, { provider: 'conekta' });
    assert.equal(ready.bubbles, false);
    assert.equal(await page.evaluate(() => document.querySelector('pasarela-checkout .pasarela') !== null), true);
    await fillConektaCard(page, '4242424242424242');
    const paid = await page.evaluate(() => document.querySelector('pasarela-checkout').checkout.pay().then((r) => r.status));
    assert.equal(paid, 'approved');
    assert.equal((await waitForElementEvent(page, 'result')).detail.status, 'approved');
    assert.deepEqual((await elementEvents(page)).map((e) => e.type), ['ready', 'token', 'result']);
    assert.equal((await ctx.world.state()).charges.length, 1);
    assert.ok(!consoleLines.some((l) => /error/i.test(l)), consoleLines.join('\n'));
  });

  it('an options attribute that is not JSON is an error event: PasarelaError invalid_options, field options', async () => {
    const { page } = ctx.tab;
    await withScriptTag(page);
    await addElement(page, '{provider: conekta', { as: 'attribute' });
    const e = await waitForElementEvent(page, 'error');
    assert.equal(e.detail.code, 'invalid_options');
    assert.equal(e.detail.field, 'options');
    assert.equal(e.isPasarelaError, true);
  });

  it("bad options reach the element's error event as the entry's own PasarelaError", async () => {
    const { page } = ctx.tab;
    await withScriptTag(page);
    const { container, ...options } = optionsFor(ctx.world, 'conekta');
    await addElement(page, { ...options, order: { ...options.order, amount: 12.5 } });
    const e = await waitForElementEvent(page, 'error');
    assert.equal(e.detail.code, 'invalid_options');
    assert.equal(e.detail.field, 'order.amount');
    assert.equal(e.isPasarelaError, true, 'instanceof window.Pasarela.PasarelaError');
  });

  it('a new options property replaces the checkout: one form, the new amount charged', async () => {
    const { page } = ctx.tab;
    await withScriptTag(page);
    const { container, ...options } = optionsFor(ctx.world, 'conekta');
    await addElement(page, options);
    await waitForElementEvent(page, 'ready');
    await page.evaluate((o) => { document.querySelector('pasarela-checkout').options = { ...o, order: { ...o.order, id: 'EL-2', amount: 20000 } }; }, options);
    await waitForElementEvent(page, 'ready', 2);
    assert.equal(await conektaFrames(page), 1);
    assert.equal(await page.evaluate(() => document.querySelectorAll('pasarela-checkout .pasarela').length), 1);
    await fillConektaCard(page, '4242424242424242');
    const paid = await page.evaluate(() => document.querySelector('pasarela-checkout').checkout.pay().then((r) => r.status));
    assert.equal(paid, 'approved');
    const charges = (await ctx.world.state()).charges;
    assert.deepEqual(charges.map((c) => [c.order.id, c.order.amount]), [['EL-2', 20000]]);
  });

  it('removed from the document, its checkout is destroyed; removed while loading, nothing is left', async () => {
    const { page } = ctx.tab;
    await withScriptTag(page);
    const { container, ...options } = optionsFor(ctx.world, 'conekta');
    await addElement(page, options);
    await waitForElementEvent(page, 'ready');
    const afterRemove = await page.evaluate(() => {
      const el = document.querySelector('pasarela-checkout');
      el.remove();
      return { checkout: el.checkout, children: el.children.length };
    });
    assert.deepEqual(afterRemove, { checkout: null, children: 0 });
    // Added and removed in one task: the start is aborted before anything renders.
    await page.evaluate((o) => {
      const el = record(document.createElement('pasarela-checkout'));
      el.id = 'fleeting';
      el.options = o;
      document.body.append(el);
      el.remove();
      window.fleeting = el;
    }, options);
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => window.fleeting.children.length + document.querySelectorAll('.pasarela').length), 0);
    assert.deepEqual((await elementEvents(page)).map((e) => e.type), ['ready']);
  });

  it('works under the strict CSP (script-src self, no inline code)', async () => {
    const tab = await openPage(ctx.world, '/harness-csp.html?provider=conekta');
    const { page } = tab;
    await page.evaluate(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await withScriptTag(page);
    const { container, ...options } = optionsFor(ctx.world, 'conekta');
    await addElement(page, options, { as: 'attribute' });
    await waitForElementEvent(page, 'ready');
    await fillConektaCard(page, '4242424242424242');
    assert.equal(await page.evaluate(() => document.querySelector('pasarela-checkout').checkout.pay().then((r) => r.status)), 'approved');
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    await tab.close();
  });

  it("the package README's <pasarela-checkout> example runs as written (sandbox key, emulator script)", async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../js/README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### `<pasarela-checkout>`'));
    const html = section.match(/```html\n([\s\S]*?)```/)[1];
    const js = section.match(/```js\n([\s\S]*?)```/)[1];
    const { page } = ctx.tab;
    // What differs from production: the sandbox's key and endpoint, the emulator's script, the
    // package served from /pkg/. The scripts run in the README's order.
    const markup = html
      .replace('key_YOUR_PUBLIC_KEY', 'key_sandbox_public')
      .replace('"/api/pay"', '"/merchant/pay"')
      .replace('"publicKey"', `"scriptUrl": "${ctx.world.url}/conekta/v1.0/js/conekta-checkout.min.js", "publicKey"`);
    const scripts = [...markup.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]);
    assert.deepEqual(scripts, ['/vendor/pasarela/pasarela.js', '/checkout.js']);
    await page.evaluate((m) => { document.body.innerHTML = m; }, markup.replace(/<script[\s\S]*?<\/script>/g, ''));
    await page.addScriptTag({ url: '/pkg/pasarela.js' });
    await page.addScriptTag({ content: js });
    await conektaForm(page).locator('#ck-number').waitFor({ timeout: 15_000 });
    await fillConektaCard(page, '4242424242424242');
    await page.click('#buy');
    await page.waitForURL(/\/gracias$/, { timeout: 15_000 });
    assert.equal((await ctx.world.state()).charges.length, 1);
  });
});
