// The merchant service's promises, each against the provider emulators over HTTP: the price
// comes from the session, saved cards stay the customer's, the same Idempotency-Key never
// charges twice (Stripe's semantics), secrets never leave, webhooks are verified and applied once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, createHmac, generateKeyPairSync } from 'node:crypto';
import { world, order, DATABASE } from './helpers.mjs';
import { KR_PASSWORD } from '../../www/sandbox/kr.mjs';
import { BAMBOO_PRIVATE_KEY } from '../../www/sandbox/bamboo.mjs';
import { conektaDigest } from '../../www/sandbox/conekta.mjs';

describe(`merchant service (${DATABASE})`, () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.close(); });

  const bambooBody = (s, o, token) => ({ provider: 'bamboo', order: o, source: { type: 'token', token, kind: 'one_time' }, installments: 1, customer: {}, clientSecret: s.clientSecret });

  it('charges the session amount; a page showing another amount, order or currency is refused (422, field named)', async () => {
    const o = order(`PRICE-${randomUUID()}`);
    const s = await w.session({ provider: 'bamboo', order: o });
    for (const [bad, field] of [[{ ...o, amount: 1 }, 'order.amount'], [{ ...o, id: 'other' }, 'order.id'], [{ ...o, currency: 'USD' }, 'order.currency']]) {
      const r = await w.pay(bambooBody(s, bad, w.bambooToken()));
      assert.equal(r.status, 422, r.text);
      assert.equal(r.body.field, field);
    }
    const r = await w.pay(bambooBody(s, o, w.bambooToken()));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'approved');
    const mine = w.purchases().filter((p) => p.Order === o.id);
    assert.deepEqual(mine.map((p) => p.Amount), [150000], 'one purchase, at the session amount');
  });

  it('refuses a payment without a session, with an unknown or an expired client secret (401)', async () => {
    const o = order(`NOSESSION-${randomUUID()}`);
    const none = await w.pay({ provider: 'bamboo', order: o, source: { type: 'token', token: w.bambooToken() } });
    assert.deepEqual([none.status, none.body.field], [401, 'clientSecret']);
    const unknown = await w.pay({ ...bambooBody({ clientSecret: 'cs_x_secret_y' }, o, w.bambooToken()) });
    assert.equal(unknown.status, 401);
    const s = await w.session({ provider: 'bamboo', order: o, expiresIn: 0 });
    await new Promise((ok) => setTimeout(ok, 20));
    const expired = await w.pay(bambooBody(s, o, w.bambooToken()));
    assert.deepEqual([expired.status, expired.body.error], [401, 'the session expired']);
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 0);
  });

  it('/v1 needs the secret key; a session names its bad field', async () => {
    assert.equal((await w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: order('X') }, { key: 'sk_wrong' })).status, 401);
    for (const [s, field] of [
      [{ provider: 'bamboo', order: { id: 'X', amount: -5, currency: 'UYU' } }, 'order.amount'],
      [{ provider: 'bamboo', order: { id: 'X', amount: 5, currency: 'uyu' } }, 'order.currency'],
      [{ provider: 'kr', order: order('X'), kr: { formAction: 'TELEPORT' } }, 'kr.formAction'],
      [{ provider: 'kr', order: order('X'), kr: { formAction: 'REGISTER_PAY' } }, 'customer.id'],
    ]) {
      const r = await w.backend('POST', '/v1/sessions', s);
      assert.deepEqual([r.status, r.body.field], [422, field], JSON.stringify(r.body));
    }
  });

  it('a KR session sends Lyra the seed-004 fields the backend gave: customer details, cart, metadata, form action, authentication, capture', async () => {
    const o = order(`KRF-${randomUUID()}`, 4990, 'EUR');
    const billingDetails = { firstName: 'Marie', lastName: 'Grimaldi', address: '230 avenue des Champs Elysées', zipCode: '59170', city: 'CROIX', country: 'FR' };
    const shippingDetails = { ...billingDetails, shippingMethod: 'RECLAIM_IN_SHOP', shippingSpeed: 'STANDARD' };
    const shoppingCart = { cartItemInfo: [{ productRef: 'myRef1', productAmount: '1200', productLabel: 'myLabel1', productQty: '1' }] };
    const customer = { id: `kr-${randomUUID()}`, email: 'marie@example.com', billingDetails, shippingDetails, shoppingCart };
    const kr = { formAction: 'ASK_REGISTER_PAY', strongAuthentication: 'CHALLENGE_REQUESTED', overridePaymentCinematic: 'DELAYED_CAPTURE', metadata: { campaign: 'navidad' } };
    const s = await w.session({ provider: 'kr', order: o, customer, kr });
    assert.ok(s.kr.formToken);
    const sent = w.sb.providers.kr.state().forms.find((f) => f.orderId === o.id);
    assert.deepEqual({ amount: sent.amount, currency: sent.currency, formAction: sent.formAction, strongAuthentication: sent.strongAuthentication,
      overridePaymentCinematic: sent.overridePaymentCinematic }, { amount: 4990, currency: 'EUR', formAction: 'ASK_REGISTER_PAY', strongAuthentication: 'CHALLENGE_REQUESTED', overridePaymentCinematic: 'DELAYED_CAPTURE' });
    assert.deepEqual([sent.customer.email, sent.customer.reference], ['marie@example.com', customer.id]);
    assert.deepEqual([sent.customer.billingDetails, sent.customer.shippingDetails, sent.customer.shoppingCart], [billingDetails, shippingDetails, shoppingCart]);
    assert.equal(sent.metadata.campaign, 'navidad');
    const bad = await w.backend('POST', '/v1/sessions', { provider: 'kr', order: order(`KRF-${randomUUID()}`), kr: { overridePaymentCinematic: 'SOMEDAY' } });
    assert.deepEqual([bad.status, bad.body.field], [422, 'kr.overridePaymentCinematic'], 'a capture mode seed 004 does not name');
  });

  it('the same key replays the stored answer; the same key with another body is refused (422)', async () => {
    const o = order(`IDEM-${randomUUID()}`);
    const s = await w.session({ provider: 'bamboo', order: o });
    const key = randomUUID();
    const body = JSON.stringify(bambooBody(s, o, w.bambooToken()));
    const a = await w.pay(body, { key });
    const b = await w.pay(body, { key });
    assert.equal(a.status, 200);
    assert.equal(b.text, a.text, 'replayed byte for byte');
    const other = await w.pay(bambooBody(s, o, w.bambooToken()), { key });
    assert.deepEqual([other.status, other.body.field], [422, 'Idempotency-Key']);
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 1);
    const noKey = await fetch(`${w.svc.url}/pay`, { method: 'POST', body });
    assert.equal(noKey.status, 400);
  });

  it('50 concurrent requests with one key charge once, and all get the one answer', async () => {
    const o = order(`RACE-${randomUUID()}`);
    const s = await w.session({ provider: 'bamboo', order: o });
    const key = randomUUID();
    const body = JSON.stringify(bambooBody(s, o, w.bambooToken()));
    const all = await Promise.all(Array.from({ length: 50 }, () => w.pay(body, { key })));
    assert.deepEqual([...new Set(all.map((r) => r.status))], [200]);
    assert.equal(new Set(all.map((r) => r.body.paymentId)).size, 1);
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 1);
  });

  it('a provider that charged and lost its answer is asked before charging again (503, then the retry reconciles)', async () => {
    const o = order(`LOST-${randomUUID()}`);
    const s = await w.session({ provider: 'bamboo', order: o });
    const key = randomUUID();
    const body = JSON.stringify(bambooBody(s, o, w.bambooToken()));
    w.sb.faults.set({ target: 'provider-after', kind: 'drop' });
    const first = await w.pay(body, { key });
    assert.equal(first.status, 503, first.text);
    assert.equal(first.headers.get('retry-after'), '1');
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 1, 'Bamboo charged');
    const retry = await w.pay(body, { key });
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.body.status, 'approved');
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 1, 'and only once');
  });

  it('Conekta: an order call lost after the token became a source is retried on that source, not on the spent token', async () => {
    const o = order(`SRC-${randomUUID()}`, 5000, 'MXN');
    const s = await w.session({ provider: 'conekta', order: o });
    const key = randomUUID();
    const body = JSON.stringify({ provider: 'conekta', order: o, source: { type: 'token', token: w.conektaToken() }, clientSecret: s.clientSecret });
    w.sb.faults.set({ target: 'provider-before', kind: 'drop' }); // POST /orders fails; POST /customers spent the token
    const first = await w.pay(body, { key });
    assert.equal(first.status, 503, first.text);
    assert.equal(w.orders().length, 0);
    const retry = await w.pay(body, { key });
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.body.status, 'approved', 'not "token already used"');
    assert.equal(w.orders().filter((x) => x.metadata?.order_id === o.id).length, 1);
  });

  for (const who of ['a shopper without an account', "a customer who has a card saved"]) {
    it(`Conekta, ${who}: the answer to token → payment source lost, the retry charges the card the token made, once`, async () => {
      const { conekta } = w.sb.providers;
      const o = order(`SRCLOST-${randomUUID()}`, 5000, 'MXN');
      let customer;
      if (who !== 'a shopper without an account') {
        // An earlier card (…4444) of the customer's: the retry must not take it for the new one.
        const cus = conekta.createCustomer({ name: 'Ana', email: 'ana@example.com',
          payment_sources: [{ type: 'card', token_id: w.conektaToken('5555555555554444') }] }, 'Bearer key_sandbox_private').body;
        customer = { id: `ana-${randomUUID()}`, email: 'ana@example.com' };
        assert.equal((await w.backend('POST', `/v1/customers/${customer.id}`, { conekta: cus.id })).status, 200);
      }
      const s = await w.session({ provider: 'conekta', order: o, ...(customer && { customer }) });
      const key = randomUUID();
      const token = w.conektaToken('4242424242424242');
      const body = JSON.stringify({ provider: 'conekta', order: o, source: { type: 'token', token }, clientSecret: s.clientSecret });
      // Conekta makes the card from the token, and its answer never arrives.
      w.sb.faults.set({ target: 'provider-after', kind: 'drop', path: '/payment_sources' });
      const first = await w.pay(body, { key });
      assert.equal(first.status, 503, first.text);
      assert.equal(w.sb.faults.report()[0].applied, 1, 'the answer to the source call was the one lost');
      const retry = await w.pay(body, { key });
      assert.equal(retry.status, 200, retry.text);
      assert.equal(retry.body.status, 'approved', 'not "El token ya fue utilizado"');
      const paid = w.orders().filter((x) => x.metadata?.order_id === o.id);
      assert.equal(paid.length, 1, 'one order');
      assert.equal(conekta.getOrder(paid[0].id).charges.data[0].payment_method.last4, '4242', 'on the card the token made');
    });
  }

  it("another customer's saved card is refused (403); the customer's own pays in one click", async () => {
    const ana = `ana-${randomUUID()}`, bob = `bob-${randomUUID()}`;
    // A Conekta customer of Ana's with one card, linked to her id in the service.
    const tok = w.conektaToken();
    const { conekta } = w.sb.providers;
    const cus = conekta.createCustomer({ name: 'Ana', email: 'ana@example.com', payment_sources: [{ type: 'card', token_id: tok }] }, 'Bearer key_sandbox_private').body;
    assert.equal((await w.backend('POST', `/v1/customers/${ana}`, { conekta: cus.id })).status, 200);
    const o = order(`CARD-${randomUUID()}`, 20000, 'MXN');
    const sa = await w.session({ provider: 'conekta', order: o, customer: { id: ana, email: 'ana@example.com' } });
    assert.equal(sa.profiles.length, 1);
    const profileId = sa.profiles[0].id;
    const sb = await w.session({ provider: 'conekta', order: o, customer: { id: bob, email: 'bob@example.com' } });
    assert.deepEqual(sb.profiles, []);
    const body = (s) => ({ provider: 'conekta', order: o, source: { type: 'profile', profileId }, clientSecret: s.clientSecret });
    const stolen = await w.pay(body(sb));
    assert.deepEqual([stolen.status, stolen.body.field], [403, 'source.profileId']);
    const unknown = await w.pay({ ...body(sa), source: { type: 'profile', profileId: 'card_nope' } });
    assert.equal(unknown.status, 403, 'an unknown id gets the same answer');
    const mine = await w.pay(body(sa));
    assert.equal(mine.body.status, 'approved', mine.text);
  });

  it('no provider secret ever leaves the service: sessions, answers and polls show display fields only', async () => {
    const { bamboo, kr } = w.sb.providers;
    const seen = [];
    const record = (x) => { seen.push(typeof x === 'string' ? x : JSON.stringify(x)); return x; };
    const who = `sec-${randomUUID()}`;
    const customer = { id: who, email: 'sec@example.com', firstName: 'Ana' };
    const payAndPoll = async (body) => {
      const r = await w.pay(body);
      record(r.text);
      assert.equal(r.status, 200, r.text);
      record(await (await fetch(`${w.svc.url}/pay/${r.body.paymentId}`, { headers: { Authorization: `Bearer ${body.clientSecret}` } })).text());
      return r.body;
    };
    // Bamboo: a card enrolled in the customer's capture session becomes a Commerce token (CT_).
    const b = record(await w.session({ provider: 'bamboo', order: order(`SEC-B-${randomUUID()}`), customer }));
    const ct = bamboo.tokenize({ key: 'pk', pan: '5555555555554444', expMonth: 12, expYear: 2030, cvv: '123', holder: 'Ana', sessionId: b.bamboo.uniqueId }).token.TokenId;
    assert.match(ct, /^CT__/);
    const o1 = order(`SEC-B2-${randomUUID()}`);
    const b2 = record(await w.session({ provider: 'bamboo', order: o1, customer }));
    assert.deepEqual(b2.profiles.map((p) => p.last4), ['4444']);
    assert.equal((await payAndPoll({ provider: 'bamboo', order: o1, source: { type: 'profile', profileId: b2.profiles[0].id }, clientSecret: b2.clientSecret })).status, 'approved');
    // Conekta: paying with a token, where the session keeps cards, saves it as the customer's source (src_).
    const o2 = order(`SEC-C-${randomUUID()}`, 5000, 'MXN');
    const c = record(await w.session({ provider: 'conekta', order: o2, customer, savePaymentMethod: 'always' }));
    assert.equal((await payAndPoll({ provider: 'conekta', order: o2, source: { type: 'token', token: w.conektaToken() }, clientSecret: c.clientSecret })).status, 'approved');
    const o3 = order(`SEC-C2-${randomUUID()}`, 5000, 'MXN');
    const c2 = record(await w.session({ provider: 'conekta', order: o3, customer }));
    assert.deepEqual(c2.profiles.map((p) => p.last4), ['4242'], 'the card paid with is saved');
    assert.equal((await payAndPoll({ provider: 'conekta', order: o3, source: { type: 'profile', profileId: c2.profiles[0].id }, clientSecret: c2.clientSecret })).status, 'approved');
    // KR: a registered paymentMethodToken pays by SILENT CreatePayment.
    const pmt = kr.register('4970100000000055');
    await w.backend('POST', `/v1/customers/${who}`, { kr: [{ paymentMethodToken: pmt, brand: 'VISA', last4: '0055' }] });
    const o4 = order(`SEC-K-${randomUUID()}`, 1000, 'EUR');
    const k = record(await w.session({ provider: 'kr', order: o4, customer }));
    assert.equal((await payAndPoll({ provider: 'kr', order: o4, source: { type: 'profile', profileId: k.profiles[0].id }, clientSecret: k.clientSecret })).status, 'approved');
    record((await w.backend('GET', '/v1/payments')).body);
    const text = seen.join('\n');
    assert.ok(!text.includes(ct) && !/CT__|OT__/.test(text), 'no Bamboo token');
    assert.ok(!/src_|tok_/.test(text), 'no Conekta source or token');
    assert.ok(!text.includes(pmt), 'no KR paymentMethodToken');
  });

  it('webhooks: a bad signature is refused, a good one applied once, each provider as it documents', async () => {
    const { bamboo } = w.sb.providers;
    // Bamboo: headers dateSent and signature, hex HMAC-SHA-256(PurchaseId + Amount + Currency + dateSent, merchant secret).
    const o = order(`HOOK-${randomUUID()}`);
    const s = await w.session({ provider: 'bamboo', order: o });
    const r = await w.pay(bambooBody(s, o, w.bambooToken('4000000000000259'))); // stays pending
    assert.equal(r.body.status, 'pending', r.text);
    const purchase = w.purchases().find((p) => p.Order === o.id);
    const n = { PurchaseId: purchase.PurchaseId, Order: o.id, Amount: purchase.Amount, Currency: purchase.Currency, Transaction: { Status: 'Approved' } };
    const dateSent = new Date().toISOString();
    const sign = (x, key = BAMBOO_PRIVATE_KEY) => createHmac('sha256', key).update(`${x.PurchaseId}${x.Amount}${x.Currency}${dateSent}`).digest('hex');
    const hook = (body, signature, path = '/webhooks/bamboo') => fetch(`${w.svc.url}${path}`, { method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(signature && { dateSent, signature }) }, body: JSON.stringify(body) });
    assert.equal((await hook(n)).status, 422, 'unsigned');
    assert.equal((await hook(n, sign(n, 'wrong'))).status, 401);
    assert.equal((await hook({ ...n, Amount: 1 }, sign(n))).status, 401, 'the signature covers the amount');
    bamboo.getPurchase(purchase.PurchaseId); // (still pending at Bamboo)
    const ok = await hook(n, sign(n));
    assert.equal(ok.status, 200);
    const again = await (await hook(n, sign(n))).json();
    assert.equal(again.duplicate, true, 'applied once per event');
    // Lyra's IPN: kr-hash is HMAC-SHA-256 of kr-answer with the REST password.
    const answer = JSON.stringify({ orderStatus: 'PAID', orderDetails: { orderId: 'nope', orderTotalAmount: 1, orderCurrency: 'EUR' }, transactions: [{ uuid: 'u-1', status: 'PAID' }] });
    const ipn = (hash, extra = {}) => fetch(`${w.svc.url}/webhooks/lyra`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(Object.entries({ 'kr-answer': answer, 'kr-hash': hash, 'kr-hash-key': 'password', 'kr-hash-algorithm': 'sha256_hmac', ...extra }).filter(([, v]) => v !== undefined)).toString() });
    assert.equal((await ipn('00'.repeat(32))).status, 401);
    const good = createHmac('sha256', KR_PASSWORD).update(answer).digest('hex');
    // Lyra's SDK refuses a form without kr-hash-algorithm or with an unknown kr-hash-key: so does the service.
    assert.equal((await ipn(good, { 'kr-hash-algorithm': undefined })).status, 422);
    assert.equal((await ipn(good, { 'kr-hash-key': 'md5' })).status, 422);
    assert.equal((await ipn(createHmac('sha256', KR_PASSWORD).update(answer).digest('hex'))).status, 200);
    // Conekta: deliveries carry `digest`, RSA-SHA256 of the raw body under the merchant's webhook key.
    const forged = JSON.stringify({ id: 'evt_fake', type: 'order.paid', data: { object: { id: 'ord_forged', payment_status: 'paid' } } });
    const conektaHook = (text, digest) => fetch(`${w.svc.url}/webhooks/conekta`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(digest && { digest }) }, body: text });
    assert.deepEqual([(await conektaHook(forged)).status, (await conektaHook(forged, conektaDigest('{}'))).status], [401, 401], 'unsigned, or signed for another body');
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    assert.equal((await conektaHook(forged, conektaDigest(forged, otherKey))).status, 401, 'signed with another key');
  });

  it('Conekta: a 3-D Secure order pending at the answer is approved by its order.paid webhook', async () => {
    const o = order(`3DS-${randomUUID()}`, 5000, 'MXN');
    const s = await w.session({ provider: 'conekta', order: o });
    const r = await w.pay({ provider: 'conekta', order: o, source: { type: 'token', token: w.conektaToken('4000000000002701') }, clientSecret: s.clientSecret });
    assert.equal(r.body.status, 'pending', r.text);
    let status;
    for (let i = 0; i < 40 && status !== 'approved'; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      const list = (await w.backend('GET', `/v1/payments?orderId=${o.id}`)).body.data;
      status = list[0]?.status;
    }
    assert.equal(status, 'approved');
  });

  it('CORS: only the configured storefront origin may call the browser routes', async () => {
    const pre = (origin) => fetch(`${w.svc.url}/pay`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,idempotency-key' } });
    assert.equal((await pre(w.sb.url)).headers.get('access-control-allow-origin'), w.sb.url);
    assert.equal((await pre('https://evil.example')).headers.get('access-control-allow-origin'), null);
  });
});
