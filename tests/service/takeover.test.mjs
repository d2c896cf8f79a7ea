// An attempt that holds an order and was abandoned (its provider call failed, its lease let go) is
// taken over by the next tab: that tab asks the provider whether the attempt charged, and only
// when it did not moves the order to itself and charges. The abandoned attempt's own retry (the
// page kept its key) may come back meanwhile: never may both charge. A KR session (Lyra's form
// charges without holding the order) reconciles such an attempt the same way instead of waiting
// on it forever. An owner whose lease renewals fail stops before charging once its lease could
// lapse during the charge. And the service refuses settings under which a provider call could
// outlast its attempt's lease.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { randomUUID, randomBytes } from 'node:crypto';
import { world, order, freshDatabase, DATABASE } from './helpers.mjs';
import { spawnService, serviceEnv, SERVER_BIN } from '../../www/sandbox/service.mjs';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

describe(`taking over an abandoned attempt that holds its order (${DATABASE})`, () => {
  let w, proxy, proxyUrl;
  const started = [];
  // Between the service and the Bamboo and Conekta emulators (Conekta's calls under /conekta):
  // their charge searches (Bamboo's `GET …/purchase?OrderNumber=`, Conekta's `GET /orders?search=`),
  // what a take-over asks before charging, are counted and held `lookupDelay` ms.
  let lookupDelay = 0;
  let lookups = 0;
  before(async () => {
    w = await world();
    proxy = http.createServer(async (req, res) => {
      res.on('error', () => {});
      try {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        if (req.method === 'GET' && /[?&](OrderNumber|search)=/.test(req.url)) {
          lookups += 1;
          if (lookupDelay) await sleep(lookupDelay);
        }
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)));
        const target = req.url.startsWith('/conekta/') ? `${w.sb.url}${req.url}` : `${w.sb.url}/bamboo${req.url}`;
        const r = await fetch(target, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
        const text = await r.text();
        if (res.destroyed) return; // the service gave up on this call (its provider timeout)
        res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') || 'application/json' });
        res.end(text);
      } catch {
        res.socket?.destroy(); // an answer lost on the way, as the emulator lost it
      }
    });
    await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok));
    proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
  });
  after(async () => {
    for (const s of started) await s.stop('SIGKILL');
    await new Promise((ok) => proxy?.close(ok));
    await w?.close();
  });

  const env = (secretKey, databaseUrl = freshDatabase()) => ({
    ...serviceEnv(w.sb.url, { databaseUrl, secretKey }), BAMBOO_API_URL: proxyUrl, CONEKTA_API_URL: `${proxyUrl}/conekta`,
  });
  /**
   * A service with the sandbox's lease and provider timeout (unless `extra` sets others), its
   * Bamboo and Conekta calls through the proxy; on `databaseUrl` when given.
   */
  const start = async ({ secretKey = `sk_${randomBytes(12).toString('hex')}`, databaseUrl, extra = {} } = {}) => {
    const s = await spawnService({ ...env(secretKey, databaseUrl), ...extra }, { label: 'takeover' });
    started.push(s);
    return { url: s.url, secretKey };
  };
  const mine = (o) => w.purchases().filter((p) => p.Order === o.id);

  /**
   * An order held by an abandoned attempt: Bamboo refused its charge with a 5xx (nothing charged),
   * so the attempt keeps the order and gives its lease up. `again`: the body of its retry (same
   * key, same token); `other()`: another tab's body (a new token).
   */
  const abandoned = async (svc) => {
    const o = order(`TAKEOVER-${randomUUID()}`);
    const s = (await w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: o }, { key: svc.secretKey, base: svc.url })).body;
    const body = (token) => JSON.stringify({ provider: 'bamboo', order: o, source: { type: 'token', token, kind: 'one_time' }, clientSecret: s.clientSecret });
    const key = randomUUID();
    const again = body(w.bambooToken());
    w.sb.faults.set({ target: 'provider-before', kind: 'status', status: 500 });
    const first = await w.pay(again, { key, base: svc.url });
    assert.equal(first.status, 503, first.text);
    assert.equal(mine(o).length, 0);
    return { o, key, again, other: () => body(w.bambooToken()) };
  };

  /** How the service ends when started with `vars` on top of the sandbox's: its exit code and output. */
  const startUp = (vars) => new Promise((ok) => {
    const child = spawn(SERVER_BIN, [], { env: { PATH: process.env.PATH, PASARELA_LOG: 'info', ...env('sk_startup_0123456789'), ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const read = (d) => {
      text += d;
      if (/listening on/.test(text)) child.kill('SIGKILL');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => { clearTimeout(timer); ok({ code, text }); });
  });

  it('refuses to start when the attempt lease is not a second longer than the provider timeout (the sandbox\'s former 3 s / 8 s among them), naming both settings', async () => {
    for (const [lease, timeout] of [['3000', '8000'], ['2000', '2000'], ['3000', '2500']]) {
      const { code, text } = await startUp({ PASARELA_ATTEMPT_LEASE_MS: lease, PASARELA_PROVIDER_TIMEOUT_MS: timeout });
      assert.equal(code, 2, `${lease}/${timeout}: ${text}`);
      assert.match(text, new RegExp(`configuration: PASARELA_ATTEMPT_LEASE_MS: ${lease} ms is not at least 1000 ms longer than PASARELA_PROVIDER_TIMEOUT_MS \\(${timeout} ms\\)`));
    }
  });

  it('a tab reconciling the abandoned attempt waits on a slow lookup, the attempt\'s own retry comes back meanwhile: one charge, the retry answered 409', async () => {
    const svc = await start();
    const { o, key, again, other } = await abandoned(svc);
    // The lookup takes most of the lease (3 s) and nearly the provider timeout (2 s).
    lookupDelay = 1900;
    const seen = lookups;
    const tab = w.pay(other(), { base: svc.url });
    try {
      for (const end = Date.now() + 5000; lookups === seen && Date.now() < end;) await sleep(20);
      await sleep(800);
      const retry = await w.pay(again, { key, base: svc.url });
      const b = await tab;
      assert.deepEqual([b.status, b.body?.status], [200, 'approved'], b.text);
      assert.equal(retry.status, 409, retry.text);
      assert.ok(['attempt_in_progress', 'order_already_paid'].includes(retry.body.code), retry.text);
      if (retry.body.code === 'order_already_paid') assert.equal(retry.body.paymentId, b.body.paymentId);
    } finally {
      lookupDelay = 0;
    }
    assert.equal(mine(o).length, 1, 'charged once');
    const listed = (await w.backend('GET', `/v1/payments?orderId=${o.id}`, undefined, { key: svc.secretKey, base: svc.url })).body.data;
    assert.deepEqual(listed.map((p) => p.status), ['approved']);
  });

  // Postgres only: another client holds the order's row for a while, so that the tab moving the
  // order to itself waits there while the abandoned attempt's retry comes back, and looks Bamboo
  // up slowly (so that its charge would come after the tab's). SQLite has no row locks (a writer
  // holds the whole database: both would wait alike).
  it('the attempt\'s own retry comes back while the order is being moved to the tab that found no charge: one charge', { skip: DATABASE !== 'postgres' && 'needs Postgres row locks' }, async () => {
    const svc = await start();
    const { o, key, again, other } = await abandoned(svc);
    const lock = holdRow(process.env.PASARELA_TEST_DATABASE_URL, `SELECT order_id FROM order_claims WHERE order_id = '${o.id}' FOR UPDATE`, 1.5);
    await lock.locked;
    const seen = lookups;
    const tab = w.pay(other(), { base: svc.url });
    let answers;
    try {
      for (const end = Date.now() + 5000; lookups === seen && Date.now() < end;) await sleep(20);
      await sleep(300);
      // The tab has found no charge and waits on the order's row; the retry's lookup (if it gets
      // to one) ends after the row is free, within the provider timeout (2 s).
      lookupDelay = 1600;
      answers = await Promise.all([tab, w.pay(again, { key, base: svc.url })]);
    } finally {
      lookupDelay = 0;
    }
    await lock.done;
    const text = answers.map((r) => `${r.status} ${r.text}`).join('\n');
    assert.equal(mine(o).length, 1, `charged once:\n${text}`);
    assert.deepEqual(answers.map((r) => r.status), [200, 409], text);
    assert.equal(answers[0].body.status, 'approved', text);
    assert.ok(['attempt_in_progress', 'order_already_paid'].includes(answers[1].body.code), text);
  });

  // Lyra's form charges without POST /pay: a KR session is refused while an attempt holds the
  // order. An attempt that died holding it (its lease lapsed) is reconciled as POST /pay does.
  const krSession = (svc, o) => w.backend('POST', '/v1/sessions', { provider: 'kr', order: o }, { key: svc.secretKey, base: svc.url });
  const formToken = async (svc, clientSecret) => {
    const r = await fetch(`${svc.url}/kr/form-token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ clientSecret }) });
    return { status: r.status, body: await r.json() };
  };

  it('an attempt that died holding the order before charging does not block Lyra\'s form for ever: a KR session asks Bamboo, frees the order and opens', async () => {
    const svc = await start();
    const { o } = await abandoned(svc);
    const seen = lookups;
    const ks = await krSession(svc, o);
    assert.equal(ks.status, 200, JSON.stringify(ks.body));
    assert.ok(ks.body.kr?.formToken);
    assert.equal(lookups, seen + 1, 'Bamboo was asked what the attempt charged');
    const again = await formToken(svc, ks.body.clientSecret);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.formToken, ks.body.kr.formToken);
    assert.equal(mine(o).length, 0);
  });

  it('an attempt whose charge went through but whose answer was lost: 409 with Retry-After while its lease runs, then 409 order_already_paid naming the payment it made', async () => {
    const svc = await start();
    const o = order(`TAKEOVER-KR-${randomUUID()}`);
    const s = (await w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: o }, { key: svc.secretKey, base: svc.url })).body;
    // Bamboo charges and answers after the provider timeout (2 s): the attempt is held 3 s more.
    w.sb.faults.set({ target: 'provider-after', kind: 'delay', delayMs: 4000 });
    const paid = await w.pay(JSON.stringify({ provider: 'bamboo', order: o, source: { type: 'token', token: w.bambooToken(), kind: 'one_time' }, clientSecret: s.clientSecret }), { base: svc.url });
    assert.deepEqual([paid.status, paid.body.code], [503, 'provider_timeout'], paid.text);
    assert.equal(mine(o).length, 1, 'Bamboo charged');
    const held = await krSession(svc, o);
    assert.deepEqual([held.status, held.body.code, held.body.paymentId], [409, 'attempt_in_progress', undefined], JSON.stringify(held.body));
    let r;
    for (const end = Date.now() + 10_000; ;) {
      await sleep(200);
      r = await krSession(svc, o);
      if (r.body?.code !== 'attempt_in_progress' || r.body.paymentId || Date.now() > end) break;
    }
    const listed = (await w.backend('GET', `/v1/payments?orderId=${o.id}`, undefined, { key: svc.secretKey, base: svc.url })).body.data;
    assert.deepEqual(listed.map((p) => p.status), ['approved']);
    assert.deepEqual([r.status, r.body.code, r.body.paymentId], [409, 'order_already_paid', listed[0].id], JSON.stringify(r.body));
    assert.equal(mine(o).length, 1, 'reconciled, not charged again');
  });

  // Postgres only: another client holds the attempt's row, so that its owner's renewals (its
  // database waits bounded at 150 ms) give up while the request taking the lapsed lease over
  // waits for the row. SQLite has no row locks (a writer holds the whole database).
  it('an owner whose renewals fail does not charge with less of its lease left than a provider call may take: the request that takes the lapsed lease over charges, once', { skip: DATABASE !== 'postgres' && 'needs Postgres row locks' }, async () => {
    const databaseUrl = process.env.PASARELA_TEST_DATABASE_URL;
    const secretKey = `sk_${randomBytes(12).toString('hex')}`;
    const timing = { PASARELA_ATTEMPT_LEASE_MS: '5000', PASARELA_PROVIDER_TIMEOUT_MS: '4000' };
    const a = await start({ secretKey, databaseUrl, extra: { ...timing, PASARELA_DB_TIMEOUT_MS: '150' } });
    const b = await start({ secretKey, databaseUrl, extra: timing });
    const o = order(`FENCE-${randomUUID()}`, 5000, 'MXN');
    const s = (await w.backend('POST', '/v1/sessions', { provider: 'conekta', order: o }, { key: secretKey, base: a.url })).body;
    const text = JSON.stringify({ provider: 'conekta', order: o, source: { type: 'token', token: w.conektaToken() }, clientSecret: s.clientSecret });
    const key = randomUUID();
    const made = () => w.orders().filter((x) => x.metadata?.order_id === o.id);
    // The token became a card, Conekta refused the order (500): nothing charged, the attempt
    // keeps its card and lets its lease go.
    w.sb.faults.set({ target: 'provider-before', kind: 'status', status: 500 });
    const first = await w.pay(text, { key, base: a.url });
    assert.equal(first.status, 503, first.text);
    // The retry on A takes the attempt over and looks for its charge 3.9 s (of a 5 s lease)...
    lookupDelay = 3900;
    const seen = lookups;
    const retryA = w.pay(text, { key, base: a.url });
    let answers;
    try {
      for (const end = Date.now() + 5000; lookups === seen && Date.now() < end;) await sleep(20);
    } finally {
      lookupDelay = 0;
    }
    // ...while the attempt's row is held 5.8 s: A's renewals give up, its lease runs out. A
    // charge sent meanwhile reaches Conekta 3 s late, after B (the same key on another process,
    // waiting for the lapse and then for the row) took the attempt over and found no charge.
    const lock = holdRow(databaseUrl, `SELECT idempotency_key FROM attempts WHERE idempotency_key = '${key}' FOR UPDATE`, 5.8);
    await lock.locked;
    w.sb.faults.set({ target: 'provider-before', kind: 'delay', delayMs: 3000 });
    answers = await Promise.all([retryA, w.pay(text, { key, base: b.url })]);
    await lock.done;
    const [ra, rb] = answers;
    const told = `A: ${ra.status} ${ra.text}\nB: ${rb.status} ${rb.text}`;
    assert.equal(made().length, 1, `charged once:\n${told}`);
    assert.deepEqual([rb.status, rb.body.status], [200, 'approved'], told);
    assert.ok([409, 503].includes(ra.status), `A stopped before charging:\n${told}`);
  });

  // Nobody comes back: the provider's answer was lost and the shopper closed the tab. The
  // background reconciliation (PASARELA_RECONCILE_MS) finds what the attempt did at its provider.
  const reconciling = { PASARELA_RECONCILE_MS: '300' };
  const until = async (what, f, ms = 15_000) => {
    for (const end = Date.now() + ms; ;) {
      const v = await f();
      if (v) return v;
      assert.ok(Date.now() < end, `waited ${ms} ms for ${what}`);
      await sleep(100);
    }
  };

  it('an attempt whose charge went through and nobody came back for: recorded in the background, the storefront notified, its key replays the payment', async () => {
    const svc = await start({ extra: reconciling });
    const o = order(`RECONCILE-${randomUUID()}`);
    const s = (await w.backend('POST', '/v1/sessions', { provider: 'bamboo', order: o }, { key: svc.secretKey, base: svc.url })).body;
    const body = JSON.stringify({ provider: 'bamboo', order: o, source: { type: 'token', token: w.bambooToken(), kind: 'one_time' }, clientSecret: s.clientSecret });
    const key = randomUUID();
    // Bamboo charges and answers after the provider timeout (2 s): the answer is lost.
    w.sb.faults.set({ target: 'provider-after', kind: 'delay', delayMs: 4000 });
    const paid = await w.pay(body, { key, base: svc.url });
    assert.deepEqual([paid.status, paid.body.code], [503, 'provider_timeout'], paid.text);
    assert.equal(mine(o).length, 1, 'Bamboo charged');
    const listed = await until('the payment', async () => {
      const r = await w.backend('GET', `/v1/payments?orderId=${o.id}`, undefined, { key: svc.secretKey, base: svc.url });
      return r.body.data.length ? r.body.data : undefined;
    });
    assert.deepEqual(listed.map((p) => p.status), ['approved']);
    // Every event on this database, page after page (on Postgres the other tests' too).
    const events = [];
    for (let after = '', more = true; more;) {
      const page = (await w.backend('GET', `/v1/events?limit=100${after && `&after=${after}`}`, undefined, { key: svc.secretKey, base: svc.url })).body;
      events.push(...page.data);
      [after, more] = [page.data.at(-1)?.id, page.hasMore && page.data.length > 0];
    }
    const told = events.filter((e) => e.data.orderId === o.id);
    assert.deepEqual(told.map((e) => [e.type, e.data.paymentId, e.data.status]), [['payment.updated', listed[0].id, 'approved']]);
    const replay = await w.pay(body, { key, base: svc.url });
    assert.deepEqual([replay.status, replay.body.status, replay.body.paymentId], [200, 'approved', listed[0].id], replay.text);
    assert.equal(mine(o).length, 1, 'charged once');
  });

  it('an attempt that charged nothing and nobody came back for: its order is let go in the background, the next tab charges without reconciling', async () => {
    const svc = await start({ extra: reconciling });
    const seen = lookups;
    const { o, other } = await abandoned(svc);
    await until('the background lookup', () => lookups > seen);
    // The lookup found no charge: the order's claim goes with it (looked at right after).
    await sleep(300);
    const looked = lookups;
    const next = await w.pay(other(), { base: svc.url });
    assert.deepEqual([next.status, next.body.status], [200, 'approved'], next.text);
    assert.equal(lookups, looked, 'the next tab asked Bamboo nothing');
    assert.equal(mine(o).length, 1);
  });
});

/** Holds the row `select … FOR UPDATE` picks for `seconds` in a transaction of its own (psql). */
function holdRow(url, select, seconds) {
  const psql = spawn('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const locked = new Promise((ok, fail) => {
    psql.stdout.on('data', (d) => { out += d; if (out.includes('locked')) ok(); });
    psql.stderr.on('data', (d) => { out += d; });
    psql.on('error', fail);
    psql.on('exit', (code) => fail(new Error(`psql ended (${code}) before locking: ${out}`)));
  });
  const done = new Promise((ok) => psql.on('exit', ok));
  psql.stdin.end(`BEGIN;\n${select};\n\\echo locked\nSELECT pg_sleep(${seconds});\nCOMMIT;\n`);
  return { locked, done };
}
