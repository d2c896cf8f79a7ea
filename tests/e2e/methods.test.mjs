// Beyond the card form (docs/api.md §4): the choice of method before the card form, cash and
// bank transfers (no tokenizer; the voucher view, its copy and print, its payment read until
// final), the in-page authentication dialog (`challenge`), a redirect and `resume`, and the
// split of the package: what only some shoppers need is fetched after `ready`, never before.
//
// The merchant endpoint is a `page.route` stub (`/stub/pay`, `/stub/pay/{id}`) answering as the
// service's contract says; the providers' emulators are the sandbox's. Timers run on Playwright's
// clock where a test waits for the back-off (3 s doubling to 60 s) or the 10-minute bound.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { events, mount, optionsFor, payInPage, suiteWorld, violations, waitForEvent } from './helpers.mjs';

const SECRET = 'cs_test_9_secret_Vq';
const OXXO = {
  kind: 'cash', provider: 'conekta', amount: 20000, currency: 'MXN', expiresAt: '2026-12-10T23:59:00Z',
  reference: '93000262276908', barcodeUrl: '/stub/barcode.png',
};
const SPEI = {
  kind: 'bank_transfer', provider: 'conekta', amount: 150050, currency: 'MXN', expiresAt: '2026-12-10T23:59:00Z',
  clabe: '646180111812345678', bank: 'STP', accountHolder: 'Pasarela Demo SA', instructionsUrl: '/stub/instructions',
};
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/**
 * Answers the page's merchant requests from the test: `pay(request, seen)` for each POST
 * `/stub/pay`, `status(request, seen)` for each GET `/stub/pay/{id}`; each returns `{ status?,
 * body }`. Other `/stub/…` paths: a 1×1 PNG, or a small page. Resolves the list of requests seen.
 */
async function stubMerchant(page, { pay, status = () => ({ body: { status: 'approved' } }) }) {
  const seen = [];
  await page.route(/\/stub\//, async (route) => {
    const req = route.request();
    const path = new URL(req.url()).pathname;
    if (!/^\/stub\/pay(\/[^/]*)?$/.test(path)) {
      if (path.endsWith('.png')) return route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
      return route.fulfill({ status: 200, contentType: 'text/html', body: `<!doctype html><title>${path}</title><p>${path}</p>` });
    }
    const text = req.postData();
    const entry = { method: req.method(), url: req.url(), headers: await req.allHeaders(), body: text ? JSON.parse(text) : undefined };
    seen.push(entry);
    const answer = await (entry.method === 'POST' ? pay : status)(entry, seen);
    await route.fulfill({ status: answer.status ?? 200, contentType: 'application/json', body: JSON.stringify(answer.body) }).catch(() => {});
  });
  return seen;
}

const posts = (seen) => seen.filter((r) => r.method === 'POST');
const gets = (seen) => seen.filter((r) => r.method === 'GET');
const results = async (page) => (await events(page)).filter((e) => e.name === 'result').map((e) => e.payload);
const voucherAnswer = (voucher, paymentId = 'pay_v1') => ({ body: { status: 'pending', paymentId, action: { type: 'voucher', voucher } } });

function options(world, extra = {}) {
  const o = optionsFor(world, 'conekta', { methods: ['card', 'cash', 'bank_transfer'], ...extra });
  o.order = { ...o.order, amount: 20000, currency: 'MXN' };
  o.merchant = { paymentUrl: '/stub/pay', clientSecret: SECRET, retries: 0, ...extra.merchant };
  return o;
}

async function ready(page, o) {
  assert.deepEqual(await mount(page, o), { ok: true });
  await waitForEvent(page, 'ready');
}

/** The voucher view as the shopper meets it: its title, each `dt` with its `dd`'s text. */
const voucherSeen = (page) => page.evaluate(() => {
  const box = document.querySelector('#checkout .pasarela-voucher');
  if (!box) return null;
  const rows = {};
  for (const dt of box.querySelectorAll('dt')) {
    const dd = dt.nextElementSibling;
    rows[dt.textContent] = {
      seen: (dd.querySelector('.pasarela-voucher-code, time') || dd).textContent.replace(/\s+/g, ' ').trim(),
      heard: dd.querySelector('.pasarela-sr')?.textContent,
      img: dd.querySelector('img')?.getAttribute('alt'),
      link: dd.querySelector('a')?.getAttribute('href'),
      button: dd.querySelector('button')?.textContent,
    };
  }
  return {
    title: box.querySelector('h3').textContent, labelledBy: box.getAttribute('aria-labelledby') === box.querySelector('h3').id,
    rows, print: box.querySelector('.pasarela-voucher-print')?.textContent, said: document.querySelector('#checkout .pasarela-status').textContent,
  };
});

describe('beyond the card form: methods, vouchers, in-page authentication, redirects', () => {
  const ctx = suiteWorld();

  it('the choice of method: a radio group before the card form, the card first, arrow keys move it, methodselected, axe-clean in es, en and pt', async () => {
    const { page } = ctx.tab;
    await stubMerchant(page, { pay: () => voucherAnswer(OXXO) });
    const labels = { es: ['Tarjeta', 'Efectivo', 'Transferencia bancaria'], en: ['Card', 'Cash', 'Bank transfer'], pt: ['Cartão', 'Dinheiro', 'Transferência bancária'] };
    for (const locale of ['es', 'en', 'pt']) {
      await page.evaluate(() => { if (window.checkout?.destroy) checkout.destroy(); window.__events = []; });
      await ready(page, options(ctx.world, { locale, methods: ['cash', 'bank_transfer', 'card'] }));
      const group = await page.evaluate(() => {
        const g = document.querySelector('#checkout [role=radiogroup].pasarela-methods');
        const forms = document.querySelector('#checkout .pasarela-forms');
        return {
          label: g.getAttribute('aria-label'), before: !!(g.compareDocumentPosition(forms) & Node.DOCUMENT_POSITION_FOLLOWING),
          radios: [...g.querySelectorAll('input[type=radio]')].map((r) => ({ text: r.parentElement.textContent, value: r.value, checked: r.checked })),
        };
      });
      assert.deepEqual(group.radios.map((r) => r.text), labels[locale], locale);
      assert.deepEqual(group.radios.map((r) => r.checked), [true, false, false], 'the card first, and chosen');
      assert.ok(group.before, 'before the card form');
      assert.ok(group.label, 'the group is named');
      assert.deepEqual(await violations(page, '#checkout'), [], locale);
    }
    // Keyboard: Tab reaches the chosen radio; the arrows move the choice and report it.
    await page.focus('#checkout .pasarela-methods input:checked');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await waitForEvent(page, 'methodselected'), { method: 'cash' });
    assert.equal(await page.evaluate(() => document.activeElement.value), 'cash');
    assert.equal(await page.isVisible('#checkout conekta-iframe'), false, "cash: the card's form is hidden");
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await waitForEvent(page, 'methodselected', 2), { method: 'bank_transfer' });
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await waitForEvent(page, 'methodselected', 4), { method: 'card' });
    assert.equal(await page.isVisible('#checkout conekta-iframe'), true, 'the card again: its form is back');
    assert.deepEqual(await violations(page, '#checkout'), []);
  });

  it('methods are validated (the bad one named by its index); pay() refuses a method not offered or unknown; one method shows no choice', async () => {
    const { page } = ctx.tab;
    for (const [methods, field] of [[['card', 'crypto'], 'methods[1]'], [['cash', 3], 'methods[1]'], [[], 'methods'], ['cash', 'methods']]) {
      const r = await mount(page, options(ctx.world, { methods }));
      assert.equal(r.ok, false);
      assert.deepEqual([r.error.code, r.error.field], ['invalid_options', field], JSON.stringify(methods));
    }
    assert.equal(await page.$('#checkout .pasarela'), null, 'nothing rendered');
    await stubMerchant(page, { pay: () => voucherAnswer(OXXO) });
    await ready(page, options(ctx.world, { methods: ['card'] }));
    assert.equal(await page.$('#checkout .pasarela-methods'), null, 'one method: no choice');
    const refused = (await payInPage(page, { method: 'cash' })).rejected;
    assert.deepEqual([refused.code, refused.field], ['unsupported', 'method']);
    assert.equal((await payInPage(page, { method: 'crypto' })).rejected.field, 'method');
    assert.equal((await payInPage(page, { method: 'card', paymentMediaId: 5 })).rejected.field, 'paymentMediaId');
  });

  it('cash (es): no tokenizer, source { type: cash }; a pending result with the voucher, not final, which pay() resolves with; the voucher view with every field, copy and print', async () => {
    const { page } = ctx.tab;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const seen = await stubMerchant(page, { pay: () => voucherAnswer(OXXO), status: () => ({ body: { status: 'pending', paymentId: 'pay_v1' } }) });
    await ready(page, options(ctx.world, { methods: ['card', 'cash'] }));
    await page.click('#checkout .pasarela-methods input[value=cash]');
    const r = await payInPage(page);
    assert.deepEqual(r, { status: 'pending', paymentId: 'pay_v1', voucher: OXXO, final: false });
    assert.deepEqual(posts(seen)[0].body.source, { type: 'cash' }, 'the shopper\'s choice, no token');
    assert.ok(posts(seen)[0].headers['idempotency-key']);
    const names = (await events(page)).map((e) => e.name);
    assert.ok(!names.includes('token'), names.join());
    assert.deepEqual((await events(page)).find((e) => e.name === 'action').payload, { type: 'voucher', paymentId: 'pay_v1' });
    assert.deepEqual(await results(page), [r], 'one result so far');
    await page.waitForSelector('#checkout .pasarela-voucher');
    const v = await voucherSeen(page);
    assert.equal(v.title, 'Pague en efectivo');
    assert.ok(v.labelledBy);
    assert.equal(v.rows['Monto a pagar'].seen, '$200.00');
    assert.deepEqual(v.rows.Referencia, { seen: '9300 0262 2769 08', heard: '9 3 0 0, 0 2 6 2, 2 7 6 9, 0 8', img: undefined, link: undefined, button: 'Copiar' });
    assert.equal(v.rows['Código de barras'].img, 'Código de barras de la referencia 9300 0262 2769 08');
    assert.match(v.rows.Vence.seen, /10 de diciembre de 2026/);
    assert.match(v.said, /Pague en efectivo\. Monto a pagar: \$200\.00/, 'announced');
    assert.equal(v.print, 'Imprimir');
    assert.equal(await page.isVisible('#checkout .pasarela-methods'), false, 'the voucher replaces the ways to pay');
    assert.deepEqual(await violations(page, '#checkout'), []);
    // Copy: the raw reference, and "Copiado" in the live region; the keyboard reaches it.
    await page.focus('#checkout .pasarela-voucher-reference button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#checkout .pasarela-status').textContent.startsWith('Copiado'));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), '93000262276908');
    // Print: the voucher alone, without its buttons.
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => ({
      voucher: getComputedStyle(document.querySelector('#checkout .pasarela-voucher')).visibility,
      reference: getComputedStyle(document.querySelector('#checkout .pasarela-voucher-code')).visibility,
      button: getComputedStyle(document.querySelector('#checkout .pasarela-voucher-print')).display,
      status: getComputedStyle(document.querySelector('#checkout .pasarela-status')).visibility,
    }));
    await page.emulateMedia({ media: 'screen' });
    assert.deepEqual(printed, { voucher: 'visible', reference: 'visible', button: 'none', status: 'hidden' });
  });

  it('the voucher in the shopper\'s time zone, in en and pt; a bank transfer (pt) shows its CLABE grouped, the bank, the holder and the instructions', async () => {
    const { page, close } = ctx.tab;
    await close();
    const context = await ctx.world.browser.newContext({ timezoneId: 'America/Mexico_City' });
    const tab = await context.newPage();
    try {
      await tab.goto(`${ctx.world.url}/harness.html`);
      await stubMerchant(tab, { pay: (req) => voucherAnswer(req.body.source.type === 'cash' ? OXXO : SPEI), status: () => ({ body: { status: 'pending', paymentId: 'pay_v1' } }) });
      await ready(tab, options(ctx.world, { locale: 'en' }));
      assert.equal((await payInPage(tab, { method: 'cash' })).final, false);
      await tab.waitForSelector('#checkout .pasarela-voucher');
      let v = await voucherSeen(tab);
      assert.equal(v.title, 'Pay in cash');
      assert.equal(v.rows['Amount to pay'].seen, 'MX$200.00');
      assert.equal(v.rows.Reference.button, 'Copy');
      assert.match(v.rows.Expires.seen, /December 10, 2026.*5:59\s?PM/, 'in Mexico City: 17:59');
      assert.deepEqual(await violations(tab, '#checkout'), []);
      await tab.evaluate(() => { checkout.destroy(); window.__events = []; });
      await ready(tab, options(ctx.world, { locale: 'pt' }));
      assert.equal((await payInPage(tab, { method: 'bank_transfer', paymentMediaId: 32 })).voucher.clabe, SPEI.clabe);
      await tab.waitForSelector('#checkout .pasarela-voucher');
      v = await voucherSeen(tab);
      assert.equal(v.title, 'Pague por transferência');
      assert.deepEqual(Object.keys(v.rows), ['Valor a pagar', 'CLABE', 'Banco', 'Titular', 'Vence em', 'Instruções']);
      assert.equal(v.rows['Valor a pagar'].seen, 'MX$ 1.500,50');
      assert.deepEqual([v.rows.CLABE.seen, v.rows.CLABE.heard], ['6461 8011 1812 3456 78', '6 4 6 1, 8 0 1 1, 1 8 1 2, 3 4 5 6, 7 8']);
      assert.equal(v.rows.Titular.seen, 'Pasarela Demo SA');
      assert.equal(v.rows['Instruções'].link, '/stub/instructions');
      assert.match(v.rows['Vence em'].seen, /10 de dezembro de 2026.*17:59/);
      assert.deepEqual(await violations(tab, '#checkout'), []);
    } finally {
      await tab.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
      await context.close();
    }
  });

  it("a voucher's payment is read with back-off (3 s, 6 s, …) with the client secret until approved: the second, final result", async () => {
    const { page } = ctx.tab;
    await page.clock.install();
    let reads = 0;
    const seen = await stubMerchant(page, {
      pay: () => voucherAnswer({ ...OXXO, expiresAt: undefined }),
      status: () => ({ body: ++reads < 3 ? { status: 'pending', paymentId: 'pay_v1' } : { status: 'approved', paymentId: 'pay_v1' } }),
    });
    await ready(page, options(ctx.world));
    assert.equal((await payInPage(page, { method: 'cash' })).final, false);
    await page.clock.runFor(2_900);
    assert.equal(gets(seen).length, 0, 'the first read after 3 s');
    await page.clock.runFor(200);
    await page.waitForFunction(() => true);
    await expectReads(page, seen, 1);
    await page.clock.runFor(6_000);
    await expectReads(page, seen, 2);
    await page.clock.runFor(12_000);
    await expectReads(page, seen, 3);
    const final = await waitForEvent(page, 'result', 2);
    assert.deepEqual(final, { status: 'approved', paymentId: 'pay_v1' });
    for (const g of gets(seen)) {
      assert.equal(g.headers.authorization, `Bearer ${SECRET}`);
      assert.equal(new URL(g.url).pathname, '/stub/pay/pay_v1');
    }
    assert.equal(await page.evaluate(() => checkout.state), 'succeeded');
    assert.match(await page.textContent('#checkout .pasarela-voucher-title'), /Pagada/);
    await page.waitForFunction(() => document.querySelector('#checkout .pasarela-status').textContent === 'Pago aprobado');
    assert.equal((await payInPage(page)).status, 'approved', 'pay() after the approval: the final result');
    assert.equal(posts(seen).length, 1, 'one charge');
  });

  it('expired only when the service says so: past the lapse (by the page\'s clock) and still pending, the reads stop and it ends pending, the voucher kept', async () => {
    const { page } = ctx.tab;
    await page.clock.install({ time: new Date('2026-12-10T23:50:00Z') });
    let said = 'pending';
    const seen = await stubMerchant(page, { pay: () => voucherAnswer(OXXO), status: () => ({ body: { status: said, paymentId: 'pay_v1' } }) });
    await ready(page, options(ctx.world));
    await payInPage(page, { method: 'cash' });
    // 23:59 + 60 s of grace: still pending then. A shopper who paid at the last minute is
    // notified by the provider's clock, not the page's: the page does not call it expired.
    await tick(page, 11 * 60_000);
    const final = await waitForEvent(page, 'result', 2);
    assert.deepEqual(final, { status: 'pending', paymentId: 'pay_v1' });
    const reads = gets(seen).length;
    // 3, 6, 12, 24, 48 s, then a minute apart: about fourteen reads in the ten minutes to the lapse.
    assert.ok(reads >= 12 && reads <= 16, `bounded: ${reads} reads in 11 minutes`);
    await page.waitForFunction(() => document.querySelector('#checkout .pasarela-status').textContent.startsWith('Pago pendiente'));
    assert.ok(await page.isVisible('#checkout .pasarela-voucher'), 'the voucher stays: it may still be paid');
    assert.equal(await page.$('#checkout .pasarela-voucher-state'), null, 'not marked expired');
    await tick(page, 10 * 60_000);
    assert.equal(gets(seen).length, reads, 'no read after the end');
    // The service's own `expired` ends it: the voucher is marked, the shopper may pay again.
    await page.evaluate(() => { checkout.destroy(); window.__events = []; });
    said = 'expired';
    await ready(page, options(ctx.world));
    await payInPage(page, { method: 'cash' });
    await page.clock.runFor(3_100);
    assert.deepEqual(await waitForEvent(page, 'result', 2), { status: 'expired', paymentId: 'pay_v1' });
    await page.waitForFunction(() => document.querySelector('#checkout .pasarela-status').textContent === 'La ficha de pago venció');
    assert.equal(await page.evaluate(() => checkout.state), 'failed', 'the shopper may pay again');
  });

  it('destroy() during the watch: one result (destroyed), and no request leaves after it', async () => {
    const { page } = ctx.tab;
    await page.clock.install();
    const seen = await stubMerchant(page, { pay: () => voucherAnswer(OXXO), status: () => ({ body: { status: 'pending', paymentId: 'pay_v1' } }) });
    await ready(page, options(ctx.world));
    await payInPage(page, { method: 'cash' });
    await page.clock.runFor(3_100);
    await expectReads(page, seen, 1);
    await page.evaluate(() => checkout.destroy());
    await tick(page, 30 * 60_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(gets(seen).length, 1, 'nothing after destroy()');
    const rs = await results(page);
    assert.equal(rs.length, 2);
    assert.deepEqual([rs[1].status, rs[1].paymentId, rs[1].error.code], ['error', 'pay_v1', 'destroyed']);
    assert.equal(await page.$('#checkout .pasarela'), null);
  });

  describe('in-page authentication (challenge)', () => {
    const challenge = (paymentId = 'pay_c1') => ({ body: { status: 'pending', paymentId, action: { type: 'challenge', url: '/stub/3ds' } } });

    async function openDialog(page, status = () => ({ body: { status: 'pending', paymentId: 'pay_c1' } })) {
      const seen = await stubMerchant(page, { pay: () => challenge(), status });
      await ready(page, options(ctx.world, { methods: ['card', 'cash'] }));
      await page.evaluate(() => { window.__paid = checkout.pay({ method: 'cash' }); });
      await page.waitForSelector('#checkout [role=dialog]');
      return seen;
    }

    it('a labelled modal dialog with the provider\'s page; focus stays inside; Escape cancels: one read, pending, and pay() opens it again', async () => {
      const { page } = ctx.tab;
      const seen = await openDialog(page);
      const d = await page.evaluate(() => {
        const dialog = document.querySelector('#checkout [role=dialog]');
        return {
          modal: dialog.getAttribute('aria-modal'), name: document.getElementById(dialog.getAttribute('aria-labelledby'))?.textContent,
          src: dialog.querySelector('iframe').getAttribute('src'), title: dialog.querySelector('iframe').title,
          focus: document.activeElement.textContent,
        };
      });
      assert.deepEqual(d, { modal: 'true', name: 'Verificación de su banco', src: '/stub/3ds', title: 'Verificación de su banco', focus: 'Cerrar' });
      assert.deepEqual((await events(page)).find((e) => e.name === 'action').payload, { type: 'challenge', paymentId: 'pay_c1' });
      assert.deepEqual(await violations(page, '#checkout'), []);
      for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
        await page.keyboard.press(key);
        assert.ok(await page.evaluate(() => !!document.activeElement.closest('[role=dialog]')), `focus inside after ${key}`);
      }
      await page.focus('#checkout .pasarela-challenge-close');
      await page.keyboard.press('Escape');
      const r = await waitForEvent(page, 'result');
      assert.deepEqual(r, { status: 'pending', paymentId: 'pay_c1' });
      assert.equal(gets(seen).length, 1, 'one status read');
      assert.equal(await page.$('#checkout [role=dialog]'), null);
      assert.equal(await page.evaluate(() => checkout.state), 'action_required');
      await page.evaluate(() => { checkout.pay(); });
      await page.waitForSelector('#checkout [role=dialog]');
      assert.equal(posts(seen).length, 1, 'the same payment, never a second charge');
    });

    it('the close button cancels; a final status read then is the result', async () => {
      const { page } = ctx.tab;
      const seen = await openDialog(page, () => ({ body: { status: 'declined', paymentId: 'pay_c1' } }));
      await page.click('#checkout .pasarela-challenge-close');
      assert.deepEqual(await waitForEvent(page, 'result'), { status: 'declined', paymentId: 'pay_c1' });
      assert.equal(gets(seen).length, 1);
    });

    it("a message from another origin, or for another payment, is ignored; the service's for this payment ends the attempt with one result", async () => {
      const { page } = ctx.tab;
      const seen = await openDialog(page, () => ({ body: { status: 'approved', paymentId: 'pay_c1' } }));
      await page.evaluate(() => {
        const end = (paymentId) => ({ source: 'pasarela', type: 'challenge_end', paymentId });
        window.dispatchEvent(new MessageEvent('message', { origin: 'https://evil.example', data: end('pay_c1') }));
        window.dispatchEvent(new MessageEvent('message', { origin: location.origin, data: end('pay_other') }));
        window.dispatchEvent(new MessageEvent('message', { origin: location.origin, data: { type: 'challenge_end', paymentId: 'pay_c1' } }));
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(await page.$('#checkout [role=dialog]'), 'still open');
      assert.equal(gets(seen).length, 0);
      // The service's return page, framed: it posts to its parent from the service's origin.
      await page.evaluate(() => {
        const frame = document.querySelector('#checkout [role=dialog] iframe');
        frame.contentWindow.parent.postMessage({ source: 'pasarela', type: 'challenge_end', paymentId: 'pay_c1' }, location.origin);
      });
      assert.deepEqual(await waitForEvent(page, 'result'), { status: 'approved', paymentId: 'pay_c1' });
      assert.equal(await page.$('#checkout [role=dialog]'), null);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await results(page)).length, 1, 'one result');
      assert.equal(gets(seen).length, 1, 'one status read');
    });

    it('bounded by 10 minutes: the dialog goes, one read, pending', async () => {
      const { page } = ctx.tab;
      await page.clock.install();
      const seen = await openDialog(page);
      await page.clock.runFor(9 * 60_000);
      assert.ok(await page.$('#checkout [role=dialog]'));
      await page.clock.runFor(60_000 + 100);
      const r = await waitForEvent(page, 'result');
      assert.deepEqual([r.status, r.paymentId], ['pending', 'pay_c1']);
      assert.equal(await page.$('#checkout [role=dialog]'), null);
      assert.equal((await events(page)).find((e) => e.name === 'error').payload.code, 'timeout');
      assert.equal(gets(seen).length, 1);
    });
  });

  it('a redirect: Pasarela takes the shopper there; back with ?pasarela_payment, `resume` reads the payment and reports its result', async () => {
    const { page } = ctx.tab;
    const seen = await stubMerchant(page, {
      pay: () => ({ body: { status: 'pending', paymentId: 'pay_r1', action: { type: 'redirect', url: '/stub/bank?x=1' } } }),
      status: () => ({ body: { status: 'approved', paymentId: 'pay_r1' } }),
    });
    await ready(page, options(ctx.world));
    const navigated = page.waitForURL('**/stub/bank?x=1');
    await page.evaluate(() => { checkout.pay({ method: 'bank_transfer' }); });
    await navigated;
    // The provider's return, through the service, to the storefront's page.
    await page.goto(`${ctx.world.url}/harness.html?pasarela_payment=pay_r1`);
    const o = options(ctx.world);
    o.resume = await page.evaluate(() => new URLSearchParams(location.search).get('pasarela_payment'));
    await ready(page, o);
    assert.deepEqual(await waitForEvent(page, 'result'), { status: 'approved', paymentId: 'pay_r1' });
    assert.equal(posts(seen).length, 1, 'nothing paid again');
    assert.equal(gets(seen).at(-1).headers.authorization, `Bearer ${SECRET}`);
    assert.equal(await page.evaluate(() => checkout.state), 'succeeded');
    const r = await mount(page, { ...options(ctx.world), container: '#nowhere', resume: '' });
    assert.deepEqual([r.error.code, r.error.field], ['invalid_options', 'resume']);
  });

  it('the split: the on-demand part is not requested before `ready`, and is requested once after it; a cash-only checkout loads no provider script', async () => {
    const { page } = ctx.tab;
    const requested = [];
    page.on('request', (r) => requested.push({ url: new URL(r.url()).pathname, ready: false }));
    // The provider's script held back, so `ready` comes well after the wasm.
    await page.route('**/conekta-checkout.min.js', async (route) => { await new Promise((r) => setTimeout(r, 700)); await route.continue(); });
    assert.deepEqual(await mount(page, options(ctx.world)), { ok: true });
    await page.waitForTimeout(400);
    assert.ok(!requested.some((r) => r.url.includes('pasarela_extra')), requested.map((r) => r.url).join('\n'));
    await waitForEvent(page, 'ready');
    await page.waitForFunction(() => document.querySelector('link[data-pasarela-extra]'));
    // The `<link>` is in the DOM before Playwright's `request` event for it reaches this process.
    const extraRequests = () => requested.filter((r) => r.url.includes('pasarela_extra'));
    for (let i = 0; i < 100 && extraRequests().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await page.waitForTimeout(200);
    const extra = extraRequests();
    assert.deepEqual(extra.map((r) => r.url).sort(), ['/pkg/pasarela_extra.css', '/pkg/pasarela_extra.mjs']);
    // Cash and transfers only: nothing of the provider is fetched.
    await page.evaluate(() => { checkout.destroy(); window.__events = []; });
    requested.length = 0;
    await ready(page, options(ctx.world, { methods: ['cash', 'bank_transfer'] }));
    assert.ok(!requested.some((r) => r.url.includes('conekta')), requested.map((r) => r.url).join('\n'));
    assert.deepEqual(await page.$$eval('#checkout .pasarela-methods input', (els) => els.map((e) => [e.value, e.checked])), [['cash', true], ['bank_transfer', false]]);
  });
});

/**
 * Moves Playwright's clock `ms` forward a few seconds at a time, letting the page's requests
 * answer in between (each read is scheduled once the one before it came back).
 */
async function tick(page, ms, step = 5_000) {
  for (let t = 0; t < ms; t += step) {
    await page.clock.runFor(step);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** Waits until `n` status reads reached the stub. */
async function expectReads(page, seen, n) {
  for (let i = 0; i < 50 && gets(seen).length < n; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(gets(seen).length, n);
}
