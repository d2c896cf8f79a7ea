// Beyond the card form (docs/api.md §4): the merchant service against the provider emulators for
// cash vouchers, bank transfers and in-page authentication. A session lists the methods it takes;
// a voucher is answered pending with its display fields, through the same exactly-once machinery
// as a card (a lost answer reconciles to the same voucher, one order at the provider); the
// network's payment settles it by webhook, its lapse makes it `expired` (final); Conekta's
// 3-D Secure is a framed `challenge` (or a `redirect` when its page refuses framing) that comes
// back through `/pay/{id}/return`; Bamboo's Uruguayan bank transfer is a redirect that comes back
// the same way; a KR answer still waiting for its payment is pending until the IPN settles it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { world, order, DATABASE } from './helpers.mjs';
import { KR_HMAC_KEY, KR_PASSWORD } from '../../www/sandbox/kr.mjs';
import { conektaDigest } from '../../www/sandbox/conekta.mjs';

describe(`payment methods beyond the card form (${DATABASE})`, () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.close(); });

  const mxn = (id, amount = 20000) => order(id, amount, 'MXN');
  const ana = { email: 'ana@example.com', firstName: 'Ana', lastName: 'Pérez' };
  /** Uruguay's cash networks need a phone and a document (bamboo-apm.md §3.1). */
  const uruguayan = { ...ana, phone: '099111222', documentNumber: '12345672' };
  const body = (provider, s, o, source, extra = {}) => ({ provider, order: o, source, installments: 1, customer: {}, clientSecret: s.clientSecret, ...extra });
  const read = async (id, secret) => {
    const r = await fetch(`${w.svc.url}/pay/${id}`, { headers: { Authorization: `Bearer ${secret}` } });
    return { status: r.status, body: await r.json() };
  };
  /** Reads the payment until `until` holds (webhooks arrive in the background), bounded. */
  const readUntil = async (id, secret, until, ms = 8000) => {
    const end = Date.now() + ms;
    for (;;) {
      const r = await read(id, secret);
      if (until(r.body) || Date.now() > end) return r;
      await new Promise((ok) => setTimeout(ok, 150));
    }
  };
  const settle = async (provider, id, outcome) => {
    const r = await fetch(`${w.sb.url}/__sandbox/settle`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ provider, id, outcome }) });
    assert.equal(r.status, 200, await r.text());
  };
  const ordersOf = (o) => w.orders().filter((x) => x.metadata?.order_id === o.id);
  const purchasesOf = (o) => w.purchases().filter((p) => p.Order === o.id);
  const refused = (r, field) => {
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.field, field, JSON.stringify(r.body));
  };
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

  describe('sessions list their methods', () => {
    it('default card; methods, returnUrl and Bamboo media are checked, naming the field', async () => {
      const plain = await w.session({ provider: 'conekta', order: mxn(`M-DEF-${randomUUID()}`) });
      assert.deepEqual(plain.methods, ['card']);
      const all = await w.session({ provider: 'conekta', order: mxn(`M-ALL-${randomUUID()}`), methods: ['card', 'cash', 'bank_transfer'], returnUrl: 'https://shop.example/checkout' });
      assert.deepEqual(all.methods, ['card', 'cash', 'bank_transfer']);
      const s = (extra, provider = 'conekta', o = mxn(`M-BAD-${randomUUID()}`)) => w.backend('POST', '/v1/sessions', { provider, order: o, ...extra });
      refused(await s({ methods: ['cheque'] }), 'methods');
      refused(await s({ methods: [] }), 'methods');
      refused(await s({ methods: ['cash', 'cash'] }), 'methods');
      refused(await s({ methods: ['card', 'cash'] }, 'kr', order(`M-KR-${randomUUID()}`, 4990, 'EUR')), 'methods');
      refused(await s({ methods: ['cash'] }, 'conekta', order(`M-USD-${randomUUID()}`, 100, 'USD')), 'methods');
      for (const returnUrl of ['http://shop.example/back', 'javascript:alert(1)', 'https://user:pw@shop.example/', 'https://shop.example/#x', '/back']) {
        refused(await s({ returnUrl }), 'returnUrl');
      }
      assert.equal((await s({ returnUrl: 'http://localhost:3000/back' })).status, 200, 'http on localhost, for development');
      const uy = () => order(`M-UY-${randomUUID()}`);
      refused(await s({ methods: ['cash'], bamboo: { paymentMediaId: { cash: 532 } }, customer: uruguayan }, 'bamboo', uy()), 'bamboo.paymentMediaId.cash');
      refused(await s({ methods: ['cash'], bamboo: { paymentMediaId: { cash: 90 } }, customer: uruguayan }, 'bamboo', uy()), 'bamboo.paymentMediaId.cash');
      refused(await s({ methods: ['cash'], customer: ana }, 'bamboo', uy()), 'customer.phone');
      refused(await s({ methods: ['cash'], customer: { ...ana, phone: '099111222' } }, 'bamboo', uy()), 'customer.documentNumber');
      refused(await s({ bamboo: { paymentMediaId: { cash: 5 } } }), 'bamboo');
      refused(await s({ voucherExpiresIn: 0 }), 'voucherExpiresIn');
    });

    it('a source the session does not take is refused as source.type, and nothing is charged', async () => {
      const o = mxn(`M-TYPE-${randomUUID()}`);
      const cardOnly = await w.session({ provider: 'conekta', order: o });
      refused(await w.pay(body('conekta', cardOnly, o, { type: 'cash' })), 'source.type');
      refused(await w.pay(body('conekta', cardOnly, o, { type: 'bank_transfer' })), 'source.type');
      const p = mxn(`M-TYPE2-${randomUUID()}`);
      const cashOnly = await w.session({ provider: 'conekta', order: p, methods: ['cash'] });
      refused(await w.pay(body('conekta', cashOnly, p, { type: 'token', token: w.conektaToken(), kind: 'one_time' })), 'source.type');
      refused(await w.pay(body('conekta', cashOnly, p, { type: 'cash', paymentMediaId: 5 })), 'source.paymentMediaId');
      assert.equal(ordersOf(o).length + ordersOf(p).length, 0);
    });
  });

  describe('Conekta: OXXO cash and SPEI', () => {
    it('cash: a pending voucher with the documented fields, one order; paid at the store → approved', async () => {
      const o = mxn(`CX-CASH-${randomUUID()}`);
      const s = await w.session({ provider: 'conekta', order: o, methods: ['card', 'cash', 'bank_transfer'], customer: { ...ana, phone: '5512345678' } });
      const r = await w.pay(body('conekta', s, o, { type: 'cash' }));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.status, 'pending');
      assert.equal(r.body.action.type, 'voucher');
      assert.equal(r.body.action.url, undefined, 'a voucher has no url');
      const v = r.body.action.voucher;
      assert.deepEqual([v.kind, v.provider, v.amount, v.currency], ['cash', 'conekta', 20000, 'MXN']);
      assert.match(v.reference, /^\d{14}$/);
      assert.match(v.barcodeUrl, /^http:\/\/127\.0\.0\.1:\d+\/conekta\/barcodes\/\d+\.png$/);
      assert.match(v.expiresAt, ISO);
      const days = (Date.parse(v.expiresAt) - Date.now()) / 86_400_000;
      assert.ok(days > 2.9 && days <= 3, `three days by default: ${days}`);
      assert.equal(v.clabe, undefined);
      const [made] = ordersOf(o);
      assert.equal(ordersOf(o).length, 1);
      assert.equal(made.type, 'cash');
      const again = await read(r.body.paymentId, s.clientSecret);
      assert.deepEqual(again.body, r.body, 'GET /pay/{id} answers the voucher while pending');
      await settle('conekta', made.id, 'paid');
      const paid = await readUntil(r.body.paymentId, s.clientSecret, (b) => b.status !== 'pending');
      assert.deepEqual(paid.body, { status: 'approved', paymentId: r.body.paymentId });
      // Paid: the order is taken.
      const more = await w.pay(body('conekta', s, o, { type: 'cash' }));
      assert.deepEqual([more.status, more.body.code], [409, 'order_already_paid']);
    });

    it('SPEI: a CLABE and the bank; a lapsed transfer is expired, and expired is final', async () => {
      const o = mxn(`CX-SPEI-${randomUUID()}`, 150000);
      const s = await w.session({ provider: 'conekta', order: o, methods: ['bank_transfer'], customer: ana, voucherExpiresIn: 3600 });
      const r = await w.pay(body('conekta', s, o, { type: 'bank_transfer' }));
      assert.equal(r.body.status, 'pending', r.text);
      const v = r.body.action.voucher;
      assert.deepEqual([v.kind, v.provider, v.amount, v.bank], ['bank_transfer', 'conekta', 150000, 'STP']);
      assert.match(v.clabe, /^646180\d{12}$/);
      assert.equal(v.reference, undefined);
      assert.ok(Math.abs(Date.parse(v.expiresAt) - (Date.now() + 3600_000)) < 120_000, 'the session asked for an hour');
      const [made] = ordersOf(o);
      await settle('conekta', made.id, 'expired');
      const lapsed = await readUntil(r.body.paymentId, s.clientSecret, (b) => b.status !== 'pending');
      assert.deepEqual(lapsed.body, { status: 'expired', paymentId: r.body.paymentId });
      // Conekta (wrongly) says paid afterwards: an expired payment is never left.
      w.sb.providers.conekta.getOrder(made.id).payment_status = 'paid';
      const event = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'order.paid', data: { object: { id: made.id } } });
      const hook = await fetch(`${w.svc.url}/webhooks/conekta`, { method: 'POST', headers: { 'Content-Type': 'application/json', digest: conektaDigest(event) }, body: event });
      assert.equal(hook.status, 200);
      assert.equal((await read(r.body.paymentId, s.clientSecret)).body.status, 'expired');
      // An expired voucher took no money: the order may be paid another way.
      const retry = await w.pay(body('conekta', s, o, { type: 'bank_transfer' }));
      assert.equal(retry.body.status, 'pending', retry.text);
      assert.notEqual(retry.body.paymentId, r.body.paymentId);
    });

    it('a lost answer is 503, and the retry reconciles to the same voucher: one order at Conekta', async () => {
      const o = mxn(`CX-LOST-${randomUUID()}`);
      const s = await w.session({ provider: 'conekta', order: o, methods: ['cash'], customer: ana });
      w.sb.faults.set({ target: 'provider-after', kind: 'drop', path: '/conekta/orders' });
      const key = randomUUID();
      const lost = await w.pay(body('conekta', s, o, { type: 'cash' }), { key });
      assert.equal(lost.status, 503, lost.text);
      assert.equal(ordersOf(o).length, 1, 'Conekta issued the voucher');
      const retry = await w.pay(body('conekta', s, o, { type: 'cash' }), { key });
      assert.equal(retry.status, 200, retry.text);
      const issued = w.sb.providers.conekta.getOrder(ordersOf(o)[0].id).charges.data[0].payment_method;
      assert.equal(retry.body.action.voucher.reference, issued.reference, 'the voucher Conekta issued');
      assert.equal(ordersOf(o).length, 1, 'and no other');
      const replay = await w.pay(body('conekta', s, o, { type: 'cash' }), { key });
      assert.equal(replay.text, retry.text);
    });
  });

  describe('Bamboo: Uruguayan cash and bank transfer', () => {
    it('Abitab (the default) and RedPagos by paymentMediaId: vouchers from MetadataOut; paid → approved', async () => {
      const o = order(`BX-CASH-${randomUUID()}`, 125000);
      const s = await w.session({ provider: 'bamboo', order: o, methods: ['card', 'cash'], customer: uruguayan });
      const r = await w.pay(body('bamboo', s, o, { type: 'cash' }));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.action.type, 'voucher');
      const v = r.body.action.voucher;
      assert.deepEqual([v.kind, v.provider, v.amount, v.currency], ['cash', 'bamboo', 125000, 'UYU']);
      const [made] = purchasesOf(o);
      assert.equal(purchasesOf(o).length, 1);
      assert.equal(made.PaymentMediaId, 5, 'Abitab');
      assert.equal(v.reference, String(made.PurchaseId), 'TransactionIdFromPW');
      assert.match(v.barcodeUrl, /\/purchase-coupons\/PW_\d+_\d{8}\.pdf$/);
      assert.match(v.expiresAt, ISO, 'the expiry asked for (Abitab answers none)');
      await settle('bamboo', made.PurchaseId, 'paid');
      const paid = await readUntil(r.body.paymentId, s.clientSecret, (b) => b.status !== 'pending');
      assert.deepEqual(paid.body, { status: 'approved', paymentId: r.body.paymentId });

      const p = order(`BX-RP-${randomUUID()}`);
      const sp = await w.session({ provider: 'bamboo', order: p, methods: ['cash'], customer: uruguayan, bamboo: { paymentMediaId: { cash: 10 } } });
      const rp = await w.pay(body('bamboo', sp, p, { type: 'cash' }));
      assert.equal(rp.body.status, 'pending', rp.text);
      assert.equal(purchasesOf(p)[0].PaymentMediaId, 10, "the session's RedPagos");
      refused(await w.pay(body('bamboo', sp, p, { type: 'cash', paymentMediaId: 90 })), 'source.paymentMediaId');
    });

    it('a voucher cancelled after its expiry is expired (final); one cancelled before it is declined', async () => {
      const o = order(`BX-EXP-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o, methods: ['cash'], customer: uruguayan, voucherExpiresIn: 1 });
      const r = await w.pay(body('bamboo', s, o, { type: 'cash', paymentMediaId: 5 }));
      assert.equal(r.body.status, 'pending', r.text);
      await new Promise((ok) => setTimeout(ok, 1200));
      await settle('bamboo', purchasesOf(o)[0].PurchaseId, 'expired');
      const lapsed = await readUntil(r.body.paymentId, s.clientSecret, (b) => b.status !== 'pending');
      assert.deepEqual(lapsed.body, { status: 'expired', paymentId: r.body.paymentId });

      const p = order(`BX-REJ-${randomUUID()}`);
      const sp = await w.session({ provider: 'bamboo', order: p, methods: ['cash'], customer: uruguayan });
      const rp = await w.pay(body('bamboo', sp, p, { type: 'cash' }));
      await settle('bamboo', purchasesOf(p)[0].PurchaseId, 'rejected');
      const no = await readUntil(rp.body.paymentId, sp.clientSecret, (b) => b.status !== 'pending');
      assert.equal(no.body.status, 'declined', JSON.stringify(no.body));
    });

    it('a lost answer reconciles to the same voucher: one purchase at Bamboo', async () => {
      const o = order(`BX-LOST-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o, methods: ['cash'], customer: uruguayan });
      w.sb.faults.set({ target: 'provider-after', kind: 'drop' });
      const key = randomUUID();
      const lost = await w.pay(body('bamboo', s, o, { type: 'cash' }), { key });
      assert.equal(lost.status, 503, lost.text);
      const retry = await w.pay(body('bamboo', s, o, { type: 'cash' }), { key });
      assert.equal(retry.status, 200, retry.text);
      assert.equal(purchasesOf(o).length, 1);
      assert.equal(retry.body.action.voucher.reference, String(purchasesOf(o)[0].PurchaseId));
    });

    it("the bank transfer is a redirect to the bank's site, which comes back through the service to returnUrl", async () => {
      const o = order(`BX-BANK-${randomUUID()}`);
      const returnUrl = 'http://127.0.0.1:9/shop/thanks?step=3';
      const s = await w.session({ provider: 'bamboo', order: o, methods: ['card', 'bank_transfer'], customer: ana, returnUrl });
      const r = await w.pay(body('bamboo', s, o, { type: 'bank_transfer' }));
      assert.equal(r.body.status, 'pending', r.text);
      assert.equal(r.body.action.type, 'redirect');
      assert.match(r.body.action.url, /\/bamboo\/redirect\/CA_[0-9a-f-]+$/);
      assert.equal(purchasesOf(o)[0].PaymentMediaId, 532);
      const bank = await fetch(r.body.action.url);
      assert.equal(bank.status, 200);
      const approved = await fetch(r.body.action.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'outcome=approve' });
      const form = await approved.text();
      const back = form.match(/<form method="post" action="([^"]+)"/)[1];
      assert.equal(back, `${w.sb.url}/merchant/pay/${r.body.paymentId}/return`, "Bamboo's Url_Approved is the payment's return route, at PASARELA_PUBLIC_URL");
      // The browser posts Bamboo's form back as the page: 303 to the storefront.
      const home = await fetch(back, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Dest': 'document' },
        body: `PurchaseId=${purchasesOf(o)[0].PurchaseId}&Status=approved` });
      assert.equal(home.status, 303);
      assert.equal(home.headers.get('location'), `http://127.0.0.1:9/shop/thanks?step=3&pasarela_payment=${r.body.paymentId}`);
      const done = await readUntil(r.body.paymentId, s.clientSecret, (b) => b.status !== 'pending');
      assert.equal(done.body.status, 'approved');
    });
  });

  describe('Conekta 3-D Secure in the page', () => {
    const threeDs = async (pan, tag) => {
      const o = mxn(`TDS-${tag}-${randomUUID()}`);
      const s = await w.session({ provider: 'conekta', order: o, returnUrl: 'https://shop.example/checkout/done' });
      const r = await w.pay(body('conekta', s, o, { type: 'token', token: w.conektaToken(pan), kind: 'one_time' }));
      assert.equal(r.status, 200, r.text);
      return { o, s, r };
    };

    it('a challenge: framed in the page, one order; a reload during it is 409 attempt_in_progress; the return ends it in the frame', async () => {
      const { o, s, r } = await threeDs('4000000000003220', 'OK');
      assert.equal(r.body.status, 'pending');
      assert.equal(r.body.action.type, 'challenge');
      assert.match(r.body.action.url, /\/conekta\/3ds\/ord_\w+$/);
      const [made] = ordersOf(o);
      assert.deepEqual(made.three_ds_visits, ['HEAD'], 'the framing probe asked for headers only: the visit is the shopper\'s');
      // PASARELA_PUBLIC_URL: the storefront backend that passes the page's routes to the service
      // (the challenge's end must come from the origin of the checkout's paymentUrl).
      assert.deepEqual([made.three_ds_mode, made.return_url, made.accept], ['smart', `${w.sb.url}/merchant/pay/${r.body.paymentId}/return`, 'application/vnd.conekta-v2.2.0+json']);
      // The shopper reloads during the challenge: a new key, a new card, the same order.
      const reload = await w.pay(body('conekta', s, o, { type: 'token', token: w.conektaToken(), kind: 'one_time' }));
      assert.deepEqual([reload.status, reload.body.code, reload.body.paymentId], [409, 'attempt_in_progress', r.body.paymentId]);
      assert.equal(ordersOf(o).length, 1, 'charged once');
      // The challenge page (framable), then the shopper approves: Conekta goes back to return_url.
      const page = await fetch(r.body.action.url);
      assert.equal(page.headers.get('x-frame-options'), null);
      const answered = await fetch(r.body.action.url, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'outcome=approve' });
      assert.equal(answered.status, 303);
      const back = answered.headers.get('location');
      assert.equal(back, `${w.sb.url}/merchant/pay/${r.body.paymentId}/return?order_id=${made.id}&payment_status=paid`);
      const framed = await fetch(back, { headers: { 'Sec-Fetch-Dest': 'iframe' } });
      assert.equal(framed.status, 200);
      assert.match(framed.headers.get('content-type'), /^text\/html/);
      assert.equal(framed.headers.get('cache-control'), 'no-store');
      const csp = framed.headers.get('content-security-policy');
      const nonce = csp.match(/script-src 'nonce-([A-Za-z0-9]+)'/)?.[1];
      assert.ok(nonce, csp);
      assert.match(csp, /default-src 'none'/);
      assert.ok(csp.endsWith(`frame-ancestors ${w.sb.url}`), csp);
      const html = await framed.text();
      const scripts = [...html.matchAll(/<script([^>]*)>/g)];
      assert.equal(scripts.length, 1);
      assert.equal(scripts[0][1], ` nonce="${nonce}"`);
      assert.match(html, /postMessage\(\{source:'pasarela',type:'challenge_end',paymentId:d\.paymentId\},d\.origins\[i\]\)/);
      assert.ok(html.includes(`"paymentId":"${r.body.paymentId}"`) && html.includes(`"origins":["${w.sb.url}"]`), html);
      assert.equal((await read(r.body.paymentId, s.clientSecret)).body.status, 'approved', 'the return read the order again');
      // The same return as a page (a full-page redirect's end): to the storefront's returnUrl.
      const asPage = await fetch(back, { redirect: 'manual', headers: { 'Sec-Fetch-Dest': 'document' } });
      assert.equal(asPage.status, 303);
      assert.equal(asPage.headers.get('location'), `https://shop.example/checkout/done?pasarela_payment=${r.body.paymentId}`);
      // A browser that does not say: the page decides in script, with the way back in its data.
      const unsaid = await (await fetch(back)).text();
      assert.ok(unsaid.includes(`"back":"https://shop.example/checkout/done?pasarela_payment=${r.body.paymentId}"`), unsaid);
    });

    it('a challenge page that refuses framing is answered as a redirect; a failed challenge is declined', async () => {
      const kept = await threeDs('4000000000003238', 'NOFRAME-READ');
      assert.equal((await read(kept.r.body.paymentId, kept.s.clientSecret)).body.action.type, 'redirect', 'a refresh keeps the redirect');
      // Another payment for the return: a read just before it (as above) would hold the return's
      // own read back for 500 ms (pay.rs, FORCED_READ_GAP_MS), leaving the outcome to the race
      // with Conekta's webhook. Here the return is the first read, so it reads the decline itself.
      const { o, s, r } = await threeDs('4000000000003238', 'NOFRAME');
      assert.equal(r.body.status, 'pending', r.text);
      assert.equal(r.body.action.type, 'redirect');
      assert.deepEqual(ordersOf(o)[0].three_ds_visits, ['HEAD']);
      assert.match(r.body.action.url, /\/conekta\/3ds\/ord_\w+$/);
      assert.equal((await fetch(r.body.action.url)).headers.get('x-frame-options'), 'DENY');
      const answered = await fetch(r.body.action.url, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'outcome=fail' });
      const home = await fetch(answered.headers.get('location'), { redirect: 'manual', headers: { 'Sec-Fetch-Dest': 'document' } });
      assert.equal(home.status, 303);
      assert.equal(home.headers.get('location'), `https://shop.example/checkout/done?pasarela_payment=${r.body.paymentId}`);
      const done = await read(r.body.paymentId, s.clientSecret);
      assert.equal(done.body.status, 'declined', JSON.stringify(done.body));
      assert.equal(ordersOf(o).length, 1);
    });

    it('a card that needs no challenge pays at once; the return of an unknown payment is 404', async () => {
      const { r } = await threeDs('4242424242424242', 'FRICTIONLESS');
      assert.equal(r.body.status, 'approved', r.text);
      const unknown = await fetch(`${w.svc.url}/pay/pay_${'x'.repeat(24)}/return`);
      assert.equal(unknown.status, 404);
      const malformed = await fetch(`${w.svc.url}/pay/x/return`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      assert.equal(malformed.status, 404);
    });
  });

  describe('KR: an answer still waiting for its payment', () => {
    for (const detailed of ['WAITING_FOR_PAYMENT', 'INITIAL']) {
      it(`a transaction ${detailed} is pending, and the IPN settles it`, async () => {
        const o = order(`KRW-${detailed}-${randomUUID()}`, 4990, 'EUR');
        const s = await w.session({ provider: 'kr', order: o });
        const uuid = randomUUID().replace(/-/g, '');
        const answer = (status, detailedStatus, orderStatus) => JSON.stringify({ shopId: '69876357', orderCycle: orderStatus === 'PAID' ? 'CLOSED' : 'OPEN', orderStatus,
          orderDetails: { orderId: o.id, orderTotalAmount: o.amount, orderCurrency: o.currency },
          transactions: [{ uuid, status, detailedStatus, operationType: 'DEBIT', amount: o.amount, currency: o.currency }] });
        const raw = answer('RUNNING', detailed, 'RUNNING');
        const source = { type: 'kr_answer', clientAnswer: JSON.parse(raw), rawClientAnswer: raw, hash: createHmac('sha256', KR_HMAC_KEY).update(raw).digest('hex'), hashAlgorithm: 'sha256_hmac', hashKey: 'sha256_hmac' };
        const r = await w.pay(body('kr', s, o, source));
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.status, 'pending');
        assert.equal(r.body.action, undefined);
        const paid = answer('PAID', 'CAPTURED', 'PAID');
        const ipn = new URLSearchParams({ 'kr-answer': paid, 'kr-hash': createHmac('sha256', KR_PASSWORD).update(paid).digest('hex'), 'kr-hash-key': 'password', 'kr-hash-algorithm': 'sha256_hmac' });
        const hook = await fetch(`${w.svc.url}/webhooks/lyra`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: ipn.toString() });
        assert.equal(hook.status, 200, await hook.text());
        assert.deepEqual((await read(r.body.paymentId, s.clientSecret)).body, { status: 'approved', paymentId: r.body.paymentId });
      });
    }
  });
});
