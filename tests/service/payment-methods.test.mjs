// Saved cards the shopper manages (docs/api.md §4, "Saved cards"): the page removes a card or
// makes it the default with the session's client secret (`DELETE /pay/payment-methods/{id}`,
// `PUT /pay/payment-methods/{id}/default`), the backend lists and removes a customer's cards with
// the secret key. Removing calls the provider's own delete once — Bamboo's PaymentProfileDelete,
// Conekta's payment-source delete, Lyra's Token/Cancel — and only then forgets the card, which
// `/pay` refuses from then on; the provider's refusal is `409 provider_refused` with its reason,
// and the card stays. Another customer's card is 404; no credential is 401, card or no card.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { world, order, DATABASE } from './helpers.mjs';

describe(`saved cards the shopper manages (${DATABASE})`, () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.close(); });

  const call = async (method, path, secret) => {
    const r = await fetch(`${w.svc.url}${path}`, { method, headers: secret === undefined ? {} : { Authorization: `Bearer ${secret}` } });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, text };
  };
  const remove = (id, secret) => call('DELETE', `/pay/payment-methods/${encodeURIComponent(id)}`, secret);
  const makeDefault = (id, secret) => call('PUT', `/pay/payment-methods/${encodeURIComponent(id)}/default`, secret);
  const payWith = (provider, s, o, profileId) => w.pay({ provider, order: o, source: { type: 'profile', profileId }, installments: 1, customer: {}, clientSecret: s.clientSecret });
  const calls = () => w.sb.providerCalls().length;
  const mxn = (id) => order(id, 20000, 'MXN');

  /** A Conekta customer with the cards of `pans`, saved by paying with each. */
  async function conektaCustomer(pans) {
    const customer = { id: `pm-c-${randomUUID()}`, email: 'ana@example.com' };
    for (const pan of pans) {
      const o = mxn(`PM-SAVE-${randomUUID()}`);
      const s = await w.session({ provider: 'conekta', order: o, customer, savePaymentMethod: 'always' });
      const r = await w.pay({ provider: 'conekta', order: o, source: { type: 'token', token: w.conektaToken(pan) }, installments: 1, customer: {}, clientSecret: s.clientSecret });
      assert.equal(r.body?.status, 'approved', r.text);
    }
    return customer;
  }

  it('Conekta: the default moves first; a removed card is deleted at Conekta once, then /pay refuses it and no session lists it', async () => {
    const customer = await conektaCustomer(['4242424242424242', '5555555555554444']);
    const o = mxn(`PM-C-${randomUUID()}`);
    const s = await w.session({ provider: 'conekta', order: o, customer });
    assert.deepEqual(s.profiles.map((p) => p.last4), ['4242', '4444']);
    assert.ok(s.profiles.every((p) => p.default === undefined), 'no default until one is chosen');
    const [visa, master] = s.profiles;
    const chosen = await makeDefault(master.id, s.clientSecret);
    assert.equal(chosen.status, 200, chosen.text);
    assert.deepEqual(chosen.body.profiles.map((p) => [p.last4, p.default]), [['4444', true], ['4242', undefined]]);
    const again = await makeDefault(visa.id, s.clientSecret);
    assert.deepEqual(again.body.profiles.map((p) => [p.last4, p.default]), [['4242', true], ['4444', undefined]], 'at most one default');
    const listed = await w.session({ provider: 'conekta', order: mxn(`PM-C2-${randomUUID()}`), customer });
    assert.deepEqual(listed.profiles.map((p) => p.last4), ['4242', '4444'], 'sessions list the default first');

    const deletesBefore = w.sb.providers.conekta.state().deletes.length;
    const r = await remove(visa.id, s.clientSecret);
    assert.equal(r.status, 204, r.text);
    const deletes = w.sb.providers.conekta.state().deletes.slice(deletesBefore);
    assert.equal(deletes.length, 1, "Conekta's delete, once");
    assert.deepEqual([deletes[0].status, deletes[0].source.startsWith('src_')], [200, true]);
    const refused = await payWith('conekta', s, o, visa.id);
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.field, 'source.profileId');
    assert.equal((await remove(visa.id, s.clientSecret)).status, 404, 'gone here too');
    const after = await w.session({ provider: 'conekta', order: mxn(`PM-C3-${randomUUID()}`), customer });
    assert.deepEqual(after.profiles.map((p) => p.last4), ['4444'], 'not listed again: Conekta no longer has it');
    assert.equal((await payWith('conekta', s, o, master.id)).body?.status, 'approved', 'the other card still pays');
  });

  it("no credential is 401 whether or not the card exists; another customer's card is 404 and no provider is called", async () => {
    const ana = await conektaCustomer(['4242424242424242']);
    const sa = await w.session({ provider: 'conekta', order: mxn(`PM-A-${randomUUID()}`), customer: ana });
    const card = sa.profiles[0].id;
    await w.quiet(); // the cards' payments' order.paid, read back by the service: not this test's calls
    const before = calls();
    for (const secret of [undefined, '', 'cs_x_secret_nope']) {
      const known = await remove(card, secret);
      const unknown = await remove('card_nope', secret);
      assert.deepEqual([known.status, unknown.status], [401, 401]);
      assert.deepEqual(known.body, unknown.body, 'the same answer, card or no card');
      assert.equal((await makeDefault(card, secret)).status, 401);
    }
    const bob = { id: `pm-b-${randomUUID()}`, email: 'bob@example.com' };
    const sb = await w.session({ provider: 'conekta', order: mxn(`PM-B-${randomUUID()}`), customer: bob });
    const theirs = await remove(card, sb.clientSecret);
    assert.deepEqual([theirs.status, theirs.body.field], [404, 'profileId']);
    assert.equal((await makeDefault(card, sb.clientSecret)).status, 404);
    const anonymous = await w.session({ provider: 'conekta', order: mxn(`PM-N-${randomUUID()}`) });
    assert.equal((await remove(card, anonymous.clientSecret)).status, 404, 'a session without a customer has no cards');
    assert.equal((await w.backend('DELETE', `/v1/customers/${bob.id}/payment-methods/${card}`)).status, 404);
    assert.equal(calls(), before, 'no provider call');
    assert.equal((await w.session({ provider: 'conekta', order: mxn(`PM-A2-${randomUUID()}`), customer: ana })).profiles.length, 1, 'still there');
  });

  it("a provider's refusal is 409 provider_refused with its reason, and the card stays (Conekta, Bamboo, Lyra)", async () => {
    // Conekta: a source it will not remove.
    const customer = await conektaCustomer(['4012888888881881']);
    const s = await w.session({ provider: 'conekta', order: mxn(`PM-R-${randomUUID()}`), customer });
    const src = w.sb.providers.conekta.sources().filter((x) => x.last4 === '1881');
    src.forEach((x) => w.sb.providers.conekta.holdSource(x.id));
    const r = await remove(s.profiles[0].id, s.clientSecret);
    assert.equal(r.status, 409, r.text);
    assert.equal(r.body.code, 'provider_refused');
    assert.match(r.body.error, /cargos en proceso/);
    assert.equal((await w.backend('GET', `/v1/customers/${customer.id}/payment-methods`)).body.data.length, 1, 'kept');
    // Bamboo: a payment profile it will not remove.
    const b = await bambooCustomer();
    w.sb.providers.bamboo.holdProfile(b.card.id);
    const rb = await remove(b.card.id, b.session.clientSecret);
    assert.deepEqual([rb.status, rb.body.code], [409, 'provider_refused'], rb.text);
    assert.match(rb.body.error, /No se pudo eliminar/);
    // Lyra: a token it will not cancel.
    const k = await krCustomer();
    w.sb.providers.kr.holdToken(k.token);
    const rk = await w.backend('DELETE', `/v1/customers/${k.customer.id}/payment-methods/${k.card.id}`);
    assert.deepEqual([rk.status, rk.body.code], [409, 'provider_refused']);
    assert.equal((await payWith('kr', k.session, k.order, k.card.id)).body?.status, 'approved', 'a card kept still pays');
  });

  /** A Bamboo customer with one enrolled card, and a session listing it. */
  async function bambooCustomer() {
    const customer = { id: `pm-bb-${randomUUID()}`, email: 'ana@example.com', firstName: 'Ana', lastName: 'Pérez' };
    const first = await w.session({ provider: 'bamboo', order: order(`PM-BE-${randomUUID()}`), customer });
    w.sb.providers.bamboo.tokenize({ key: 'pk', pan: '4111111111111111', expMonth: 12, expYear: 2030, cvv: '123', holder: 'Ana', sessionId: first.bamboo.uniqueId });
    const o = order(`PM-BO-${randomUUID()}`);
    const session = await w.session({ provider: 'bamboo', order: o, customer });
    assert.equal(session.profiles.length, 1);
    return { customer, session, order: o, card: session.profiles[0] };
  }

  /** A KR customer with one registered card, and a session listing it. */
  async function krCustomer() {
    const customer = { id: `pm-k-${randomUUID()}`, email: 'ana@example.com' };
    const token = w.sb.providers.kr.register('4970100000000055');
    await w.backend('POST', `/v1/customers/${customer.id}`, { kr: [{ paymentMethodToken: token, brand: 'VISA', last4: '0055' }] });
    const o = order(`PM-KO-${randomUUID()}`, 1000, 'EUR');
    const session = await w.session({ provider: 'kr', order: o, customer });
    return { customer, session, order: o, token, card: session.profiles[0] };
  }

  it("Bamboo: the page's removal calls PaymentProfileDelete once; the profile is gone there and here", async () => {
    const b = await bambooCustomer();
    const before = w.sb.providers.bamboo.state().deletes.length;
    const r = await remove(b.card.id, b.session.clientSecret);
    assert.equal(r.status, 204, r.text);
    const deletes = w.sb.providers.bamboo.state().deletes.slice(before);
    assert.deepEqual(deletes.map((d) => [d.profile, d.status]), [[Number(b.card.id), 200]]);
    assert.equal((await payWith('bamboo', b.session, b.order, b.card.id)).status, 403);
    assert.deepEqual((await w.session({ provider: 'bamboo', order: order(`PM-BN-${randomUUID()}`), customer: b.customer })).profiles, []);
  });

  it("Lyra: the backend's removal cancels the token once; the card no longer pays", async () => {
    const k = await krCustomer();
    const list = await w.backend('GET', `/v1/customers/${k.customer.id}/payment-methods`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((c) => [c.provider, c.last4]), [['kr', '0055']]);
    assert.ok(!JSON.stringify(list.body).includes(k.token), 'no token leaves the service');
    const before = w.sb.providers.kr.state().cancels.length;
    const r = await w.backend('DELETE', `/v1/customers/${k.customer.id}/payment-methods/${k.card.id}`);
    assert.equal(r.status, 204);
    assert.deepEqual(w.sb.providers.kr.state().cancels.slice(before), [{ status: 'SUCCESS', errorCode: null }]);
    assert.equal((await payWith('kr', k.session, k.order, k.card.id)).status, 403);
    assert.deepEqual((await w.backend('GET', `/v1/customers/${k.customer.id}/payment-methods`)).body.data, []);
  });

  it('a provider that does not answer is 503 with Retry-After, and the card is kept and still pays (Conekta, Bamboo, Lyra)', async () => {
    const unreachable = async (r, customer, what) => {
      assert.equal(r.status, 503, `${what}: ${r.text ?? JSON.stringify(r.body)}`);
      assert.ok(Number(r.retryAfter) >= 1, `${what}: Retry-After ${r.retryAfter}`);
      assert.equal((await w.backend('GET', `/v1/customers/${customer}/payment-methods`)).body.data.length, 1, `${what}: kept`);
    };
    const withRetryAfter = async (method, path, headers) => {
      const r = await fetch(`${w.svc.url}${path}`, { method, headers });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined, text, retryAfter: r.headers.get('retry-after') };
    };
    // Conekta, from the page: the connection dropped before Conekta read the delete.
    const customer = await conektaCustomer(['4242424242424242']);
    const o = mxn(`PM-U-${randomUUID()}`);
    const s = await w.session({ provider: 'conekta', order: o, customer });
    const card = s.profiles[0].id;
    const deletesBefore = w.sb.providers.conekta.state().deletes.length;
    w.sb.faults.set({ target: 'provider-before', kind: 'drop', path: '/payment_sources/' });
    await unreachable(await withRetryAfter('DELETE', `/pay/payment-methods/${card}`, { Authorization: `Bearer ${s.clientSecret}` }), customer.id, 'Conekta dropped');
    assert.equal(w.sb.providers.conekta.state().deletes.length, deletesBefore, 'Conekta never saw it');
    assert.equal((await payWith('conekta', s, o, card)).body?.status, 'approved', 'the kept card still pays');
    // Bamboo, from the page: Bamboo answers 503.
    const b = await bambooCustomer();
    const bambooBefore = w.sb.providers.bamboo.state().deletes.length;
    w.sb.faults.set({ target: 'provider-before', kind: 'status', status: 503, path: '/PaymentProfileDelete' });
    await unreachable(await withRetryAfter('DELETE', `/pay/payment-methods/${b.card.id}`, { Authorization: `Bearer ${b.session.clientSecret}` }), b.customer.id, 'Bamboo 503');
    assert.equal(w.sb.providers.bamboo.state().deletes.length, bambooBefore, 'Bamboo never removed it');
    // Lyra, from the backend: an answer that is not Lyra's (a proxy's HTML page).
    const k = await krCustomer();
    w.sb.faults.set({ target: 'provider-before', kind: 'garbage', path: '/Token/Cancel' });
    await unreachable(await withRetryAfter('DELETE', `/v1/customers/${k.customer.id}/payment-methods/${k.card.id}`, { Authorization: `Bearer ${w.svc.secretKey}` }), k.customer.id, 'Lyra garbage');
    assert.equal((await payWith('kr', k.session, k.order, k.card.id)).body?.status, 'approved', 'the kept card still pays');
  });

  it("a removal whose answer was lost is 503 and the card kept; the retry finds it gone at the provider and forgets it", async () => {
    const customer = await conektaCustomer(['4242424242424242']);
    const s = await w.session({ provider: 'conekta', order: mxn(`PM-L-${randomUUID()}`), customer });
    const card = s.profiles[0].id;
    const before = w.sb.providers.conekta.state().deletes.length;
    w.sb.faults.set({ target: 'provider-after', kind: 'drop', path: '/payment_sources/' });
    const lost = await remove(card, s.clientSecret);
    assert.equal(lost.status, 503, lost.text);
    assert.deepEqual(w.sb.providers.conekta.state().deletes.slice(before).map((d) => d.status), [200], 'Conekta removed it');
    assert.equal((await w.backend('GET', `/v1/customers/${customer.id}/payment-methods`)).body.data.length, 1, 'not forgotten without an answer');
    const retry = await remove(card, s.clientSecret);
    assert.equal(retry.status, 204, retry.text);
    assert.deepEqual(w.sb.providers.conekta.state().deletes.slice(before).map((d) => d.status), [200, 404], 'the retry: Conekta no longer has it');
    assert.deepEqual((await w.backend('GET', `/v1/customers/${customer.id}/payment-methods`)).body.data, []);
  });

  it('the backend routes need the secret key', async () => {
    const k = await krCustomer();
    for (const [method, path] of [['GET', `/v1/customers/${k.customer.id}/payment-methods`], ['DELETE', `/v1/customers/${k.customer.id}/payment-methods/${k.card.id}`]]) {
      const r = await w.backend(method, path, undefined, { key: 'sk_wrong' });
      assert.equal(r.status, 401, `${method} ${path}`);
    }
    assert.equal((await w.backend('GET', `/v1/customers/${k.customer.id}/payment-methods`)).body.data.length, 1, 'nothing removed');
  });
});
