// Saved profiles, one-click checkout, enrollment and the verification-code flow, in Chromium.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { eventNames, events, fillConektaCard, krOptions, mount, openPage, optionsFor, payInPage, radios, shopper, waitForEvent, suiteWorld } from './helpers.mjs';

const SHOTS = new URL('../../docs/screenshots/', import.meta.url);

describe('saved profiles and one-click', () => {
  const ctx = suiteWorld();
  before(() => mkdirSync(SHOTS, { recursive: true }));

  async function mountWith(page, options) {
    assert.deepEqual(await mount(page, options), { ok: true });
    await waitForEvent(page, 'ready');
    await page.waitForSelector('#checkout [role=radiogroup]');
  }

  it('Bamboo: raw PaymentProfiles render as a radio group and pay in one click', async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111', '5555555555554444']);
    assert.ok(saved.profiles.every((p) => !('Token' in p) && !('CommerceToken' in p)), 'the merchant strips secrets');
    // The storefront passes them as Bamboo's own PaymentProfiles entries (docs/api.md §5).
    const raw = saved.profiles.map((p) => ({ PaymentProfileId: Number(p.id), Brand: p.brand, Last4: p.last4, Expiration: p.expiry,
      CardOwner: p.holder, IssuerBank: p.issuer, Installments: p.installments.join(';') }));
    await mountWith(page, optionsFor(ctx.world, 'bamboo', { profiles: raw, locale: 'en' }));
    const list = await radios(page);
    assert.equal(list.length, 3);
    assert.match(list[0].text, /Visa •••• 1111.*Expires 12\/30/);
    assert.match(list[1].text, /Mastercard •••• 4444/);
    assert.match(list[2].text, /Use another card/);
    assert.deepEqual(list.map((r) => r.checked), ['true', 'false', 'false']);
    assert.equal(await page.getAttribute('#checkout .pasarela', 'data-mode'), 'profiles');
    assert.equal(await page.isVisible('#checkout .pasarela-provider-form'), false, 'the card form waits behind "use another card"');
    assert.equal(await page.textContent('#checkout .pasarela-pay'), 'Pay $1,234.56');
    await page.click('#checkout .pasarela-pay');
    const r = await waitForEvent(page, 'result');
    assert.equal(r.status, 'approved');
    const s = await ctx.world.state();
    assert.deepEqual(s.requests[0].body.source, { type: 'profile', profileId: saved.profiles[0].id });
    assert.equal(s.charges.length, 1);
    assert.deepEqual(await eventNames(page), ['ready', 'result']);
  });

  it('Conekta: payment_sources pay in one click through pay({ profileId })', async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'conekta', ['4242424242424242']);
    await mountWith(page, optionsFor(ctx.world, 'conekta', { profiles: saved.profiles }));
    assert.match((await radios(page))[0].text, /Visa •••• 4242.*Vence 12\/30/); // "visa" as Conekta sends it, named
    const r = await payInPage(page, { profileId: saved.profiles[0].id });
    assert.equal(r.status, 'approved');
    assert.equal((await ctx.world.state()).charges.length, 1);
  });

  it('KR: a registered paymentMethodToken pays in one click (SILENT on the server)', async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'kr', ['4970100000000055']);
    await mountWith(page, await krOptions(ctx.world, { profiles: saved.profiles }));
    await page.click('#checkout .pasarela-pay');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    const s = await ctx.world.state();
    assert.equal(s.kr.transactions.at(-1).mode, 'SILENT');
    assert.equal(s.charges.length, 1);
  });

  it('KR ASK_REGISTER_PAY: a card saved while paying is offered for one-click next time', async () => {
    const { page } = ctx.tab;
    await shopper(ctx.world, 'kr');
    await mount(page, await krOptions(ctx.world, { formAction: 'ASK_REGISTER_PAY' }));
    await waitForEvent(page, 'ready');
    const f = page.frameLocator('#checkout iframe');
    await f.locator('#kr-pan').fill('4970100000000055');
    await f.locator('#kr-expiry').fill('12/30');
    await f.locator('#kr-security-code').fill('123');
    await f.locator('#kr-do-register').check();
    assert.equal((await payInPage(page)).status, 'approved');
    const s = await ctx.world.state();
    assert.match(JSON.parse(s.requests[0].body.source.rawClientAnswer).transactions[0].paymentMethodToken, /^\w{10,}$/);
  });

  for (const [cvv, notification, status] of [['123', 'ok', 'approved'], ['000', 'error', 'declined']]) {
    it(`Bamboo verification code ${cvv}: action → PWCapture → notification ${notification} → ${status}`, async () => {
      const { page } = ctx.tab;
      const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111', '4000000000003063']);
      await mountWith(page, optionsFor(ctx.world, 'bamboo', { profiles: saved.profiles }));
      await page.keyboard.press('Tab'); // focus lands on the selected radio
      await page.focus('#checkout [role=radio][aria-checked=true]');
      await page.keyboard.press('ArrowDown');
      const p = payInPage(page);
      const action = await waitForEvent(page, 'action');
      assert.equal(action.type, 'verification_code');
      assert.match(action.paymentId, /^pay_/);
      assert.equal(await page.evaluate(() => checkout.state), 'action_required');
      const cvvFrame = page.frameLocator('.pwcheckout-overlay iframe');
      await cvvFrame.locator('#pw-card-info', { hasText: '•••• 3063' }).waitFor();
      await cvvFrame.locator('#pw-cvv').fill(cvv);
      await cvvFrame.locator('#pw-submit').click();
      const r = await p;
      assert.equal(r.status, status);
      assert.deepEqual(await eventNames(page), ['ready', 'profileselected', 'action', 'notification', 'result']);
      assert.deepEqual((await events(page)).find((e) => e.name === 'notification').payload, { status: notification });
      assert.equal((await ctx.world.state()).charges.length, status === 'approved' ? 1 : 0);
      assert.equal(await page.locator('.pwcheckout-overlay').count(), 0);
    });
  }

  it('Bamboo verification closed by the shopper: one pending result; trying again reopens it, one charge', async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'bamboo', ['4000000000003063']);
    await mountWith(page, optionsFor(ctx.world, 'bamboo', { profiles: saved.profiles }));
    const p = payInPage(page);
    await waitForEvent(page, 'action');
    await page.frameLocator('.pwcheckout-overlay iframe').locator('#pw-close').click();
    const r = await p;
    assert.equal(r.status, 'pending');
    assert.match(r.paymentId, /^pay_/);
    assert.equal(await page.evaluate(() => checkout.state), 'action_required');
    assert.deepEqual((await eventNames(page)).filter((n) => n === 'result'), ['result']);
    assert.equal((await ctx.world.state()).charges.length, 0);

    // Trying again opens the same payment's verification: no second payment request.
    await page.click('#checkout .pasarela-pay');
    assert.equal((await waitForEvent(page, 'action', 2)).paymentId, r.paymentId);
    const f = page.frameLocator('.pwcheckout-overlay iframe');
    await f.locator('#pw-cvv').fill('123');
    await f.locator('#pw-submit').click();
    const second = await waitForEvent(page, 'result', 2);
    assert.deepEqual([second.status, second.paymentId], ['approved', r.paymentId]);
    const s = await ctx.world.state();
    assert.equal(s.requests.length, 1, 'one payment request for both tries');
    assert.equal(s.charges.length, 1);
  });

  it('Bamboo verification still pending after polling ends as pending (slow: the 60 s budget)', { timeout: 90_000 }, async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'bamboo', ['4000000000003063']);
    await mountWith(page, optionsFor(ctx.world, 'bamboo', { profiles: saved.profiles }));
    const p = payInPage(page);
    await waitForEvent(page, 'action');
    const f = page.frameLocator('.pwcheckout-overlay iframe');
    await f.locator('#pw-cvv').fill('999');
    await f.locator('#pw-submit').click();
    assert.deepEqual(await waitForEvent(page, 'notification'), { status: 'pending' });
    const started = Date.now();
    const r = await p;
    assert.equal(r.status, 'pending');
    assert.ok(Date.now() - started > 45_000, 'polled, did not give up at once');
    const statusReads = (await ctx.world.state()).requests.length;
    assert.equal(statusReads, 1, 'one payment request; the rest were status reads');
  });

  it('Bamboo enrollment: OpenIframeCustom saves a card, setProfiles shows it, it pays in one click', async () => {
    const { page } = ctx.tab;
    const account = await shopper(ctx.world, 'bamboo');
    assert.deepEqual(account.profiles, []);
    await mount(page, optionsFor(ctx.world, 'bamboo', { bamboo: account.bamboo }));
    await waitForEvent(page, 'ready');
    const enrolled = page.evaluate(() => checkout.enroll());
    const f = page.frameLocator('.pwcheckout-overlay iframe');
    await f.locator('#pw-pan').fill('4242424242424242');
    await f.locator('#pw-exp').fill('11/31');
    await f.locator('#pw-cvv-card').fill('123');
    await f.locator('#pw-holder').fill('Ana Pérez');
    await f.locator('#pw-submit').click();
    assert.deepEqual(await enrolled, { provider: 'bamboo', kind: 'recurring', brand: 'Visa', last4: '4242' });
    assert.equal((await ctx.world.state()).requests.length, 0, 'enrolling charges nothing');
    // The storefront re-reads the customer (server side) and hands the list over.
    const reread = await (await fetch(`${ctx.world.url}/merchant/profiles?provider=bamboo&email=ana@example.com`)).json();
    assert.equal(reread.profiles.length, 1);
    await page.evaluate((ps) => checkout.setProfiles(ps), reread.profiles);
    await page.waitForSelector('#checkout [role=radio][aria-checked=true]');
    assert.match((await radios(page))[0].text, /Visa •••• 4242.*Vence 11\/31/);
    assert.deepEqual(await eventNames(page), ['ready', 'token', 'ready']);
    await page.click('#checkout .pasarela-pay');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    assert.equal((await ctx.world.state()).charges.length, 1);
  });

  it('Bamboo enrollment with paymentMediaId/bankId opens OpenIframeCustomWithPaymentMediaOptions', async () => {
    const { page } = ctx.tab;
    const account = await shopper(ctx.world, 'bamboo');
    await mount(page, optionsFor(ctx.world, 'bamboo', { bamboo: { ...account.bamboo, paymentMediaId: 106, bankId: 7 } }));
    await waitForEvent(page, 'ready');
    page.evaluate(() => { checkout.enroll().catch(() => {}); }).catch(() => {});
    const src = await page.locator('.pwcheckout-overlay iframe').getAttribute('src');
    const u = new URL(src);
    assert.equal(u.searchParams.get('paymentMediaId'), '106');
    assert.equal(u.searchParams.get('bankId'), '7');
    assert.equal(u.searchParams.get('session_id'), account.bamboo.uniqueId);
    assert.equal(u.searchParams.get('key'), 'bamboo_public_sandbox');
  });

  it('keyboard only: arrows skip expired cards, Space selects, installments, Enter pays', async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111', '5555555555554444']);
    const expired = { id: 'old', brand: 'Visa', last4: '0002', expiry: '202001' };
    await mountWith(page, optionsFor(ctx.world, 'bamboo', { profiles: [saved.profiles[0], expired, saved.profiles[1]] }));
    let list = await radios(page);
    assert.deepEqual(list.map((r) => r.disabled), ['false', 'true', 'false', 'false']);
    assert.match(list[1].text, /Vencida/);
    assert.deepEqual(list.map((r) => r.tabindex), ['0', '-1', '-1', '-1'], 'one ctx.tab stop');
    await page.focus('#checkout [role=radio][aria-checked=true]');
    await page.keyboard.press('ArrowDown');
    list = await radios(page);
    assert.deepEqual(list.map((r) => r.checked), ['false', 'false', 'true', 'false'], 'the expired card is skipped');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.profileId), list[2].id);
    await page.keyboard.press('ArrowDown'); // "use another card"
    assert.equal(await page.getAttribute('#checkout .pasarela', 'data-mode'), 'new-card');
    assert.equal(await page.isVisible('#checkout iframe'), true, 'the card form is made and shown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press(' ');
    assert.equal((await radios(page))[2].checked, 'true');
    await page.keyboard.press('Tab'); // installments (Bamboo offers 1;3;6;12)
    await page.selectOption('#checkout .pasarela-installments select', '3');
    await page.keyboard.press('Tab'); // pay button
    assert.equal(await page.evaluate(() => document.activeElement.className), 'pasarela-pay');
    await page.keyboard.press('Enter');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    const req = (await ctx.world.state()).requests[0].body;
    assert.deepEqual([req.source.profileId, req.installments], [saved.profiles[1].id, 3]);
    // Selected, left for "another card", selected again: two profileselected events; Space on the
    // already-selected card adds none.
    assert.deepEqual((await events(page)).filter((e) => e.name === 'profileselected').map((e) => e.payload.profileId), [list[2].id, list[2].id]);
  });

  it('profileselected arrives during the click; the page may destroy or re-list from its listener', async () => {
    const { page } = ctx.tab;
    const cards = [1, 2, 3].map((i) => ({ id: `c${i}`, brand: 'Visa', last4: `000${i}`, expiry: '203012' }));
    await mountWith(page, optionsFor(ctx.world, 'conekta', { profiles: cards }));
    const seen = await page.evaluate(() => new Promise((ok) => {
      const errors = [];
      window.addEventListener('error', (e) => errors.push(e.message));
      const order = [];
      // setProfiles from inside the listener re-renders the list that is handling the click.
      window.checkout.on('profileselected', (p) => {
        order.push(`selected ${p.profileId}`);
        window.checkout.setProfiles([{ id: 'c9', brand: 'Visa', last4: '0009', expiry: '203012' }, { id: p.profileId, brand: 'Visa', last4: '0002', expiry: '203012' }]);
      });
      document.querySelectorAll('#checkout [role=radio]')[1].click();
      order.push('click returned');
      setTimeout(() => ok({ order, errors }), 50);
    }));
    assert.deepEqual(seen, { order: ['selected c2', 'click returned'], errors: [] });
    let list = await radios(page);
    assert.deepEqual(list.map((r) => [r.id, r.checked]), [['c9', 'true'], ['c2', 'false'], ['', 'false']], 'the card just listed is selected');
    // destroy() from the listener: the rows go, nothing throws, a later click finds nothing.
    const after = await page.evaluate(() => new Promise((ok) => {
      const errors = [];
      window.addEventListener('error', (e) => errors.push(e.message));
      window.checkout.on('profileselected', () => window.checkout.destroy());
      const row = document.querySelectorAll('#checkout [role=radio]')[1];
      row.click();
      row.click();
      setTimeout(() => ok({ errors, rows: document.querySelectorAll('#checkout [role=radio]').length, state: window.checkout.state }), 50);
    }));
    assert.deepEqual(after, { errors: [], rows: 0, state: 'destroyed' });
  });

  it('listeners: on() returns an unsubscribe, off() stops delivery, one throwing listener silences none', async () => {
    const { page } = ctx.tab;
    const cards = [1, 2, 3].map((i) => ({ id: `c${i}`, brand: 'Visa', last4: `000${i}`, expiry: '203012' }));
    await mountWith(page, optionsFor(ctx.world, 'conekta', { profiles: cards }));
    const heard = await page.evaluate(() => new Promise((ok) => {
      const log = [];
      const c = window.checkout;
      const twice = (p) => log.push(`twice ${p.profileId}`);
      c.on('profileselected', twice);
      c.on('profileselected', twice); // the same handler once
      c.on('profileselected', () => { throw new Error('storefront bug'); });
      const stop = c.on('profileselected', (p) => {
        log.push(`once ${p.profileId}`);
        stop();
        c.on('profileselected', (q) => log.push(`late ${q.profileId}`)); // from the next event on
      });
      const gone = (p) => log.push(`gone ${p.profileId}`);
      c.on('profileselected', gone);
      c.off('profileselected', gone);
      window.addEventListener('error', (e) => { e.preventDefault(); log.push(`page error ${e.message.replace(/^Uncaught (Error: )?/, '')}`); });
      const rows = document.querySelectorAll('#checkout [role=radio]');
      rows[1].click();
      rows[2].click();
      setTimeout(() => ok(log), 50);
    }));
    assert.deepEqual(heard, ['twice c2', 'once c2', 'twice c3', 'late c3', 'page error storefront bug', 'page error storefront bug']);
  });

  it('hostile strings in a profile stay inert text', async () => {
    const { page } = ctx.tab;
    const xss = '<img src=x onerror="window.__xss=1">';
    await mountWith(page, optionsFor(ctx.world, 'bamboo', { profiles: [
      { id: 'p"><script>window.__xss=2</script>', brand: '<b>Visa</b>', last4: '4242', holder: xss, issuer: '</span><svg onload="window.__xss=3">', expiry: '203001' },
    ] }));
    const html = await page.innerHTML('#checkout [role=radiogroup]');
    assert.doesNotMatch(html, /<img|<svg|<b>|<script/);
    assert.match(await page.textContent('#checkout [role=radiogroup]'), /<img src=x onerror=/);
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  });

  it('a profile carrying a CommerceToken is refused with secret_in_profile, nothing rendered', async () => {
    const { page } = ctx.tab;
    const r = await mount(page, optionsFor(ctx.world, 'bamboo', { profiles: [
      { PaymentProfileId: 1, Brand: 'Visa', Last4: '1111', CommerceToken: 'CT__leak_' },
    ] }));
    assert.equal(r.error.code, 'secret_in_profile');
    assert.equal(r.error.field, 'profiles[0].CommerceToken');
    assert.doesNotMatch(r.error.message, /CT__leak_/);
    assert.equal(await page.$eval('#checkout', (e) => e.childElementCount), 0);
  });

  it('"use another card" reveals the provider form and pays a new card (Conekta, Pasarela\'s button)', async () => {
    const { page } = ctx.tab;
    const saved = await shopper(ctx.world, 'conekta', ['4242424242424242']);
    await mountWith(page, optionsFor(ctx.world, 'conekta', { profiles: saved.profiles }));
    await page.click('#checkout .pasarela-profile-new');
    assert.equal(await waitForEvent(page, 'profileselected').catch(() => 'none'), 'none');
    await page.waitForSelector('#checkout .pasarela-provider-form conekta-iframe', { state: 'visible' });
    await fillConektaCard(page, '4242424242424242');
    await page.click('#checkout .pasarela-pay');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    assert.equal((await ctx.world.state()).requests[0].body.source.type, 'token');
  });

  for (const [locale, title, pay] of [['es', 'Tarjetas guardadas', /^Pagar USD\s1,234\.56$/], ['en', 'Saved cards', /^Pay \$1,234\.56$/], ['pt', 'Cartões salvos', /^Pagar US\$\s1\.234,56$/]]) {
    it(`renders in ${locale} and fits a 360 px phone (screenshot)`, async () => {
      const phone = await openPage(ctx.world, '/harness.html', { width: 360, height: 640 });
      const saved = await shopper(ctx.world, 'bamboo', ['4111111111111111', '5555555555554444']);
      const profiles = [...saved.profiles, { id: 'old', brand: 'Visa', last4: '0002', expiry: '202001', holder: 'Ana Pérez' }];
      await mountWith(phone.page, optionsFor(ctx.world, 'bamboo', { locale, profiles }));
      assert.equal(await phone.page.textContent('#checkout .pasarela-profiles-title'), title);
      assert.match(await phone.page.textContent('#checkout .pasarela-pay'), pay);
      assert.ok(await phone.page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no horizontal scroll at 360 px');
      await phone.page.locator('#checkout .pasarela').screenshot({ path: new URL(`profiles-${locale}.png`, SHOTS).pathname });
      await phone.close();
    });
  }
});
