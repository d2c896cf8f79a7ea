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

  describe('KR sessions while another payment of the order may take money', () => {
    const krPaid = (o) => {
      const raw = JSON.stringify({ orderStatus: 'PAID', orderDetails: { orderId: o.id, orderTotalAmount: o.amount, orderCurrency: o.currency },
        transactions: [{ uuid: randomUUID().replaceAll('-', ''), status: 'PAID', detailedStatus: 'CAPTURED' }] });
      return { type: 'kr_answer', rawClientAnswer: raw, hash: createHmac('sha256', KR_HMAC_KEY).update(raw).digest('hex'), hashAlgorithm: 'sha256_hmac', hashKey: 'sha256_hmac' };
    };
    const lyraCalls = (calls) => calls.filter((c) => c.startsWith('POST /lyra/'));

    it('a pending OXXO voucher: no KR session (409 attempt_in_progress naming the voucher), no form token from Lyra; Conekta and Bamboo sessions still open', async () => {
      const o = order(`KRX-${randomUUID()}`, 50000, 'MXN');
      const cs = await w.session({ provider: 'conekta', order: o, methods: ['card', 'cash'], customer: { email: 'a@b.mx', firstName: 'Ana' } });
      const cash = await w.pay({ provider: 'conekta', order: o, source: { type: 'cash' }, clientSecret: cs.clientSecret });
      assert.deepEqual([cash.status, cash.body.status], [200, 'pending'], cash.text);
      const { out: kr, calls } = await callsOf(() => w.backend('POST', '/v1/sessions', { provider: 'kr', order: o }));
      assert.deepEqual([kr.status, kr.body.code, kr.body.paymentId], [409, 'attempt_in_progress', cash.body.paymentId], JSON.stringify(kr.body));
      assert.equal(kr.body.kr, undefined);
      assert.deepEqual(lyraCalls(calls), [], 'no form token was made');
      // Sessions whose charge goes through POST /pay (which holds the order) open as before.
      assert.equal((await w.backend('POST', '/v1/sessions', { provider: 'conekta', order: o })).status, 200);
      const list = await w.backend('GET', `/v1/payments?orderId=${o.id}`);
      assert.deepEqual(list.body.data.map((p) => [p.provider, p.status]), [['conekta', 'pending']]);
    });

    it('a KR session opened before the voucher: its form token is not handed out again (POST /kr/form-token 409)', async () => {
      const o = order(`KRF-${randomUUID()}`, 50000, 'MXN');
      const ks = await w.session({ provider: 'kr', order: o });
      const again = await fetch(`${w.svc.url}/kr/form-token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ clientSecret: ks.clientSecret }) });
      assert.equal(again.status, 200, 'the order is free: a reload gets its form token');
      const cs = await w.session({ provider: 'conekta', order: o, methods: ['cash'], customer: { email: 'a@b.mx', firstName: 'Ana' } });
      const cash = await w.pay({ provider: 'conekta', order: o, source: { type: 'cash' }, clientSecret: cs.clientSecret });
      assert.equal(cash.body.status, 'pending', cash.text);
      const r = await fetch(`${w.svc.url}/kr/form-token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ clientSecret: ks.clientSecret }) });
      const body = await r.json();
      assert.deepEqual([r.status, body.code, body.paymentId], [409, 'attempt_in_progress', cash.body.paymentId], JSON.stringify(body));
      assert.equal(body.formToken, undefined);
    });

    it('an attempt charging the order now: 409 attempt_in_progress with Retry-After; once paid, 409 order_already_paid; a declined one frees the order', async () => {
      const o = order(`KRA-${randomUUID()}`);
      const bs = await w.session({ provider: 'bamboo', order: o });
      w.sb.faults.set({ target: 'provider-after', kind: 'delay', delayMs: 1500, path: '/api/purchase' });
      const paying = w.pay({ provider: 'bamboo', order: o, source: { type: 'token', token: w.bambooToken(), kind: 'one_time' }, clientSecret: bs.clientSecret });
      for (const end = Date.now() + 5000; !w.purchases().some((p) => p.Order === o.id) && Date.now() < end;) await new Promise((ok) => setTimeout(ok, 20));
      const r = await fetch(`${w.svc.url}/v1/sessions`, { method: 'POST', headers: { Authorization: `Bearer ${w.svc.secretKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ provider: 'kr', order: o }) });
      const body = await r.json();
      assert.deepEqual([r.status, body.code], [409, 'attempt_in_progress'], JSON.stringify(body));
      assert.equal(r.headers.get('retry-after'), '1');
      const paid = await paying;
      assert.equal(paid.body.status, 'approved', paid.text);
      const after = await w.backend('POST', '/v1/sessions', { provider: 'kr', order: o });
      assert.deepEqual([after.status, after.body.code, after.body.paymentId], [409, 'order_already_paid', paid.body.paymentId]);
      // A declined attempt takes no money: the order is free for Lyra's form.
      const d = order(`KRD-${randomUUID()}`);
      const ds = await w.session({ provider: 'bamboo', order: d });
      const no = await w.pay({ provider: 'bamboo', order: d, source: { type: 'token', token: w.bambooToken('4000000000000002'), kind: 'one_time' }, clientSecret: ds.clientSecret });
      assert.equal(no.body.status, 'declined', no.text);
      const ks = await w.backend('POST', '/v1/sessions', { provider: 'kr', order: d });
      assert.equal(ks.status, 200, JSON.stringify(ks.body));
      assert.ok(ks.body.kr.formToken);
      const kr = await w.pay({ provider: 'kr', order: d, source: krPaid(d), clientSecret: ks.body.clientSecret });
      assert.equal(kr.body.status, 'approved', kr.text);
    });
  });

  describe('a database lock held elsewhere', { skip: DATABASE !== 'postgres' && 'Postgres only (SQLite waits busy_timeout, the same setting)' }, () => {
    const url = process.env.PASARELA_TEST_DATABASE_URL;
    let svc;
    after(async () => { await svc?.stop(); });

    it('GET /v1/payments and POST /v1/sessions answer 503 with Retry-After within PASARELA_DB_TIMEOUT_MS, then 200 once the lock goes', async () => {
      const secretKey = `sk_${randomUUID().replaceAll('-', '')}`;
      svc = await spawnService({ ...serviceEnv(w.sb.url, { databaseUrl: url, secretKey }), PASARELA_DB_TIMEOUT_MS: '800' }, { label: 'db-timeout' });
      const call = (method, path, body) => fetch(`${svc.url}${path}`, { method, headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
        body: body && JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
      assert.equal((await call('GET', '/v1/payments?orderId=none')).status, 200);
      // A second client holds the payments table (a stuck transaction, a manual LOCK, a migration).
      const app = `pasarela-lock-${randomUUID()}`;
      const holder = spawn('psql', ['-X', '-q', '-A', '-t', url], { env: { ...process.env, PGAPPNAME: app }, stdio: ['pipe', 'pipe', 'inherit'] });
      holder.stdin.end('BEGIN;\nLOCK TABLE payments IN ACCESS EXCLUSIVE MODE;\n\\echo locked\nSELECT pg_sleep(60);\nCOMMIT;\n');
      try {
        await new Promise((ok, fail) => {
          const timer = setTimeout(() => fail(new Error('psql did not take the lock within 10 s')), 10_000);
          holder.stdout.on('data', (d) => { if (String(d).includes('locked')) { clearTimeout(timer); ok(); } });
        });
        for (const [method, path, body] of [['GET', '/v1/payments'], ['POST', '/v1/sessions', { provider: 'bamboo', order: order(`DB-${randomUUID()}`) }]]) {
          const start = Date.now();
          const r = await call(method, path, body);
          const took = Date.now() - start;
          assert.deepEqual([r.status, (await r.json()).error], [503, 'storage unavailable'], `${method} ${path}`);
          assert.equal(r.headers.get('retry-after'), '1');
          assert.ok(took >= 700 && took < 5000, `${method} ${path}: answered after ${took} ms`);
        }
      } finally {
        execFileSync('psql', ['-X', '-q', '-A', '-t', url, '-c', `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${app}'`]);
        holder.kill();
      }
      const r = await call('GET', '/v1/payments?orderId=none');
      assert.equal(r.status, 200, 'the pool\'s connections still serve once the lock is gone');
    });
  });
});
