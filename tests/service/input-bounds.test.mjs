// The merchant service's bounds on what it takes and how long it waits: a provider customer id
// or a card token of another shape than its provider's is refused before it is stored or sent;
// a customer keeps the provider customer it was linked to; Lyra's form (which charges without
// POST /pay) is not handed out while another payment of the order may take money; a database
// lock held elsewhere is a 503 within PASARELA_DB_TIMEOUT_MS, not a hang.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, createHmac } from 'node:crypto';
import { spawn, execFileSync } from 'node:child_process';
import { world, order, DATABASE } from './helpers.mjs';
import { spawnService, serviceEnv } from '../../www/sandbox/service.mjs';
import { KR_HMAC_KEY } from '../../www/sandbox/kr.mjs';

describe(`merchant service input bounds (${DATABASE})`, () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.close(); });

  /** The provider calls `work` makes (after the notifications already on their way). */
  const callsOf = async (work) => {
    await w.quiet();
    const before = w.sb.providerCalls().length;
    const out = await work();
    await w.quiet();
    return { out, calls: w.sb.providerCalls().slice(before).map((c) => `${c.method} ${c.path}`) };
  };
  const bambooCustomer = () => w.sb.providers.bamboo.createCustomer({ Email: 'ana@example.uy', FirstName: 'Ana', LastName: 'Pérez' }).CustomerId;

  describe('POST /v1/customers/{id}', () => {
    it('refuses a Bamboo or Conekta customer id of another shape (422 naming the field, the value not repeated) and stores nothing', async () => {
      for (const [field, bad] of [['bamboo', 'not-a-number'], ['bamboo', '0'], ['bamboo', '12/../3'], ['bamboo', '１２'], ['bamboo', ''],
        ['conekta', 'cus_../x'], ['conekta', 'cus_2tUigJ8DgBhbp6w5D?x'], ['conekta', 'ord_2tUigJ8DgBhbp6w5D'], ['conekta', 'cus_short']]) {
        const r = await w.backend('POST', `/v1/customers/c-${randomUUID()}`, { [field]: bad });
        assert.deepEqual([r.status, r.body.field], [422, field], `${field}=${bad}: ${JSON.stringify(r.body)}`);
        if (bad.length > 2) assert.ok(!JSON.stringify(r.body).includes(bad), JSON.stringify(r.body));
      }
      // One bad id refuses the whole request: the good one beside it is not linked either.
      const cust = `c-${randomUUID()}`;
      const good = bambooCustomer();
      const r = await w.backend('POST', `/v1/customers/${cust}`, { bamboo: String(good), conekta: 'cus_../x' });
      assert.deepEqual([r.status, r.body.field], [422, 'conekta']);
      // Nothing was stored: the customer's Bamboo session makes its own Bamboo customer (a stored
      // bad id made every session of the customer 502).
      const { out: s, calls } = await callsOf(() => w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: order(`L-${randomUUID()}`), customer: { id: cust, email: 'a@b.uy' } }));
      assert.equal(s.status, 200, JSON.stringify(s.body));
      assert.ok(calls.includes('POST /bamboo/v1/api/customer'), calls.join('\n'));
      assert.ok(!calls.some((c) => c.endsWith(`/customer/${good}`)), calls.join('\n'));
    });

    it('a Conekta id refused at the link leaves the customer to the service: the kept card is charged', async () => {
      const cust = `c-${randomUUID()}`;
      const link = await w.backend('POST', `/v1/customers/${cust}`, { conekta: 'cus_../x' });
      assert.deepEqual([link.status, link.body.field], [422, 'conekta']);
      const o = order(`LC-${randomUUID()}`, 50000, 'MXN');
      const s = await w.session({ provider: 'conekta', order: o, customer: { id: cust, email: 'a@b.mx' }, savePaymentMethod: 'always' });
      const p = await w.pay({ provider: 'conekta', order: o, source: { type: 'token', token: w.conektaToken() }, clientSecret: s.clientSecret });
      assert.deepEqual([p.status, p.body.status], [200, 'approved'], p.text);
    });

    it('links once: the same id again is 200, another id is 409 customer_already_linked, and sessions keep the first', async () => {
      const cust = `c-${randomUUID()}`;
      const [first, second] = [bambooCustomer(), bambooCustomer()];
      const link = (body) => w.backend('POST', `/v1/customers/${cust}`, body);
      assert.equal((await link({ bamboo: String(first) })).status, 200);
      assert.equal((await link({ bamboo: String(first) })).status, 200, 'idempotent');
      const other = await link({ bamboo: String(second) });
      assert.deepEqual([other.status, other.body.code, other.body.field], [409, 'customer_already_linked', 'bamboo'], JSON.stringify(other.body));
      assert.ok(!JSON.stringify(other.body).includes(String(second)) && !JSON.stringify(other.body).includes(String(first)));
      // A 409 for one provider links nothing of the request (the Conekta id beside it neither).
      const both = await link({ bamboo: String(second), conekta: 'cus_2tUigJ8DgBhbp6w5D' });
      assert.equal(both.status, 409);
      assert.equal((await link({ conekta: 'cus_2tUigJ8DgBhbp6w5D' })).status, 200, 'the Conekta id was not linked by the refused request');
      assert.equal((await link({ conekta: 'cus_2tUigJ8DgBhbp6w5E' })).status, 409);
      const { out: s, calls } = await callsOf(() => w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: order(`L1-${randomUUID()}`), customer: { id: cust, email: 'a@b.uy' } }));
      assert.equal(s.status, 200, JSON.stringify(s.body));
      assert.ok(calls.includes(`GET /bamboo/v1/api/customer/${first}`), calls.join('\n'));
      assert.ok(!calls.some((c) => c.includes(`/customer/${second}`) || c === 'POST /bamboo/v1/api/customer'), calls.join('\n'));
    });
  });

  describe('POST /pay token shape', () => {
    const conektaPay = async (token) => {
      const o = order(`TK-${randomUUID()}`, 50000, 'MXN');
      const s = await w.session({ provider: 'conekta', order: o, customer: { id: `c-${randomUUID()}`, email: 'a@b.mx' }, savePaymentMethod: 'always' });
      return w.pay({ provider: 'conekta', order: o, source: { type: 'token', token }, clientSecret: s.clientSecret });
    };
    const bambooPay = async (token) => {
      const o = order(`TB-${randomUUID()}`);
      const s = await w.session({ provider: 'bamboo', order: o });
      return w.pay({ provider: 'bamboo', order: o, source: { type: 'token', token, kind: 'one_time' }, clientSecret: s.clientSecret });
    };

    it('a token with the provider\'s prefix but not its shape is 422 source.token, and no provider hears of it', async () => {
      for (const [pay, token] of [[conektaPay, 'tok_a b/../?#%'], [conektaPay, 'tok_'], [conektaPay, `tok_${'a'.repeat(41)}`], [conektaPay, 'tok_ok\u0301ay'],
        [bambooPay, 'OT_a b/..'], [bambooPay, 'CT_%2e%2e'], [bambooPay, 'OT_'], [bambooPay, `OT_${'a'.repeat(101)}`]]) {
        const { out: r, calls } = await callsOf(() => pay(token));
        assert.deepEqual([r.status, r.body?.field], [422, 'source.token'], `${token}: ${r.text}`);
        assert.ok(!r.text.includes(token), r.text);
        assert.deepEqual(calls, [], `${token}: no customer, source or charge was made`);
      }
    });

    it('tokens of the providers\' shapes still pay', async () => {
      assert.equal((await conektaPay(w.conektaToken())).body.status, 'approved');
      assert.equal((await bambooPay(w.bambooToken())).body.status, 'approved');
    });
  });

});
