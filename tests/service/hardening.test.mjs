// The merchant service under hostile or careless callers: one order is paid once whatever the
// key, tab or reload; money reserved is never a decline; no outsider steers a provider call;
// page reads take the client secret and cost the merchant at most one provider call per few
// seconds; bad input is a 4xx naming the field's path, never its value; cards are kept only
// when the session and the shopper said so.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, createHmac } from 'node:crypto';
import { world, order, DATABASE } from './helpers.mjs';
import { KR_HMAC_KEY } from '../../www/sandbox/kr.mjs';
import { conektaDigest } from '../../www/sandbox/conekta.mjs';

describe(`merchant service under hostile input (${DATABASE})`, () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.close(); });

  const bambooBody = (s, o, token) => ({ provider: 'bamboo', order: o, source: { type: 'token', token, kind: 'one_time' }, installments: 1, customer: {}, clientSecret: s.clientSecret });
  const conektaBody = (s, o, token, extra = {}) => ({ provider: 'conekta', order: o, source: { type: 'token', token }, clientSecret: s.clientSecret, ...extra });
  const mine = (o) => w.purchases().filter((p) => p.Order === o.id);
  const read_ = (id, secret) => read(id, secret);
  const read = (id, secret) => fetch(`${w.svc.url}/pay/${id}`, { headers: secret === undefined ? {} : { Authorization: `Bearer ${secret}` } });

  describe('one order is paid once', () => {
    it('a second key on a paid session gets 409 order_already_paid naming the payment, and nothing is charged', async () => {
      const o = order(`ONCE-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o });
      const first = await w.pay(bambooBody(s, o, w.bambooToken()));
      assert.equal(first.body.status, 'approved', first.text);
      // A reload (new key, new token), and a second session the storefront opened for the same order.
      const reload = await w.pay(bambooBody(s, o, w.bambooToken()));
      assert.deepEqual([reload.status, reload.body.code, reload.body.paymentId], [409, 'order_already_paid', first.body.paymentId]);
      const again = await w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: o });
      assert.deepEqual([again.status, again.body.code, again.body.paymentId], [409, 'order_already_paid', first.body.paymentId], 'no new session for a paid order');
      assert.equal(mine(o).length, 1);
    });

    it('ten tabs paying one order at once with ten keys: one charge, the others 409', async () => {
      const o = order(`TABS-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o });
      const all = await Promise.all(Array.from({ length: 10 }, () => w.pay(bambooBody(s, o, w.bambooToken()))));
      const ok = all.filter((r) => r.status === 200);
      assert.equal(ok.length, 1, all.map((r) => r.text).join('\n'));
      for (const r of all.filter((x) => x.status !== 200)) {
        assert.equal(r.status, 409, r.text);
        assert.ok(['order_already_paid', 'attempt_in_progress'].includes(r.body.code), r.text);
      }
      assert.equal(mine(o).length, 1, 'charged once');
    });

    it('a decline frees the order for another attempt; a pending payment holds it', async () => {
      const o = order(`FREE-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o });
      const no = await w.pay(bambooBody(s, o, w.bambooToken('4000000000000002')));
      assert.equal(no.body.status, 'declined', no.text);
      const yes = await w.pay(bambooBody(s, o, w.bambooToken()));
      assert.equal(yes.body.status, 'approved', yes.text);
      const p = order(`HELD-${randomUUID()}`);
      const sp = await w.session({ provider: 'bamboo', order: p });
      const pending = await w.pay(bambooBody(sp, p, w.bambooToken('4000000000000259')));
      assert.equal(pending.body.status, 'pending', pending.text);
      const second = await w.pay(bambooBody(sp, p, w.bambooToken()));
      assert.deepEqual([second.status, second.body.code, second.body.paymentId], [409, 'attempt_in_progress', pending.body.paymentId]);
      assert.equal(mine(p).length, 1);
    });

    it('an attempt that lost its answer holds the order; once its lease is gone, another key finds its charge instead of charging again', async () => {
      const o = order(`ABANDON-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o });
      w.sb.faults.set({ target: 'provider-after', kind: 'drop' });
      const lost = await w.pay(bambooBody(s, o, w.bambooToken()));
      assert.equal(lost.status, 503, lost.text);
      assert.equal(mine(o).length, 1, 'Bamboo charged');
      // The page reloads without its key (another tab): the order is in progress, not free.
      const other = await w.pay(bambooBody(s, o, w.bambooToken()));
      assert.deepEqual([other.status, other.body.code], [409, 'order_already_paid'], other.text);
      assert.equal(mine(o).length, 1, 'and only once');
    });

    it('the same key with another body stays 422 (idempotency_key_reused)', async () => {
      const o = order(`REUSE-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o });
      const key = randomUUID();
      await w.pay(bambooBody(s, o, w.bambooToken('4000000000000002')), { key });
      const r = await w.pay(bambooBody(s, o, w.bambooToken()), { key });
      assert.deepEqual([r.status, r.body.field, r.body.code], [422, 'Idempotency-Key', 'idempotency_key_reused']);
    });

    it('a finished payment keeps its answer after its session expired', async () => {
      const o = order(`LATE-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o, expiresIn: 1 });
      const key = randomUUID();
      const body = JSON.stringify(bambooBody(s, o, w.bambooToken()));
      const first = await w.pay(body, { key });
      assert.equal(first.status, 200, first.text);
      await new Promise((ok) => setTimeout(ok, 1100));
      const replay = await w.pay(body, { key });
      assert.deepEqual([replay.status, replay.text], [200, first.text]);
    });
  });

  describe('money taken or reserved is never declined', () => {
    const krPay = async (answer) => {
      const o = order(`KRST-${randomUUID()}`, 1000, 'EUR');
      const s = await w.session({ provider: 'kr', order: o });
      const full = { orderCycle: 'CLOSED', orderDetails: { orderId: o.id, orderTotalAmount: 1000, orderCurrency: 'EUR' }, ...answer };
      const raw = JSON.stringify(full);
      const hash = createHmac('sha256', KR_HMAC_KEY).update(raw).digest('hex');
      return w.pay({ provider: 'kr', order: o, source: { type: 'kr_answer', clientAnswer: raw, rawClientAnswer: raw, hash, hashAlgorithm: 'sha256_hmac', hashKey: 'sha256_hmac' }, clientSecret: s.clientSecret });
    };
    for (const [orderStatus, detailedStatus, want] of [
      ['RUNNING', 'AUTHORISED_TO_VALIDATE', 'approved'], ['RUNNING', 'WAITING_AUTHORISATION', 'pending'], ['RUNNING', 'SUSPENDED', 'pending'],
      ['PAID', 'CAPTURED', 'approved'], ['UNPAID', 'REFUSED', 'declined'], ['RUNNING', 'A_STATUS_FROM_NEXT_YEAR', 'pending'],
    ]) {
      it(`KR orderStatus ${orderStatus} with a transaction ${detailedStatus} is ${want}`, async () => {
        const r = await krPay({ orderStatus, transactions: [{ uuid: randomUUID().replaceAll('-', ''), status: orderStatus, detailedStatus, operationType: 'DEBIT' }] });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.status, want);
      });
    }
  });

  describe('an error answer is never a decline, nor "no charge"', () => {
    it('a Bamboo 404 on a pending voucher read keeps it pending, and the order held', async () => {
      const who = { email: 'ana@example.com', firstName: 'Ana', lastName: 'P', phone: '099111222', documentNumber: '12345672' };
      const o = order(`R404-${randomUUID()}`, 2000, 'UYU');
      const s = await w.session({ provider: 'bamboo', order: o, methods: ['cash'], customer: who });
      const body = { provider: 'bamboo', order: o, source: { type: 'cash' }, clientSecret: s.clientSecret };
      const r = await w.pay(body);
      assert.equal(r.body.status, 'pending', r.text);
      w.sb.providers.bamboo.reset(); // Bamboo now answers 404 { Response: null } for the purchase
      const read = await (await read_(r.body.paymentId, s.clientSecret)).json();
      assert.equal(read.status, 'pending', 'not declined: a 404 says nothing of the purchase');
      const again = await w.pay(body);
      assert.deepEqual([again.status, again.body.code, again.body.paymentId], [409, 'attempt_in_progress', r.body.paymentId], 'no second voucher');
    });

    it("fifty provider returns at once make one provider read at a time, and a loop of them one per 500 ms", async () => {
      const o = order(`RET-${randomUUID()}`, 5000, 'MXN');
      const s = await w.session({ provider: 'conekta', order: o });
      const r = await w.pay(conektaBody(s, o, w.conektaToken('4000000000003220')));
      assert.equal(r.body.status, 'pending', r.text);
      const ord = w.orders().find((x) => x.metadata?.order_id === o.id);
      const reads = () => w.sb.providerCalls().filter((c) => c.method === 'GET' && c.path === `/conekta/orders/${ord.id}`).length;
      // The order's own order.pending_payment webhook, read back by the service, is not a return's.
      await w.quiet();
      // A forced read comes at most once per 500 ms after the last one ended (pay.rs,
      // FORCED_READ_GAP_MS), one at a time: over `ms`, at most 1 + ms / 500 reads, however slow
      // the machine (51 reads for the burst before reads were one at a time; one per round trip
      // for the loop before the gap).
      const most = (ms) => 1 + Math.floor(ms / 500);
      let t0 = Date.now(), before = reads();
      await Promise.all(Array.from({ length: 50 }, () => fetch(`${w.svc.url}/pay/${r.body.paymentId}/return`)));
      const burst = Date.now() - t0;
      assert.ok(reads() - before <= most(burst), `50 returns at once in ${burst} ms made ${reads() - before} reads`);
      // One at a time is not enough on an unauthenticated route: returns sent one after another
      // (each waiting for the last) read again only once 500 ms have passed since the last read.
      t0 = Date.now(); before = reads();
      const sent = 20;
      for (let i = 0; i < sent; i++) await fetch(`${w.svc.url}/pay/${r.body.paymentId}/return`);
      const loop = Date.now() - t0;
      assert.ok(reads() - before <= most(loop), `${sent} returns in a row in ${loop} ms made ${reads() - before} reads`);
    });
  });

  describe('no outsider steers a provider call', () => {
    it('a signed Conekta event naming another path, a query or an order not ours gets the same answer and costs no provider call', async () => {
      const before = w.sb.providerCalls().length;
      const answers = [];
      for (const id of ['../customers/cus_x', '%2e%2e/customers', 'ord_x?search=a', 'ord_2tUigJ8DgBhbp6w5D', 'ord_/../../x']) {
        const text = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'order.paid', data: { object: { id } } });
        const r = await fetch(`${w.svc.url}/webhooks/conekta`, { method: 'POST', headers: { 'Content-Type': 'application/json', digest: conektaDigest(text) }, body: text });
        answers.push(`${r.status} ${await r.text()}`);
      }
      assert.deepEqual(new Set(answers).size, 1, answers.join('\n'));
      assert.equal(w.sb.providerCalls().length, before, 'no provider call');
    });

    it('a paid order the service knows is read back from Conekta as one escaped path segment', async () => {
      const o = order(`RB-${randomUUID()}`, 5000, 'MXN');
      const s = await w.session({ provider: 'conekta', order: o });
      const r = await w.pay(conektaBody(s, o, w.conektaToken('4000000000002701')));
      assert.equal(r.body.status, 'pending', r.text);
      const ord = w.orders().find((x) => x.metadata?.order_id === o.id);
      const calls = () => w.sb.providerCalls().filter((c) => c.method === 'GET' && c.path === `/conekta/orders/${ord.id}`);
      for (let i = 0; i < 40 && !calls().length; i++) await new Promise((ok) => setTimeout(ok, 100));
      assert.ok(calls().length >= 1, 'the order.* webhook read the order back');
      assert.ok(w.sb.providerCalls().every((c) => !c.path.includes('..')));
    });
  });

  describe('page reads', () => {
    it('GET /pay/{id} needs the session client secret: 401 without, whether or not the payment exists; 404 for another order', async () => {
      const o = order(`READ-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o });
      const r = await w.pay(bambooBody(s, o, w.bambooToken()));
      const id = r.body.paymentId;
      const missing = 'pay_' + 'x'.repeat(24);
      assert.deepEqual([(await read(id)).status, (await read(missing)).status, (await read(id, 'cs_nope_secret_x')).status], [401, 401, 401]);
      const other = await w.session({ provider: 'bamboo', order: order(`READ2-${randomUUID()}`) });
      assert.equal((await read(id, other.clientSecret)).status, 404, "another order's secret");
      const ok = await read(id, s.clientSecret);
      assert.deepEqual([ok.status, (await ok.json()).status], [200, 'approved']);
    });

    it('thirty reads of a pending payment cost Bamboo at most one refresh', async () => {
      const o = order(`POLL-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o });
      const r = await w.pay(bambooBody(s, o, w.bambooToken('4000000000000259')));
      assert.equal(r.body.status, 'pending', r.text);
      const purchase = mine(o)[0].PurchaseId;
      const refreshes = () => w.sb.providerCalls().filter((c) => c.method === 'GET' && c.path === `/bamboo/v1/api/purchase/${purchase}`).length;
      // One refresh in flight at a time, then none for PASARELA_STATUS_REFRESH_MS (2 s): over
      // `ms`, at most 1 + ms / 2000, however slow the machine (30 before the fix).
      const t0 = Date.now();
      const all = await Promise.all(Array.from({ length: 30 }, () => read(r.body.paymentId, s.clientSecret)));
      const ms = Date.now() - t0;
      assert.deepEqual([...new Set(all.map((x) => x.status))], [200]);
      assert.ok(refreshes() <= 1 + Math.floor(ms / 2000), `${refreshes()} refreshes in ${ms} ms`);
    });
  });

  describe('bad input is a 4xx naming the path, never the value', () => {
    it('a wrong type names the full path and does not repeat what was sent', async () => {
      const o = order(`TYPE-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o });
      const r = await w.pay({ ...bambooBody(s, o, w.bambooToken()), order: { ...o, amount: 1000.5 } });
      assert.deepEqual([r.status, r.body.field], [422, 'order.amount']);
      assert.ok(!r.text.includes('1000.5'), r.text);
      const missing = await w.pay({ ...bambooBody(s, o, w.bambooToken()), order: { amount: 1, currency: 'UYU' } });
      assert.deepEqual([missing.status, missing.body.field], [422, 'order.id']);
      const marker = `ZZ${randomUUID()}`;
      const variant = await w.pay({ ...bambooBody(s, o, w.bambooToken()), source: { type: marker } });
      assert.deepEqual([variant.status, variant.text.includes(marker)], [422, false], variant.text);
    });

    it('NUL in an id, an order, a customer or a query is a 400 naming it, on every database', async () => {
      const nul = await w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: order('A\u0000B') });
      assert.deepEqual([nul.status, nul.body.field], [400, 'order.id']);
      const cust = await w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: order(`N-${randomUUID()}`), customer: { id: 'x\u0000' } });
      assert.deepEqual([cust.status, cust.body.field], [400, 'customer.id']);
      const q = await w.backend('GET', '/v1/payments?orderId=x%00');
      assert.deepEqual([q.status, q.body.field], [400, 'orderId']);
      const s = await w.session({ provider: 'bamboo', order: order(`N2-${randomUUID()}`) });
      assert.equal((await read('pay_%00', s.clientSecret)).status, 404);
    });

    it('a KR session whose metadata is not an object is refused, not a dropped connection', async () => {
      for (const metadata of [5, [1, 2], 'text']) {
        const r = await w.backend('POST', '/v1/sessions', { provider: 'kr', order: order(`META-${randomUUID()}`, 1000, 'EUR'), kr: { metadata } });
        assert.deepEqual([r.status, r.body.field], [422, 'kr.metadata']);
      }
    });
  });

  describe('cards are kept only when agreed', () => {
    const payWith = async (customer, savePaymentMethod, tick) => {
      const o = order(`SAVE-${randomUUID()}`, 5000, 'MXN');
      const s = await w.session({ provider: 'conekta', order: o, customer, ...(savePaymentMethod && { savePaymentMethod }) });
      assert.equal(s.savePaymentMethod, savePaymentMethod ?? 'off');
      const r = await w.pay(conektaBody(s, o, w.conektaToken(), tick ? { savePaymentMethod: true } : {}));
      assert.equal(r.body.status, 'approved', r.text);
      const next = await w.session({ provider: 'conekta', order: order(`SAVE2-${randomUUID()}`, 5000, 'MXN'), customer });
      return next.profiles.length;
    };
    for (const [mode, tick, kept] of [[undefined, true, 0], ['off', true, 0], ['ask', false, 0], ['ask', true, 1], ['always', false, 1]]) {
      it(`savePaymentMethod ${mode ?? '(default)'}${tick ? ', box ticked' : ''}: the card is ${kept ? '' : 'not '}kept`, async () => {
        const customer = { id: `save-${randomUUID()}`, email: 'ana@example.com' };
        assert.equal(await payWith(customer, mode, tick), kept);
      });
    }

    it('keeping a card needs the customer it is kept for', async () => {
      const r = await w.backend('POST', '/v1/sessions', { provider: 'conekta', order: order(`SAVE3-${randomUUID()}`, 5000, 'MXN'), savePaymentMethod: 'ask' });
      assert.deepEqual([r.status, r.body.field], [422, 'savePaymentMethod']);
    });
  });

  describe('rate limit', () => {
    it('page routes answer 429 with Retry-After past PASARELA_RATE_LIMIT per minute; the backend routes are not limited', async () => {
      const saved = process.env.PASARELA_RATE_LIMIT;
      process.env.PASARELA_RATE_LIMIT = '5';
      const limited = await world();
      try {
        const codes = [];
        for (let i = 0; i < 7; i++) codes.push((await fetch(`${limited.svc.url}/pay/pay_${'x'.repeat(24)}`)).status);
        assert.deepEqual(codes, [401, 401, 401, 401, 401, 429, 429]);
        const r = await fetch(`${limited.svc.url}/pay`, { method: 'POST' });
        assert.equal(r.status, 429);
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
        assert.equal((await r.json()).error, 'too many requests from this client');
        assert.equal((await limited.backend('GET', '/v1/payments')).status, 200);
      } finally {
        if (saved === undefined) delete process.env.PASARELA_RATE_LIMIT; else process.env.PASARELA_RATE_LIMIT = saved;
        await limited.close();
      }
    });
  });
});
