// Emulated Conekta: the checkout component's assets and the REST API (seed 003, FLOWS.md, the
// public OpenAPI spec conekta/openapi). Paths live under /conekta:
//   GET  /conekta/v1.0/js/conekta-checkout.min.js    the component's loader
//   GET  /conekta/assets/component/4.8.0/lib/component-static.min.js   the component itself
//   GET  /conekta/assets/checkout/img/cards.svg      an image of the component's
//   POST /conekta/tokens                             component → tokenizer (public key; guess: shape of the real one)
//   POST /conekta/customers, POST /conekta/orders, GET /conekta/orders/{id}   API (Bearer private key)
// Webhooks `order.paid`, `order.pending_payment`, `order.declined` are delivered to the listener
// the merchant registers (`onWebhook`), as Conekta POSTs them to the merchant's endpoint.
import { generateKeyPairSync, randomBytes, sign as rsaSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { alnumId, brandOf, luhn, notExpired, randomId } from './cards.mjs';
import { readJson, sendJson } from './http.mjs';
import { createDeliverer } from './deliver.mjs';

const ASSETS = fileURLToPath(new URL('../emulators/conekta/', import.meta.url));
export const CONEKTA_PRIVATE_KEY = 'key_sandbox_private';

// Conekta signs each webhook delivery: header `digest` = base64 RSA-SHA256 (PKCS#1 v1.5) of the
// raw body under the key pair whose public half the merchant downloads (`GET /webhook_keys`,
// `public_key`; docs/providers/conekta.md, "Webhooks"). One pair per emulator process.
const WEBHOOK_KEYS = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const CONEKTA_WEBHOOK_PUBLIC_KEY = WEBHOOK_KEYS.publicKey.export({ type: 'spki', format: 'pem' });
/** The `digest` header of a body, as Conekta computes it. */
export const conektaDigest = (text, key = WEBHOOK_KEYS.privateKey) => rsaSign('sha256', Buffer.from(text), key).toString('base64');
/** How long a 3-D Secure test card stays `pending_payment` before the emulator settles it. */
export const PENDING_SETTLE_MS = 1500;

// Test cards (FLOWS.md): 4242… approves, …0127 insufficient funds; the 3-D Secure cards stay
// pending_payment and settle later through a webhook (emulator rule: …2701 → paid, …1091 → declined).
const CARDS = {
  '4000000000000127': { status: 'declined', code: 'conekta.errors.processing.charge.card_payment.insufficient_funds', message: 'Fondos insuficientes.' },
  '4000000000000002': { status: 'declined', code: 'conekta.errors.processing.charge.card_payment.declined', message: 'La tarjeta fue declinada.' },
  '4000000000002701': { status: 'pending_payment', settle: 'paid' },
  '4000000000001091': { status: 'pending_payment', settle: 'declined' },
};

const error = (status, type, code, message, param = null) => ({
  status, body: { object: 'error', type, log_id: randomId(12), details: [{ code, param, message, debug_message: message }] },
});

export function createConekta() {
  let tokens, customers, orders, listeners = [];
  const hooks = createDeliverer();
  const reset = () => { tokens = new Map(); customers = new Map(); orders = new Map(); hooks.reset(); };
  reset();

  function tokenize({ publicKey, number, name, exp_month, exp_year, cvc }) {
    const pan = String(number || '').replace(/\s+/g, '');
    // The tokenizer's error shape (Conekta's tokenizer docs): nothing at the top level but
    // object, type and log_id; the messages are in details[].
    const fail = (code, message, param) => ({ error: { object: 'error', type: 'parameter_validation_error', log_id: randomId(12),
      details: [{ code, param, message, debug_message: message }] } });
    if (!publicKey) return fail('conekta.errors.authentication.missing_key', 'Llave pública inválida.', null);
    if (!luhn(pan)) return fail('conekta.errors.parameter_validation.card.number', 'El número de tarjeta es inválido.', 'card[number]');
    if (!/^\d{3,4}$/.test(String(cvc || ''))) return fail('conekta.errors.parameter_validation.card.cvc', 'El código de seguridad (CVC) es inválido.', 'card[cvc]');
    const y = Number(exp_year) < 100 ? 2000 + Number(exp_year) : Number(exp_year);
    if (!notExpired(Number(exp_month), y)) return fail('conekta.errors.parameter_validation.card.expiration', 'La fecha de expiración es inválida.', 'card[exp_month]');
    const id = `tok_${alnumId()}`;
    tokens.set(id, { id, pan, name: name || '', exp_month: String(exp_month), exp_year: String(y), used: false, created: Date.now() });
    return { token: { id, object: 'token', used: false, livemode: false } };
  }

  function authorized(auth) { return auth === `Bearer ${CONEKTA_PRIVATE_KEY}`; }

  /** POST /customers with payment_sources [{ type: 'card', token_id }]. */
  function createCustomer(body, auth) {
    if (!authorized(auth)) return error(401, 'authentication_error', 'conekta.errors.authentication.missing_key', 'Acceso no autorizado.');
    const sources = [];
    for (const s of body.payment_sources || []) {
      const t = tokens.get(s.token_id);
      if (!t) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.token.invalid', 'El token no existe.', 'payment_sources.token_id');
      if (t.used) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.token.already_used', 'El token ya fue utilizado.', 'payment_sources.token_id');
      t.used = true;
      sources.push({ id: `src_${alnumId()}`, object: 'payment_source', type: 'card', created_at: Math.floor(Date.now() / 1000),
        last4: t.pan.slice(-4), bin: t.pan.slice(0, 6), brand: brandOf(t.pan).toLowerCase(), exp_month: t.exp_month, exp_year: t.exp_year.slice(-2),
        name: t.name, default: sources.length === 0, pan: t.pan });
    }
    const c = { id: `cus_${alnumId()}`, object: 'customer', livemode: false, name: body.name, email: body.email, created_at: Math.floor(Date.now() / 1000),
      default_payment_source_id: sources[0]?.id ?? null, payment_sources: { object: 'list', has_more: false, data: sources } };
    customers.set(c.id, c);
    return { status: 200, body: view(c) };
  }

  /** POST /customers/{id}/payment_sources: one more card for an existing customer. */
  function addSource(id, body, auth) {
    if (!authorized(auth)) return error(401, 'authentication_error', 'conekta.errors.authentication.missing_key', 'Acceso no autorizado.');
    const c = customers.get(id);
    if (!c) return error(404, 'resource_not_found_error', 'conekta.errors.resource_not_found.entity', 'El cliente no existe.');
    const t = tokens.get(body.token_id);
    if (!t) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.token.invalid', 'El token no existe.', 'token_id');
    if (t.used) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.token.already_used', 'El token ya fue utilizado.', 'token_id');
    t.used = true;
    const src = { id: `src_${alnumId()}`, object: 'payment_source', type: 'card', created_at: Math.floor(Date.now() / 1000), parent_id: c.id,
      last4: t.pan.slice(-4), bin: t.pan.slice(0, 6), brand: brandOf(t.pan).toLowerCase(), exp_month: t.exp_month, exp_year: t.exp_year.slice(-2),
      name: t.name, default: c.payment_sources.data.length === 0, pan: t.pan };
    c.payment_sources.data.push(src);
    if (!c.default_payment_source_id) c.default_payment_source_id = src.id;
    const { pan, ...shown } = src;
    return { status: 200, body: shown };
  }

  const view = (c) => ({ ...c, payment_sources: { ...c.payment_sources, data: c.payment_sources.data.map(({ pan, ...s }) => s) } });

  /** POST /orders: charges the customer's default (or named) source. */
  function createOrder(body, auth) {
    if (!authorized(auth)) return error(401, 'authentication_error', 'conekta.errors.authentication.missing_key', 'Acceso no autorizado.');
    const c = customers.get(body.customer_info?.customer_id);
    if (!c) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.customer_info.customer_id', 'El cliente no existe.', 'customer_info.customer_id');
    const amount = (body.line_items || []).reduce((s, li) => s + li.unit_price * li.quantity, 0);
    if (!Number.isInteger(amount) || amount <= 0) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.line_items', 'Monto inválido.', 'line_items');
    const pm = body.charges?.[0]?.payment_method || { type: 'default' };
    const sourceId = pm.type === 'default' ? c.default_payment_source_id : pm.payment_source_id;
    const src = c.payment_sources.data.find((s) => s.id === sourceId);
    if (!src) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.payment_source', 'Medio de pago inválido.', 'charges.payment_method');
    const rule = CARDS[src.pan] || { status: 'paid' };
    const o = { id: `ord_${alnumId()}`, object: 'order', livemode: false, amount, currency: body.currency, payment_status: rule.status,
      metadata: body.metadata ?? {},
      customer_info: { customer_id: c.id, object: 'customer_info' }, created_at: Math.floor(Date.now() / 1000),
      charges: { object: 'list', data: [{ id: randomBytes(12).toString('hex'), object: 'charge', amount, status: rule.status === 'declined' ? 'declined' : rule.status,
        failure_code: rule.code ?? null, failure_message: rule.message ?? null,
        payment_method: { object: 'card_payment', type: 'credit', last4: src.last4, brand: src.brand, name: src.name } }] } };
    orders.set(o.id, o);
    if (rule.status === 'declined') {
      // Conekta answers a declined card with 402 and the order in details (processing_error).
      const e = error(402, 'processing_error', rule.code, rule.message);
      e.body.data = o;
      emit('order.declined', o);
      return e;
    }
    emit(rule.status === 'paid' ? 'order.paid' : 'order.pending_payment', o);
    if (rule.settle) {
      setTimeout(() => {
        o.payment_status = rule.settle;
        o.charges.data[0].status = rule.settle;
        emit(`order.${rule.settle}`, o);
      }, PENDING_SETTLE_MS);
    }
    return { status: 200, body: o };
  }

  function emit(type, order) {
    const event = { id: randomId(12), object: 'event', type, livemode: false, created_at: Math.floor(Date.now() / 1000), data: { object: structuredClone(order) } };
    for (const l of listeners) l(event);
    hooks.send(event, { label: type, sign: (text) => ({ digest: conektaDigest(text) }) });
  }

  async function handle(req, res, url) {
    const p = url.pathname;
    if (!p.startsWith('/conekta/')) return false;
    const rest = p.slice('/conekta'.length);
    const asset = async (file, type) => { res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }); res.end(await readFile(ASSETS + file)); };
    if (req.method === 'GET' && rest === '/v1.0/js/conekta-checkout.min.js') { await asset('conekta-checkout.js', 'text/javascript'); return true; }
    if (req.method === 'GET' && rest === '/assets/component/4.8.0/lib/component-static.min.js') { await asset('component-static.js', 'text/javascript'); return true; }
    if (req.method === 'GET' && rest === '/assets/checkout/img/cards.svg') { await asset('cards.svg', 'image/svg+xml'); return true; }
    if (req.method === 'POST' && rest === '/tokens') {
      const r = tokenize((await readJson(req)) || {});
      sendJson(res, r.error ? 422 : 200, r.error || r.token);
      return true;
    }
    if (req.method === 'POST' && rest === '/customers') { const r = createCustomer((await readJson(req)) || {}, req.headers.authorization); sendJson(res, r.status, r.body); return true; }
    if (req.method === 'POST' && rest === '/orders') { const r = createOrder((await readJson(req)) || {}, req.headers.authorization); sendJson(res, r.status, r.body); return true; }
    let cm;
    if (req.method === 'POST' && (cm = rest.match(/^\/customers\/(cus_[A-Za-z0-9]+)\/payment_sources$/))) {
      const r = addSource(cm[1], (await readJson(req)) || {}, req.headers.authorization); sendJson(res, r.status, r.body); return true;
    }
    if (req.method === 'GET' && (cm = rest.match(/^\/customers\/(cus_[A-Za-z0-9]+)$/))) {
      if (!authorized(req.headers.authorization)) { const e = error(401, 'authentication_error', 'conekta.errors.authentication.missing_key', 'Acceso no autorizado.'); sendJson(res, 401, e.body); return true; }
      const c = customers.get(cm[1]);
      sendJson(res, c ? 200 : 404, c ? view(c) : error(404, 'resource_not_found_error', 'conekta.errors.resource_not_found.entity', 'No encontrado.').body);
      return true;
    }
    if (req.method === 'GET' && rest === '/webhook_keys') {
      if (!authorized(req.headers.authorization)) { const e = error(401, 'authentication_error', 'conekta.errors.authentication.missing_key', 'Acceso no autorizado.'); sendJson(res, 401, e.body); return true; }
      sendJson(res, 200, { object: 'list', has_more: false, data: [{ id: '6c3b1f0a9d2e4b7f8a1c2d3e', object: 'webhook_key', active: true, livemode: false, public_key: CONEKTA_WEBHOOK_PUBLIC_KEY }] });
      return true;
    }
    if (req.method === 'GET' && rest === '/orders') {
      // conekta/openapi: GET /orders takes `search`; which fields it matches is this emulator's
      // guess (metadata values, the order id).
      if (!authorized(req.headers.authorization)) { const e = error(401, 'authentication_error', 'conekta.errors.authentication.missing_key', 'Acceso no autorizado.'); sendJson(res, 401, e.body); return true; }
      const q = url.searchParams.get('search') ?? '';
      const data = [...orders.values()].filter((o) => !q || o.id === q || Object.values(o.metadata ?? {}).includes(q));
      sendJson(res, 200, { object: 'list', has_more: false, data });
      return true;
    }
    const m = rest.match(/^\/orders\/(ord_[A-Za-z0-9]+)$/);
    if (req.method === 'GET' && m) { const o = orders.get(m[1]); sendJson(res, o ? 200 : 404, o || error(404, 'resource_not_found_error', 'conekta.errors.resource_not_found.entity', 'No encontrado.').body); return true; }
    sendJson(res, 404, error(404, 'resource_not_found_error', 'conekta.errors.resource_not_found.entity', 'Endpoint desconocido.').body);
    return true;
  }

  return {
    handle, reset, tokenize, createCustomer, createOrder,
    getOrder: (id) => orders.get(id),
    customer: (id) => customers.get(id) && view(customers.get(id)),
    onWebhook(fn) { listeners.push(fn); },
    /** Where order.* events are POSTed (the merchant's webhook endpoint). */
    setWebhook(url) { hooks.setUrl(url); },
    deliveries: () => hooks.delivered(),
    setOrigin() {},
    state: () => ({ orders: [...orders.values()].map((o) => ({ id: o.id, payment_status: o.payment_status, amount: o.amount, metadata: o.metadata })), tokens: [...tokens.values()].map((t) => ({ used: t.used })) }),
  };
}
