// The cross-browser subset: the same guarantees in Chromium, Firefox and WebKitGTK (the Safari
// engine family). Every provider's main flow, saved cards with the keyboard, Bamboo's CVV form,
// the strict CSP, the merchant faults and 200 create/destroy cycles, each asserting what the
// merchant received. Each engine prints one line per fault row (`# engine row: requests, charges`)
// for the README's table. `PASARELA_ENGINES=firefox` runs one engine.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox } from '../../www/server.mjs';
import { krOptions, mount, optionsFor, shopper } from '../e2e/helpers.mjs';
import { ENGINES, launch } from './drivers.mjs';
import {
  GOOD, eventNames, fillConektaCard, fillFrame, fillKrCard, paid, payInPage, payWithBambooCard, startPay, stubMerchantInPage, until, waitForEvent,
} from './flows.mjs';

const FAULTS = [
  ['connection dropped before charging', { target: 'merchant-before', kind: 'drop' }, {}, 'approved', 2, 1],
  ['500 before charging', { target: 'merchant-before', kind: 'status', status: 500 }, {}, 'approved', 2, 1],
  ['503 after charging', { target: 'merchant', kind: 'status', status: 503 }, {}, 'approved', 2, 1],
  ['answer slower than timeoutMs', { target: 'merchant-before', kind: 'delay', delayMs: 2500 }, { timeoutMs: 1000 }, 'approved', 2, 1],
  ['answer not JSON', { target: 'merchant', kind: 'garbage', body: '<html>oops' }, {}, 'merchant_bad_response', 1, 1],
];

for (const engine of ENGINES) {
  describe(`${engine}`, { timeout: 300_000 }, () => {
    let sandbox, browser, page;
    const url = (path) => `${sandbox.url}${path}`;
    const world = () => ({ url: sandbox.url });
    const state = async () => (await fetch(url('/__sandbox/state'))).json();
    const faults = (f) => fetch(url('/__sandbox/faults'), { method: 'POST', body: JSON.stringify(f) });

    before(async () => {
      sandbox = await startSandbox({ port: 0 });
      browser = await launch(engine);
    });
    after(async () => {
      await page?.close();
      await browser?.close();
      await sandbox?.close();
    });
    beforeEach(async () => {
      await fetch(url('/__sandbox/reset'), { method: 'POST' });
      await page?.close();
      page = await browser.newPage();
      await page.goto(url('/harness.html'));
    });

    async function newCard(provider, extra = {}) {
      const opts = provider === 'kr' ? await krOptions(world(), extra) : optionsFor(world(), provider, extra);
      assert.deepEqual(await mount(page, opts), { ok: true });
      await waitForEvent(page, 'ready');
      if (provider === 'bamboo') {
        await startPay(page);
        await payWithBambooCard(page, GOOD.bamboo);
        return paid(page);
      }
      await (provider === 'kr' ? fillKrCard : fillConektaCard)(page, GOOD[provider]);
      return payInPage(page);
    }

    for (const provider of ['bamboo', 'conekta', 'kr']) {
      it(`${provider}: a new card is approved, one request, one charge`, async () => {
        const r = await newCard(provider);
        assert.equal(r.status, 'approved', JSON.stringify(r));
        const s = await state();
        assert.equal(s.requests.length, 1);
        assert.equal(s.charges.length, 1);
        assert.deepEqual((await eventNames(page)).filter((n) => n === 'result'), ['result']);
      });
    }

    it('saved cards with the keyboard: arrows move focus and selection, End reaches "another card", one-click pays', async () => {
      const saved = await shopper(world(), 'bamboo', ['4111111111111111', '4000000000003063']);
      assert.deepEqual(await mount(page, optionsFor(world(), 'bamboo', { profiles: saved.profiles })), { ok: true });
      await waitForEvent(page, 'ready');
      const ids = saved.profiles.map((p) => p.id);
      const radios = () => page.evaluate(() => [...document.querySelectorAll('#checkout [role=radio]')].map((r) => r.getAttribute('aria-checked')).join());
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-checked') === 'true' && document.activeElement.getAttribute('role'));
      assert.equal(await radios(), 'true,false,false');
      await page.evaluate(() => document.querySelector('#checkout [role=radio][aria-checked=true]').focus());
      await page.press('ArrowDown');
      await until(page, () => document.querySelectorAll('#checkout [role=radio]')[1].getAttribute('aria-checked') === 'true', null, { what: 'ArrowDown' });
      assert.equal(await focused(), 'radio', 'focus follows the selection');
      assert.equal((await waitForEvent(page, 'profileselected')).profileId, ids[1]);
      await page.press('End');
      await until(page, () => document.querySelector('#checkout .pasarela')?.dataset.mode === 'new-card', null, { what: 'End → another card' });
      await page.press('Home');
      await until(page, () => document.querySelectorAll('#checkout [role=radio]')[0].getAttribute('aria-checked') === 'true', null, { what: 'Home' });
      const r = await payInPage(page);
      assert.equal(r.status, 'approved', JSON.stringify(r));
      const s = await state();
      assert.equal(s.charges.length, 1);
      assert.equal(s.requests[0].body.source.profileId, ids[0], 'the card Home selected');
    });

    it("Bamboo's CVV flow: verification_code opens PWCapture's form; the code approves it, one charge", async () => {
      const saved = await shopper(world(), 'bamboo', ['4000000000003063']);
      assert.deepEqual(await mount(page, optionsFor(world(), 'bamboo', { profiles: saved.profiles })), { ok: true });
      await waitForEvent(page, 'ready');
      await startPay(page);
      assert.equal((await waitForEvent(page, 'action')).type, 'verification_code');
      await fillFrame(page, '.pwcheckout-overlay iframe', { '#pw-cvv': '123' }, '#pw-submit');
      const r = await paid(page);
      assert.equal(r.status, 'approved', JSON.stringify(r));
      assert.equal((await state()).charges.length, 1);
      await until(page, () => !document.querySelector('.pwcheckout-overlay'), null, { what: 'the CVV form to close' });
    });

    /** A Conekta checkout offering cash, paying the in-page stub. */
    async function cashCheckout(pay, reads) {
      const o = optionsFor(world(), 'conekta', { methods: ['card', 'cash'] });
      o.order = { ...o.order, amount: 20000, currency: 'MXN' };
      o.merchant = { paymentUrl: '/stub/pay', clientSecret: 'cs_engine_secret', retries: 0 };
      assert.deepEqual(await mount(page, o), { ok: true });
      await waitForEvent(page, 'ready');
      await stubMerchantInPage(page, pay, reads);
    }

    it('cash: the choice by keyboard, no tokenizer, the voucher shown and not final, then read until approved', async () => {
      const voucher = { kind: 'cash', provider: 'conekta', amount: 20000, currency: 'MXN', reference: '93000262276908', expiresAt: '2099-12-10T23:59:00Z' };
      await cashCheckout({ status: 'pending', paymentId: 'pay_v1', action: { type: 'voucher', voucher } }, [{ status: 'approved', paymentId: 'pay_v1' }]);
      await page.evaluate(() => document.querySelector('#checkout .pasarela-methods input:checked').focus());
      await page.press('ArrowRight');
      assert.deepEqual(await waitForEvent(page, 'methodselected'), { method: 'cash' });
      await startPay(page);
      const r = await paid(page);
      assert.deepEqual([r.status, r.paymentId, r.final, r.voucher?.reference], ['pending', 'pay_v1', false, voucher.reference]);
      const seen = await until(page, () => document.querySelector('#checkout .pasarela-voucher-code')?.textContent, null, { what: 'the voucher view' });
      assert.equal(seen, '9300 0262 2769 08');
      const final = await waitForEvent(page, 'result', 2);
      assert.deepEqual(final, { status: 'approved', paymentId: 'pay_v1' });
      const stub = await page.evaluate(() => window.__stub);
      assert.deepEqual(stub[0].body.source, { type: 'cash' });
      assert.equal(stub.filter((q) => q.method === 'POST').length, 1);
      assert.equal(stub.find((q) => q.method === 'GET').authorization, 'Bearer cs_engine_secret');
      assert.ok(!(await eventNames(page)).includes('token'));
    });

    it('installments and a managed saved card: the count chosen by keyboard is paid; Remove, confirmed, takes the card out', async () => {
      const free = (count) => ({ count, amount: Math.round(60000 / count), total: 60000, rate: 0, tea: 0, free: true });
      const o = optionsFor(world(), 'conekta', {
        locale: 'en', manageProfiles: true, installments: [free(1), free(3), free(6)],
        profiles: [{ id: 'pm_visa', brand: 'Visa', last4: '4242', expiry: '203012' }, { id: 'pm_mc', brand: 'Mastercard', last4: '4444', expiry: '203012' }],
      });
      o.order = { ...o.order, amount: 60000, currency: 'USD' };
      o.merchant = { paymentUrl: '/stub/pay', clientSecret: 'cs_engine_secret', retries: 0 };
      assert.deepEqual(await mount(page, o), { ok: true });
      await waitForEvent(page, 'ready');
      await stubMerchantInPage(page, { status: 'approved', paymentId: 'pay_i1' }, [{}]);
      // The management buttons come with the on-demand part, fetched after ready.
      await until(page, () => !!document.querySelector('#checkout [aria-label="Remove Mastercard •••• 4444"]'), null, { what: 'the Remove button' });
      await page.evaluate(() => document.querySelector('#checkout [aria-label="Remove Mastercard •••• 4444"]').click());
      await until(page, () => document.activeElement?.textContent === 'Cancel', null, { what: 'the confirmation' });
      await page.press('Escape');
      assert.equal(await until(page, () => !document.querySelector('#checkout .pasarela-confirm') && document.activeElement.getAttribute('aria-label'), null, { what: 'Escape to cancel' }), 'Remove Mastercard •••• 4444');
      await page.evaluate(() => document.querySelector('#checkout [aria-label="Remove Mastercard •••• 4444"]').click());
      await page.evaluate(() => document.querySelector('#checkout .pasarela-confirm-yes').click());
      assert.deepEqual(await waitForEvent(page, 'profileremoved'), { profileId: 'pm_mc' });
      const stub = await page.evaluate(() => window.__stub);
      assert.deepEqual([stub.at(-1).method, stub.at(-1).path, stub.at(-1).authorization], ['DELETE', '/stub/pay/payment-methods/pm_mc', 'Bearer cs_engine_secret']);
      assert.equal(await page.evaluate(() => document.querySelectorAll('#checkout [role=radio]').length), 2, 'the card and "another card"');
      // Then the shopper pays (an approval takes the list out of use: managing comes first).
      const labels = await until(page, () => [...document.querySelectorAll('#checkout .pasarela-plans label')].map((l) => l.textContent.replace(/\u00a0/g, ' ')).join('|'), null, { what: 'the choice of installments' });
      assert.equal(labels, 'Pay in full: $600.00|3 interest-free installments of $200.00|6 interest-free installments of $100.00');
      await page.evaluate(() => document.querySelector('#checkout .pasarela-plans input:checked').focus());
      await page.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.querySelector('#checkout .pasarela-plans input:checked').value), '3');
      await page.evaluate(() => document.querySelector('#checkout .pasarela-pay').click());
      assert.equal((await waitForEvent(page, 'result')).status, 'approved');
      const posted = (await page.evaluate(() => window.__stub)).filter((q) => q.method === 'POST');
      assert.deepEqual([posted[0].body.source, posted[0].body.installments], [{ type: 'profile', profileId: 'pm_visa' }, 3]);
    });

    it("challenge: a modal dialog; a message from another origin is ignored, the service's ends the attempt with one result", async () => {
      await cashCheckout({ status: 'pending', paymentId: 'pay_c1', action: { type: 'challenge', url: '/stub/3ds' } }, [{ status: 'approved', paymentId: 'pay_c1' }]);
      await startPay(page, { method: 'cash' });
      // A boolean: a DOM node does not cross every driver's evaluate.
      await until(page, () => !!document.querySelector('#checkout [role=dialog][aria-modal=true] iframe'), null, { what: 'the dialog' });
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'pasarela-challenge-close');
      await page.evaluate(() => window.dispatchEvent(new MessageEvent('message', { origin: 'https://evil.example', data: { source: 'pasarela', type: 'challenge_end', paymentId: 'pay_c1' } })));
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(await page.evaluate(() => !!document.querySelector('#checkout [role=dialog]')), 'still open');
      await page.evaluate(() => window.postMessage({ source: 'pasarela', type: 'challenge_end', paymentId: 'pay_c1' }, location.origin));
      const r = await paid(page);
      assert.deepEqual([r.status, r.paymentId], ['approved', 'pay_c1']);
      assert.ok(await page.evaluate(() => !document.querySelector('#checkout [role=dialog]')));
      assert.deepEqual((await eventNames(page)).filter((n) => n === 'result'), ['result']);
      assert.equal((await page.evaluate(() => window.__stub)).filter((q) => q.method === 'GET').length, 1);
    });

    it("a phone storefront's path (Conekta, es-AR): brands named, the pay button after the card form, a decline's reason and next step, the button disabled once paid", async () => {
      const saved = await shopper(world(), 'conekta', ['4242424242424242']);
      const profiles = [...saved.profiles, { id: 'pm_amex', brand: 'american_express', last4: '0005', expiry: '203012' }];
      assert.deepEqual(await mount(page, optionsFor(world(), 'conekta', { locale: 'es-AR', profiles })), { ok: true });
      await waitForEvent(page, 'ready');
      const list = await page.evaluate(() => ({
        lang: document.querySelector('#checkout .pasarela').lang,
        brands: [...document.querySelectorAll('#checkout .pasarela-profile-brand[data-brand]:not([data-brand=""])')].map((b) => `${b.dataset.brand}|${b.textContent}`),
      }));
      assert.deepEqual(list, { lang: 'es-AR', brands: ['Visa|Visa •••• 4242', 'American Express|American Express •••• 0005'] });
      await page.evaluate(() => document.querySelector('#checkout .pasarela-profile-new').click());
      await until(page, () => !!document.querySelector('#checkout conekta-iframe')?.shadowRoot?.querySelector('#ck-number'), null, { what: 'the card form' });
      const place = await page.evaluate(() => {
        const form = document.querySelector('#checkout .pasarela-provider-form'), pay = document.querySelector('#checkout .pasarela-pay');
        return { after: !!(form.compareDocumentPosition(pay) & Node.DOCUMENT_POSITION_FOLLOWING), below: pay.getBoundingClientRect().top >= form.getBoundingClientRect().bottom, shown: pay.getBoundingClientRect().height > 0 };
      });
      assert.deepEqual(place, { after: true, below: true, shown: true });
      await fillConektaCard(page, '4000000000000127'); // insufficient funds
      await page.evaluate(() => document.querySelector('#checkout .pasarela-pay').click());
      assert.equal((await waitForEvent(page, 'result')).status, 'declined');
      const said = await until(page, () => {
        const s = document.querySelector('#checkout [role=status]');
        return s.dataset.outcome ? `${s.dataset.outcome}|${s.textContent}` : null;
      }, null, { what: 'the decline panel' });
      assert.equal(said, 'declined|Pago rechazado. Fondos insuficientes. Pruebe con otra tarjeta.');
      await fillConektaCard(page, GOOD.conekta);
      await page.evaluate(() => document.querySelector('#checkout .pasarela-pay').click());
      assert.equal((await waitForEvent(page, 'result', 2)).status, 'approved');
      await until(page, () => document.querySelector('#checkout [role=status]').dataset.outcome === 'approved', null, { what: 'the approval panel' });
      assert.equal(await page.evaluate(() => document.querySelector('#checkout .pasarela-pay').disabled), true, 'disabled once paid');
      assert.equal((await state()).charges.length, 1);
    });

    it('payButton: false: no Pasarela button, with a saved card or "another card"; pay() pays', async () => {
      const saved = await shopper(world(), 'conekta', ['4242424242424242']);
      assert.deepEqual(await mount(page, optionsFor(world(), 'conekta', { payButton: false, profiles: saved.profiles })), { ok: true });
      await waitForEvent(page, 'ready');
      const shown = () => page.evaluate(() => document.querySelector('#checkout .pasarela-pay')?.getBoundingClientRect().height > 0);
      assert.equal(await shown(), false);
      await page.evaluate(() => document.querySelector('#checkout .pasarela-profile-new').click());
      await fillConektaCard(page, GOOD.conekta);
      assert.equal(await shown(), false);
      assert.equal((await payInPage(page)).status, 'approved');
    });

    it('under the strict CSP (Conekta): mounts and pays with no violation reported', async () => {
      await page.goto(url('/harness-csp.html?provider=conekta'));
      await page.evaluate(() => {
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      const r = await newCard('conekta');
      assert.equal(r.status, 'approved', JSON.stringify(r));
      assert.deepEqual(await page.evaluate(() => window.__violations), []);
    });

    for (const [name, fault, merchant, outcome, requests, charges] of FAULTS) {
      it(`Conekta, ${name} → ${outcome}, ${requests} request(s), ${charges} charge(s)`, async () => {
        await faults(fault);
        const r = await newCard('conekta', { merchant: { paymentUrl: '/merchant/pay', retries: 2, ...merchant } });
        if (outcome === 'approved') assert.equal(r.status, 'approved', JSON.stringify(r));
        else assert.equal(r.error?.code, outcome, JSON.stringify(r));
        const s = await state();
        console.log(`# ${engine} ${name}: ${s.requests.length} request(s), ${s.charges.length} charge(s)`);
        assert.equal(s.requests.length, requests, 'requests that reached the merchant');
        assert.equal(new Set(s.requests.map((q) => q.key)).size, 1, 'one Idempotency-Key');
        assert.equal(s.charges.length, charges);
      });
    }

    it('200 create/destroy cycles (Bamboo, 20 saved cards) leave no node, frame, binding or listener; memory flat', async () => {
      // Net listeners on window, document and body, counted from the page's own calls.
      await page.evaluate(() => {
        window.__net = 0;
        const targets = new Set([window, document, document.body]);
        const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
        EventTarget.prototype.addEventListener = function (...a) { if (targets.has(this)) window.__net += 1; return add.apply(this, a); };
        EventTarget.prototype.removeEventListener = function (...a) { if (targets.has(this)) window.__net -= 1; return remove.apply(this, a); };
      });
      const profiles = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, brand: 'Visa', last4: String(4000 + i), expiry: '203012', holder: `Cliente ${i}` }));
      const cycle = (n) => page.evaluate(async ({ n, opts }) => {
        const m = await import('/pkg/pasarela.mjs');
        for (let i = 0; i < n; i++) {
          const c = await m.createCheckout(opts);
          await new Promise((ok) => c.on('ready', ok));
          c.destroy();
        }
        return { memory: m._wasmMemoryBytes(), net: window.__net };
      }, { n, opts: optionsFor(world(), 'bamboo', { profiles }) });
      const one = await cycle(1);
      const all = await cycle(199);
      console.log(`# ${engine} 200 cycles: wasm memory ${one.memory} → ${all.memory} B, net listeners ${one.net} → ${all.net}`);
      assert.ok(all.memory - one.memory <= 64 * 1024, `memory grew ${all.memory - one.memory} B`);
      assert.equal(all.net, one.net);
      const left = await page.evaluate(() => ({
        nodes: document.querySelector('#checkout').childElementCount,
        frames: document.querySelectorAll('iframe').length,
        bound: window.PWCheckout.__boundEvents().length,
      }));
      assert.deepEqual(left, { nodes: 0, frames: 0, bound: 0 });
    });

    it('reports the engine and version it ran', () => {
      console.log(`# engine ${engine}: ${browser.version}`);
      assert.ok(browser.version);
    });
  });
}
