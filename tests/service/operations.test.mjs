// What a supervisor and an operator read from the merchant service: /health (alive), /ready (the
// database answers with this version's migrations), /metrics (Prometheus text, with the secret key).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, createHmac } from 'node:crypto';
import { world, order, DATABASE } from './helpers.mjs';
import { BAMBOO_PRIVATE_KEY } from '../../www/sandbox/bamboo.mjs';

describe(`merchant service operations (${DATABASE})`, () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.close(); });

  it('/health and /ready answer { ok: true } on a migrated database', async () => {
    for (const path of ['/health', '/ready']) {
      const r = await fetch(`${w.svc.url}${path}`);
      assert.equal(r.status, 200, path);
      assert.deepEqual(await r.json(), { ok: true }, path);
    }
  });

  /** The value of one sample line (`name{labels} value`), 0 when absent. */
  const sample = (text, name, labels) => {
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  const scrape = async (key = w.svc.secretKey) => {
    const r = await fetch(`${w.svc.url}/metrics`, key ? { headers: { Authorization: `Bearer ${key}` } } : {});
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  };

  it('/metrics needs the secret key: volumes are business data', async () => {
    for (const key of [null, 'sk_wrong']) {
      const r = await scrape(key);
      assert.equal(r.status, 401, String(key));
      assert.equal(JSON.parse(r.text).error, 'Authorization: Bearer <secret key> required');
    }
  });

  it('/metrics counts attempts, charges, replays, order conflicts, webhooks and times provider calls', async () => {
    const before = (await scrape()).text;
    const o = order(`MET-${randomUUID()}`);
    const s = await w.session({ provider: 'bamboo', order: o });
    const body = JSON.stringify({ provider: 'bamboo', order: o, source: { type: 'token', token: w.bambooToken(), kind: 'one_time' }, clientSecret: s.clientSecret });
    const key = randomUUID();
    const paid = await w.pay(body, { key });
    assert.equal(paid.body.status, 'approved', paid.text);
    assert.equal((await w.pay(body, { key })).status, 200, 'replayed');
    const again = await w.pay({ ...JSON.parse(body), source: { type: 'token', token: w.bambooToken(), kind: 'one_time' } });
    assert.deepEqual([again.status, again.body.code], [409, 'order_already_paid']);
    const [{ providerRef }] = (await w.backend('GET', `/v1/payments?orderId=${o.id}`)).body.data;
    const n = { PurchaseId: providerRef, Amount: o.amount, Currency: o.currency };
    const dateSent = new Date().toISOString();
    const signature = createHmac('sha256', BAMBOO_PRIVATE_KEY).update(`${n.PurchaseId}${n.Amount}${n.Currency}${dateSent}`).digest('hex');
    const hook = (sig) => fetch(`${w.svc.url}/webhooks/bamboo`, { method: 'POST', headers: { 'Content-Type': 'application/json', dateSent, signature: sig }, body: JSON.stringify(n) });
    assert.equal((await hook(signature)).status, 200);
    assert.equal((await hook(signature)).status, 200);
    assert.equal((await hook('00')).status, 401);

    const after = await scrape();
    assert.equal(after.status, 200);
    assert.match(after.type, /^text\/plain/);
    const grew = (name, labels, by = 1) => assert.equal(sample(after.text, name, labels) - sample(before, name, labels), by, `${name} ${JSON.stringify(labels)}`);
    grew('pasarela_attempts_total', { provider: 'bamboo' });
    grew('pasarela_charges_total', { provider: 'bamboo', status: 'approved' });
    grew('pasarela_idempotency_total', { outcome: 'replay' });
    grew('pasarela_order_conflicts_total', { code: 'order_already_paid' });
    for (const verdict of ['applied', 'duplicate', 'refused']) grew('pasarela_webhooks_total', { provider: 'bamboo', verdict });
    assert.ok(sample(after.text, 'pasarela_provider_latency_seconds_count', { provider: 'bamboo', call: 'charge' }) >= 1, 'charge calls timed');
    assert.match(after.text, /pasarela_provider_latency_seconds_bucket\{[^}]*le="0\.5"/, 'a histogram, with buckets');
    assert.match(after.text, /# TYPE pasarela_charges_total counter/);
  });
});
