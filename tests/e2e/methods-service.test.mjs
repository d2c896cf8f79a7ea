// Beyond the card form end to end (docs/api.md §4), in Chromium, with nothing stubbed: the demo
// storefront (www/index.html) asks its backend (www/sandbox/service.mjs) for a session with the
// methods it takes and its return URL; the page pays the real merchant service (pasarela-server),
// which asks the provider emulators; the emulator settles a voucher (the sandbox's
// `/__sandbox/settle`, as the network's payment would) and sends its signed webhook; the page's
// polling reads the outcome; the service tells the storefront (PASARELA_NOTIFY_URL, signed, checked
// by the backend before it records the event). In-page 3-D Secure goes through the emulated
// challenge page and the service's return route; a page that refuses framing is a redirect that
// comes back to the storefront's returnUrl, where the demo resumes the payment; so does Bamboo's
// Uruguayan bank transfer, through the bank's site.
//
// The page reads a voucher's payment 3 s after it was issued: settling first keeps each test to
// one read (no real timer is waited for beyond that).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fillConektaCard, openPage, payWithBambooCard, suiteWorld } from './helpers.mjs';

/** The demo's event log (`#events`), each line `<name> <JSON payload>`. */
const logged = (page) => page.$$eval('#events li', (els) => els.map((e) => {
  const text = e.textContent;
  const space = text.indexOf(' ');
  return { name: text.slice(0, space), payload: JSON.parse(text.slice(space + 1)) };
}));
const results = async (page) => (await logged(page)).filter((e) => e.name === 'result').map((e) => e.payload);
/** Waits (bounded) until the page has reported `n` results; resolves the last. */
async function nthResult(page, n, timeout = 10_000) {
  await page.waitForFunction((n) => [...document.querySelectorAll('#events li')].filter((li) => li.textContent.startsWith('result ')).length >= n, n, { timeout });
  return (await results(page))[n - 1];
}

/** The voucher as the shopper sees it: each `dt` label with its `dd`'s visible text. */
const voucherSeen = (page) => page.evaluate(() => {
  const box = document.querySelector('#checkout .pasarela-voucher');
  if (!box) return null;
  const rows = {};
  for (const dt of box.querySelectorAll('dt')) {
    const dd = dt.nextElementSibling;
    rows[dt.textContent] = (dd.querySelector('.pasarela-voucher-code, time') || dd).textContent.replace(/\s+/g, ' ').trim();
  }
  return { title: box.querySelector('h3').textContent, rows, img: !!box.querySelector('img') };
});

describe('vouchers, transfers and 3-D Secure through the service and the emulators', () => {
  const ctx = suiteWorld();

  /** The demo storefront with `provider` chosen, ready; its order id (kept by the tab). */
  async function storefront(provider, page) {
    if (!page) {
      await ctx.tab.close();
      ctx.tab = await openPage(ctx.world, `/?provider=${provider}`, { width: 1280, height: 900 });
      page = ctx.tab.page;
    }
    await page.waitForFunction((p) => document.querySelector(`#checkout .pasarela[data-provider=${p}]`)?.dataset.state === 'ready', provider);
    return { page, orderId: await page.evaluate((p) => sessionStorage.getItem(`demo:order:${p}`), provider) };
  }

  /** Chooses `method` in Pasarela's method choice and presses the storefront's pay button. */
  async function payWith(page, method) {
    await page.check(`#checkout .pasarela-methods input[value=${method}]`);
    await page.click('#pay');
    const pending = await nthResult(page, 1);
    assert.equal(pending.status, 'pending', JSON.stringify(pending));
    assert.equal(pending.final, false);
    await page.waitForSelector('#checkout .pasarela-voucher');
    return pending;
  }

  const settle = async (body) => {
    const r = await fetch(`${ctx.world.url}/__sandbox/settle`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, await r.text());
  };
  const conektaOrders = async (orderId) => (await ctx.world.state()).conekta.orders.filter((o) => o.metadata?.order_id === orderId);
  const paymentsOf = async (orderId) => (await ctx.world.state()).payments.filter((p) => p.orderId === orderId);

  /** The storefront's notifications of `paymentId` once one says `status` (bounded). */
  async function notified(paymentId, status) {
    const of = async () => (await ctx.world.state()).notifications.filter((n) => n.data.paymentId === paymentId);
    for (let i = 0; i < 50 && !(await of()).some((n) => n.data.status === status); i++) await new Promise((r) => setTimeout(r, 100));
    // A later duplicate delivery would come at once: give it a moment to show.
    await new Promise((r) => setTimeout(r, 300));
    return of();
  }

  it('Conekta cash (OXXO): the voucher with its reference and amount; paid at the store, the page ends approved and the storefront is told once', async () => {
    const { page, orderId } = await storefront('conekta');
    const pending = await payWith(page, 'cash');
    const orders = await conektaOrders(orderId);
    assert.equal(orders.length, 1, 'one Conekta order');
    const [order] = orders;
    const issued = ctx.world.sandbox.providers.conekta.getOrder(order.id).charges.data[0].payment_method;
    assert.equal(order.type, 'cash');
    const v = await voucherSeen(page);
    assert.equal(v.title, 'Pague en efectivo');
    assert.equal(v.rows['Monto a pagar'], '$1,234.56');
    assert.equal(v.rows.Referencia.replace(/\s/g, ''), issued.reference, "Conekta's reference, grouped for reading");
    assert.ok(v.img, 'the barcode');
    assert.equal(pending.voucher.reference, issued.reference);
    assert.equal(await page.isVisible('#pay'), false, 'the voucher is the way to pay now');

    await settle({ provider: 'conekta', id: order.id, outcome: 'paid' });
    const final = await nthResult(page, 2);
    assert.deepEqual(final, { status: 'approved', paymentId: pending.paymentId });
    await page.waitForFunction(() => /Pagada/.test(document.querySelector('#checkout .pasarela-voucher-title').textContent));
    assert.match(await page.textContent('#outcome'), /aprobado/);

    const told = await notified(pending.paymentId, 'approved');
    assert.deepEqual(told.map((n) => n.data.status), ['pending', 'approved'], 'one event per change, each delivered once');
    assert.equal(new Set(told.map((n) => n.id)).size, told.length);
    assert.equal(told[0].data.voucher.reference, issued.reference);
    assert.equal(told[1].data.orderId, orderId);
    assert.equal((await paymentsOf(orderId)).length, 1);
    assert.equal((await ctx.world.state()).charges.length, 1);
    // The backend records only what the service signed.
    const forged = await fetch(`${ctx.world.url}/merchant/notify`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Pasarela-Signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body: JSON.stringify({ ...told[1], id: 'evt_forged' }) });
    assert.equal(forged.status, 400);
    assert.ok(!(await ctx.world.state()).notifications.some((n) => n.id === 'evt_forged'));
  });

  it('Conekta SPEI: the CLABE and the bank on screen', async () => {
    const { page, orderId } = await storefront('conekta');
    const pending = await payWith(page, 'bank_transfer');
    const [order] = await conektaOrders(orderId);
    const issued = ctx.world.sandbox.providers.conekta.getOrder(order.id).charges.data[0].payment_method;
    assert.match(issued.clabe, /^646180\d{12}$/);
    const v = await voucherSeen(page);
    assert.equal(v.title, 'Pague con una transferencia');
    assert.equal(v.rows.CLABE.replace(/\s/g, ''), issued.clabe);
    assert.equal(v.rows.Banco, 'STP');
    assert.equal(v.rows['Monto a pagar'], '$1,234.56');
    assert.equal(pending.voucher.clabe, issued.clabe);
    assert.equal(pending.voucher.reference, undefined);
  });

  it('Bamboo cash in Uruguay (Abitab): the voucher with the purchase as reference; paid, approved', async () => {
    const { page, orderId } = await storefront('bamboo');
    const pending = await payWith(page, 'cash');
    const purchases = (await ctx.world.state()).bamboo.purchases.filter((p) => p.Order === orderId);
    assert.equal(purchases.length, 1);
    assert.equal(purchases[0].PaymentMediaId, 5, "the country's cash network: Abitab");
    const v = await voucherSeen(page);
    assert.equal(v.title, 'Pague en efectivo');
    assert.equal(v.rows.Referencia.replace(/\s/g, ''), String(purchases[0].PurchaseId));
    assert.match(v.rows['Monto a pagar'], /1,234\.56/);
    assert.equal(pending.voucher.provider, 'bamboo');
    await settle({ provider: 'bamboo', id: purchases[0].PurchaseId, outcome: 'paid' });
    assert.deepEqual(await nthResult(page, 2), { status: 'approved', paymentId: pending.paymentId });
    assert.deepEqual((await notified(pending.paymentId, 'approved')).map((n) => n.data.status), ['pending', 'approved']);
  });

  it('a voucher that lapses ends expired, and the shopper may pay again', async () => {
    const { page, orderId } = await storefront('conekta');
    const pending = await payWith(page, 'cash');
    // The demo's own control, as a shopper of the sandbox uses it: the emulator's settle by payment.
    await page.click('#settle button[value=expired]');
    assert.deepEqual(await nthResult(page, 2), { status: 'expired', paymentId: pending.paymentId });
    await page.waitForFunction(() => document.querySelector('#checkout .pasarela-status').textContent === 'La ficha de pago venció');
    assert.match(await page.textContent('#outcome'), /venció/);
    assert.equal(await page.isVisible('#pay'), true, 'the shopper may pay another way');
    assert.deepEqual((await notified(pending.paymentId, 'expired')).map((n) => n.data.status), ['pending', 'expired']);
    assert.deepEqual((await paymentsOf(orderId)).map((p) => p.status), ['expired']);
    assert.equal((await conektaOrders(orderId))[0].payment_status, 'expired');
  });

  it('a reload while the voucher waits keeps one payment: paying again shows the same voucher', async () => {
    const { page, orderId } = await storefront('conekta');
    const first = await payWith(page, 'cash');
    await page.reload();
    const again = await storefront('conekta', page);
    assert.equal(again.orderId, orderId, 'the cart keeps its order');
    const second = await payWith(page, 'cash');
    assert.equal(second.paymentId, first.paymentId);
    assert.equal(second.voucher.reference, first.voucher.reference);
    assert.equal((await conektaOrders(orderId)).length, 1, 'one voucher at Conekta');
    assert.equal((await paymentsOf(orderId)).length, 1, 'one payment');
    const keys = (await ctx.world.state()).requests.map((r) => r.key);
    assert.equal(keys.length, 2);
    assert.equal(keys[1], keys[0], "the unfinished attempt's key, kept by the page across the reload");
  });

  it('Conekta 3-D Secure in the page (…3220): the dialog frames the challenge; completing it ends with one approved result and one charge', async () => {
    const { page, orderId } = await storefront('conekta');
    await fillConektaCard(page, '4000000000003220');
    await page.click('#pay');
    await page.waitForSelector('#checkout [role=dialog] iframe');
    const src = await page.getAttribute('#checkout [role=dialog] iframe', 'src');
    assert.match(src, /\/conekta\/3ds\/ord_\w+$/);
    const action = (await logged(page)).find((e) => e.name === 'action').payload;
    assert.equal(action.type, 'challenge');
    // The shopper approves in the bank's page; Conekta goes back to the service's return route,
    // whose page tells Pasarela in the frame.
    await page.frameLocator('#checkout [role=dialog] iframe').locator('#approve').click();
    const r = await nthResult(page, 1);
    assert.deepEqual(r, { status: 'approved', paymentId: action.paymentId });
    await page.waitForSelector('#checkout [role=dialog]', { state: 'detached' });
    await new Promise((ok) => setTimeout(ok, 300));
    assert.equal((await results(page)).length, 1, 'one result');
    assert.equal((await conektaOrders(orderId)).length, 1);
    const state = await ctx.world.state();
    assert.equal(state.charges.length, 1);
    assert.deepEqual(state.charges[0].order, { id: orderId, amount: 123456, currency: 'MXN' });
  });

  it("Conekta 3-D Secure whose page refuses framing (…3238): a redirect, and the storefront's return URL resumes it to approved", async () => {
    const { page, orderId } = await storefront('conekta');
    await fillConektaCard(page, '4000000000003238');
    const left = page.waitForURL(/\/conekta\/3ds\/ord_\w+$/);
    await page.click('#pay');
    await left;
    await page.click('#approve');
    // Back through the service (303) to the session's returnUrl, `?pasarela_payment=`.
    await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('provider') === 'conekta');
    const r = await nthResult(page, 1);
    assert.equal(r.status, 'approved', JSON.stringify(r));
    assert.match(await page.textContent('#outcome'), /aprobado/);
    assert.equal(new URL(page.url()).searchParams.get('pasarela_payment'), null, 'the demo drops the parameter once read');
    assert.equal((await conektaOrders(orderId)).length, 1);
    assert.equal((await ctx.world.state()).charges.length, 1);
    assert.deepEqual((await paymentsOf(orderId)).map((p) => [p.id, p.status]), [[r.paymentId, 'approved']]);
  });

  it("Bamboo bank transfer in Uruguay: the bank's site, then back through the service to the storefront, approved", async () => {
    const { page, orderId } = await storefront('bamboo');
    await page.check('#checkout .pasarela-methods input[value=bank_transfer]');
    const left = page.waitForURL(/\/bamboo\/redirect\/CA_[0-9a-f-]+$/);
    await page.click('#pay');
    await left;
    const [purchase] = (await ctx.world.state()).bamboo.purchases.filter((p) => p.Order === orderId);
    assert.equal(purchase.PaymentMediaId, 532);
    // The bank's answer posts Bamboo's form to the service's return route, which sends the
    // browser on to the session's returnUrl with the payment.
    await page.click('#approve');
    await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('provider') === 'bamboo');
    const r = await nthResult(page, 1);
    assert.equal(r.status, 'approved', JSON.stringify(r));
    assert.deepEqual((await paymentsOf(orderId)).map((p) => [p.id, p.status]), [[r.paymentId, 'approved']]);
  });

  it('Bamboo card through a session with methods: the card form still pays', async () => {
    const { page, orderId } = await storefront('bamboo');
    await payWithBambooCard(page, '4111111111111111');
    assert.equal((await nthResult(page, 1)).status, 'approved');
    assert.deepEqual((await paymentsOf(orderId)).map((p) => p.status), ['approved']);
  });
});
