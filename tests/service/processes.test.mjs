// Exactly once across processes: two services on one database charge once for one key, and a
// service killed (SIGKILL) after Bamboo charged and before it answered, then restarted and asked
// again, finds the charge at Bamboo instead of charging twice.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { world, order, freshDatabase, DATABASE } from './helpers.mjs';
import { spawnService, serviceEnv } from '../../www/sandbox/service.mjs';

describe(`several service processes on one database (${DATABASE})`, () => {
  let w;
  const started = [];
  before(async () => { w = await world(); });
  after(async () => { for (const s of started) await s.stop('SIGKILL'); await w?.close(); });

  const start = async (databaseUrl, secretKey, extra = {}) => {
    const s = await spawnService({ ...serviceEnv(w.sb.url, { databaseUrl, secretKey }), ...extra }, { label: 'process' });
    started.push(s);
    return s;
  };
  const sessionAt = async (base, secretKey, o) => {
    const r = await w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: o }, { key: secretKey, base });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
  /** Bamboo has a purchase for `o` (the charge reached it), waited for up to 10 s. */
  const charged = async (o) => {
    for (const end = Date.now() + 10_000; !w.purchases().some((p) => p.Order === o.id) && Date.now() < end;) await sleep(20);
  };
  const body = (s, o, token) => JSON.stringify({ provider: 'bamboo', order: o, source: { type: 'token', token, kind: 'one_time' }, clientSecret: s.clientSecret });

  it('two processes, 40 concurrent requests with one key: one charge, one answer', async () => {
    const db = freshDatabase();
    const key = `sk_${randomUUID().replaceAll('-', '')}`;
    const [a, b] = [await start(db, key), await start(db, key)];
    const o = order(`TWO-${randomUUID()}`);
    const s = await sessionAt(a.url, key, o);
    const idem = randomUUID();
    const text = body(s, o, w.bambooToken());
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => w.pay(text, { key: idem, base: i % 2 ? a.url : b.url })));
    assert.deepEqual([...new Set(all.map((r) => r.status))], [200], all.map((r) => r.text).find((t) => !t.includes('approved')));
    assert.equal(new Set(all.map((r) => r.body.paymentId)).size, 1);
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 1);
  });

  it('two processes, 20 tabs paying one order with 20 keys at once: one charge; a killed holder is reconciled before another key may charge', async () => {
    const db = freshDatabase();
    const key = `sk_${randomUUID().replaceAll('-', '')}`;
    // Long enough that the dead holder's lease surely still runs when the next tab asks, however
    // slow the machine (renewed every 500 ms: at least 1.5 s left at the kill). The provider
    // timeout is a second shorter than the lease, as the service requires.
    const lease = { PASARELA_ATTEMPT_LEASE_MS: '2000', PASARELA_PROVIDER_TIMEOUT_MS: '1000' };
    const [a, b] = [await start(db, key, lease), await start(db, key, lease)];
    const o = order(`TABS2-${randomUUID()}`);
    const s = await sessionAt(a.url, key, o);
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => w.pay(body(s, o, w.bambooToken()), { base: i % 2 ? a.url : b.url })));
    assert.equal(all.filter((r) => r.status === 200).length, 1, all.map((r) => r.text).join('\n'));
    assert.ok(all.every((r) => r.status === 200 || (r.status === 409 && ['order_already_paid', 'attempt_in_progress'].includes(r.body.code))));
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 1, 'one charge');
    // Another order: its holder is killed after Bamboo charged; another tab, on the other
    // process, finds that charge instead of making a second one.
    const c = await start(db, key, lease);
    const o2 = order(`TABS3-${randomUUID()}`);
    const s2 = await sessionAt(c.url, key, o2);
    w.sb.faults.set({ target: 'provider-after', kind: 'delay', delayMs: 4000 });
    const lost = w.pay(body(s2, o2, w.bambooToken()), { base: c.url }).catch((e) => ({ error: e }));
    await charged(o2);
    await c.stop('SIGKILL');
    await lost;
    const held = await w.pay(body(s2, o2, w.bambooToken()), { base: b.url });
    assert.deepEqual([held.status, held.body.code], [409, 'attempt_in_progress'], 'the dead holder\'s lease still runs');
    // Once the lease lapsed (polled, not slept: when depends on the last renewal), another tab
    // takes the attempt over, finds Bamboo's charge and records it.
    let other;
    for (const end = Date.now() + 10_000; ;) {
      await sleep(100);
      other = await w.pay(body(s2, o2, w.bambooToken()), { base: b.url });
      if (other.body?.code !== 'attempt_in_progress' || Date.now() > end) break;
    }
    assert.deepEqual([other.status, other.body.code], [409, 'order_already_paid'], other.text);
    assert.equal(w.purchases().filter((p) => p.Order === o2.id).length, 1, 'reconciled, not charged again');
  });

  it('a live owner waiting on a slow provider keeps its attempt: a duplicate waits instead of charging again', async () => {
    const db = freshDatabase();
    const key = `sk_${randomUUID().replaceAll('-', '')}`;
    const lease = { PASARELA_ATTEMPT_LEASE_MS: '2500', PASARELA_PROVIDER_TIMEOUT_MS: '1500' };
    const [a, b] = [await start(db, key, lease), await start(db, key, lease)];
    const o = order(`SLOW-${randomUUID()}`, 5000, 'MXN');
    const r = await w.backend('POST', '/v1/sessions', { provider: 'conekta', order: o }, { key, base: a.url });
    const text = JSON.stringify({ provider: 'conekta', order: o, source: { type: 'token', token: w.conektaToken() }, clientSecret: r.body.clientSecret });
    const idem = randomUUID();
    // Conekta answers each of its three calls (customer, payment source, order) in 1000 ms, each
    // well within the provider timeout (a loaded machine's 50 ms late answer timed out at 700 ms),
    // together longer than the lease: the attempt takes two leases.
    w.sb.faults.set({ target: 'provider-before', kind: 'delay', delayMs: 1000, path: '/conekta/', times: 3 });
    const first = w.pay(text, { key: idem, base: a.url });
    await new Promise((ok) => setTimeout(ok, 1000));
    const second = await w.pay(text, { key: idem, base: b.url });
    const answers = [await first, second];
    assert.deepEqual(answers.map((x) => x.status), [200, 200], answers.map((x) => x.text).join('\n'));
    assert.equal(answers[0].text, answers[1].text, 'one answer');
    assert.equal(w.orders().filter((x) => x.metadata?.order_id === o.id).length, 1, 'one order');
  });

  it('SIGKILL after the provider charged, restart, retry: still one charge', async () => {
    const db = freshDatabase();
    const key = `sk_${randomUUID().replaceAll('-', '')}`;
    const lease = { PASARELA_ATTEMPT_LEASE_MS: '1600', PASARELA_PROVIDER_TIMEOUT_MS: '600' };
    const a = await start(db, key, lease);
    const o = order(`KILL-${randomUUID()}`);
    const s = await sessionAt(a.url, key, o);
    const idem = randomUUID();
    const text = body(s, o, w.bambooToken());
    w.sb.faults.set({ target: 'provider-after', kind: 'delay', delayMs: 4000 }); // Bamboo charges, then answers late
    const lost = w.pay(text, { key: idem, base: a.url }).catch((e) => ({ error: e }));
    await charged(o);
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 1, 'Bamboo charged');
    await a.stop('SIGKILL');
    assert.ok((await lost).error, 'the killed service never answered');
    const b = await start(db, key, lease);
    const retry = await w.pay(text, { key: idem, base: b.url });
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.body.status, 'approved');
    assert.equal(w.purchases().filter((p) => p.Order === o.id).length, 1, 'reconciled, not charged again');
    const again = await w.pay(text, { key: idem, base: b.url });
    assert.equal(again.text, retry.text, 'and replayed from then on');
  });
});
