// Emulated Conekta: the checkout component's assets and the REST API (seed 003, FLOWS.md, the
// public OpenAPI spec conekta/openapi). Paths live under /conekta:
//   GET  /conekta/v1.0/js/conekta-checkout.min.js    the component's loader
//   GET  /conekta/assets/component/4.8.0/lib/component-static.min.js   the component itself
//   GET  /conekta/assets/checkout/img/cards.svg      an image of the component's
//   POST /conekta/tokens                             component → tokenizer (public key; guess: shape of the real one)
//   POST /conekta/customers, POST /conekta/orders, GET /conekta/orders/{id}   API (Bearer private key)
//   GET  /conekta/3ds/{orderId}, POST /conekta/3ds/{orderId}   the emulated 3-D Secure page (next_action)
// Webhooks `order.paid`, `order.pending_payment`, `order.declined`, `order.expired` are delivered
// to the listener the merchant registers (`onWebhook`), as Conekta POSTs them to the merchant's
// endpoint. Cash (OXXO) and SPEI orders, 3-D Secure and their settlement follow
// /tmp/research/conekta-apm.md (cited per rule below; docs/providers/conekta.md has the table).
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
  // 3-D Secure challenges (emulator's own cards): an order with `three_ds_mode` answers
  // pending_payment with `next_action.redirect_to_url` (conekta-apm.md §3b); without it, 3-D
  // Secure was not asked for and the card pays. …3238's page refuses to be framed.
  '4000000000003220': { challenge: { frame: true } },
  '4000000000003238': { challenge: { frame: false } },
};
/** API versions Conekta's `Accept` header names (conekta-apm.md §0): 2.2.0 answers `next_action`. */
const VERSIONS = ['application/vnd.conekta-v2.1.0+json', 'application/vnd.conekta-v2.2.0+json'];
/**
 * Months without interest (`charges[].payment_method.monthly_installments`, conekta-node
 * `PaymentMethodGeneralRequest`: "it can be 3, 6, 9, 12 or 18") and each count's least amount in
 * MXN cents (Conekta's help center, "What are Interest-Free Monthly Installments?"; 18 months'
 * $1,800 is inferred). The error codes and messages of a refusal are this emulator's own.
 */
const MONTHLY_INSTALLMENTS = { 3: 30000, 6: 60000, 9: 80000, 12: 120000, 18: 180000 };
/** Cash and SPEI vouchers: one default life when `expires_at` is left out (30 days, conekta-apm.md §1a). */
const DEFAULT_VOUCHER_S = 30 * 24 * 3600;

const error = (status, type, code, message, param = null) => ({
  status, body: { object: 'error', type, log_id: randomId(12), details: [{ code, param, message, debug_message: message }] },
});

export function createConekta() {
  let origin = '';
  let tokens, customers, orders, sent, refusals, deletes, held, listeners = [];
  const hooks = createDeliverer();
  // Notifications on their way (and, Conekta, settlements still due): `idle()` resolves once none
  // is, for tests that count the provider calls one request made (the merchant service reads a
  // notified order back before it answers the notification, so a late one would be counted).
  const inFlight = new Set();
  const track = (p) => { inFlight.add(p); p.finally(() => inFlight.delete(p)); return p; };
  // `sent`: what each order's request asked (3-D Secure mode), for tests to read.
  // `refusals`: orders refused before any was made (a bad monthly_installments), for tests to read.
  // `deletes`: every payment-source delete received; `held`: sources whose delete is refused.
  const reset = () => { tokens = new Map(); customers = new Map(); orders = new Map(); sent = new Map(); refusals = []; deletes = []; held = new Set(); hooks.reset(); };
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

  /**
   * DELETE /customers/{id}/payment_sources/{payment_method_id} (conekta-python
   * `docs/PaymentMethodsApi.md`): 200 with the removed source (`deleted: true` is inferred), 401,
   * 404 for an unknown customer or source; a held source is refused with 422 (the emulator's own
   * way to exercise a refusal; its code and message are its own). The customer's default moves to
   * its next source (inferred).
   */
  function removeSource(id, sourceId, auth) {
    if (!authorized(auth)) return error(401, 'authentication_error', 'conekta.errors.authentication.missing_key', 'Acceso no autorizado.');
    const c = customers.get(id);
    if (!c) return error(404, 'resource_not_found_error', 'conekta.errors.resource_not_found.entity', 'El cliente no existe.');
    const at = c.payment_sources.data.findIndex((x) => x.id === sourceId);
    if (at < 0) return error(404, 'resource_not_found_error', 'conekta.errors.resource_not_found.entity', 'El medio de pago no existe.');
    if (held.has(sourceId)) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.payment_source.in_use', 'El medio de pago tiene cargos en proceso y no puede eliminarse.', 'payment_method_id');
    const [gone] = c.payment_sources.data.splice(at, 1);
    if (c.default_payment_source_id === gone.id) c.default_payment_source_id = c.payment_sources.data[0]?.id ?? null;
    const { pan, ...shown } = gone;
    return { status: 200, body: { ...shown, deleted: true } };
  }

  const view = (c) => ({ ...c, payment_sources: { ...c.payment_sources, data: c.payment_sources.data.map(({ pan, ...s }) => s) } });

  /**
   * POST /orders for cash or SPEI (conekta-apm.md §1, §2): `customer_info` with name, email and
   * phone (required, §0), MXN, `payment_method.expires_at` in unix seconds, in the future.
   * Answers pending_payment with the voucher: `cash_payment` (`reference`, `barcode_url`,
   * `expires_at`, `service_name`, `store: null`, …) or `bank_transfer_payment` (`clabe`, `bank`,
   * `receiving_account_number`, `receiving_account_bank`, `expires_at`, `payment_attempts`).
   */
  function createOfflineOrder(body, pm) {
    const ci = body.customer_info ?? {};
    for (const k of ['name', 'email', 'phone']) {
      if (typeof ci[k] !== 'string' || !ci[k].trim()) return error(422, 'parameter_validation_error', `conekta.errors.parameter_validation.customer_info.${k}`, `El parámetro customer_info.${k} es requerido.`, `customer_info.${k}`);
    }
    // Cash and SPEI are Mexican networks: pesos only (conekta-apm.md §1, §2).
    if (body.currency !== 'MXN') return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.currency', 'Moneda no soportada por el método de pago.', 'currency');
    const amount = (body.line_items || []).reduce((s, li) => s + li.unit_price * li.quantity, 0);
    if (!Number.isInteger(amount) || amount <= 0) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.line_items', 'Monto inválido.', 'line_items');
    const now = Math.floor(Date.now() / 1000);
    if (pm.expires_at !== undefined && (!Number.isInteger(pm.expires_at) || pm.expires_at <= now)) {
      return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.expires_at', 'La fecha de expiración debe ser posterior a la actual.', 'charges.payment_method.expires_at');
    }
    const expires_at = pm.expires_at ?? now + DEFAULT_VOUCHER_S;
    const digits = (n) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
    const method = pm.type === 'cash'
      ? { object: 'cash_payment', type: 'cash', service_name: 'Cash', reference: `9300${digits(10)}`, expires_at, store: null, auth_code: null, cashier_id: null,
        agreement: null, product_type: 'cash_in', store_names: ['OXXO', '7 Eleven', 'Farmacias del Ahorro'], customer_ip_address: '0.0.0.0' }
      : { object: 'bank_transfer_payment', type: 'spei', bank: 'STP', receiving_account_bank: 'STP', expires_at, payment_attempts: [] };
    if (pm.type === 'cash') method.barcode_url = `${origin}/conekta/barcodes/${method.reference}.png`;
    else method.clabe = method.receiving_account_number = `646180${digits(12)}`;
    const o = { id: `ord_${alnumId()}`, object: 'order', livemode: false, amount, amount_refunded: 0, currency: body.currency, payment_status: 'pending_payment',
      metadata: body.metadata ?? {}, customer_info: { object: 'customer_info', name: ci.name, email: ci.email, phone: ci.phone }, created_at: now, updated_at: now,
      line_items: { object: 'list', has_more: false, data: body.line_items },
      charges: { object: 'list', has_more: false, total: 1, data: [{ id: randomBytes(12).toString('hex'), object: 'charge', amount, currency: body.currency, status: 'pending_payment',
        paid_at: null, created_at: now, description: 'Payment from order', fee: 0, failure_code: null, failure_message: null, livemode: false, payment_method: method }] } };
    orders.set(o.id, o);
    emit('order.pending_payment', o);
    return { status: 200, body: o };
  }

  /**
   * Settles a cash or SPEI order as its network would (conekta-apm.md §1c): `paid` (the charge
   * `paid` with `paid_at`, a cash charge's `store` and `auth_code` filled; `order.paid`) or
   * `expired` (its deadline passed; `order.expired`). The sandbox's `POST /__sandbox/settle`.
   */
  function settle(id, outcome) {
    const o = orders.get(id);
    if (!o) return { status: 404, body: { error: 'unknown order' } };
    const ch = o.charges.data[0];
    if (!['cash_payment', 'bank_transfer_payment'].includes(ch.payment_method.object) || o.payment_status !== 'pending_payment') {
      return { status: 409, body: { error: 'not a pending cash or SPEI order' } };
    }
    const now = Math.floor(Date.now() / 1000);
    if (outcome === 'paid') {
      o.payment_status = ch.status = 'paid';
      ch.paid_at = now;
      if (ch.payment_method.object === 'cash_payment') Object.assign(ch.payment_method, { store: '10MON50EDI', auth_code: 542563, cashier_id: 'OINM01010' });
      else Object.assign(ch.payment_method, { tracking_code: `TRK${alnumId(10)}`, reference_number: String(now) });
    } else if (outcome === 'expired') {
      o.payment_status = ch.status = 'expired';
    } else return { status: 422, body: { error: 'outcome must be paid or expired' } };
    o.updated_at = now;
    emit(`order.${o.payment_status}`, o);
    return { status: 200, body: o };
  }

  /** POST /orders: charges the customer's default (or named) source, or issues a voucher. */
  function createOrder(body, auth, accept) {
    if (!authorized(auth)) return error(401, 'authentication_error', 'conekta.errors.authentication.missing_key', 'Acceso no autorizado.');
    const first = body.charges?.[0]?.payment_method;
    if (first && ['cash', 'spei'].includes(first.type)) return createOfflineOrder(body, first);
    // three_ds_mode "either smart or strict", return_url "the redirection callback upon
    // completion of the 3DS2 flow" (conekta-apm.md §3a).
    if (body.three_ds_mode !== undefined && !['smart', 'strict'].includes(body.three_ds_mode)) {
      return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.three_ds_mode', 'three_ds_mode debe ser smart o strict.', 'three_ds_mode');
    }
    if (body.return_url !== undefined && !/^https?:\/\/[^\s]+$/.test(String(body.return_url))) {
      return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.return_url', 'return_url inválida.', 'return_url');
    }
    const c = customers.get(body.customer_info?.customer_id);
    if (!c) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.customer_info.customer_id', 'El cliente no existe.', 'customer_info.customer_id');
    const amount = (body.line_items || []).reduce((s, li) => s + li.unit_price * li.quantity, 0);
    if (!Number.isInteger(amount) || amount <= 0) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.line_items', 'Monto inválido.', 'line_items');
    const pm = body.charges?.[0]?.payment_method || { type: 'default' };
    const sourceId = pm.type === 'default' ? c.default_payment_source_id : pm.payment_source_id;
    const src = c.payment_sources.data.find((s) => s.id === sourceId);
    if (!src) return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.payment_source', 'Medio de pago inválido.', 'charges.payment_method');
    // Monthly installments go in the payment method (the SDKs' model); the older charge-level
    // place (conekta/openapi `charge_request.yml`) is refused here so a request built that way fails.
    if (body.charges?.[0]?.monthly_installments !== undefined) {
      return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.charge.monthly_installments', 'monthly_installments va en payment_method.', 'charges.monthly_installments');
    }
    const months = pm.monthly_installments;
    if (months !== undefined) {
      const least = MONTHLY_INSTALLMENTS[months];
      if (!Number.isInteger(months) || least === undefined) {
        return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.charge.monthly_installments', 'Los meses sin intereses pueden ser 3, 6, 9, 12 o 18.', 'charges.payment_method.monthly_installments');
      }
      if (body.currency !== 'MXN') return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.charge.monthly_installments_currency', 'Los meses sin intereses son en MXN.', 'currency');
      if (amount < least) {
        return error(422, 'parameter_validation_error', 'conekta.errors.parameter_validation.charge.monthly_installments_amount', `El monto mínimo para ${months} meses sin intereses es de $${(least / 100).toFixed(2)} MXN.`, 'charges.payment_method.monthly_installments');
      }
    }
    let rule = CARDS[src.pan] || { status: 'paid' };
    // A challenge card asks for 3-D Secure only when the order does (`three_ds_mode`), with a
    // way back (`return_url`); the answer's `next_action` is documented from API 2.2.0 on
    // (conekta-apm.md §3e; that the header decides it is inferred).
    const challenge = rule.challenge && body.three_ds_mode && body.return_url && accept === VERSIONS[1] ? rule.challenge : null;
    if (rule.challenge) rule = challenge ? { status: 'pending_payment' } : { status: 'paid' };
    const o = { id: `ord_${alnumId()}`, object: 'order', livemode: false, amount, currency: body.currency, payment_status: rule.status,
      metadata: body.metadata ?? {},
      customer_info: { customer_id: c.id, object: 'customer_info' }, created_at: Math.floor(Date.now() / 1000),
      charges: { object: 'list', data: [{ id: randomBytes(12).toString('hex'), object: 'charge', amount, status: rule.status === 'declined' ? 'declined' : rule.status,
        failure_code: rule.code ?? null, failure_message: rule.message ?? null,
        payment_method: { object: 'card_payment', type: 'credit', last4: src.last4, brand: src.brand, name: src.name, ...(months && { monthly_installments: months }) } }] } };
    if (challenge) {
      // `next_action.type`: no value is documented; "redirect_to_url" follows the field's name
      // (conekta-apm.md §3b). The URL is the emulated page, the real one is pay.conekta.com's.
      o.next_action = { type: 'redirect_to_url', redirect_to_url: { url: `${origin}/conekta/3ds/${o.id}`, return_url: body.return_url } };
      o.three_ds = { frame: challenge.frame, return_url: body.return_url };
    }
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
      track(new Promise((done) => setTimeout(() => {
        o.payment_status = rule.settle;
        o.charges.data[0].status = rule.settle;
        emit(`order.${rule.settle}`, o);
        done();
      }, PENDING_SETTLE_MS)));
    }
    return { status: 200, body: o };
  }

  /** The order as Conekta shows it (the emulator's own 3-D Secure notes left out). */
  const shown = (o) => { const { three_ds, ...rest } = o; return rest; };

  /**
   * The emulated 3-D Secure page: three buttons (approve, fail, abandon, which does nothing),
   * the first two settling the order (`order.paid` / `order.declined`) and going back to the
   * order's `return_url` with `order_id` and `payment_status` (conekta-apm.md §3c, "Redirect
   * ending": *inferred* from what Conekta's plugin reads). The page of a card whose challenge
   * refuses framing answers `X-Frame-Options: DENY`. `HEAD` answers its headers alone (Node's
   * http server leaves the body out), as any server does (RFC 9110 §9.3.2).
   */
  function threeDsPage(res, id, method) {
    const o = orders.get(id);
    if (!o?.three_ds) { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('unknown challenge'); return; }
    // Kept for tests: a challenge URL may be good for one visit, which must be the shopper's.
    (o.three_ds.visits ??= []).push(method);
    const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:" };
    if (!o.three_ds.frame) headers['X-Frame-Options'] = 'DENY';
    res.writeHead(200, headers);
    res.end(`<!doctype html><html lang="es"><head><meta charset="utf-8"><title>3-D Secure (sandbox)</title>
<style>body{font:16px system-ui;margin:1.5rem}button{font:inherit;margin:.25rem;padding:.5rem 1rem}</style></head>
<body><h1>Autenticación 3-D Secure</h1><p>Orden ${o.id} · ${(o.amount / 100).toFixed(2)} ${o.currency}</p>
<form method="post" action="/conekta/3ds/${o.id}">
<button type="submit" name="outcome" value="approve" id="approve">Aprobar</button>
<button type="submit" name="outcome" value="fail" id="fail">Fallar</button>
<button type="button" id="abandon">Abandonar</button>
</form></body></html>`);
  }

  function threeDsAnswer(res, id, outcome) {
    const o = orders.get(id);
    if (!o?.three_ds || o.payment_status !== 'pending_payment') { res.writeHead(409, { 'Content-Type': 'text/plain' }); res.end('not waiting for 3-D Secure'); return; }
    const paid = outcome === 'approve';
    const ch = o.charges.data[0];
    o.payment_status = ch.status = paid ? 'paid' : 'declined';
    if (!paid) { ch.failure_code = 'conekta.errors.processing.charge.card_payment.three_ds_failed'; ch.failure_message = 'Autenticación 3-D Secure fallida.'; }
    delete o.next_action;
    emit(`order.${o.payment_status}`, o);
    const back = new URL(o.three_ds.return_url);
    back.searchParams.set('order_id', o.id);
    back.searchParams.set('payment_status', o.payment_status);
    res.writeHead(303, { Location: back.toString(), 'Cache-Control': 'no-store' });
    res.end();
  }

  function emit(type, order) {
    const event = { id: randomId(12), object: 'event', type, livemode: false, created_at: Math.floor(Date.now() / 1000), data: { object: structuredClone(shown(order)) } };
    for (const l of listeners) l(event);
    track(hooks.send(event, { label: type, sign: (text) => ({ digest: conektaDigest(text) }) }));
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
    if (req.method === 'POST' && rest === '/orders') {
      if (req.headers.accept !== undefined && !VERSIONS.includes(req.headers.accept)) {
        const e = error(406, 'parameter_validation_error', 'conekta.errors.parameter_validation.api_version', 'Versión de API no soportada.'); sendJson(res, 406, e.body); return true;
      }
      const body = (await readJson(req)) || {};
      const r = createOrder(body, req.headers.authorization, req.headers.accept);
      if (r.status === 200 || r.body?.data?.id) {
        sent.set((r.body.data ?? r.body).id, { three_ds_mode: body.three_ds_mode, return_url: body.return_url, accept: req.headers.accept,
          monthly_installments: body.charges?.[0]?.payment_method?.monthly_installments });
      }
      if (r.status !== 200 && !r.body?.data?.id) refusals.push({ code: r.body?.details?.[0]?.code, metadata: body.metadata ?? {} });
      sendJson(res, r.status, r.status === 200 ? shown(r.body) : r.body); return true;
    }
    let cm;
    if ((cm = rest.match(/^\/3ds\/(ord_[A-Za-z0-9]+)$/))) {
      if (req.method === 'GET' || req.method === 'HEAD') { threeDsPage(res, cm[1], req.method); return true; }
      if (req.method === 'POST') {
        const chunks = []; for await (const c of req) chunks.push(c);
        threeDsAnswer(res, cm[1], new URLSearchParams(Buffer.concat(chunks).toString()).get('outcome'));
        return true;
      }
    }
    if (req.method === 'GET' && (cm = rest.match(/^\/barcodes\/(\d+)\.png$/))) {
      // A stand-in for barcodes.conekta.com's image of the reference (conekta-apm.md §1b): an SVG.
      res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-cache' });
      const bars = [...cm[1]].map((d, i) => `<rect x="${i * 6}" y="0" width="${1 + (Number(d) % 4)}" height="40"/>`).join('');
      res.end(`<svg xmlns="http://www.w3.org/2000/svg" width="${cm[1].length * 6}" height="40">${bars}</svg>`);
      return true;
    }
    if (req.method === 'POST' && (cm = rest.match(/^\/customers\/(cus_[A-Za-z0-9]+)\/payment_sources$/))) {
      const r = addSource(cm[1], (await readJson(req)) || {}, req.headers.authorization); sendJson(res, r.status, r.body); return true;
    }
    if (req.method === 'DELETE' && (cm = rest.match(/^\/customers\/(cus_[A-Za-z0-9]+)\/payment_sources\/([^/]+)$/))) {
      const source = decodeURIComponent(cm[2]);
      const r = removeSource(cm[1], source, req.headers.authorization);
      deletes.push({ customer: cm[1], source, status: r.status });
      sendJson(res, r.status, r.body); return true;
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
      const data = [...orders.values()].filter((o) => !q || o.id === q || Object.values(o.metadata ?? {}).includes(q)).map(shown);
      sendJson(res, 200, { object: 'list', has_more: false, data });
      return true;
    }
    const m = rest.match(/^\/orders\/(ord_[A-Za-z0-9]+)$/);
    if (req.method === 'GET' && m) { const o = orders.get(m[1]); sendJson(res, o ? 200 : 404, o ? shown(o) : error(404, 'resource_not_found_error', 'conekta.errors.resource_not_found.entity', 'No encontrado.').body); return true; }
    sendJson(res, 404, error(404, 'resource_not_found_error', 'conekta.errors.resource_not_found.entity', 'Endpoint desconocido.').body);
    return true;
  }

  return {
    handle, reset, tokenize, createCustomer, createOrder, settle,
    /** Makes the delete of a payment source refused (422), as a source Conekta will not remove. */
    holdSource(id) { held.add(id); },
    getOrder: (id) => orders.get(id),
    customer: (id) => customers.get(id) && view(customers.get(id)),
    /** Every customer's payment sources as Conekta shows them, with the customer's id. */
    sources: () => [...customers.values()].flatMap((c) => c.payment_sources.data.map(({ pan, ...src }) => ({ ...src, customer: c.id }))),
    onWebhook(fn) { listeners.push(fn); },
    /** Where order.* events are POSTed (the merchant's webhook endpoint). */
    setWebhook(url) { hooks.setUrl(url); },
    deliveries: () => hooks.delivered(),
    /** Resolves when no notification is on its way (each is bounded: five tries). */
    async idle() { while (inFlight.size) await Promise.allSettled([...inFlight]); },
    setOrigin(o) { origin = o; },
    state: () => ({ orders: [...orders.values()].map((o) => ({ id: o.id, payment_status: o.payment_status, amount: o.amount, metadata: o.metadata,
      type: o.charges.data[0].payment_method.type, three_ds_visits: o.three_ds?.visits && [...o.three_ds.visits], ...sent.get(o.id) })), tokens: [...tokens.values()].map((t) => ({ used: t.used })), refusals: [...refusals], deletes: [...deletes] }),
  };
}
