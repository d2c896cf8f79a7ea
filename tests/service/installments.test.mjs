// Installment offers (docs/api.md §4, "Installments"): the merchant service prices the
// storefront's plans when a session opens (French amortisation, TEA, CFT), returns them as the
// session's offers, and `POST /pay` charges only a count the session offered — at the offer's
// total when it bears interest — passing the count to each provider in its own field: Conekta's
// `payment_method.monthly_installments`, Bamboo's `Installments`, Lyra's
// `transactionOptions.cardOptions.installmentNumber`. A count not offered, or a saved card the
// offer does not take, is refused before any provider call.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { world, order, DATABASE } from './helpers.mjs';

describe(`installment offers (${DATABASE})`, () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.close(); });

  const refused = (r, field) => {
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.field, field, JSON.stringify(r.body));
  };
  const body = (provider, s, o, source, installments = 1) => ({ provider, order: o, source, installments, customer: {}, clientSecret: s.clientSecret });
  const calls = () => w.sb.providerCalls().length;
  /** The provider calls so far, once no notification is being read back (helpers.mjs, quiet). */
  const quietCalls = async () => { await w.quiet(); return calls(); };
  const mxn = (id, amount = 150000) => order(id, amount, 'MXN');

  it('a session prices its plans: paying in full first, free plans at the order amount, interest by French amortisation', async () => {
    const s = await w.session({ provider: 'bamboo', order: order(`I-OFF-${randomUUID()}`, 100000, 'UYU'),
      installments: [{ count: 12, rate: 60 }, { count: 3 }, { count: 6, rate: 0, brands: ['visa', 'oca'] }] });
    assert.deepEqual(s.installments.map((o) => o.count), [1, 3, 6, 12]);
    assert.deepEqual(s.installments[0], { count: 1, amount: 100000, total: 100000, rate: 0, tea: 0, free: true });
    assert.deepEqual(s.installments[1], { count: 3, amount: 33333, total: 100000, rate: 0, tea: 0, free: true });
    assert.deepEqual(s.installments[2].brands, ['visa', 'oca']);
    assert.deepEqual(s.installments[3], { count: 12, amount: 11283, total: 135390, rate: 60, tea: 79.59, free: false });
    const ars = await w.session({ provider: 'bamboo', order: order(`I-ARS-${randomUUID()}`, 50000, 'ARS'), installments: [{ count: 6, rate: 120 }, { count: 3, cft: 12.5 }] });
    assert.deepEqual(ars.installments.map((o) => o.cft), [0, 12.5, 293.79], 'ARS: the CFT with IVA on the interest, or the storefront figure');
    const plain = await w.session({ provider: 'bamboo', order: order(`I-NONE-${randomUUID()}`) });
    assert.deepEqual(plain.installments.map((o) => o.count), [1], 'without plans: paying in full only');
  });

  it('plans are checked, naming the field path, each provider as it documents', async () => {
    const s = (installments, provider = 'bamboo', o = order(`I-BAD-${randomUUID()}`), extra = {}) => w.backend('POST', '/v1/sessions', { provider, order: o, installments, ...extra });
    refused(await s([{ count: 3 }, { count: 1 }]), 'installments[1].count');
    refused(await s([{ count: 49 }]), 'installments[0].count');
    refused(await s([{ count: 3 }, { count: 3, rate: 10 }]), 'installments[1].count');
    refused(await s([{ count: 3, rate: -5 }]), 'installments[0].rate');
    refused(await s([{ count: 3, brands: ['Visa'] }]), 'installments[0].brands');
    refused(await s([{ count: 3, zz: 1 }]), 'installments[0]');
    refused(await s([{ count: 'three' }]), 'installments[0].count');
    refused(await s([{ count: 3 }], 'bamboo', order(`I-CASH-${randomUUID()}`), { methods: ['cash'], customer: { email: 'a@b.uy', phone: '099111222', documentNumber: '12345672' } }), 'installments');
    // Conekta: interest-free 3, 6, 9, 12 or 18 months, in pesos, above each count's minimum.
    refused(await s([{ count: 4 }], 'conekta', mxn(`I-C4-${randomUUID()}`)), 'installments[0].count');
    refused(await s([{ count: 3 }, { count: 6, rate: 30 }], 'conekta', mxn(`I-CR-${randomUUID()}`)), 'installments[1].rate');
    refused(await s([{ count: 12 }], 'conekta', mxn(`I-CMIN-${randomUUID()}`, 119999)), 'installments[0].count');
    refused(await s([{ count: 3 }], 'conekta', order(`I-CUSD-${randomUUID()}`, 150000, 'USD')), 'installments');
    assert.equal((await s([{ count: 3 }, { count: 18 }], 'conekta', mxn(`I-COK-${randomUUID()}`, 180000))).status, 200);
  });

  it('no amount the page cannot read exactly: an order or a financed total beyond 2^53 - 1 is refused, naming it', async () => {
    const MOST = Number.MAX_SAFE_INTEGER;
    const s = (amount, installments) => w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: order(`I-BIG-${randomUUID()}`, amount, 'UYU'), installments });
    // The page refuses an offer whose total is not a safe integer (invalid_options installments[n].total).
    const big = await s(MOST, [{ count: 3 }, { count: 48, rate: 1000 }]);
    refused(big, 'installments[1].rate');
    assert.ok(!big.body.error.includes('1000'), big.body.error);
    const free = await s(MOST, [{ count: 48 }]);
    assert.equal(free.status, 200, 'interest-free: the order amount itself');
    assert.ok(free.body.installments.every((o) => Number.isSafeInteger(o.total) && Number.isSafeInteger(o.amount)));
    // 2^53 + 1, which JSON.stringify cannot write: the raw text.
    const r = await fetch(`${w.svc.url}/v1/sessions`, { method: 'POST', headers: { Authorization: `Bearer ${w.svc.secretKey}`, 'Content-Type': 'application/json' },
      body: `{"provider":"bamboo","order":{"id":"I-BIG-${randomUUID()}","amount":9007199254740993,"currency":"UYU"}}` });
    refused({ status: r.status, body: await r.json() }, 'order.amount');
  });

  it('a count the session did not offer is 422 installments, and no provider is called', async () => {
    const o = order(`I-TAMPER-${randomUUID()}`);
    const s = await w.session({ provider: 'bamboo', order: o, installments: [{ count: 3 }] });
    const before = await quietCalls();
    for (const n of [2, 6, 48]) refused(await w.pay(body('bamboo', s, o, { type: 'token', token: w.bambooToken(), kind: 'one_time' }, n)), 'installments');
    assert.equal(calls(), before, 'no provider call for a refused count');
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 0);
  });

  it('Bamboo: the purchase carries Installments, and an offer with interest charges its total', async () => {
    const o = order(`I-B-${randomUUID()}`, 100000, 'UYU');
    const s = await w.session({ provider: 'bamboo', order: o, installments: [{ count: 6, rate: 36 }] });
    const offer = s.installments.find((x) => x.count === 6);
    assert.ok(offer.total > o.amount);
    const r = await w.pay(body('bamboo', s, o, { type: 'token', token: w.bambooToken(), kind: 'one_time' }, 6));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'approved');
    const [p] = w.purchases().filter((x) => x.Order === o.id);
    assert.deepEqual([p.Installments, p.Amount], [6, offer.total], 'the count in Installments, the total in Amount');
    const rec = await w.backend('GET', `/v1/payments/${r.body.paymentId}`);
    assert.equal(rec.body.amount, offer.total, 'the payment records what was charged');
  });

  it('Bamboo: a saved card takes only the counts its payment profile lists', async () => {
    const customer = { id: `i-bb-${randomUUID()}`, email: 'ana@example.com', firstName: 'Ana', lastName: 'Pérez' };
    const first = await w.session({ provider: 'bamboo', order: order(`I-BE-${randomUUID()}`), customer });
    w.sb.providers.bamboo.tokenize({ key: 'pk', pan: '4111111111111111', expMonth: 12, expYear: 2030, cvv: '123', holder: 'Ana', sessionId: first.bamboo.uniqueId });
    const o = order(`I-BP-${randomUUID()}`);
    const s = await w.session({ provider: 'bamboo', order: o, customer, installments: [{ count: 3 }, { count: 24 }] });
    const card = s.profiles[0];
    assert.deepEqual(card.installments, [1, 3, 6, 12]);
    const before = await quietCalls();
    refused(await w.pay(body('bamboo', s, o, { type: 'profile', profileId: card.id }, 24)), 'installments');
    assert.equal(calls(), before);
    const r = await w.pay(body('bamboo', s, o, { type: 'profile', profileId: card.id }, 3));
    assert.equal(r.body?.status, 'approved', r.text);
    assert.equal(w.purchases().find((x) => x.Order === o.id).Installments, 3);
  });

  it('Conekta: the order charge carries payment_method.monthly_installments at the order amount; a brand the offer excludes is refused', async () => {
    const customer = { id: `i-cc-${randomUUID()}`, email: 'ana@example.com' };
    const o1 = mxn(`I-C1-${randomUUID()}`);
    const s1 = await w.session({ provider: 'conekta', order: o1, customer, savePaymentMethod: 'always', installments: [{ count: 3 }, { count: 6 }] });
    const r1 = await w.pay(body('conekta', s1, o1, { type: 'token', token: w.conektaToken() }, 3));
    assert.equal(r1.body?.status, 'approved', r1.text);
    const sent = w.orders().find((x) => x.metadata?.order_id === o1.id);
    assert.deepEqual([sent.monthly_installments, sent.amount], [3, o1.amount], 'months without interest, the order amount');
    // The saved Visa, one-click: an offer for Mastercard only is refused; the open one pays.
    const o2 = mxn(`I-C2-${randomUUID()}`);
    const s2 = await w.session({ provider: 'conekta', order: o2, customer, installments: [{ count: 6, brands: ['mastercard'] }, { count: 12 }] });
    const card = s2.profiles[0];
    const before = await quietCalls();
    refused(await w.pay(body('conekta', s2, o2, { type: 'profile', profileId: card.id }, 6)), 'installments');
    assert.equal(calls(), before, 'no provider call');
    const r2 = await w.pay(body('conekta', s2, o2, { type: 'profile', profileId: card.id }, 12));
    assert.equal(r2.body?.status, 'approved', r2.text);
    assert.equal(w.orders().find((x) => x.metadata?.order_id === o2.id).monthly_installments, 12);
    // Paying in full sends no monthly_installments.
    const o3 = mxn(`I-C3-${randomUUID()}`);
    const s3 = await w.session({ provider: 'conekta', order: o3, customer, installments: [{ count: 3 }] });
    assert.equal((await w.pay(body('conekta', s3, o3, { type: 'profile', profileId: card.id }, 1))).body?.status, 'approved');
    assert.equal(w.orders().find((x) => x.metadata?.order_id === o3.id).monthly_installments, undefined);
  });

  it('KR: a one-click payment carries transactionOptions.cardOptions.installmentNumber; plans with interest are refused (the form charges its token\'s amount)', async () => {
    const who = `i-kr-${randomUUID()}`;
    const pmt = w.sb.providers.kr.register('4970100000000055');
    await w.backend('POST', `/v1/customers/${who}`, { kr: [{ paymentMethodToken: pmt, brand: 'VISA', last4: '0055' }] });
    const o = order(`I-K-${randomUUID()}`, 100000, 'EUR');
    refused(await w.backend('POST', '/v1/sessions', { provider: 'kr', order: o, customer: { id: who, email: 'ana@example.com' }, installments: [{ count: 6 }, { count: 3, rate: 12 }] }), 'installments[1].rate');
    const s = await w.session({ provider: 'kr', order: o, customer: { id: who, email: 'ana@example.com' }, installments: [{ count: 3 }] });
    const offer = s.installments[1];
    assert.equal(offer.total, o.amount);
    const r = await w.pay(body('kr', s, o, { type: 'profile', profileId: s.profiles[0].id }, 3));
    assert.equal(r.body?.status, 'approved', r.text);
    const tx = w.sb.providers.kr.state().transactions.filter((t) => t.orderId === o.id);
    assert.deepEqual(tx.map((t) => [t.installmentNumber, t.amount]), [[3, offer.total]]);
  });

  it('installments beyond 1 are for cards: a voucher with a count is refused', async () => {
    const o = mxn(`I-V-${randomUUID()}`);
    const s = await w.session({ provider: 'conekta', order: o, methods: ['card', 'cash'], customer: { email: 'ana@example.com' }, installments: [{ count: 3 }] });
    const before = await quietCalls();
    refused(await w.pay(body('conekta', s, o, { type: 'cash' }, 3)), 'installments');
    assert.equal(calls(), before);
  });
});
