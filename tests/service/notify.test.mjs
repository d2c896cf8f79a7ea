// The storefront learns the outcome (docs/api.md §4, README "Notifications to the storefront"):
// every payment state change is an event POSTed to PASARELA_NOTIFY_URL, signed, retried with
// back-off until a 2xx, stored before it is sent (a SIGKILL or SIGTERM loses none), delivered
// once or more with the same id but never by two processes at once, and listed by
// GET /v1/events?after=. A tiny HTTP server here plays the storefront's backend; the signature is
// checked by the README's own snippet, taken from the README.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { world, order, freshDatabase, DATABASE } from './helpers.mjs';
import { spawnService, serviceEnv, LOG_DIR } from '../../www/sandbox/service.mjs';
import { BAMBOO_PRIVATE_KEY } from '../../www/sandbox/bamboo.mjs';
import { conektaDigest } from '../../www/sandbox/conekta.mjs';

const SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** `verifyPasarela` exactly as the README gives it: its ```js block, loaded as a module. */
async function readmeVerifier() {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]).find((code) => code.includes('export function verifyPasarela'));
  assert.ok(block, 'the README has the verification snippet');
  const file = join(mkdtempSync(join(tmpdir(), 'pasarela-readme-')), 'verify.mjs');
  writeFileSync(file, block);
  return (await import(pathToFileURL(file).href)).verifyPasarela;
}

/** A free port: listened on, then closed (a backend that is down). */
async function freePort() {
  const s = http.createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/**
 * The storefront's backend: records every delivery (raw body, signature, times) and answers what
 * `respond(delivery)` says (`{ status, delayMs }`, default 200 at once). Tracks deliveries of one
 * event in flight at the same time (`overlaps`).
 */
async function storefront(port = 0) {
  const got = [];
  const inFlight = new Map();
  const overlaps = [];
  let respond = () => ({ status: 200 });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      let body;
      try { body = JSON.parse(raw.toString('utf8')); } catch { body = undefined; }
      const d = { at: Date.now(), raw, body, id: body?.id, signature: req.headers['pasarela-signature'], contentType: req.headers['content-type'], method: req.method };
      got.push(d);
      const n = (inFlight.get(d.id) ?? 0) + 1;
      inFlight.set(d.id, n);
      if (n > 1) overlaps.push(d.id);
      const { status = 200, delayMs = 0 } = (await respond(d)) ?? {};
      if (delayMs) await sleep(delayMs);
      inFlight.set(d.id, inFlight.get(d.id) - 1);
      d.status = status;
      d.done = Date.now();
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/pasarela/events`,
    got, overlaps,
    set respond(fn) { respond = fn; },
    /** Deliveries of the events of `paymentId`. */
    of: (paymentId) => got.filter((d) => d.body?.data?.paymentId === paymentId),
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
  };
}

async function until(what, check, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe(`notifications to the storefront (${DATABASE})`, () => {
  let w, verify, backend;
  const started = [];
  const timings = [];
  before(async () => {
    w = await world();
    verify = await readmeVerifier();
    backend = await storefront();
  });
  // Each test's services end with it: on a shared Postgres, a service left running would deliver
  // the next test's events.
  afterEach(async () => { for (const s of started.splice(0)) await s.stop('SIGKILL'); });
  after(async () => {
    await backend?.close();
    await w?.close();
    if (timings.length) console.log(`# notify timings (${DATABASE}): ${timings.join('; ')}`);
  });

  const start = async ({ databaseUrl = freshDatabase(), secretKey = `sk_${randomUUID().replaceAll('-', '')}`, url = backend.url, env = {} } = {}) => {
    const s = await spawnService({
      ...serviceEnv(w.sb.url, { databaseUrl, secretKey }),
      PASARELA_NOTIFY_URL: url, PASARELA_NOTIFY_SECRET: SECRET, PASARELA_NOTIFY_RETRY_MS: '100', ...env,
    }, { label: 'notify' });
    started.push(s);
    return { ...s, databaseUrl, secretKey, url: s.url };
  };
  const api = (svc) => ({
    get: async (path) => {
      const r = await fetch(`${svc.url}${path}`, { headers: { Authorization: `Bearer ${svc.secretKey}` } });
      return { status: r.status, body: await r.json() };
    },
    /** A Bamboo payment of a new order with `pan`; its answer. */
    pay: async (pan = '4111111111111111', o = order(`NOTE-${randomUUID()}`)) => {
      const s = await w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: o }, { key: svc.secretKey, base: svc.url });
      assert.equal(s.status, 200, JSON.stringify(s.body));
      const sentAt = Date.now();
      const r = await w.pay({ provider: 'bamboo', order: o, source: { type: 'token', token: w.bambooToken(pan), kind: 'one_time' }, installments: 1, customer: {}, clientSecret: s.body.clientSecret }, { base: svc.url });
      assert.equal(r.status, 200, r.text);
      return { ...r.body, order: o, clientSecret: s.body.clientSecret, sentAt, answeredAt: Date.now() };
    },
  });
  /** Every event of the service's database, paging by `after` (`limit` each). */
  const allEvents = async (svc, limit = 100, after) => {
    const out = [];
    for (;;) {
      const q = new URLSearchParams({ limit: String(limit), ...(after && { after }) });
      const r = await api(svc).get(`/v1/events?${q}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      out.push(r.body);
      if (!r.body.hasMore) return out;
      after = r.body.data.at(-1).id;
    }
  };

  it('a payment makes one event, delivered signed (the README snippet verifies it), its data the payment as GET /v1/payments/{id} reads it', async () => {
    backend.respond = () => ({ status: 200 });
    const svc = await start();
    const paid = await api(svc).pay();
    assert.equal(paid.status, 'approved');
    const [d] = await until('the delivery', () => backend.of(paid.paymentId).length && backend.of(paid.paymentId));
    timings.push(`first delivery ${d.at - paid.sentAt} ms after POST /pay was sent (its answer: ${paid.answeredAt - paid.sentAt} ms)`);
    assert.equal(d.method, 'POST');
    assert.equal(d.contentType, 'application/json');
    assert.match(d.signature, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.ok(verify(d.raw, d.signature, SECRET), 'the README snippet accepts it');
    assert.ok(!verify(d.raw, d.signature, `${SECRET}x`), 'not under another secret');
    assert.ok(!verify(Buffer.from(d.raw.toString().replace('approved', 'declined')), d.signature, SECRET), 'not another body');
    const t = Number(d.signature.match(/t=(\d+)/)[1]);
    const mac = createHmac('sha256', SECRET).update(`${t}.${d.raw.toString('utf8')}`).digest('hex');
    assert.equal(d.signature, `t=${t},v1=${mac}`, 'Stripe\'s scheme: HMAC-SHA256 of "<t>.<raw body>"');
    assert.ok(Math.abs(Date.now() / 1000 - t) < 30);

    assert.deepEqual(Object.keys(d.body), ['id', 'type', 'created', 'data']);
    assert.match(d.body.id, /^evt_[A-Za-z0-9]{24}$/);
    assert.equal(d.body.type, 'payment.updated');
    assert.ok(Number.isInteger(d.body.created) && Math.abs(d.body.created - Date.now() / 1000) < 30);
    const record = await api(svc).get(`/v1/payments/${paid.paymentId}`);
    assert.equal(record.status, 200);
    assert.equal(record.body.id, paid.paymentId);
    assert.deepEqual(d.body.data, { paymentId: record.body.id, orderId: record.body.orderId, status: record.body.status });
    assert.deepEqual(d.body.data, { paymentId: paid.paymentId, orderId: paid.order.id, status: 'approved' });

    await sleep(400);
    assert.equal(backend.of(paid.paymentId).length, 1, 'one event, delivered once (a 2xx ends it)');
    const listed = (await allEvents(svc)).flatMap((p) => p.data).filter((e) => e.data.paymentId === paid.paymentId);
    assert.deepEqual(listed, [d.body], 'GET /v1/events lists the event as it was sent');

    assert.equal((await api(svc).get('/v1/payments/pay_000000000000000000000000')).status, 404);
    assert.equal((await api(svc).get('/v1/payments/nope')).status, 404);
    assert.equal((await fetch(`${svc.url}/v1/payments/${paid.paymentId}`)).status, 401, 'the secret key');
    const metrics = await (await fetch(`${svc.url}/metrics`, { headers: { Authorization: `Bearer ${svc.secretKey}` } })).text();
    assert.match(metrics, /pasarela_notifications_total\{outcome="delivered"\} [1-9]/);
    assert.match(metrics, DATABASE === 'sqlite' ? /pasarela_notifications_pending 0/ : /pasarela_notifications_pending \d+/);
  });

  it('a backend answering 500 three times, then 200, gets the same event each time, at growing gaps', async () => {
    const svc = await start();
    const o = order(`RETRY-${randomUUID()}`);
    const tries = new Map();
    backend.respond = (d) => {
      if (d.body?.data?.orderId !== o.id) return { status: 200 };
      const n = (tries.get(d.id) ?? 0) + 1;
      tries.set(d.id, n);
      return { status: n <= 3 ? 500 : 200 };
    };
    const paid = await api(svc).pay(undefined, o);
    const ds = await until('four deliveries', () => backend.of(paid.paymentId).length >= 4 && backend.of(paid.paymentId));
    assert.deepEqual(ds.map((d) => d.status), [500, 500, 500, 200]);
    assert.equal(new Set(ds.map((d) => d.id)).size, 1, 'one event id');
    assert.equal(new Set(ds.map((d) => d.raw.toString())).size, 1, 'the same body, byte for byte');
    assert.ok(ds.every((d) => verify(d.raw, d.signature, SECRET)));
    const gaps = ds.slice(1).map((d, i) => d.at - ds[i].done);
    timings.push(`retry gaps after 500s (PASARELA_NOTIFY_RETRY_MS=100): ${gaps.join(', ')} ms`);
    assert.ok(gaps[0] >= 90, `the first retry waits PASARELA_NOTIFY_RETRY_MS: ${gaps}`);
    assert.ok(gaps[1] >= 190 && gaps[2] >= 390, `doubling: ${gaps}`);
    assert.ok(gaps[0] < gaps[1] && gaps[1] < gaps[2], `growing: ${gaps}`);
    assert.ok(gaps[2] < 2500, `not much later than due: ${gaps}`);
    await sleep(300);
    assert.equal(backend.of(paid.paymentId).length, 4, 'delivered: no more tries');
  });

  for (const signal of ['SIGKILL', 'SIGTERM']) {
    it(`${signal}: an event the backend could not take (down) is delivered by the service restarted on the same database`, async () => {
      backend.respond = () => ({ status: 200 });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/pasarela/events`;
      const first = await start({ url });
      const paid = await api(first).pay();
      // Refused at least once: the backend is down.
      await sleep(400);
      const stopped = Date.now();
      await first.stop(signal);
      timings.push(`${signal} stop took ${Date.now() - stopped} ms`);
      const down = await storefront(port);
      try {
        const again = await start({ url, databaseUrl: first.databaseUrl, secretKey: first.secretKey });
        const restarted = Date.now();
        const [d] = await until('the delivery after the restart', () => down.of(paid.paymentId).length && down.of(paid.paymentId));
        timings.push(`${signal}: delivered ${d.at - restarted} ms after the restart`);
        assert.ok(verify(d.raw, d.signature, SECRET));
        assert.deepEqual(d.body.data, { paymentId: paid.paymentId, orderId: paid.order.id, status: 'approved' });
        const listed = (await allEvents(again)).flatMap((p) => p.data).filter((e) => e.data.paymentId === paid.paymentId);
        assert.deepEqual(listed.map((e) => e.id), [d.id], 'the event stored before the stop, one');
        await sleep(300);
        assert.equal(down.of(paid.paymentId).length, 1);
        await again.stop('SIGKILL');
      } finally {
        await down.close();
      }
    });
  }

  it('GET /v1/events?after= pages through events in creation order, with hasMore', async () => {
    backend.respond = () => ({ status: 200 });
    const svc = await start();
    // Where the database's events end now (a shared Postgres holds other files' events).
    const before = (await allEvents(svc)).flatMap((p) => p.data).at(-1)?.id;
    const paid = [];
    for (let i = 0; i < 5; i++) paid.push(await api(svc).pay());
    const pages = await allEvents(svc, 2, before);
    assert.deepEqual(pages.map((p) => [p.data.length, p.hasMore]), [[2, true], [2, true], [1, false]]);
    const events = pages.flatMap((p) => p.data);
    assert.deepEqual(events.map((e) => e.data.paymentId), paid.map((p) => p.paymentId), 'creation order');
    assert.equal(new Set(events.map((e) => e.id)).size, 5);
    assert.ok(events.every((e, i) => i === 0 || e.created >= events[i - 1].created));
    await until('their deliveries', () => paid.every((p) => backend.of(p.paymentId).length === 1));
    assert.deepEqual(paid.map((p) => backend.of(p.paymentId)[0].body), events, 'listed as delivered');
    const last = await api(svc).get(`/v1/events?after=${events.at(-1).id}`);
    assert.deepEqual(last, { status: 200, body: { data: [], hasMore: false } });
    for (const [q, field] of [['after=evt_nope', 'after'], [`after=evt_${'0'.repeat(24)}`, 'after'], ['limit=0', 'limit'], ['limit=101', 'limit']]) {
      const r = await api(svc).get(`/v1/events?${q}`);
      assert.deepEqual([r.status, r.body.field], [422, field], q);
    }
    assert.equal((await api(svc).get('/v1/events?limit=x')).status, 400);
    assert.equal((await fetch(`${svc.url}/v1/events`)).status, 401, 'the secret key');
  });

  it('a webhook that settles a pending payment makes a second event for it; a refresh that finds the same status, and a duplicate webhook, make none', async () => {
    backend.respond = () => ({ status: 200 });
    const svc = await start();
    // Bamboo's verification-code card: pending until the shopper's code settles it at Bamboo.
    const paid = await api(svc).pay('4000000000003063');
    assert.equal(paid.status, 'pending', JSON.stringify(paid));
    const [first] = await until('the pending event', () => backend.of(paid.paymentId).length && backend.of(paid.paymentId));
    assert.deepEqual(first.body.data, { paymentId: paid.paymentId, orderId: paid.order.id, status: 'pending' });
    // The page polls: the provider still says pending, nothing changed, no event.
    const read = await fetch(`${svc.url}/pay/${paid.paymentId}`, { headers: { Authorization: `Bearer ${paid.clientSecret}` } });
    assert.equal((await read.json()).status, 'pending');

    const purchase = w.purchases().find((p) => p.Order === paid.order.id);
    w.sb.providers.bamboo.captureAction({ sessionId: purchase.CommerceAction.ActionSessionId, cvv: '123' });
    const n = { PurchaseId: purchase.PurchaseId, Order: paid.order.id, Amount: purchase.Amount, Currency: purchase.Currency, Transaction: { Status: 'Approved' } };
    const dateSent = new Date().toISOString();
    const signature = createHmac('sha256', BAMBOO_PRIVATE_KEY).update(`${n.PurchaseId}${n.Amount}${n.Currency}${dateSent}`).digest('hex');
    const hook = () => fetch(`${svc.url}/webhooks/bamboo`, { method: 'POST', headers: { 'Content-Type': 'application/json', dateSent, signature }, body: JSON.stringify(n) });
    const hooked = Date.now();
    assert.equal((await hook()).status, 200);
    const ds = await until('the settled event', () => backend.of(paid.paymentId).length >= 2 && backend.of(paid.paymentId));
    timings.push(`webhook → storefront ${ds[1].at - hooked} ms`);
    const record = (await api(svc).get(`/v1/payments/${paid.paymentId}`)).body;
    assert.deepEqual(ds[1].body.data, { paymentId: record.id, orderId: record.orderId, status: 'approved' });
    assert.notEqual(ds[1].id, ds[0].id, 'another event');
    assert.ok(ds[1].body.created >= ds[0].body.created);
    assert.equal((await (await hook()).json()).duplicate, true);
    await sleep(400);
    assert.deepEqual(backend.of(paid.paymentId).map((d) => d.body.data.status), ['pending', 'approved'], 'two changes, two events, in order');
    const listed = (await allEvents(svc)).flatMap((p) => p.data).filter((e) => e.data.paymentId === paid.paymentId);
    assert.deepEqual(listed.map((e) => e.id), ds.map((d) => d.id));
  });

  it('a voucher: pending with data.voucher as POST /pay answered it, then approved (paid at the store) or expired, by webhook; the reference is never logged', async () => {
    backend.respond = () => ({ status: 200 });
    const svc = await start();
    const conektaHook = async (orderId, type) => {
      const text = JSON.stringify({ id: `evt_${randomUUID()}`, type, data: { object: { id: orderId } } });
      const r = await fetch(`${svc.url}/webhooks/conekta`, { method: 'POST', headers: { 'Content-Type': 'application/json', digest: conektaDigest(text) }, body: text });
      assert.equal(r.status, 200, await r.text());
    };
    const settle = async (id, outcome) => {
      const r = await fetch(`${w.sb.url}/__sandbox/settle`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ provider: 'conekta', id, outcome }) });
      assert.equal(r.status, 200, await r.text());
    };
    const references = [];
    for (const [type, outcome, final] of [['cash', 'paid', 'approved'], ['bank_transfer', 'expired', 'expired']]) {
      const o = order(`VOUCHER-${randomUUID()}`, 20000, 'MXN');
      const s = await w.backend('POST', '/v1/sessions', { provider: 'conekta', order: o, methods: [type], customer: { email: 'ana@example.com', firstName: 'Ana', lastName: 'Pérez', phone: '5512345678' } }, { key: svc.secretKey, base: svc.url });
      assert.equal(s.status, 200, JSON.stringify(s.body));
      const r = await w.pay({ provider: 'conekta', order: o, source: { type }, installments: 1, customer: {}, clientSecret: s.body.clientSecret }, { base: svc.url });
      assert.equal(r.body?.action?.type, 'voucher', r.text);
      references.push(r.body.action.voucher.reference ?? r.body.action.voucher.clabe);
      const [first] = await until('the pending event', () => backend.of(r.body.paymentId).length && backend.of(r.body.paymentId));
      assert.deepEqual(first.body.data, { paymentId: r.body.paymentId, orderId: o.id, status: 'pending', voucher: r.body.action.voucher });
      const made = w.orders().find((x) => x.metadata?.order_id === o.id);
      await settle(made.id, outcome);
      await conektaHook(made.id, `order.${outcome}`);
      const ds = await until(`the ${final} event`, () => backend.of(r.body.paymentId).length >= 2 && backend.of(r.body.paymentId));
      assert.deepEqual(ds[1].body.data, { paymentId: r.body.paymentId, orderId: o.id, status: final }, 'no voucher once it is not pending');
      assert.ok(verify(ds[1].raw, ds[1].signature, SECRET));
    }
    const logs = readdirSync(LOG_DIR).filter((f) => f.startsWith(`notify-${process.pid}-`)).map((f) => readFileSync(join(LOG_DIR, f), 'utf8')).join('\n');
    for (const ref of references) assert.ok(ref && !logs.includes(ref), 'the voucher reference is not in the service logs');
  });

  it('two processes on one database deliver each event once or more, never both at once (a slow backend that fails first tries)', async () => {
    const databaseUrl = freshDatabase();
    const secretKey = `sk_${randomUUID().replaceAll('-', '')}`;
    const a = await start({ databaseUrl, secretKey });
    const b = await start({ databaseUrl, secretKey });
    const tag = `TWO-${randomUUID()}`;
    const firstTry = new Set();
    // 300 ms per answer; each of this test's events fails its first try, so the retry is up for
    // grabs by either process.
    backend.respond = (d) => {
      if (!String(d.body?.data?.orderId).startsWith(tag)) return { status: 200 };
      if (!firstTry.has(d.id)) { firstTry.add(d.id); return { status: 503, delayMs: 300 }; }
      return { status: 200, delayMs: 300 };
    };
    const overlapsBefore = backend.overlaps.length;
    const paid = await Promise.all(Array.from({ length: 10 }, (_, i) => api(i % 2 ? a : b).pay(undefined, order(`${tag}-${i}`))));
    await until('every event delivered', () => paid.every((p) => backend.of(p.paymentId).some((d) => d.status === 200)), 30_000);
    await sleep(1000);
    const per = paid.map((p) => backend.of(p.paymentId));
    assert.deepEqual(backend.overlaps.slice(overlapsBefore), [], 'no event posted by both processes at once');
    assert.ok(per.every((ds) => new Set(ds.map((d) => d.id)).size === 1), 'one event per payment');
    assert.ok(per.every((ds) => ds.filter((d) => d.status === 200).length >= 1));
    const counts = per.map((ds) => ds.length);
    timings.push(`two processes: tries per event ${counts.join(',')}`);
    assert.ok(counts.every((c) => c === 2), `a 503 then a 200 each, no duplicate: ${counts}`);
  });
});
