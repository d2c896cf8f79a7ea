// Saved cards the shopper manages (`manageProfiles`), in Chromium: "Remove" asks in the list itself
// (keyboard only, announced, Escape cancels) before `DELETE ${paymentMethodsUrl}/${id}` with the
// client secret and the storefront's headers; a 204 takes the card out of the list
// (`profileremoved`), a 409 shows the service's reason there, no answer shows the shopper's words
// (bounded by merchant.timeoutMs); "Make default" redraws the list from the service's answer
// (`profiledefault`); `expiredProfiles` hides or disables expired cards. The merchant service is
// played by Playwright routes. axe-clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { events, mount, optionsFor, radios, suiteWorld, violations, waitForEvent } from './helpers.mjs';

const CARDS = [
  { id: 'pm_visa', brand: 'Visa', last4: '4242', expiry: '203012' },
  { id: 'pm_mc', brand: 'Mastercard', last4: '4444', expiry: '203106', default: true },
  { id: 'pm_old', brand: 'Amex', last4: '0005', expiry: '202001' },
];
const SECRET = 'cs_test_manage_1';

const options = (world, extra = {}) => optionsFor(world, 'conekta', {
  profiles: CARDS, manageProfiles: true,
  merchant: { paymentUrl: '/merchant/pay', clientSecret: SECRET, headers: { 'X-Csrf-Token': 'csrf-1' }, timeoutMs: 1500 },
  ...extra,
});

/** Routes `/merchant/pay/payment-methods/…` to `answer(request)` and keeps what was asked. */
async function paymentMethods(page, answer) {
  const asked = [];
  await page.route('**/merchant/pay/payment-methods/**', async (route) => {
    const r = route.request();
    asked.push({ method: r.method(), path: new URL(r.url()).pathname, auth: r.headers().authorization, csrf: r.headers()['x-csrf-token'] });
    await answer(route);
  });
  return asked;
}

const status = (page) => page.evaluate(() => document.querySelector('#checkout [role=status]').textContent);
const focused = (page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent);

async function ready(page, o) {
  assert.deepEqual(await mount(page, o), { ok: true });
  await waitForEvent(page, 'ready');
  await page.waitForSelector('#checkout .pasarela-manage');
}

describe('saved cards the shopper manages', () => {
  const ctx = suiteWorld();

  it('Remove asks in the list (keyboard, announced, Escape cancels), then DELETE with the secret: the card leaves, profileremoved', async () => {
    const { page } = ctx.tab;
    const asked = await paymentMethods(page, (route) => route.fulfill({ status: 204 }));
    await ready(page, options(ctx.world));
    assert.equal(await page.textContent('#checkout [data-profile-id="pm_mc"] + .pasarela-manage'), 'PredeterminadaEliminar', 'the default card says so');
    assert.deepEqual(await violations(page, '#checkout'), []);
    await page.focus('#checkout [aria-label="Eliminar Visa •••• 4242"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#checkout .pasarela-confirm');
    assert.equal(await page.textContent('#checkout .pasarela-confirm span'), '¿Eliminar Visa •••• 4242?');
    assert.equal(await status(page), '¿Eliminar Visa •••• 4242?', 'the question is said');
    assert.equal(await focused(page), 'Cancelar', 'focus on the safe answer');
    assert.deepEqual(await violations(page, '#checkout'), [], 'the confirmation');
    await page.keyboard.press('Escape');
    assert.equal(await page.$('#checkout .pasarela-confirm'), null);
    assert.equal(await focused(page), 'Eliminar Visa •••• 4242', 'focus back where it was');
    assert.equal(asked.length, 0, 'nothing sent before the shopper confirms');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#checkout .pasarela-confirm');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(page), 'Eliminar');
    await page.keyboard.press('Enter');
    const removed = await waitForEvent(page, 'profileremoved');
    assert.deepEqual(removed, { profileId: 'pm_visa' });
    assert.deepEqual(asked, [{ method: 'DELETE', path: '/merchant/pay/payment-methods/pm_visa', auth: `Bearer ${SECRET}`, csrf: 'csrf-1' }]);
    assert.deepEqual((await radios(page)).map((r) => r.id), ['pm_mc', 'pm_old', ''], 'the card left the list');
    assert.equal(await status(page), 'Se eliminó Visa •••• 4242');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'radio', 'focus back in the list');
    assert.equal(await page.$$eval('#checkout .pasarela-manage', (c) => c.length), 2, 'the redrawn list has its buttons');
    assert.ok(!JSON.stringify(await events(page)).includes(SECRET), 'the secret is in no event');
  });

  it('a 409 shows the service\'s reason in the list; no answer in time shows the shopper\'s words; the card stays', async () => {
    const { page } = ctx.tab;
    let answer = (route) => route.fulfill({ status: 409, contentType: 'application/json',
      body: JSON.stringify({ error: 'El banco no permite eliminar esta tarjeta ahora.', code: 'provider_refused' }) });
    const asked = await paymentMethods(page, (route) => answer(route));
    await ready(page, options(ctx.world, { locale: 'es' }));
    await page.click('#checkout [aria-label="Eliminar Visa •••• 4242"]');
    await page.click('#checkout .pasarela-confirm-yes');
    await page.waitForSelector('#checkout .pasarela-confirm-note:not(:empty)');
    const said = 'No se pudo eliminar la tarjeta: El banco no permite eliminar esta tarjeta ahora.';
    assert.equal(await page.textContent('#checkout .pasarela-confirm-note'), said, 'our words in the shopper\'s language, then the provider\'s reason');
    assert.equal(await status(page), said);
    assert.deepEqual((await radios(page)).map((r) => r.id), ['pm_visa', 'pm_mc', 'pm_old', '']);
    // The service never answers: merchant.timeoutMs (1.5 s) ends the wait.
    answer = () => new Promise(() => {});
    const started = Date.now();
    await page.click('#checkout .pasarela-confirm-yes');
    await page.waitForFunction(() => /conexión/.test(document.querySelector('#checkout .pasarela-confirm-note').textContent));
    assert.ok(Date.now() - started < 5000, 'bounded');
    assert.equal(await page.textContent('#checkout .pasarela-confirm-note'), 'No se pudo completar; revise su conexión e intente de nuevo');
    answer = (route) => route.abort('connectionrefused');
    await page.click('#checkout .pasarela-confirm-yes');
    await page.waitForFunction(() => document.querySelector('#checkout .pasarela-confirm-yes:not([disabled])') && document.activeElement?.classList.contains('pasarela-confirm-yes'));
    assert.equal(asked.length, 3);
    assert.deepEqual((await events(page)).filter((e) => e.name === 'profileremoved'), []);
    assert.deepEqual((await radios(page)).map((r) => r.id), ['pm_visa', 'pm_mc', 'pm_old', '']);
  });

  it('Make default: PUT …/default, the list redrawn from the answer (default first), profiledefault', async () => {
    const { page } = ctx.tab;
    const asked = await paymentMethods(page, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({
      profiles: [{ ...CARDS[0], default: true }, { ...CARDS[1], default: false }, CARDS[2]] }) }));
    await ready(page, options(ctx.world, { locale: 'en' }));
    assert.equal(await page.$('#checkout [aria-label="Make default: Amex •••• 0005"]'), null, 'not for an expired card');
    await page.click('#checkout [aria-label="Make default: Visa •••• 4242"]');
    assert.deepEqual(await waitForEvent(page, 'profiledefault'), { profileId: 'pm_visa' });
    assert.deepEqual(asked.map((a) => [a.method, a.path, a.auth]), [['PUT', '/merchant/pay/payment-methods/pm_visa/default', `Bearer ${SECRET}`]]);
    await page.waitForSelector('#checkout [data-profile-id="pm_visa"] + .pasarela-manage .pasarela-manage-default');
    assert.equal(await page.textContent('#checkout [data-profile-id="pm_visa"] + .pasarela-manage'), 'DefaultRemove');
    assert.ok(await page.$('#checkout [aria-label="Make default: Mastercard •••• 4444"]'));
    assert.equal(await status(page), 'Visa •••• 4242 is now your default card');
  });

  it('expiredProfiles: \'hide\' leaves expired cards out; the default, \'disable\', shows them disabled as Vencida', async () => {
    const { page } = ctx.tab;
    assert.deepEqual(await mount(page, optionsFor(ctx.world, 'conekta', { profiles: CARDS, expiredProfiles: 'hide' })), { ok: true });
    await waitForEvent(page, 'ready');
    assert.deepEqual((await radios(page)).map((r) => r.id), ['pm_visa', 'pm_mc', '']);
    const r = await page.evaluate(() => window.checkout.pay({ profileId: 'pm_old' }).catch((e) => e.code));
    assert.equal(r, 'unknown_profile');
    await page.evaluate(() => window.checkout.destroy());
    assert.deepEqual(await mount(page, optionsFor(ctx.world, 'conekta', { profiles: CARDS, expiredProfiles: 'disable' })), { ok: true });
    await page.waitForSelector('#checkout [data-profile-id="pm_old"]');
    const old = (await radios(page)).find((x) => x.id === 'pm_old');
    assert.equal(old.disabled, 'true');
    assert.match(old.text, /Vencida/);
    const bad = await mount(page, optionsFor(ctx.world, 'conekta', { container: '#nowhere', manageProfiles: true }));
    assert.deepEqual([bad.error.code, bad.error.field], ['invalid_options', 'manageProfiles'], 'nowhere to send a removal');
  });
});
