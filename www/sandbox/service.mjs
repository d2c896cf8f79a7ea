// The sandbox's merchant: the real merchant service (server/, `pasarela-server`), started as a
// child process against the provider emulators, with the storefront's backend in front of it.
//   /merchant/pay, /merchant/pay/{id}   → the service's /pay (the backend opens the session)
//   /merchant/kr/form-token             → a KR session; its formToken
//   /merchant/kr/bin-update             → the service's /kr/bin-update
//   /merchant/pay/{id}/return           → the service's /pay/{id}/return (the providers' way back:
//                                         PASARELA_PUBLIC_URL is here, the checkout's paymentUrl origin)
//   /merchant/pay/payment-methods/{id}[/default] → the service's page routes for saved cards
//   /merchant/customers, /merchant/profiles   test shoppers with saved cards
//   /merchant/session                   the backend's session for a cart (methods, returnUrl, …)
//   /merchant/notify                    the storefront's end of PASARELA_NOTIFY_URL (signed events)
// What a storefront's backend does is here (open a session with the secret key, pass the page
// its client secret); what the merchant service does is in Rust. Tests see the service's own
// records (`GET /v1/payments`) as `charges`, and every request the page sent as `requests`.
import { spawn } from 'node:child_process';
import { mkdtempSync, existsSync, createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readJson, sendJson } from './http.mjs';
import { BAMBOO_PRIVATE_KEY } from './bamboo.mjs';
import { CONEKTA_PRIVATE_KEY, CONEKTA_WEBHOOK_PUBLIC_KEY } from './conekta.mjs';
import { KR_SHOP_ID, KR_PASSWORD, KR_HMAC_KEY } from './kr.mjs';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The binary scripts/build-server.sh builds. */
export const SERVER_BIN = process.env.PASARELA_SERVER_BIN || join(ROOT, 'target/server/pasarela-server');
/** Every service log of a run goes here, for the suite's scan for secrets (tests/node/logs.test.mjs). */
export const LOG_DIR = join(ROOT, 'target/service-logs');

/** The environment that points the service at the emulators of a sandbox on `origin`. */
export function serviceEnv(origin, { databaseUrl, secretKey, listen = '127.0.0.1:0' } = {}) {
  // Short, so that tests of a lapsed lease run quickly; the provider timeout is at least a second
  // shorter, as the service requires (a call ends before its attempt's lease can lapse).
  const lease = Number(process.env.PASARELA_ATTEMPT_LEASE_MS || 3000);
  return {
    PASARELA_LISTEN: listen,
    DATABASE_URL: databaseUrl,
    PASARELA_SECRET_KEY: secretKey,
    PASARELA_ALLOWED_ORIGINS: origin,
    // Browsers reach the service's page routes through the storefront backend (/merchant/…): the
    // providers' way back (3-D Secure, a bank's site) comes there too, so that the challenge's
    // end is posted from the origin of the checkout's paymentUrl (docs/api.md §4).
    PASARELA_PUBLIC_URL: `${origin}/merchant`,
    PASARELA_ATTEMPT_LEASE_MS: String(lease),
    PASARELA_PROVIDER_TIMEOUT_MS: String(Math.min(Math.floor((lease * 2) / 3), lease - 1000)),
    BAMBOO_API_URL: `${origin}/bamboo`, BAMBOO_PRIVATE_KEY, BAMBOO_COUNTRY: 'UY',
    CONEKTA_API_URL: `${origin}/conekta`, CONEKTA_PRIVATE_KEY, CONEKTA_WEBHOOK_KEY: CONEKTA_WEBHOOK_PUBLIC_KEY,
    // Every test client is 127.0.0.1: the per-client limit is off unless a test sets one.
    PASARELA_RATE_LIMIT: process.env.PASARELA_RATE_LIMIT || '0',
    // Tests count provider calls: the background reconciliation of abandoned attempts runs only
    // where a test (or a developer) sets an interval.
    PASARELA_RECONCILE_MS: process.env.PASARELA_RECONCILE_MS || '0',
    LYRA_API_URL: `${origin}/lyra`, LYRA_SHOP_ID: KR_SHOP_ID, LYRA_PASSWORD: KR_PASSWORD, LYRA_HMAC_KEY: KR_HMAC_KEY,
    // Seed 004's AmountUpdateCallback: 10.00 off for Mastercard BIN 59701003, 5.00 off for Amex 37828200.
    LYRA_BIN_DISCOUNTS: '59701003:1000,37828200:500',
  };
}

/** Starts `pasarela-server` and resolves `{ url, process, stop(signal) }` once it listens. */
export async function spawnService(env, { label = 'service' } = {}) {
  if (!existsSync(SERVER_BIN)) throw new Error(`${SERVER_BIN} is missing: build it with \`bash scripts/build-server.sh\` (\`npm run sandbox\` and \`npm start\` do)`);
  mkdirSync(LOG_DIR, { recursive: true });
  const log = createWriteStream(join(LOG_DIR, `${label}-${process.pid}-${Date.now()}.log`));
  const child = spawn(SERVER_BIN, [], { env: { PATH: process.env.PATH, PASARELA_LOG: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.pipe(log);
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('pasarela-server did not start within 20 s')), 20_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`pasarela-server exited with ${code}`)); });
  });
  child.unref();
  return {
    url, process: child,
    stop: (signal = 'SIGTERM') => new Promise((ok) => {
      if (child.exitCode !== null || child.signalCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill(signal);
    }),
  };
}

/**
 * Whether `raw` (the bytes received) is signed by the `Pasarela-Signature` header `header` with
 * `secret`, `t` within five minutes: the README's check ("Notifications to the storefront").
 */
function signedByService(raw, header, secret) {
  let t;
  const signatures = [];
  for (const part of String(header ?? '').split(',')) {
    const [key, value] = part.trim().split('=');
    if (key === 't') t = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(raw).digest();
  return signatures.some((s) => timingSafeEqual(s, expected));
}

/**
 * The installment plans the sandbox shop offers when a page pays without a session of its own:
 * Bamboo's interest-free 3, 6 and 12 (the counts every emulated Bamboo card takes, its profiles'
 * `Installments: "1;3;6;12"`). The service charges only a count its session offered.
 */
const SHOP_INSTALLMENTS = { bamboo: [{ count: 3 }, { count: 6 }, { count: 12 }] };

/** The options a storefront's backend sets on a session (docs/api.md §4), passed as given. */
const SESSION_OPTIONS = ['methods', 'returnUrl', 'bamboo', 'voucherExpiresIn', 'installments', 'expiresIn'];

export async function createService({ bamboo, conekta, kr, faults, origin, databaseUrl }) {
  const secretKey = `sk_sandbox_${randomBytes(12).toString('hex')}`;
  const ownDatabase = !databaseUrl && !process.env.PASARELA_TEST_DATABASE_URL;
  const dbUrl = ownDatabase ? `sqlite://${join(mkdtempSync(join(tmpdir(), 'pasarela-')), 'pasarela.db')}?mode=rwc` : databaseUrl || process.env.PASARELA_TEST_DATABASE_URL;
  // The storefront learns each payment's outcome at /merchant/notify, as a shop's backend does.
  // Only with a database of its own: the events table is the database's, and any service with a
  // notification URL sends every event in it (a shared test database's events belong to the
  // tests that made them, tests/service/notify.test.mjs among them).
  const notifySecret = randomBytes(24).toString('hex');
  const notifyEnv = ownDatabase ? { PASARELA_NOTIFY_URL: `${origin}/merchant/notify`, PASARELA_NOTIFY_SECRET: notifySecret, PASARELA_NOTIFY_RETRY_MS: '1000' } : {};
  const service = await spawnService({ ...serviceEnv(origin, { databaseUrl: dbUrl, secretKey }), ...notifyEnv }, { label: 'sandbox' });
  bamboo.setWebhook(`${service.url}/webhooks/bamboo`);
  conekta.setWebhook(`${service.url}/webhooks/conekta`);
  kr.setIpnUrl(`${service.url}/webhooks/lyra`);

  const backend = async (method, path, body) => {
    const r = await fetch(`${service.url}${path}`, {
      method, headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
    });
    const json = await r.json();
    if (!r.ok) throw Object.assign(new Error(`service ${path}: ${r.status} ${json.error}`), { status: r.status, body: json });
    return json;
  };

  // Per test (reset): the sessions the backend opened, the page's requests, the shoppers.
  let generation = 0, sessions, requests, sessionIds, shoppers;
  // Every signed event that reached /merchant/notify, as delivered (a duplicate delivery is kept:
  // tests count them). Not reset: an event may arrive after its test ended, and tests pick theirs
  // by payment id.
  const notifications = [];
  // The client secret of each payment's session: the backend reads a payment's status for a page
  // that has no secret of its own (GET /pay/{id} takes the session's secret as a Bearer token).
  const secretOf = new Map();
  const reset = () => { generation += 1; sessions = new Map(); requests = []; sessionIds = new Set(); shoppers = new Map(); };
  reset();
  // Customer ids are namespaced per test: the service's database outlives a test.
  const customerRef = (email) => (email ? `t${generation}:${email}` : undefined);

  async function openSession({ provider, order, customer = {}, kr: krOptions, savePaymentMethod, ...rest }) {
    // The demo shop keeps a signed-in shopper's Conekta card (and says so at its checkout);
    // KR's form asks by its formAction, Bamboo enrolls cards apart from paying.
    const save = savePaymentMethod ?? (provider === 'conekta' && customer.email ? 'always' : undefined);
    const options = Object.fromEntries(SESSION_OPTIONS.filter((k) => rest[k] !== undefined).map((k) => [k, rest[k]]));
    const s = await backend('POST', '/v1/sessions', {
      provider, order, kr: krOptions, savePaymentMethod: save, ...options,
      customer: { ...customer, id: customerRef(customer.email) },
    });
    sessionIds.add(s.id);
    return s;
  }

  /** The backend's session for a page's attempt: one per provider, order and customer. */
  async function sessionFor(body) {
    const k = `${body.provider}|${body.order?.id}|${body.order?.amount}|${body.order?.currency}|${body.customer?.email ?? ''}`;
    const kk = `${body.provider}|${body.order?.id}`;
    if (body.provider === 'kr' && sessions.has(kk)) return sessions.get(kk);
    if (!sessions.has(k)) {
      sessions.set(k, openSession({ provider: body.provider, order: body.order, customer: body.customer ?? {}, installments: SHOP_INSTALLMENTS[body.provider] })
        .catch((e) => { sessions.delete(k); throw e; }));
    }
    return sessions.get(k);
  }

  async function forward(req, res, path, body, headers = {}) {
    const r = await fetch(`${service.url}${path}`, { method: req.method, headers: { 'Content-Type': 'application/json', ...headers }, body });
    const text = await r.text();
    const h = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
    if (r.headers.get('retry-after')) h['Retry-After'] = r.headers.get('retry-after');
    return { status: r.status, text, headers: h };
  }

  async function pay(req, res) {
    const key = req.headers['idempotency-key'];
    const body = await readJson(req);
    requests.push({ at: Date.now(), key, body: redact(body), headers: { 'content-type': req.headers['content-type'], 'x-csrf-token': req.headers['x-csrf-token'] } });
    const gen = generation;
    if (await faults.apply('merchant-before', res)) return; // fails before charging
    if (gen !== generation) return res.socket?.destroy(); // a request delayed past a reset belongs to the previous test
    let clientSecret = body?.clientSecret;
    if (!clientSecret && body && typeof body === 'object' && body.order && typeof body.provider === 'string') {
      try { clientSecret = (await sessionFor(body)).clientSecret; } catch (e) { return sendJson(res, e.status ?? 502, e.body ?? { error: String(e) }); }
    }
    const headers = key === undefined ? {} : { 'Idempotency-Key': key };
    const r = await forward(req, res, '/pay', JSON.stringify(body && typeof body === 'object' ? { ...body, clientSecret } : body), headers);
    try { const id = JSON.parse(r.text).paymentId; if (id && clientSecret) secretOf.set(id, clientSecret); } catch { /* not JSON: nothing to remember */ }
    if (await faults.apply('merchant', res)) return; // fails after charging: the retry must not charge again
    res.writeHead(r.status, r.headers);
    res.end(r.text);
  }

  /** A shopper with saved cards, made at the providers, linked to its customer id in the service. */
  async function ensureShopper({ provider, email, firstName = 'Ana', lastName = 'Pérez', cards = [] }) {
    const key = `${provider}:${email}`;
    let s = shoppers.get(key);
    if (!s) {
      s = { email, firstName, lastName, krCards: [] };
      if (provider === 'bamboo') s.bambooId = bamboo.createCustomer({ Email: email, FirstName: firstName, LastName: lastName }).CustomerId;
      shoppers.set(key, s);
    }
    for (const pan of cards) {
      if (provider === 'bamboo') {
        const session = bamboo.customerView(bamboo.customer(s.bambooId)).UniqueID;
        bamboo.tokenize({ key: 'merchant', pan, expMonth: 12, expYear: 2030, cvv: '123', holder: `${firstName} ${lastName}`, sessionId: session });
      } else if (provider === 'conekta') {
        const tok = conekta.tokenize({ publicKey: 'merchant', number: pan, name: `${firstName} ${lastName}`, exp_month: '12', exp_year: '30', cvc: '123' }).token;
        if (s.conektaId) throw new Error('sandbox: add Conekta cards when creating the shopper');
        s.conektaId = conekta.createCustomer({ name: firstName, email, payment_sources: [{ type: 'card', token_id: tok.id }] }, `Bearer ${CONEKTA_PRIVATE_KEY}`).body.id;
      } else if (provider === 'kr') {
        s.krCards.push({ paymentMethodToken: kr.register(pan), brand: pan.startsWith('5') ? 'MASTERCARD' : 'VISA', last4: pan.slice(-4), expiry: '203012' });
      }
    }
    await backend('POST', `/v1/customers/${encodeURIComponent(customerRef(email))}`, {
      bamboo: s.bambooId === undefined ? undefined : String(s.bambooId), conekta: s.conektaId, kr: provider === 'kr' ? s.krCards : [],
    });
    return savedCards(provider, s);
  }

  /** What the storefront passes as `profiles` (and Bamboo's enrollment session): the service's view. */
  async function savedCards(provider, s) {
    const session = await openSession({ provider, order: { id: 'profiles', amount: 100, currency: 'MXN' }, customer: { email: s.email, firstName: s.firstName, lastName: s.lastName } });
    const out = { profiles: session.profiles };
    if (session.bamboo) out.bamboo = session.bamboo;
    return out;
  }

  /** The providers' way back, passed to the service as the browser sent it (form body, Sec-Fetch-Dest). */
  async function passReturn(req, res, id, search) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = {};
    for (const h of ['content-type', 'sec-fetch-dest']) if (req.headers[h]) headers[h] = req.headers[h];
    const r = await fetch(`${service.url}/pay/${encodeURIComponent(id)}/return${search}`, {
      method: req.method, headers, body: req.method === 'POST' ? Buffer.concat(chunks) : undefined, redirect: 'manual',
    });
    const out = {};
    for (const h of ['content-type', 'content-security-policy', 'cache-control', 'location', 'referrer-policy', 'x-content-type-options']) {
      if (r.headers.get(h)) out[h] = r.headers.get(h);
    }
    res.writeHead(r.status, out);
    res.end(Buffer.from(await r.arrayBuffer()));
  }

  async function handle(req, res, url) {
    const p = url.pathname;
    if (p === '/merchant/pay' && req.method === 'POST') return pay(req, res);
    const back = p.match(/^\/merchant\/pay\/([^/]+)\/return$/);
    if (back && (req.method === 'GET' || req.method === 'POST')) return passReturn(req, res, decodeURIComponent(back[1]), url.search);
    const m = p.match(/^\/merchant\/pay\/([^/]+)$/);
    if (m && req.method === 'GET') {
      if (await faults.apply('status', res)) return;
      const secret = secretOf.get(decodeURIComponent(m[1]));
      const auth = req.headers.authorization ?? (secret && `Bearer ${secret}`);
      const r = await forward(req, res, `/pay/${encodeURIComponent(m[1])}`, undefined, auth ? { Authorization: auth } : {});
      res.writeHead(r.status, r.headers);
      return res.end(r.text);
    }
    // Saved cards the shopper manages (`manageProfiles`): the page's `DELETE …/{id}` and
    // `PUT …/{id}/default`, with the session's client secret, passed to the service as they came.
    const card = p.match(/^\/merchant\/pay\/payment-methods\/([^/]+)(\/default)?$/);
    if (card && req.method === (card[2] ? 'PUT' : 'DELETE')) {
      const auth = req.headers.authorization;
      const r = await forward(req, res, `/pay/payment-methods/${card[1]}${card[2] ?? ''}`, undefined, auth ? { Authorization: auth } : {});
      res.writeHead(r.status, r.headers);
      return res.end(r.text);
    }
    if (p === '/merchant/kr/form-token' && req.method === 'POST') {
      const b = (await readJson(req)) || {};
      try {
        const s = await openSession({ provider: 'kr', order: b.order, customer: b.customer ?? {}, kr: b.formAction ? { formAction: b.formAction } : undefined });
        sessions.set(`kr|${b.order?.id}`, Promise.resolve(s));
        return sendJson(res, 200, { formToken: s.kr.formToken });
      } catch (e) { return sendJson(res, e.status ?? 502, e.body ?? { error: String(e) }); }
    }
    if (p === '/merchant/kr/bin-update' && req.method === 'POST') {
      const r = await forward(req, res, '/kr/bin-update', JSON.stringify((await readJson(req)) || {}));
      res.writeHead(r.status, r.headers);
      return res.end(r.text);
    }
    if (p === '/merchant/customers' && req.method === 'POST') return sendJson(res, 200, await ensureShopper((await readJson(req)) || {}));
    if (p === '/merchant/profiles' && req.method === 'GET') {
      const s = shoppers.get(`${url.searchParams.get('provider')}:${url.searchParams.get('email')}`);
      return s ? sendJson(res, 200, await savedCards(url.searchParams.get('provider'), s)) : sendJson(res, 404, { error: 'unknown shopper' });
    }
    if (p === '/merchant/session' && req.method === 'POST') {
      // The backend's session for a cart, as a storefront opens it before rendering its checkout
      // (docs/api.md §4): the page passes its clientSecret, to /merchant/pay or to the service
      // itself (CORS). The cart's options choose what the checkout offers: `methods`,
      // `returnUrl`, Bamboo's `paymentMediaId`, `voucherExpiresIn`, `installments`. One session
      // per cart: the same body again (a reload) is the same session, so an unfinished attempt's
      // key, kept by the page, replays its answer instead of starting another payment.
      const b = (await readJson(req)) || {};
      const cart = `session|${JSON.stringify(b)}`;
      if (!sessions.has(cart)) sessions.set(cart, openSession(b).catch((e) => { sessions.delete(cart); throw e; }));
      try { return sendJson(res, 200, { ...(await sessions.get(cart)), serviceUrl: service.url }); } catch (e) { return sendJson(res, e.status ?? 502, e.body ?? { error: String(e) }); }
    }
    if (p === '/merchant/notify' && req.method === 'POST') {
      // PASARELA_NOTIFY_URL: checked on the raw bytes before parsing (README's snippet).
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const raw = Buffer.concat(chunks);
      if (!signedByService(raw, req.headers['pasarela-signature'], notifySecret)) return sendJson(res, 400, { error: 'bad signature' });
      notifications.push(JSON.parse(raw.toString('utf8')));
      res.writeHead(204);
      return res.end();
    }
    return sendJson(res, 404, { error: 'not found' });
  }

  async function payments() {
    const { data } = await backend('GET', '/v1/payments');
    return data.filter((p) => sessionIds.has(p.sessionId));
  }

  return {
    handle, reset, url: service.url, secretKey, service,
    /** This test's payments as the service recorded them, every status (`GET /v1/payments`). */
    payments,
    /** One payment as the service recorded it (`GET /v1/payments/{id}`), or null. */
    payment: (id) => backend('GET', `/v1/payments/${encodeURIComponent(id)}`).catch(() => null),
    /** Payments that moved money (approved), as the service recorded them. */
    async charges() {
      return (await payments()).filter((p) => p.status === 'approved').reverse()
        .map((p) => ({ id: p.id, provider: p.provider, order: { id: p.orderId, amount: p.amount, currency: p.currency } }));
    },
    requests: () => requests,
    /** The signed events the service POSTed to the storefront (PASARELA_NOTIFY_URL), in arrival order. */
    notifications: () => notifications,
    webhooks: () => conekta.deliveries().map((d) => ({ type: d.label })),
    close: () => service.stop(),
  };
}

/** Never keep token values in the recorded requests (tests assert on shapes, not secrets). */
function redact(body) {
  if (!body || typeof body !== 'object' || !body.source) return body;
  const source = { ...body.source };
  if (source.token) source.token = `${String(source.token).slice(0, 4)}…`;
  return { ...body, source };
}
