// Lyra KR (krypton) embedded form behind the same API: end to end in Chromium.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventNames, fillKrCard, krOptions, mount, openPage, payInPage, waitForEvent, suiteWorld } from './helpers.mjs';

describe('KR checkout', () => {
  const ctx = suiteWorld();

  async function ready(page, extra = {}) {
    const opts = await krOptions(ctx.world, { order: { id: `K-${Date.now()}`, amount: 5000, currency: 'PEN' }, ...extra });
    assert.deepEqual(await mount(page, opts), { ok: true });
    assert.deepEqual(await waitForEvent(page, 'ready'), { provider: 'kr' });
    return opts;
  }

  it('approves 4970…0055: ready → token(form_answer) → result; the signed answer is forwarded', async () => {
    const { page } = ctx.tab;
    await ready(page);
    await fillKrCard(page, '4970100000000055');
    const r = await payInPage(page);
    assert.equal(r.status, 'approved');
    assert.deepEqual(await eventNames(page), ['ready', 'token', 'result']);
    assert.deepEqual(await waitForEvent(page, 'token'), { provider: 'kr', kind: 'form_answer', brand: 'VISA', last4: '0055' });
    const s = await ctx.world.state();
    assert.equal(s.charges.length, 1);
    const src = s.requests[0].body.source;
    assert.equal(src.type, 'kr_answer');
    assert.equal(src.hashAlgorithm, 'sha256_hmac');
    assert.equal(src.hashKey, 'sha256_hmac');
    assert.match(src.hash, /^[0-9a-f]{64}$/);
    assert.equal(JSON.parse(src.rawClientAnswer).orderStatus, 'PAID');
    assert.equal(await page.evaluate(() => KR.lastRedirectPrevented), true, 'onSubmit returned false');
  });

  it('declines a refused card (KR.onError with the signed UNPAID answer) without a charge', async () => {
    const { page } = ctx.tab;
    await ready(page);
    await fillKrCard(page, '4970100000000113');
    const r = await payInPage(page);
    assert.equal(r.status, 'declined');
    assert.match(r.message, /ACQ_001/);
    assert.equal((await ctx.world.state()).charges.length, 0);
  });

  it('turns KR.onError into tokenization_failed keeping the KR errorCode and field', async () => {
    const { page } = ctx.tab;
    await ready(page, { locale: 'en' });
    await fillKrCard(page, '4970100000000056');
    const r = await payInPage(page);
    assert.equal(r.status, 'error');
    assert.equal(r.error.code, 'tokenization_failed');
    assert.equal(r.error.field, 'pan');
    assert.match(r.error.message, /CLIENT_300/);
    assert.equal((await ctx.world.state()).requests.length, 0);
  });

  it('updates the amount for a Mastercard BIN through setBinUpdateNotificationUrl', async () => {
    const { page } = ctx.tab;
    await ready(page, { kr: { binUpdateUrl: '/merchant/kr/bin-update' } });
    const button = page.frameLocator('#checkout iframe').locator('#kr-payment-button');
    await button.filter({ hasText: '50.00' }).waitFor();
    await page.frameLocator('#checkout iframe').locator('#kr-pan').fill('59701003');
    // The form reloads with the new formToken and shows 10.00 less.
    await page.frameLocator('#checkout iframe').locator('#kr-payment-button', { hasText: '40.00' }).waitFor({ timeout: 10000 });
    await fillKrCard(page, '5970100300000067');
    const r = await payInPage(page);
    assert.equal(r.status, 'approved');
    const answer = JSON.parse((await ctx.world.state()).requests[0].body.source.rawClientAnswer);
    assert.equal(answer.orderDetails.orderTotalAmount, 4000);
  });

  it('a tampered answer is refused by the server (merchant_rejected), nothing charged', async () => {
    const { page } = ctx.tab;
    await ready(page);
    await page.route('**/merchant/pay', async (route) => {
      const body = JSON.parse(route.request().postData());
      body.source.rawClientAnswer = body.source.rawClientAnswer.replace('"orderStatus":"UNPAID"', '"orderStatus":"PAID"');
      await route.continue({ postData: JSON.stringify(body) });
    });
    await fillKrCard(page, '4970100000000113');
    const r = await payInPage(page);
    assert.equal(r.status, 'error');
    assert.equal(r.error.code, 'merchant_rejected');
    assert.equal((await ctx.world.state()).charges.length, 0);
  });
});
