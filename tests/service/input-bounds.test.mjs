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
