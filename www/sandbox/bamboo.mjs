// Emulated Bamboo Payment: the PWCheckout browser library's assets and the server API it talks
// to, following seeds 000-002 and FLOWS.md. Paths live under /bamboo (the "{api}" host):
//   GET  /bamboo/v1/Scripts/PWCheckout.js | PWCheckoutNoModal.js   the library (one file, two modes)
//   GET  /bamboo/v1/Checkout/Form                                    the card-form iframe
//   GET  /bamboo/v1/Capture/?key&session_id=UI_…                      enrollment iframe (CaptureURL)
//   GET  /bamboo/v1/Capture/Action?session_id=CA_…                    verification-code iframe (ActionURL)
//   POST /bamboo/v1/api/tokenize                                      iframe → tokenizer   (guess: internal)
//   POST /bamboo/v1/api/capture-action                                CVV iframe → API      (guess: internal)
//   POST /bamboo/v1/api/purchase, GET /bamboo/v1/api/purchase/{id}    server API (Basic {privateKey})
//   POST /bamboo/v1/api/customer, GET /bamboo/v1/api/customer/{id}, GET …/GetCustomerByEmail?email=
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brandOf, luhn, notExpired, randomId } from './cards.mjs';
import { readJson, sendJson } from './http.mjs';
import { createHmac } from 'node:crypto';
import { createDeliverer } from './deliver.mjs';

const ASSETS = fileURLToPath(new URL('../emulators/bamboo/', import.meta.url));
export const BAMBOO_PRIVATE_KEY = 'bamboo_private_sandbox';
const OTT_TTL_MS = 10 * 60 * 1000; // seed 000: one use, 10 minutes

// Emulator outcome rules. Stage cards from FLOWS.md approve; the others are this emulator's own
// choices (guess: Bamboo's stage decides by amount in Uruguay, see `amountRule`).
const CARD_RULES = {
  '4000000000000002': { status: 4, error: 'TR013', message: 'Transacción rechazada' },
  '4000000000009995': { status: 4, error: 'TR026', message: 'Fondos insuficientes' },
  '4000000000000069': { status: 4, error: 'TR021', message: 'Tarjeta vencida' },
  '4000000000003063': { verify: true }, // asks for the verification code (CommerceAction, ActionType 2)
  '4000000000000259': { status: 2 }, // stays pending (no action) until committed by the emulator
};
// Seed-like amount rule (FLOWS.md: 1051.00 UYU → insufficient funds).
const amountRule = (amount, currency) => (currency === 'UYU' && amount === 105100 ? CARD_RULES['4000000000009995'] : null);
const STATUS = { 1: 'Approved', 2: 'Pending', 3: 'PreAuthorized', 4: 'Rejected', 5: 'Paid', 6: 'Cancelled' };

export function createBamboo() {
  let origin = '';
  let tokens, purchases, customers, sessions, nextPurchase, nextCustomer, nextProfile;
  // Ids keep counting across resets, as a real API's do: the merchant service's database
  // outlives a test, and must never meet the same purchase id twice.
  // Ids unique across emulator instances, as Bamboo's are across its merchants: several
  // sandboxes in one run share the service's database.
  const firstId = () => 1_000_000 + Math.floor(Math.random() * 1e9);
  nextPurchase = firstId(); nextCustomer = firstId(); nextProfile = firstId();
  const hooks = createDeliverer();
  let webhookSecret = BAMBOO_PRIVATE_KEY;
  const reset = () => {
    tokens = new Map(); purchases = new Map(); customers = new Map(); sessions = new Map();
    hooks.reset();
  };
  reset();
  const base = () => `${origin}/bamboo`;

  function tokenize({ key, pan, expMonth, expYear, cvv, holder, email, sessionId }) {
    pan = String(pan || '').replace(/\s+/g, '');
    if (!key) return { error: { ErrorCode: 'TK000', Message: 'Clave pública inválida' } };
    if (!luhn(pan)) return { error: { ErrorCode: 'TK001', Message: 'Número de tarjeta inválido' } };
    if (!/^\d{3,4}$/.test(String(cvv || ''))) return { error: { ErrorCode: 'TK002', Message: 'Código de seguridad inválido' } };
    const m = Number(expMonth), y = Number(expYear) < 100 ? 2000 + Number(expYear) : Number(expYear);
    if (!notExpired(m, y)) return { error: { ErrorCode: 'TK003', Message: 'Fecha de vencimiento inválida' } };
    const customerId = sessionId ? sessions.get(sessionId) : undefined;
    if (sessionId && customerId === undefined) return { error: { ErrorCode: 'TK010', Message: 'Sesión inválida' } };
    const commerce = customerId !== undefined;
    const id = `${commerce ? 'CT' : 'OT'}__${randomId(32)}_`;
    const t = { id, type: commerce ? 'Commerce' : 'OneTime', pan, brand: brandOf(pan), last4: pan.slice(-4), bin: pan.slice(0, 6),
      expMonth: m, expYear: y, holder: holder || '', email: email || '', created: Date.now(), used: false, customerId };
    tokens.set(id, t);
    if (commerce) {
      const c = customers.get(customerId);
      c.PaymentProfiles.push({ PaymentProfileId: nextProfile++, PaymentMediaId: t.brand === 'Visa' ? 1 : 2, Created: new Date().toISOString(),
        LastUpdate: null, Brand: t.brand, CardOwner: t.holder, Bin: t.bin, IssuerBank: 'Banco Sandbox', Installments: '1;3;6;12',
        Type: 'CreditCard', Token: id, Expiration: `${y}${String(m).padStart(2, '0')}`, Last4: t.last4, Enabled: true });
    }
    // TokenInfo (Versions/Forms/_index.md): Bin numeric[6], Last4 numeric[4], CardExpMonth and
    // CardExpYear numeric[2]: a card ending in 0001 has Last4 1.
    return { token: { TokenId: id, Created: new Date(t.created).toISOString(), Type: t.type, Brand: t.brand, IssuerBank: 'Banco Sandbox',
      Owner: t.holder, Bin: Number(t.bin), Last4: Number(t.last4), CardType: 'CreditCard', CardExpMonth: m, CardExpYear: y % 100 } };
  }

  function purchaseView(p) {
    return { PurchaseId: p.id, Created: p.created, Order: p.order, UniqueID: p.uniqueId, Description: p.description, Amount: p.amount, Currency: p.currency, Installments: p.installments,
      Transaction: { TransactionId: p.id * 10, TransactionStatusId: p.statusId, Status: STATUS[p.statusId], ErrorCode: p.errorCode ?? null,
        ApprovalCode: p.statusId === 1 ? String(100000 + p.id) : null },
      CommerceAction: p.action ?? null, Brand: p.brand, Last4: p.last4 };
  }

  /** POST /v1/api/purchase (server to server). */
  function purchase(body, auth) {
    if (auth !== `Basic ${BAMBOO_PRIVATE_KEY}`) return { status: 401, body: { Response: null, Errors: [{ ErrorCode: 'AU001', Message: 'Unauthorized' }] } };
    const t = tokens.get(body.TrxToken);
    const fail = (code, message) => ({ status: 400, body: { Response: null, Errors: [{ ErrorCode: code, Message: message, Detail: null }] } });
    // A repeated UniqueID of an approved purchase answers that purchase and makes no other
    // (BambooPaymentDoc Getting-Started/Concepts.md, "Unique Identifier"); of a pending one too
    // (inferred: the docs name the approved case only).
    if (body.UniqueID !== undefined && !/^[A-Za-z0-9]+$/.test(String(body.UniqueID))) return fail('PR002', 'UniqueID inválido');
    const same = body.UniqueID && [...purchases.values()].find((x) => x.uniqueId === body.UniqueID && (x.statusId === 1 || x.statusId === 2));
    if (same) return { status: 200, body: { Response: purchaseView(same), Errors: [] } };
    if (!t) return fail(String(body.TrxToken || '').startsWith('CT') ? 'TK010' : 'TK006', 'Token inválido');
    if (t.type === 'OneTime' && (t.used || Date.now() - t.created > OTT_TTL_MS)) return fail('TK006', 'Token usado o vencido');
    if (!Number.isInteger(body.Amount) || body.Amount <= 0) return fail('PR001', 'Monto inválido');
    t.used = true;
    const rule = amountRule(body.Amount, body.Currency) || CARD_RULES[t.pan] || { status: 1 };
    const p = { id: nextPurchase++, created: new Date().toISOString(), order: body.Order, amount: body.Amount, currency: body.Currency,
      installments: body.Installments ?? 1, description: body.Description ?? null, uniqueId: body.UniqueID ?? null, statusId: rule.status ?? 2, errorCode: rule.error, message: rule.message, brand: t.brand, last4: t.last4, pan: t.pan };
    if (rule.verify) {
      const session = `CA_${crypto.randomUUID()}`;
      sessions.set(session, p.id);
      p.action = { ActionType: 2, ActionReason: 'VERIFICATION_CODE_NEED', ActionURL: `${base()}/v1/Capture/Action?session_id=${session}`, ActionSessionId: session };
    }
    purchases.set(p.id, p);
    const errors = p.errorCode ? [{ ErrorCode: p.errorCode, Message: p.message, Detail: null }] : [];
    return { status: 200, body: { Response: purchaseView(p), Errors: errors } };
  }

  /** The CVV iframe's submit: resolves the pending purchase (guess: Bamboo does this internally). */
  function captureAction({ sessionId, cvv }) {
    const p = purchases.get(sessions.get(sessionId));
    if (!p || p.statusId !== 2) return { ProcessType: 'PURCHASE_PENDING', ProcessStatus: 3 };
    if (!/^\d{3,4}$/.test(String(cvv))) return { ProcessType: 'PURCHASE_PENDING', ProcessStatus: 3, error: 'TR022' };
    // Emulator rule: CVV 123 approves, 000 declines (TR022), 999 keeps the purchase pending.
    if (cvv === '999') return { ProcessType: 'PURCHASE_PENDING', ProcessStatus: 2 };
    p.action = null;
    if (cvv === '123') p.statusId = 1; else { p.statusId = 4; p.errorCode = 'TR022'; p.message = 'Código de seguridad incorrecto'; }
    notify(p);
    return { ProcessType: 'PURCHASE_PENDING', ProcessStatus: p.statusId === 1 ? 1 : 3 };
  }

  /**
   * The purchase notification (BambooPaymentDoc Purchase-workflow/Notification-Webhooks.md): a
   * JSON POST of the purchase (its example's fields), retried until a 200, with the signature
   * "in the header": hex HMAC-SHA-256(PurchaseId + Amount + Currency + dateSent, merchant
   * secret), `dateSent` being a header too. The signature header's name, `signature`, is this
   * emulator's guess (the docs do not name it).
   */
  function notify(p) {
    const dateSent = new Date().toISOString();
    const signature = createHmac('sha256', webhookSecret).update(`${p.id}${p.amount}${p.currency}${dateSent}`).digest('hex');
    const view = purchaseView(p);
    hooks.send({ PurchaseId: p.id, UniqueId: p.uniqueId, Order: p.order, Amount: p.amount, Installments: p.installments, Currency: p.currency, MetadataOut: {},
      Transaction: { TransactionStatusId: p.statusId, Status: STATUS[p.statusId], Description: null, ApprovalCode: view.Transaction.ApprovalCode } },
    { label: `purchase.${STATUS[p.statusId]}`, headers: { dateSent, signature } });
  }

  function createCustomer(body) {
    const id = nextCustomer++;
    const c = { CustomerId: id, Created: new Date().toISOString(), CommerceCustomerId: body.CommerceCustomerId ?? null, Owner: 'Commerce',
      Email: body.Email, Enabled: true, PaymentProfiles: [], FirstName: body.FirstName, LastName: body.LastName, DocNumber: body.DocNumber ?? null };
    customers.set(id, c);
    return c;
  }

  function customerView(c) {
    // A new UniqueID at every read (seed 001).
    const unique = `UI_${crypto.randomUUID()}`;
    sessions.set(unique, c.CustomerId);
    return { ...c, CaptureURL: `${base()}/v1/Capture/`, UniqueID: unique, URL: `${base()}/v1/api/Customer/${c.CustomerId}` };
  }

  async function handle(req, res, url) {
    const p = url.pathname;
    if (!p.startsWith('/bamboo/')) return false;
    const rest = p.slice('/bamboo'.length);
    const asset = async (file, type) => {
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
      res.end(await readFile(ASSETS + file));
    };
    if (req.method === 'GET' && /^\/v1\/Scripts\/PWCheckout(NoModal)?\.js$/.test(rest)) { await asset('pwcheckout.js', 'text/javascript'); return true; }
    if (req.method === 'GET' && (rest === '/v1/Checkout/Form' || rest.startsWith('/v1/Capture/'))) { await asset('form.html', 'text/html; charset=utf-8'); return true; }
    if (req.method === 'GET' && rest === '/v1/Checkout/form.js') { await asset('form.js', 'text/javascript'); return true; }
    if (req.method === 'GET' && rest === '/v1/Checkout/form.css') { await asset('form.css', 'text/css'); return true; }
    if (req.method === 'GET' && rest === '/v1/Checkout/action-info') {
      const pur = purchases.get(sessions.get(url.searchParams.get('session_id')));
      sendJson(res, pur ? 200 : 404, pur ? { Brand: pur.brand, Last4: pur.last4, Amount: pur.amount, Currency: pur.currency } : { error: 'unknown session' });
      return true;
    }
    if (req.method === 'POST' && rest === '/v1/api/tokenize') {
      const r = tokenize((await readJson(req)) || {});
      sendJson(res, r.error ? 400 : 200, r.error ? { Errors: [r.error] } : r.token);
      return true;
    }
    if (req.method === 'POST' && rest === '/v1/api/capture-action') { sendJson(res, 200, captureAction((await readJson(req)) || {})); return true; }
    if (req.method === 'POST' && rest === '/v1/api/purchase') {
      const r = purchase((await readJson(req)) || {}, req.headers.authorization);
      sendJson(res, r.status, r.body);
      return true;
    }
    let m;
    if (req.method === 'GET' && rest === '/v1/api/purchase') {
      // Get Purchases (Purchase-Operations.md): filtered by `OrderNumber`; other parameters are
      // not filters (with none, every purchase, where Bamboo lists today's). One purchase is
      // answered as an object, several as an array.
      if (req.headers.authorization !== `Basic ${BAMBOO_PRIVATE_KEY}`) { sendJson(res, 401, { Response: null, Errors: [{ ErrorCode: 'AU001', Message: 'Unauthorized' }] }); return true; }
      const order = url.searchParams.get('OrderNumber');
      const found = [...purchases.values()].filter((x) => order === null || x.order === order).map(purchaseView);
      sendJson(res, 200, { Response: found.length === 1 ? found[0] : found, Errors: [] });
      return true;
    }
    if (req.method === 'GET' && (m = rest.match(/^\/v1\/api\/purchase\/(\d+)$/))) {
      const pur = purchases.get(Number(m[1]));
      sendJson(res, pur ? 200 : 404, pur ? { Response: purchaseView(pur), Errors: [] } : { Response: null, Errors: [{ ErrorCode: 'PR404', Message: 'Not found' }] });
      return true;
    }
    if (req.method === 'POST' && rest === '/v1/api/customer') { sendJson(res, 200, { Response: customerView(createCustomer((await readJson(req)) || {})), Errors: [] }); return true; }
    if (req.method === 'GET' && (m = rest.match(/^\/v1\/api\/customer\/(\d+)$/))) {
      const c = customers.get(Number(m[1]));
      sendJson(res, c ? 200 : 404, { Response: c ? customerView(c) : null, Errors: [] });
      return true;
    }
    sendJson(res, 404, { Errors: [{ ErrorCode: 'NF404', Message: 'Unknown Bamboo endpoint' }] });
    return true;
  }

  return {
    handle, reset, purchase, captureAction, createCustomer, customerView, tokenize,
    getPurchase: (id) => { const pur = purchases.get(Number(id)); return pur && purchaseView(pur); },
    customer: (id) => customers.get(Number(id)),
    setOrigin(o) { origin = o; },
    /** Where purchase notifications go, and the secret that signs them. */
    setWebhook(url, secret = BAMBOO_PRIVATE_KEY) { hooks.setUrl(url); webhookSecret = secret; },
    notifications: () => hooks.delivered(),
    state: () => ({ purchases: [...purchases.values()].map(purchaseView), tokens: [...tokens.values()].map((t) => ({ type: t.type, used: t.used, last4: t.last4 })) }),
  };
}
