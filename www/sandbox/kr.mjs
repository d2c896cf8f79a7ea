// Emulated Lyra: the KR (krypton) client library's assets and the REST API (seed 004, FLOWS.md).
// Credentials are Lyra's public demo ones (tests/fixtures/lyra-vectors.json), so answers are
// signed exactly as Lyra signs them: hex HMAC-SHA-256 of rawClientAnswer with the HMAC key
// (hashKey sha256_hmac, browser) or the REST password (hashKey password, IPN). Paths under /lyra:
//   GET  /lyra/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js   the client library
//        (under V4.1/ instead: the same emulator with the V4.1 builds' methods)
//   GET  /lyra/static/js/krypton-client/V4.0/form.html (+ form.js, form.css) the embedded form
//   POST /lyra/api-payment/V4/Charge/CreatePayment         (Basic shopId:password)
//   POST /lyra/api-payment/V4/Charge/UpdatePaymentAmount   (Basic shopId:password)
//   GET  /lyra/api-payment/V4/Charge/FormInfo?formToken=   form → amount to show   (guess: internal)
//   POST /lyra/api-payment/V4/Charge/ProcessFormPayment    form → payment          (guess: internal)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brandOf, luhn, notExpired, randomId } from './cards.mjs';
import { readJson, sendJson } from './http.mjs';
import { createDeliverer } from './deliver.mjs';

const ASSETS = fileURLToPath(new URL('../emulators/lyra/', import.meta.url));
export const KR_SHOP_ID = '69876357';
export const KR_PASSWORD = 'testpassword_DEMOPRIVATEKEY23G4475zXZQ2UA5x7M';
export const KR_HMAC_KEY = '38453613e7f44dc58732bad3dca2bca3';
export const KR_PUBLIC_KEY = `${KR_SHOP_ID}:testpublickey_DEMOPUBLICKEY95me92597fd28tGD4r5`;
const BASIC = `Basic ${Buffer.from(`${KR_SHOP_ID}:${KR_PASSWORD}`).toString('base64')}`;
const FORM_ACTIONS = ['PAYMENT', 'ASK_REGISTER_PAY', 'REGISTER_PAY', 'REGISTER', 'REGISTER_UPDATE', 'SILENT'];

// Test cards (FLOWS.md): …0055 and 5970100300000067 accepted; …0113 and 5970100300000109 refused.
const REFUSED = new Set(['4970100000000113', '5970100300000109']);
const MAX_REFUSALS = 3;

/** hex HMAC-SHA-256 of `raw` with the key `hashKey` names. */
export function krHash(raw, hashKey = 'sha256_hmac') {
  return createHmac('sha256', hashKey === 'password' ? KR_PASSWORD : KR_HMAC_KEY).update(raw, 'utf8').digest('hex');
}

/** Constant-time check of a forwarded answer's hash (what a merchant server must do). */
export function krHashValid({ rawClientAnswer, hash, hashKey, hashAlgorithm }) {
  if (typeof rawClientAnswer !== 'string' || typeof hash !== 'string' || hashAlgorithm !== 'sha256_hmac') return false;
  if (hashKey !== 'sha256_hmac' && hashKey !== 'password') return false;
  const want = Buffer.from(krHash(rawClientAnswer, hashKey), 'hex');
  const got = Buffer.from(hash, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export function createKr() {
  let forms, transactions, tokens, cancels, held;
  const ipn = createDeliverer();
  // Notifications on their way: `idle()` resolves once none
  // is, for tests that count the provider calls one request made (the merchant service may read a
  // notified order back before it answers the notification, so a late one would be counted).
  const inFlight = new Set();
  const track = (p) => { inFlight.add(p); p.finally(() => inFlight.delete(p)); return p; };
  let orders = new Map(); // orderId → transactions, for Order/Get
  const reset = () => { forms = new Map(); transactions = []; tokens = new Map(); orders = new Map(); cancels = []; held = new Set(); ipn.reset(); };
  reset();

  const wsError = (code, message) => ({ status: 'ERROR', answer: { errorCode: code, errorMessage: message, _type: 'V4/WebService/WebServiceError' } });

  function createPayment(body, auth) {
    if (auth !== BASIC) return wsError('INT_905', 'invalid authentication');
    if (!Number.isInteger(body.amount) || body.amount < 0) return wsError('INT_902', 'invalid amount');
    if (!/^[A-Z]{3}$/.test(body.currency || '')) return wsError('INT_903', 'invalid currency');
    const formAction = body.formAction || 'PAYMENT';
    if (!FORM_ACTIONS.includes(formAction)) return wsError('INT_904', 'invalid formAction');
    if (formAction === 'SILENT') {
      // One-click: charge the stored paymentMethodToken at once; the answer is the payment.
      const saved = tokens.get(body.paymentMethodToken);
      if (!saved) return wsError('PSP_030', 'paymentMethodToken not found');
      // The count of installments (lyra/rest-php-examples `createSilentPay.php`:
      // `transactionOptions.cardOptions.installmentNumber`); a positive integer up to 99 here
      // (the bound and the error code are this emulator's own).
      const installmentNumber = body.transactionOptions?.cardOptions?.installmentNumber;
      if (installmentNumber !== undefined && !(Number.isInteger(installmentNumber) && installmentNumber >= 1 && installmentNumber <= 99)) {
        return wsError('INT_904', 'invalid transactionOptions.cardOptions.installmentNumber');
      }
      return { status: 'SUCCESS', answer: payment({ amount: body.amount, currency: body.currency, orderId: body.orderId, customer: body.customer, metadata: body.metadata, installmentNumber }, saved.pan, null, 'SILENT') };
    }
    // Seed 004: overridePaymentCinematic is IMMEDIATE_CAPTURE or DELAYED_CAPTURE; strongAuthentication
    // is the merchant's preference, kept as sent (its values are not in the seed: not checked).
    if (body.overridePaymentCinematic !== undefined && !['IMMEDIATE_CAPTURE', 'DELAYED_CAPTURE'].includes(body.overridePaymentCinematic)) {
      return wsError('INT_904', 'invalid overridePaymentCinematic');
    }
    const formToken = `${randomId(8)}${Buffer.from(JSON.stringify({ a: body.amount, c: body.currency })).toString('base64url')}${randomId(8)}`;
    forms.set(formToken, { amount: body.amount, currency: body.currency, orderId: body.orderId ?? null, formAction, customer: body.customer || {}, metadata: body.metadata ?? null,
      strongAuthentication: body.strongAuthentication, overridePaymentCinematic: body.overridePaymentCinematic, paid: false });
    return { status: 'SUCCESS', answer: { formToken, _type: 'V4/Charge/PaymentForm' } };
  }

  function updatePaymentAmount(body, auth) {
    if (auth !== BASIC) return wsError('INT_905', 'invalid authentication');
    const f = forms.get(body.formToken);
    if (!f || f.paid) return wsError('INT_907', 'invalid formToken');
    const updated = Number(body.updatedAmount);
    if (!Number.isInteger(updated) || updated <= 0 || updated > f.amount) return wsError('INT_902', 'updatedAmount may only lower the amount');
    const r = createPayment({ ...f, amount: updated, formAction: f.formAction }, BASIC);
    forms.delete(body.formToken); // the old token no longer pays
    return r;
  }

  /** Builds a V4/Payment for a processed card. */
  function payment(f, pan, register, mode = 'FORM') {
    const refused = REFUSED.has(pan);
    let paymentMethodToken = null;
    if (!refused && register) {
      paymentMethodToken = randomId(16).replace(/[^a-zA-Z0-9]/g, 'x');
      tokens.set(paymentMethodToken, { pan });
    }
    const uuid = randomId(16).replace(/[^a-zA-Z0-9]/g, '0').toLowerCase();
    const status = refused ? 'UNPAID' : 'PAID';
    const tx = { shopId: KR_SHOP_ID, uuid, amount: f.amount, currency: f.currency, paymentMethodType: 'CARD', paymentMethodToken, status,
      detailedStatus: refused ? 'REFUSED' : 'AUTHORISED', operationType: 'DEBIT', creationDate: new Date().toISOString(),
      errorCode: refused ? 'ACQ_001' : null, errorMessage: refused ? 'Payment refused' : null,
      detailedErrorCode: refused ? '05' : null, detailedErrorMessage: refused ? 'Do not honor' : null,
      metadata: f.metadata ?? null,
      transactionDetails: { cardDetails: { effectiveBrand: brandOf(pan).toUpperCase(), pan: `${pan.slice(0, 6)}XXXXXX${pan.slice(-4)}` },
        installmentNumber: f.installmentNumber ?? null, _type: 'V4/TransactionDetails' },
      _type: 'V4/PaymentTransaction' };
    transactions.push({ uuid, status, amount: f.amount, mode, orderId: f.orderId ?? null, installmentNumber: f.installmentNumber ?? null });
    if (f.orderId) orders.set(f.orderId, [...(orders.get(f.orderId) ?? []), tx]);
    return { shopId: KR_SHOP_ID, orderCycle: 'CLOSED', orderStatus: status, serverDate: new Date().toISOString(),
      orderDetails: { orderTotalAmount: f.amount, orderCurrency: f.currency, mode: 'TEST', orderId: f.orderId, _type: 'V4/OrderDetails' },
      customer: { email: f.customer?.email ?? null, reference: f.customer?.reference ?? null, _type: 'V4/Customer/Customer' },
      transactions: [tx], _type: 'V4/Payment' };
  }

  function processForm({ formToken, pan, expiry, cvv, register }) {
    const f = forms.get(formToken);
    if (!f) return { error: { errorCode: 'CLIENT_100', errorMessage: 'Invalid formToken', detailedErrorCode: null, field: null, children: [] } };
    if (f.paid) return { error: { errorCode: 'PSP_108', errorMessage: 'formToken has already been paid', field: null, children: [] } };
    // Too many refused attempts lock the form (the count, three, is inferred).
    if (f.refusals >= MAX_REFUSALS) return { error: { errorCode: 'PSP_099', errorMessage: 'Too many attempts', field: null, children: [] } };
    pan = String(pan || '').replace(/\s+/g, '');
    const children = [];
    if (!luhn(pan)) children.push({ errorCode: 'CLIENT_301', errorMessage: 'Invalid card number', field: 'pan' });
    const [m, y] = String(expiry || '').split('/').map(Number);
    if (!notExpired(m, y < 100 ? 2000 + y : y)) children.push({ errorCode: 'CLIENT_302', errorMessage: 'Invalid expiry date', field: 'expiryDate' });
    if (!/^\d{3,4}$/.test(String(cvv || ''))) children.push({ errorCode: 'CLIENT_303', errorMessage: 'Invalid security code', field: 'securityCode' });
    if (children.length) {
      return { error: { errorCode: 'CLIENT_300', errorMessage: 'Invalid form data', detailedErrorCode: null, field: children[0].field, children } };
    }
    const wantsRegister = f.formAction === 'REGISTER_PAY' || (f.formAction === 'ASK_REGISTER_PAY' && register);
    const clientAnswer = payment(f, pan, wantsRegister);
    if (clientAnswer.orderStatus === 'PAID') f.paid = true;
    else f.refusals = (f.refusals || 0) + 1;
    const rawClientAnswer = JSON.stringify(clientAnswer);
    // The IPN: Lyra POSTs the same answer to the merchant, signed with the REST password.
    track(ipn.send({ 'kr-hash': krHash(rawClientAnswer, 'password'), 'kr-hash-algorithm': 'sha256_hmac', 'kr-hash-key': 'password',
      'kr-answer-type': 'V4/Payment', 'kr-answer': rawClientAnswer }, { type: 'form', label: clientAnswer.orderStatus }));
    return { answer: { _type: 'V4/Charge/ProcessPaymentAnswer', clientAnswer, rawClientAnswer, hash: krHash(rawClientAnswer), hashAlgorithm: 'sha256_hmac',
      hashKey: 'sha256_hmac', serverDate: new Date().toISOString(), formId: randomId(8) } };
  }

  async function handle(req, res, url) {
    const p = url.pathname;
    if (!p.startsWith('/lyra/')) return false;
    const rest = p.slice('/lyra'.length);
    const asset = async (file, type) => { res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }); res.end(await readFile(ASSETS + file)); };
    // V4.0 is the path Lyra serves its current client from; V4.1 here serves the same emulator
    // acting as the V4.1-era builds resellers serve (attachForm/showForm, no renderElements).
    const dir = (rest.match(/^\/static\/js\/krypton-client\/V4\.[01]/) || ['/static/js/krypton-client/V4.0'])[0];
    if (req.method === 'GET' && rest === `${dir}/stable/kr-payment-form.min.js`) { await asset('kr-payment-form.js', 'text/javascript'); return true; }
    if (req.method === 'GET' && rest === `${dir}/form.html`) { await asset('form.html', 'text/html; charset=utf-8'); return true; }
    if (req.method === 'GET' && rest === `${dir}/form.js`) { await asset('form.js', 'text/javascript'); return true; }
    if (req.method === 'GET' && rest === `${dir}/form.css`) { await asset('form.css', 'text/css'); return true; }
    if (req.method === 'GET' && rest === `${dir}/stable/kr-assets.bundle.js`) {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-cache' });
      res.end('/* emulated KR chunk: the real client loads its assets as separate files */');
      return true;
    }
    const api = '/api-payment/V4/Charge/';
    if (req.method === 'POST' && rest === `${api}CreatePayment`) { sendJson(res, 200, createPayment((await readJson(req)) || {}, req.headers.authorization)); return true; }
    if (req.method === 'POST' && rest === `${api}UpdatePaymentAmount`) { sendJson(res, 200, updatePaymentAmount((await readJson(req)) || {}, req.headers.authorization)); return true; }
    if (req.method === 'POST' && rest === '/api-payment/V4/Token/Cancel') {
      // Token/Cancel (docs.lyra.com REST V4): the token no longer pays. An unknown one is
      // PSP_030 (as SILENT answers it), a held one PSP_031: both codes the emulator's own.
      const b = (await readJson(req)) || {};
      let answer;
      if (req.headers.authorization !== BASIC) answer = wsError('INT_905', 'invalid authentication');
      else if (!tokens.has(b.paymentMethodToken)) answer = wsError('PSP_030', 'paymentMethodToken not found');
      else if (held.has(b.paymentMethodToken)) answer = wsError('PSP_031', 'this token cannot be cancelled now');
      else {
        tokens.delete(b.paymentMethodToken);
        answer = { status: 'SUCCESS', answer: { responseCode: 0, responseCodeDetail: 'Action successfully completed', _type: 'V4/Common/ResponseCodeAnswer' } };
      }
      cancels.push({ status: answer.status, errorCode: answer.answer.errorCode ?? null });
      sendJson(res, 200, answer);
      return true;
    }
    if (req.method === 'POST' && rest === '/api-payment/V4/Order/Get') {
      // V4/Order/Get by orderId (the answer's shape is this emulator's guess).
      const b = (await readJson(req)) || {};
      if (req.headers.authorization !== BASIC) { sendJson(res, 200, wsError('INT_905', 'invalid authentication')); return true; }
      const txs = orders.get(b.orderId);
      sendJson(res, 200, txs ? { status: 'SUCCESS', answer: { orderId: b.orderId, transactions: txs, _type: 'V4/OrderTransactions' } } : wsError('PSP_010', 'order not found'));
      return true;
    }
    if (req.method === 'GET' && rest === `${api}FormInfo`) {
      const f = forms.get(url.searchParams.get('formToken'));
      sendJson(res, f ? 200 : 404, f ? { amount: f.amount, currency: f.currency, formAction: f.formAction } : { errorCode: 'CLIENT_100' });
      return true;
    }
    if (req.method === 'POST' && rest === `${api}ProcessFormPayment`) {
      const r = processForm((await readJson(req)) || {});
      sendJson(res, r.error ? 400 : 200, r.error || r.answer);
      return true;
    }
    sendJson(res, 404, wsError('INT_000', 'unknown endpoint'));
    return true;
  }

  return {
    handle, reset, createPayment, updatePaymentAmount, processForm, basicAuth: BASIC,
    /** Registers a card directly (what a REGISTER form would do) and returns its paymentMethodToken. */
    register(pan) { const t = randomId(16).replace(/[^a-zA-Z0-9]/g, 'x'); tokens.set(t, { pan }); return t; },
    /** Makes Token/Cancel of a token refused (PSP_031). */
    holdToken(t) { held.add(t); },
    setOrigin() {},
    /** Where the IPN goes (the merchant's notification URL). */
    setIpnUrl(url) { ipn.setUrl(url); },
    ipns: () => ipn.delivered(),
    /** Resolves when no IPN is on its way (each is bounded: five tries). */
    async idle() { while (inFlight.size) await Promise.allSettled([...inFlight]); },
    /** Every form token's CreatePayment fields, as the emulator received them. */
    state: () => ({ transactions: [...transactions], forms: [...forms.values()].map(({ paid, ...f }) => f), cancels: [...cancels] }),
  };
}
