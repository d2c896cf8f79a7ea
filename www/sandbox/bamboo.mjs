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
//   GET|POST /bamboo/redirect/CA_…                                    a redirect medium's bank page (ActionURL)
// Alternative media (cash vouchers, transfers, the Uruguayan bank redirect) follow
// /tmp/research/bamboo-apm.md (cited per rule below; docs/providers/bamboo.md has the table).
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
/** The installment counts every emulated card takes (a profile's `Installments`, "1;2;3…"). */
const CARD_INSTALLMENTS = '1;3;6;12';
const STATUS = { 1: 'Approved', 2: 'Pending', 3: 'PreAuthorized', 4: 'Rejected', 5: 'Paid', 6: 'Cancelled' };

// Alternative media (legacy PaymentMediaId), each as bamboo-apm.md describes it: the country
// (TargetCountryISO), currencies, the Customer fields its request table marks mandatory, and what
// the answer carries (`MetadataOut`, or a redirect `CommerceAction`).
const MEDIA = {
  // §3.1 Uruguay cash: Email, DocumentTypeId, DocNumber, PhoneNumber; a PDF coupon.
  5: { country: 'UY', currencies: ['UYU', 'USD'], needs: ['Email', 'DocumentTypeId', 'DocNumber', 'PhoneNumber'], name: 'Abitab',
    out: (p) => ({ TransactionIdFromPW: String(p.id), PaymentBarcodeUrl: `${p.base}/purchase-coupons/PW_${p.id}_${p.day}.pdf` }) },
  10: { country: 'UY', currencies: ['UYU', 'USD'], needs: ['Email', 'DocumentTypeId', 'DocNumber', 'PhoneNumber'], name: 'RedPagos',
    out: (p) => ({ TransactionIdFromPW: String(p.id), PaymentBarcodeUrl: `${p.base}/purchase-coupons/PW_${p.id}_${p.day}.pdf` }) },
  // §3.2 Uruguay bank transfer (Infinia): Email; a redirect to the bank coupon.
  532: { country: 'UY', currencies: ['UYU', 'USD'], needs: ['Email'], name: 'Transferencia bancaria', redirect: true },
  // §3.3 OXXO (deprecated) and OXXOPay: a barcode number, its image, the coupon.
  35: { country: 'MX', currencies: ['MXN'], needs: ['Email'], name: 'OXXO',
    out: (p) => ({ PaymentUrl: `${p.base}/purchase-coupons/${p.id}_${p.day}.html`, PaymentCode: `8100000${String(p.id).padStart(10, '0')}${p.day}0005000`,
      PaymentBarcodeUrl: `${p.base}/purchase-coupons/coupons-barcodes/OxxoBarcode/${p.id}.jpeg`, PaymentReference: String(p.id) }) },
  90: { country: 'MX', currencies: ['MXN', 'USD'], needs: ['Email', 'FirstName', 'LastName', 'PhoneNumber'], name: 'OXXOPay',
    out: (p) => ({ PaymentUrl: `${p.base}/purchase-coupons/${p.id}_${p.day}.html`, PaymentCode: `43000000${String(p.id).padStart(8, '0')}`,
      PaymentBarcodeUrl: `${p.base}/integrations/oxxo/barcodes/${Buffer.from(String(p.id)).toString('base64')}.jpeg` }) },
  // §3.5 SPEI through OpenPay: Email, FirstName; the CLABE in BankAccountLabel.
  32: { country: 'MX', currencies: ['MXN'], needs: ['Email', 'FirstName'], name: 'SPEI',
    out: (p) => ({ PaymentUrl: `${p.base}/spei-pdf/${p.id}`, PaymentCode: String(p.id).padStart(20, '2'), BankName: 'BBVA Bancomer',
      BankAccount: '1411217', BankAccountLabel: `012180${String(p.id).padStart(12, '0')}`, BankReference: `ref${p.id}` }) },
};

export function createBamboo() {
  let origin = '';
  let tokens, purchases, customers, sessions, deletes, held, nextPurchase, nextCustomer, nextProfile;
  // Ids keep counting across resets, as a real API's do: the merchant service's database
  // outlives a test, and must never meet the same purchase id twice.
  // Ids unique across emulator instances, as Bamboo's are across its merchants: several
  // sandboxes in one run share the service's database.
  const firstId = () => 1_000_000 + Math.floor(Math.random() * 1e9);
  nextPurchase = firstId(); nextCustomer = firstId(); nextProfile = firstId();
  const hooks = createDeliverer();
  // Notifications on their way: `idle()` resolves once none
  // is, for tests that count the provider calls one request made (the merchant service reads a
  // notified order back before it answers the notification, so a late one would be counted).
  const inFlight = new Set();
  const track = (p) => { inFlight.add(p); p.finally(() => inFlight.delete(p)); return p; };
  let webhookSecret = BAMBOO_PRIVATE_KEY;
  const reset = () => {
    tokens = new Map(); purchases = new Map(); customers = new Map(); sessions = new Map(); deletes = []; held = new Set();
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
        LastUpdate: null, Brand: t.brand, CardOwner: t.holder, Bin: t.bin, IssuerBank: 'Banco Sandbox', Installments: CARD_INSTALLMENTS,
        Type: 'CreditCard', Token: id, Expiration: `${y}${String(m).padStart(2, '0')}`, Last4: t.last4, Enabled: true });
    }
    // TokenInfo (Versions/Forms/_index.md): Bin numeric[6], Last4 numeric[4], CardExpMonth and
    // CardExpYear numeric[2]: a card ending in 0001 has Last4 1.
    return { token: { TokenId: id, Created: new Date(t.created).toISOString(), Type: t.type, Brand: t.brand, IssuerBank: 'Banco Sandbox',
      Owner: t.holder, Bin: Number(t.bin), Last4: Number(t.last4), CardType: 'CreditCard', CardExpMonth: m, CardExpYear: y % 100 } };
  }

  /** The installment counts a token's card takes: its payment profile's list, or CARD_INSTALLMENTS. */
  function cardInstallments(t) {
    const profile = t.customerId !== undefined && customers.get(t.customerId)?.PaymentProfiles.find((pp) => pp.Token === t.id);
    return String(profile?.Installments ?? CARD_INSTALLMENTS).split(';').map(Number);
  }

  function purchaseView(p) {
    const view = { PurchaseId: p.id, Created: p.created, Order: p.order, UniqueID: p.uniqueId, Description: p.description, Amount: p.amount, Currency: p.currency, Installments: p.installments,
      Transaction: { TransactionId: p.id * 10, TransactionStatusId: p.statusId, Status: STATUS[p.statusId], ErrorCode: p.errorCode ?? null,
        ApprovalCode: p.statusId === 1 ? String(100000 + p.id) : null },
      CommerceAction: p.action ?? null, Brand: p.brand, Last4: p.last4 };
    if (p.mediaId !== undefined) {
      view.PaymentMediaId = p.mediaId;
      view.MetadataOut = p.metadataOut ?? null;
      // A redirect medium's step while it waits (§1, "Legacy response shape").
      if (p.statusId === 2 && MEDIA[p.mediaId].redirect) view.Transaction.Steps = [{ Step: 'Generic External', Status: 'Pending for Redirection' }];
    }
    return view;
  }

  /**
   * A purchase by an alternative medium (`PaymentMediaId`, no `TrxToken`: "sending one of them is
   * mandatory", §0): the medium's country, currency and mandatory Customer fields are checked
   * (the error codes are this emulator's own: the docs list none for them); the purchase is
   * Pending (2) until the network pays it, with its voucher in `MetadataOut` or, for a redirect
   * medium, `CommerceAction` ActionType 1 `REDIRECTION_NEEDED_EXTERNAL_SERVICE` and an
   * `ActionURL` under the redirect host (`CA_<uuid>`, §1).
   */
  function offlinePurchase(body, fail) {
    const m = MEDIA[body.PaymentMediaId];
    if (!m) return fail('PM001', 'PaymentMediaId inválido');
    const country = body.TargetCountryISO ?? body.CrossBorderData?.TargetCountryISO ?? body.TargetCountryIso ?? body.CrossBorderData?.TargetCountryIso;
    if (country !== m.country) return fail('PM002', `El medio de pago no opera en ${country}`);
    if (!m.currencies.includes(body.Currency)) return fail('PM003', 'Moneda no soportada por el medio de pago');
    if (!Number.isInteger(body.Amount) || body.Amount <= 0) return fail('PR001', 'Monto inválido');
    const c = body.Customer ?? {};
    const lacking = m.needs.find((k) => c[k] === undefined || c[k] === null || String(c[k]).trim() === '');
    if (lacking) return fail('CU001', `Customer.${lacking} es requerido`);
    const minutes = body.MetadataIn?.PaymentExpirationInMinutes ?? body.MetaDataIn?.PaymentExpirationInMinutes;
    if (minutes !== undefined && !(Number.isInteger(Number(minutes)) && Number(minutes) >= 1)) return fail('PM004', 'PaymentExpirationInMinutes inválido');
    const created = new Date();
    const p = { id: nextPurchase++, created: created.toISOString(), order: body.Order, amount: body.Amount, currency: body.Currency, installments: 1,
      description: body.Description ?? null, uniqueId: body.UniqueID ?? null, statusId: 2, mediaId: body.PaymentMediaId, brand: m.name, last4: null,
      redirection: body.Redirection ?? null, expiresAt: created.getTime() + Number(minutes ?? 1440) * 60_000 };
    const day = created.toISOString().slice(0, 10).replace(/-/g, '');
    if (m.redirect) {
      const session = `CA_${crypto.randomUUID()}`;
      sessions.set(session, p.id);
      p.action = { ActionType: 1, ActionReason: 'REDIRECTION_NEEDED_EXTERNAL_SERVICE', ActionURL: `${base()}/redirect/${session}`, ActionBody: null, ActionSessionId: session };
    } else {
      p.metadataOut = m.out({ id: p.id, day, base: `${base()}/gateway` });
    }
    purchases.set(p.id, p);
    return { status: 200, body: { Response: purchaseView(p), Errors: [] } };
  }

  /**
   * Settles a pending voucher or transfer as its network would: `paid` → Approved (1, what a
   * purchase webhook reports, §2), `expired` → Cancelled (6: at expiry the docs name no status,
   * *inferred* Cancelled, §2), `rejected` → Rejected (4); then the signed notification. The
   * sandbox's `POST /__sandbox/settle`.
   */
  function settle(id, outcome) {
    const p = purchases.get(Number(id));
    if (!p) return { status: 404, body: { error: 'unknown purchase' } };
    if (p.mediaId === undefined || p.statusId !== 2) return { status: 409, body: { error: 'not a pending voucher or transfer' } };
    const to = { paid: 1, expired: 6, rejected: 4 }[outcome];
    if (!to) return { status: 422, body: { error: 'outcome must be paid, expired or rejected' } };
    p.statusId = to;
    p.action = null;
    notify(p);
    return { status: 200, body: purchaseView(p) };
  }

  /** A redirect medium's bank page (§3.2: pick the bank, see the coupon, transfer, confirm). */
  function bankPage(res, session) {
    const p = purchases.get(sessions.get(session));
    if (!p || p.mediaId === undefined) { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('unknown session'); return; }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' });
    res.end(`<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Banco (sandbox)</title></head>
<body><h1>Transferencia bancaria</h1><p>Compra ${p.id} · ${(p.amount / 100).toFixed(2)} ${p.currency}</p>
<form method="post" action="${base()}/redirect/${session}">
<button type="submit" name="outcome" value="approve" id="approve">Transferir</button>
<button type="submit" name="outcome" value="reject" id="reject">Rechazar</button>
<button type="submit" name="outcome" value="cancel" id="cancel">Cancelar</button>
</form></body></html>`);
  }

  /**
   * The bank's answer: the purchase moves (Approved, Rejected or Cancelled), the notification goes,
   * and the browser is sent back as Bamboo does it, a form POSTed to the `Redirection` URL of the
   * status with `PurchaseId` and `Status` (§1, "Redirect response content").
   */
  function bankAnswer(res, session, outcome) {
    const p = purchases.get(sessions.get(session));
    if (!p || p.statusId !== 2) { res.writeHead(409, { 'Content-Type': 'text/plain' }); res.end('not pending'); return; }
    const [statusId, urlKey, word] = { approve: [1, 'Url_Approved', 'approved'], reject: [4, 'Url_Rejected', 'rejected'], cancel: [6, 'Url_Canceled', 'canceled'] }[outcome] ?? [];
    if (!statusId) { res.writeHead(422, { 'Content-Type': 'text/plain' }); res.end('unknown outcome'); return; }
    p.statusId = statusId;
    p.action = null;
    notify(p);
    const to = p.redirection?.[urlKey];
    const nonce = randomId(12);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; form-action http: https:` });
    if (!to) { res.end('<!doctype html><p>Listo.</p>'); return; }
    const esc = (t) => String(t).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]);
    res.end(`<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Volviendo al comercio</title></head><body>
<form method="post" action="${esc(to)}"><input type="hidden" id="PurchaseId" name="PurchaseId" value="${p.id}" />
<input type="hidden" id="Status" name="Status" value="${word}" /><button type="submit" id="back">Volver al comercio</button></form>
<script nonce="${nonce}">document.forms[0].submit();</script></body></html>`);
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
    if (body.TrxToken === undefined && body.PaymentMediaId !== undefined) return offlinePurchase(body, fail);
    if (!t) return fail(String(body.TrxToken || '').startsWith('CT') ? 'TK010' : 'TK006', 'Token inválido');
    if (t.type === 'OneTime' && (t.used || Date.now() - t.created > OTT_TTL_MS)) return fail('TK006', 'Token usado o vencido');
    if (!Number.isInteger(body.Amount) || body.Amount <= 0) return fail('PR001', 'Monto inválido');
    // `Installments` (integer, optional): a count the card does not take is `PR013
    // INVALID_INSTALLMENTS`, "invalid for the card entered" (Error-Codes.md). An enrolled card's
    // counts are its payment profile's `Installments`; a one-time token's card takes the same
    // list (the emulator's own rule). The token stays unspent.
    const installments = body.Installments ?? 1;
    if (!Number.isInteger(installments) || !cardInstallments(t).includes(installments)) return fail('PR013', 'INVALID_INSTALLMENTS');
    t.used = true;
    const rule = amountRule(body.Amount, body.Currency) || CARD_RULES[t.pan] || { status: 1 };
    const p = { id: nextPurchase++, created: new Date().toISOString(), order: body.Order, amount: body.Amount, currency: body.Currency,
      installments, description: body.Description ?? null, uniqueId: body.UniqueID ?? null, statusId: rule.status ?? 2, errorCode: rule.error, message: rule.message, brand: t.brand, last4: t.last4, pan: t.pan };
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
    track(hooks.send({ PurchaseId: p.id, UniqueId: p.uniqueId, Order: p.order, Amount: p.amount, Installments: p.installments, Currency: p.currency, MetadataOut: {},
      Transaction: { TransactionStatusId: p.statusId, Status: STATUS[p.statusId], Description: null, ApprovalCode: view.Transaction.ApprovalCode } },
    { label: `purchase.${STATUS[p.statusId]}`, headers: { dateSent, signature } }));
  }

  function createCustomer(body) {
    const id = nextCustomer++;
    const c = { CustomerId: id, Created: new Date().toISOString(), CommerceCustomerId: body.CommerceCustomerId ?? null, Owner: 'Commerce',
      Email: body.Email, Enabled: true, PaymentProfiles: [], FirstName: body.FirstName, LastName: body.LastName, DocNumber: body.DocNumber ?? null };
    customers.set(id, c);
    return c;
  }

  /**
   * POST /v1/api/customer/{id}/PaymentProfileDelete { PaymentProfileId } (BambooPayment/sdk_php
   * `CustomerService::deletePaymentProfile`): 200 with the customer, its profile gone and its
   * Commerce token no longer paying; 401; 404 for an unknown customer (`TK011 CUSTOMER_NOT_FOUND`,
   * Error-Codes.md) or profile (the code is the emulator's own); a held profile is refused with
   * 400 `TK013` (the emulator's own choice).
   */
  function removeProfile(id, body, auth) {
    const fail = (status, code, message) => ({ status, body: { Response: null, Errors: [{ ErrorCode: code, Message: message, Detail: null }] } });
    if (auth !== `Basic ${BAMBOO_PRIVATE_KEY}`) return fail(401, 'AU001', 'Unauthorized');
    const c = customers.get(id);
    if (!c) return fail(404, 'TK011', 'CUSTOMER_NOT_FOUND');
    const pid = body?.PaymentProfileId;
    const at = Number.isInteger(pid) ? c.PaymentProfiles.findIndex((pp) => pp.PaymentProfileId === pid) : -1;
    if (at < 0) return fail(404, 'PP404', 'PAYMENT_PROFILE_NOT_FOUND');
    if (held.has(pid)) return fail(400, 'TK013', 'No se pudo eliminar el medio de pago.');
    const [gone] = c.PaymentProfiles.splice(at, 1);
    tokens.delete(gone.Token);
    return { status: 200, body: { Response: customerView(c), Errors: [] } };
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
    let rm;
    if ((rm = rest.match(/^\/redirect\/(CA_[0-9a-f-]+)$/))) {
      if (req.method === 'GET') { bankPage(res, rm[1]); return true; }
      if (req.method === 'POST') {
        const chunks = []; for await (const c of req) chunks.push(c);
        bankAnswer(res, rm[1], new URLSearchParams(Buffer.concat(chunks).toString()).get('outcome'));
        return true;
      }
    }
    if (req.method === 'GET' && rest.startsWith('/gateway/')) {
      // The coupons and barcodes a voucher links to: a stand-in page.
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end(`Cupón de pago (sandbox): ${rest.slice('/gateway/'.length)}`);
      return true;
    }
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
    if (req.method === 'POST' && (m = rest.match(/^\/v1\/api\/customer\/(\d+)\/PaymentProfileDelete$/))) {
      const b = (await readJson(req)) || {};
      const r = removeProfile(Number(m[1]), b, req.headers.authorization);
      deletes.push({ customer: Number(m[1]), profile: b.PaymentProfileId, status: r.status });
      sendJson(res, r.status, r.body);
      return true;
    }
    if (req.method === 'GET' && (m = rest.match(/^\/v1\/api\/customer\/(\d+)$/))) {
      const c = customers.get(Number(m[1]));
      sendJson(res, c ? 200 : 404, { Response: c ? customerView(c) : null, Errors: [] });
      return true;
    }
    sendJson(res, 404, { Errors: [{ ErrorCode: 'NF404', Message: 'Unknown Bamboo endpoint' }] });
    return true;
  }

  return {
    handle, reset, purchase, captureAction, createCustomer, customerView, tokenize, settle,
    /** Makes the delete of a payment profile refused (400 TK013). */
    holdProfile(id) { held.add(Number(id)); },
    getPurchase: (id) => { const pur = purchases.get(Number(id)); return pur && purchaseView(pur); },
    customer: (id) => customers.get(Number(id)),
    setOrigin(o) { origin = o; },
    /** Where purchase notifications go, and the secret that signs them. */
    setWebhook(url, secret = BAMBOO_PRIVATE_KEY) { hooks.setUrl(url); webhookSecret = secret; },
    notifications: () => hooks.delivered(),
    /** Resolves when no notification is on its way (each is bounded: five tries). */
    async idle() { while (inFlight.size) await Promise.allSettled([...inFlight]); },
    state: () => ({ purchases: [...purchases.values()].map(purchaseView), tokens: [...tokens.values()].map((t) => ({ type: t.type, used: t.used, last4: t.last4 })), deletes: [...deletes] }),
  };
}
