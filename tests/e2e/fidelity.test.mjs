// Provider fidelity: Pasarela against emulators that behave as the providers' real libraries are
// documented to (docs/providers/*.md), and the emulators' own strictness, so a test cannot pass
// against a behaviour the real library does not have.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  conektaForm, events, fillConektaCard, fillKrCard, krOptions, mount, optionsFor, payInPage, payWithBambooCard, shopper,
  suiteWorld, waitForEvent, openBambooVerification, openPage,
} from './helpers.mjs';

/** Loads a provider script into the page as a storefront would, without Pasarela. */
async function loadScript(page, src) {
  await page.evaluate((src) => new Promise((ok, fail) => {
    const s = document.createElement('script');
    s.src = src; s.onload = ok; s.onerror = fail;
    document.head.append(s);
  }), src);
}

describe('Bamboo PWCheckout as documented', () => {
  const ctx = suiteWorld();
  const noModal = () => `${ctx.world.url}/bamboo/v1/Scripts/PWCheckoutNoModal.js?key=bamboo_public_sandbox`;

  it('emulator: LoadIframe() into a <div> stays blank; into an <iframe> it shows the form', async () => {
    const { page } = ctx.tab;
    await loadScript(page, noModal());
    const blank = await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<form id="f"><input type="hidden" name="PWToken" id="PWToken"></form><div id="d"></div>');
      PWCheckout.SetProperties({ form_id: 'f', iframeId: 'd', country_code: 'UY', autoSubmit: 'false' });
      PWCheckout.LoadIframe();
      return document.getElementById('d').childElementCount;
    });
    assert.equal(blank, 0, 'a <div> named as iframeId gets nothing');
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<iframe id="i"></iframe>');
      PWCheckout.SetProperties({ iframeId: 'i' });
      PWCheckout.LoadIframe();
    });
    await page.frameLocator('#i').locator('#pw-pan').waitFor();
  });

  it('emulator: without country_code the form does not open; without a PWToken input no token comes', async () => {
    const { page } = ctx.tab;
    await loadScript(page, noModal());
    const refused = await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<form id="f"></form><iframe id="i"></iframe>');
      PWCheckout.SetProperties({ form_id: 'f', iframeId: 'i', autoSubmit: 'false' });
      try { PWCheckout.LoadIframe(); return 'opened'; } catch (e) { return e.message; }
    });
    assert.match(refused, /country_code/);
    await page.evaluate(() => {
      window.__tokens = 0;
      PWCheckout.Bind('tokenCreated', () => { window.__tokens += 1; });
      PWCheckout.SetProperties({ country_code: 'UY' });
      PWCheckout.LoadIframe();
    });
    await payWithBambooCard(page, '4111111111111111', { frame: '#i' });
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => window.__tokens), 0, 'no PWToken input on the page: no tokenCreated');
  });

  it('Pasarela gives PWCheckout an <iframe>, a PWToken input in form_id, country_code and an ISO 639-1 lang', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'bamboo', { locale: 'en', bamboo: { countryCode: 'UY' } }));
    await waitForEvent(page, 'ready');
    const seen = await page.evaluate(() => {
      const props = PWCheckout.__properties();
      const frame = document.getElementById(props.iframeId);
      const input = document.getElementById('PWToken');
      return { tag: frame.tagName, inContainer: document.querySelector('#checkout').contains(frame), country: props.country_code,
        lang: props.lang, inputForm: input.form.id === props.form_id, name: input.name, type: input.type };
    });
    assert.deepEqual(seen, { tag: 'IFRAME', inContainer: true, country: 'UY', lang: 'EN', inputForm: true, name: 'PWToken', type: 'hidden' });
    // The form the library loaded follows that lang.
    await page.frameLocator('#checkout iframe').locator('#pw-title', { hasText: 'Card payment' }).waitFor();
  });

  it('a Bamboo checkout without bamboo.countryCode is refused, naming the field', async () => {
    const { page } = ctx.tab;
    const o = optionsFor(ctx.world, 'bamboo');
    delete o.bamboo;
    const r = await mount(page, o);
    assert.equal(r.error.code, 'invalid_options');
    assert.equal(r.error.field, 'bamboo.countryCode');
    const lower = await mount(page, optionsFor(ctx.world, 'bamboo', { bamboo: { countryCode: 'mx' } }));
    assert.equal(lower.error.field, 'bamboo.countryCode');
  });

  it('numeric TokenInfo.Last4: a card ending in 0001 is reported as last4 0001; the PWToken input is emptied', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'bamboo'));
    await waitForEvent(page, 'ready');
    await payWithBambooCard(page, '4111111111160001');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    assert.equal((await waitForEvent(page, 'token')).last4, '0001');
    assert.equal(await page.evaluate(() => document.getElementById('PWToken').value), '');
  });

  it('closed by TIMEOUT during verification: error timeout, one pending result; pay() reopens it, one charge', async () => {
    const { page } = ctx.tab;
    const { outcome: p } = await openBambooVerification(ctx.world, page);
    await page.evaluate(() => PWCheckout.__close('TIMEOUT'));
    const r = await p;
    assert.equal(r.status, 'pending');
    assert.ok(!('error' in r), 'a pending result carries no error: the error event reports it');
    assert.equal((await waitForEvent(page, 'error')).code, 'timeout');
    await page.click('#checkout .pasarela-pay');
    assert.equal((await waitForEvent(page, 'action', 2)).paymentId, r.paymentId);
    const f = page.frameLocator('.pwcheckout-overlay iframe');
    await f.locator('#pw-cvv').fill('123');
    await f.locator('#pw-submit').click();
    assert.equal((await waitForEvent(page, 'result', 2)).status, 'approved');
    const s = await ctx.world.state();
    assert.deepEqual([s.requests.length, s.charges.length], [1, 1]);
  });

  it('closed by COMMERCE_ACTION during verification: the payment is read as the merchant has it', async () => {
    const { page } = ctx.tab;
    const { outcome: p } = await openBambooVerification(ctx.world, page);
    const src = await page.locator('.pwcheckout-overlay iframe').getAttribute('src');
    // The commerce completes the action itself (server to server), then the library closes.
    const sessionId = new URL(src).searchParams.get('session_id');
    await fetch(`${ctx.world.url}/bamboo/v1/api/capture-action`, { method: 'POST', body: JSON.stringify({ sessionId, cvv: '123' }) });
    await page.evaluate(() => PWCheckout.__close('COMMERCE_ACTION'));
    assert.equal((await p).status, 'approved');
    assert.ok(!(await events(page)).some((e) => e.name === 'error'), 'COMMERCE_ACTION is not the shopper leaving');
  });

  it('modal card form closed by the shopper or by ERROR ends the waiting pay() (cancelled / tokenization_failed)', async () => {
    const { page } = ctx.tab;
    const scriptUrl = `${ctx.world.url}/bamboo/v1/Scripts/PWCheckout.js`;
    await mount(page, optionsFor(ctx.world, 'bamboo', { scriptUrl }));
    await waitForEvent(page, 'ready');
    const first = payInPage(page);
    await page.locator('.pwcheckout-overlay iframe').waitFor();
    await page.keyboard.press('Escape');
    assert.equal((await first).error.code, 'cancelled');
    const second = payInPage(page);
    await page.locator('.pwcheckout-overlay iframe').waitFor();
    await page.evaluate(() => PWCheckout.__close('ERROR'));
    const r = await second;
    assert.deepEqual([r.status, r.error.code], ['error', 'tokenization_failed']);
    assert.equal((await ctx.world.state()).requests.length, 0);
  });

  it('enrollment closed by TIMEOUT rejects enroll() with timeout', async () => {
    const { page } = ctx.tab;
    const account = await shopper(ctx.world, 'bamboo', []);
    await mount(page, optionsFor(ctx.world, 'bamboo', { bamboo: account.bamboo }));
    await waitForEvent(page, 'ready');
    const enrolled = page.evaluate(() => checkout.enroll().then(() => 'resolved', (e) => e.code));
    await page.locator('.pwcheckout-overlay iframe').waitFor();
    await page.evaluate(() => PWCheckout.__close('TIMEOUT'));
    assert.equal(await enrolled, 'timeout');
  });

  it('a second live Bamboo checkout on the page is refused, naming the provider; after destroy() it mounts', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'bamboo'));
    await waitForEvent(page, 'ready');
    const second = await page.evaluate(async (o) => {
      document.body.insertAdjacentHTML('beforeend', '<div id="second"></div>');
      const { createCheckout } = await import('/pkg/pasarela.mjs');
      try { await createCheckout({ ...o, container: '#second' }); return 'mounted'; } catch (e) {
        return { code: e.code, provider: e.provider, field: e.field, rendered: document.querySelector('#second').childElementCount };
      }
    }, optionsFor(ctx.world, 'bamboo'));
    assert.deepEqual(second, { code: 'unsupported', provider: 'bamboo', field: 'provider', rendered: 0 });
    // The first one still pays.
    await payWithBambooCard(page, '4111111111111111');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    const again = await page.evaluate(async (o) => {
      checkout.destroy();
      const { createCheckout } = await import('/pkg/pasarela.mjs');
      const c = await createCheckout({ ...o, container: '#second' });
      const state = c.state;
      c.destroy();
      return state;
    }, optionsFor(ctx.world, 'bamboo'));
    assert.equal(again, 'loading');
  });
});

describe('Conekta component as documented', () => {
  const ctx = suiteWorld();

  it('a card its own checks refuse arrives on onFormError only: the attempt ends, the next pay() charges once', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    await fillConektaCard(page, '4242424242424241'); // fails Luhn in the component
    const bad = await payInPage(page);
    assert.deepEqual([bad.status, bad.error.code], ['error', 'tokenization_failed']);
    // The shopper's `message_to_purchaser`, never the component's English `message`.
    assert.match(bad.error.message, /número de tarjeta es inválido/);
    assert.doesNotMatch(bad.error.message, /card number is invalid/);
    assert.equal((await ctx.world.state()).requests.length, 0);
    await fillConektaCard(page, '4242424242424242');
    assert.equal((await payInPage(page)).status, 'approved');
    assert.equal((await ctx.world.state()).charges.length, 1);
  });

  it('emulator, as the 4.8 component renders: <conekta-iframe> with an open shadow root, CSS-in-JS <style> elements, a second script from the assets host; no <iframe>', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    await conektaForm(page).locator('#ck-number').waitFor();
    const seen = await page.evaluate(() => {
      const host = document.querySelector('#checkout conekta-iframe');
      return {
        iframes: document.querySelectorAll('#checkout iframe').length,
        shadow: !!host.shadowRoot && host.shadowRoot.mode,
        shadowStyle: host.shadowRoot.querySelectorAll('style').length,
        headStyle: !!document.head.querySelector('style[data-styled]'),
        staticScript: [...document.scripts].some((s) => /\/assets\/component\/[\d.]+\/lib\/component-static\.min\.js$/.test(s.src)),
        // Pasarela leaves a field of the form focused when it reads the page's focus.
        focusInSlot: (host.shadowRoot.getElementById('ck-number').focus(), document.activeElement === host),
      };
    });
    assert.deepEqual(seen, { iframes: 0, shadow: 'open', shadowStyle: 1, headStyle: true, staticScript: true, focusInSlot: true });
  });

  it("the component's inline styles are refused by the strict policy, as the real component's would be", async () => {
    const tab = await openPage(ctx.world, '/harness-csp.html?provider=bamboo'); // STRICT_CSP: no 'unsafe-inline'
    try {
      const { page } = tab;
      await page.evaluate(() => {
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
      });
      await mount(page, optionsFor(ctx.world, 'conekta'));
      await waitForEvent(page, 'ready');
      await page.waitForFunction(() => window.__violations.length > 0);
      assert.ok((await page.evaluate(() => window.__violations)).some((v) => v.startsWith('style-src')));
    } finally {
      await tab.close();
    }
  });

  it('emulator: a page without onFormError hears nothing about an invalid card', async () => {
    const { page } = ctx.tab;
    await loadScript(page, `${ctx.world.url}/conekta/v1.0/js/conekta-checkout.min.js`);
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<div id="t"></div>');
      window.__heard = [];
      ConektaCheckoutComponents.Card({
        config: { targetIFrame: '#t', publicKey: 'key_sandbox_public', useExternalSubmit: true },
        callbacks: {
          onCreateTokenError: () => window.__heard.push('onCreateTokenError'),
          onCreateTokenSucceeded: () => window.__heard.push('token'),
          onUpdateSubmitTrigger: (fn) => { window.__submit = fn; },
        },
      });
    });
    await page.waitForFunction(() => typeof window.__submit === 'function');
    await conektaForm(page, '#t').locator('#ck-number').fill('1234');
    await page.evaluate(() => window.__submit());
    await page.waitForTimeout(1000);
    assert.deepEqual(await page.evaluate(() => window.__heard), []);
  });

  it('onCreateTokenError: the shopper message from details[0].message, the field from details[0].param', async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    await fillConektaCard(page, '4242424242424242', { exp: '01/20' }); // expired: refused by the tokenizer
    const r = await payInPage(page);
    assert.equal(r.error.code, 'tokenization_failed');
    assert.equal(r.error.field, 'card[exp_month]');
    assert.match(r.error.message, /fecha de expiración es inválida/);
  });

  it("an error with only Conekta's developer `message` shows Pasarela's own words, in the shopper's language", async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'conekta', { locale: 'en' }));
    await waitForEvent(page, 'ready');
    await fillConektaCard(page, '4242424242424242');
    // The tokenizer answers an error the component passes on with no details[] and no
    // message_to_purchaser: its `message` is for developers.
    await page.route('**/conekta/tokens', (route) => route.fulfill({ status: 422, contentType: 'application/json',
      body: JSON.stringify({ object: 'error', type: 'api_error', log_id: 'x', message: 'Internal developer diagnostics 42' }) }));
    const r = await payInPage(page);
    assert.deepEqual([r.status, r.error.code], ['error', 'tokenization_failed']);
    assert.equal(r.error.message, 'Please check the card details');
  });

  it('the wait for a token is bounded (30 s): timeout, and a token that comes later is not charged', { timeout: 60_000 }, async () => {
    const { page } = ctx.tab;
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    await fillConektaCard(page, '4242424242424242');
    // The tokenizer hangs: the component never answers within the bound.
    await page.route('**/conekta/tokens', async (route) => { await new Promise((r) => setTimeout(r, 32_000)); await route.continue(); });
    const t0 = Date.now();
    const r = await payInPage(page);
    const waited = Date.now() - t0;
    assert.deepEqual([r.status, r.error.code, r.error.retryable], ['error', 'timeout', true]);
    assert.ok(waited >= 29_000 && waited < 33_000, `waited ${waited} ms`);
    await page.waitForTimeout(4000); // the late token arrives
    const s = await ctx.world.state();
    assert.deepEqual([s.requests.length, s.charges.length], [0, 0]);
    assert.equal((await events(page)).filter((e) => e.name === 'token').length, 0);
  });
});

describe('Lyra KR client as documented', () => {
  const ctx = suiteWorld();

  it('a refused card reaches onError with the signed answer: declined, forwarded as kr_answer; the same form then pays', async () => {
    const { page } = ctx.tab;
    await mount(page, await krOptions(ctx.world));
    await waitForEvent(page, 'ready');
    await fillKrCard(page, '4970100000000113');
    const declined = await payInPage(page);
    assert.equal(declined.status, 'declined');
    let s = await ctx.world.state();
    assert.equal(s.requests[0].body.source.type, 'kr_answer');
    assert.equal(JSON.parse(s.requests[0].body.source.rawClientAnswer).orderStatus, 'UNPAID');
    assert.equal(await page.evaluate(() => checkout.state), 'failed');
    await fillKrCard(page, '4970100000000055');
    assert.equal((await payInPage(page)).status, 'approved');
    s = await ctx.world.state();
    assert.deepEqual([s.requests.length, s.charges.length], [2, 1]);
  });

  it('PSP_099 (too many attempts) is final: attempts_exceeded, not retryable, state failed, pay() refused', async () => {
    const { page } = ctx.tab;
    await mount(page, await krOptions(ctx.world, { locale: 'en' }));
    await waitForEvent(page, 'ready');
    for (let i = 0; i < 3; i++) {
      await fillKrCard(page, '4970100000000113');
      assert.equal((await payInPage(page)).status, 'declined');
    }
    await fillKrCard(page, '4970100000000055');
    const locked = await payInPage(page);
    assert.deepEqual([locked.status, locked.error.code, locked.error.field], ['error', 'attempts_exceeded', 'kr.formToken']);
    assert.match(locked.error.message, /Too many attempts.*PSP_099/);
    assert.equal(await page.evaluate(() => checkout.state), 'failed');
    const again = await payInPage(page);
    assert.equal(again.rejected.code, 'attempts_exceeded');
    assert.equal((await ctx.world.state()).charges.length, 0);
  });

  it('emulator: one callback per event; removeEventCallbacks() acts on the whole page; the theme goes into <head>', async () => {
    const { page } = ctx.tab;
    await loadScript(page, `${ctx.world.url}/lyra/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js`);
    const o = await krOptions(ctx.world);
    await page.evaluate(async (formToken) => {
      document.body.insertAdjacentHTML('beforeend', '<div id="k"></div>');
      window.__calls = [];
      await KR.setFormConfig({ formToken });
      await KR.onFormReady(() => window.__calls.push('first'));
      await KR.onFormReady(() => window.__calls.push('second'));
      await KR.onError(() => window.__calls.push('error'));
      await KR.renderElements('#k');
    }, o.kr.formToken);
    await page.waitForFunction(() => window.__calls.length > 0);
    assert.deepEqual(await page.evaluate(() => window.__calls), ['second'], 'the second registration replaced the first');
    await page.evaluate(() => KR.removeEventCallbacks());
    await fillKrCard(page, '4970100000000056', { frame: '#k iframe' });
    await page.evaluate(() => KR.submit());
    await page.waitForTimeout(1000);
    assert.deepEqual(await page.evaluate(() => window.__calls), ['second'], 'no callback left after removeEventCallbacks()');
    assert.equal(await page.evaluate(() => !!document.querySelector('head style#kr-theme')), true);
  });

  it('a form that never says onFormReady fails the setup after 15 s (script_load_failed), not silence', { timeout: 40_000 }, async () => {
    const { page } = ctx.tab;
    // The form's own page never loads its script: KR never calls onFormReady.
    await page.route(/krypton-client\/V4\.0\/form\.html/, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><p>…</p>' }));
    await mount(page, await krOptions(ctx.world));
    const e = await waitForEvent(page, 'error', 1, 25_000);
    assert.equal(e.code, 'script_load_failed');
    assert.match(e.message, /onFormReady/);
    assert.equal(await page.evaluate(() => checkout.state), 'failed');
    assert.ok(!(await events(page)).some((x) => x.name === 'ready'));
  });

  it('emulator, as the V4.1 builds: calls before KR.ready are queued and answered without a result; attachForm + showForm render; no renderElements', async () => {
    const { page } = ctx.tab;
    const o = await krOptions(ctx.world);
    const seen = await page.evaluate(async ({ src, formToken }) => {
      document.body.insertAdjacentHTML('beforeend', '<div id="k41"></div><div id="kr-itself" class="kr-embedded"></div><span id="not-a-div"></span>');
      const s = document.createElement('script');
      s.src = src;
      s.setAttribute('kr-public-key', 'pk');
      s.setAttribute('kr-spa-mode', 'true');
      await new Promise((ok) => { s.onload = ok; document.head.append(s); });
      const early = { ready: KR.ready, answer: await KR.attachForm('#k41') };
      while (!KR.ready) await new Promise((r) => setTimeout(r, 20));
      await KR.setFormConfig({ formToken });
      const refused = await Promise.all(['#kr-itself', '#not-a-div', '#missing'].map((sel) => KR.attachForm(sel).then(() => 'resolved', () => 'rejected')));
      const later = await KR.attachForm('#k41');
      await KR.showForm(later.result.formId);
      return { early, refused, formId: typeof later.result.formId, renderElements: typeof KR.renderElements, frames: document.querySelectorAll('#k41 .kr-embedded iframe').length };
    }, { src: `${ctx.world.url}/lyra/static/js/krypton-client/V4.1/stable/kr-payment-form.min.js`, formToken: o.kr.formToken });
    assert.equal(seen.early.ready, false);
    assert.equal(seen.early.answer.result, undefined, 'a call before KR.ready resolves without its result');
    assert.deepEqual(seen.refused, ['rejected', 'rejected', 'rejected']);
    assert.equal(seen.formId, 'string');
    assert.equal(seen.renderElements, 'undefined');
    assert.ok(seen.frames >= 1);
  });

  for (const [client, path] of [['a V4.1 client (attachForm + showForm, no renderElements)', 'V4.1'], ['a current client (renderElements)', 'V4.0']]) {
    it(`with ${client} the form renders once KR.ready, and pays`, async () => {
      const { page } = ctx.tab;
      const o = await krOptions(ctx.world, { scriptUrl: `${ctx.world.url}/lyra/static/js/krypton-client/${path}/stable/kr-payment-form.min.js` });
      assert.equal((await mount(page, o)).ok, true);
      await waitForEvent(page, 'ready');
      assert.equal(await page.evaluate(() => typeof KR.renderElements), path === 'V4.1' ? 'undefined' : 'function');
      await fillKrCard(page, '4970100000000055');
      assert.equal((await payInPage(page)).status, 'approved');
      assert.equal((await ctx.world.state()).charges.length, 1);
    });
  }

  it('a copy of the client served from a domain not on its allow-list hangs, and Pasarela ends it as script_load_failed', { timeout: 40_000 }, async () => {
    const { page } = ctx.tab;
    // The emulator served from the merchant's own path (a self-hosted copy, a proxy).
    const { readFileSync } = await import('node:fs');
    const client = readFileSync(new URL('../../www/emulators/lyra/kr-payment-form.js', import.meta.url), 'utf8');
    await page.route('**/shop-assets/kr-payment-form.min.js', (route) => route.fulfill({ contentType: 'text/javascript', body: client }));
    const o = await krOptions(ctx.world, { scriptUrl: `${ctx.world.url}/shop-assets/kr-payment-form.min.js` });
    assert.equal((await mount(page, o)).ok, true);
    const e = await waitForEvent(page, 'error', 1, 25_000);
    assert.equal(e.code, 'script_load_failed');
    assert.equal(await page.locator('#checkout iframe').count(), 0, 'no form was built');
  });

  it('a second live KR checkout is refused, naming the provider', async () => {
    const { page } = ctx.tab;
    await mount(page, await krOptions(ctx.world));
    await waitForEvent(page, 'ready');
    const second = await page.evaluate(async (o) => {
      document.body.insertAdjacentHTML('beforeend', '<div id="second"></div>');
      const { createCheckout } = await import('/pkg/pasarela.mjs');
      try { await createCheckout({ ...o, container: '#second' }); return 'mounted'; } catch (e) { return [e.code, e.provider, e.field]; }
    }, await krOptions(ctx.world));
    assert.deepEqual(second, ['unsupported', 'kr', 'provider']);
  });
});

describe('mounting order', () => {
  const ctx = suiteWorld();

  it('the provider script starts loading while the wasm is still on its way, and is fetched once', async () => {
    const { page } = ctx.tab;
    const log = [];
    await page.route(/pasarela_\w+_bg\.wasm$/, async (route) => {
      log.push(['wasm requested', Date.now()]);
      await new Promise((r) => setTimeout(r, 800));
      log.push(['wasm answered', Date.now()]);
      await route.continue();
    });
    page.on('request', (r) => { if (r.url().includes('conekta-checkout')) log.push(['script requested', Date.now()]); });
    await mount(page, optionsFor(ctx.world, 'conekta'));
    await waitForEvent(page, 'ready');
    const at = (what) => log.filter(([w]) => w === what).map(([, t]) => t);
    assert.equal(at('script requested').length, 1, JSON.stringify(log));
    assert.ok(at('script requested')[0] < at('wasm answered')[0], JSON.stringify(log));
  });

  it('a wasm that fails to download rejects with PasarelaError script_load_failed, and the next call loads it', async () => {
    const { page } = ctx.tab;
    let fail = true;
    await page.route(/pasarela_\w+_bg\.wasm$/, (route) => (fail ? route.abort('connectionrefused') : route.continue()));
    const first = await mount(page, optionsFor(ctx.world, 'conekta'));
    assert.equal(first.ok, false);
    assert.deepEqual([first.error.name, first.error.code, first.error.retryable], ['PasarelaError', 'script_load_failed', true]);
    fail = false;
    assert.equal((await mount(page, optionsFor(ctx.world, 'conekta'))).ok, true);
    await waitForEvent(page, 'ready');
  });

  it("the entry's one table of production scripts is the preload's and the adapter's (Bamboo's key appended once, one fetch)", async () => {
    const { readFileSync } = await import('node:fs');
    for (const file of ['bamboo', 'conekta', 'kr']) {
      const rust = readFileSync(new URL(`../../src/providers/${file}.rs`, import.meta.url), 'utf8');
      assert.doesNotMatch(rust, /https:\/\/[\w.-]+\/[\w./-]+\.js/, `${file}.rs keeps no second copy of a script URL`);
    }
    const { page } = ctx.tab;
    // Without `scriptUrl`: the production host, answered here by the emulator.
    await page.route('https://api.bamboopayment.com/**', async (route) => {
      const u = new URL(route.request().url());
      await route.fulfill({ response: await route.fetch({ url: `${ctx.world.url}/bamboo${u.pathname}${u.search}` }) });
    });
    const seen = [];
    page.on('request', (r) => { if (r.url().includes('PWCheckoutNoModal')) seen.push(r.url()); });
    const { scriptUrl, ...production } = optionsFor(ctx.world, 'bamboo');
    assert.deepEqual(await mount(page, production), { ok: true });
    await waitForEvent(page, 'ready');
    assert.deepEqual(seen, ['https://api.bamboopayment.com/v1/Scripts/PWCheckoutNoModal.js?key=bamboo_public_sandbox'],
      "the preload and the adapter's <script> asked for one URL");
  });

  it('with saved cards, the card iframe is made when the shopper picks "use another card"', async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'conekta', ['4242424242424242']);
    await mount(page, optionsFor(ctx.world, 'conekta', { profiles: saved.profiles }));
    await waitForEvent(page, 'ready');
    assert.equal(await page.locator('#checkout conekta-iframe').count(), 0, 'no card form for a one-click shopper');
    await page.click('#checkout .pasarela-profile-new');
    await conektaForm(page).locator('#ck-number').waitFor();
    await fillConektaCard(page, '4242424242424242');
    assert.equal((await payInPage(page)).status, 'approved');
  });
});
