// The emulated merchant server: implements API.md §4 on top of the emulated provider APIs.
//   POST /merchant/pay            one payment attempt (Idempotency-Key required)
//   GET  /merchant/pay/{id}       status of a payment (statusUrl defaults to paymentUrl)
// Every provider call it makes is recorded as a charge when it moves money, so tests can
// assert "exactly one charge".
import { readJson, sendJson } from './http.mjs';
import { BAMBOO_PRIVATE_KEY } from './bamboo.mjs';
import { CONEKTA_PRIVATE_KEY } from './conekta.mjs';
import { krHashValid } from './kr.mjs';

export function createMerchant({ bamboo, conekta, kr, faults }) {
  let idempotency, payments, requests, profiles, nextPayment, webhooks, shoppers;
  let generation = 0; // a request delayed past a reset belongs to the previous test: it is dropped
  const reset = () => {
    generation += 1;
    idempotency = new Map(); payments = new Map(); requests = []; profiles = new Map(); nextPayment = 1; webhooks = [];
    shoppers = new Map();
  };
  reset();

  // Conekta delivers order.* webhooks; the merchant keeps its payment record in step with them,
  // which is what `statusUrl` reports (so pending → paid is seen by polling).
  conekta.onWebhook((event) => {
    webhooks.push({ type: event.type, order: event.data.object.id });
    const p = [...payments.values()].find((x) => x.provider === 'conekta' && x.providerRef === event.data.object.id);
    if (!p) return;
    if (event.type === 'order.paid') Object.assign(p, { status: 'approved', message: undefined });
    if (event.type === 'order.declined') Object.assign(p, { status: 'declined', message: event.data.object.charges?.data?.[0]?.failure_message });
  });

  const answerOf = (p) => {
    const a = { status: p.status, paymentId: p.id };
    if (p.message) a.message = p.message;
    if (p.status === 'pending' && p.action) a.action = p.action;
    return a;
  };

  /** Bamboo purchase response → merchant answer. */
  function fromBamboo(r, provider) {
    const res = r.body.Response;
    const err = (r.body.Errors || [])[0];
    if (!res) return { status: 'declined', message: err ? `${err.ErrorCode}: ${err.Message}` : 'Rechazado', provider };
    const id = res.Transaction.TransactionStatusId;
    const p = { provider, providerRef: res.PurchaseId };
    if (id === 1 || id === 5 || id === 3) p.status = 'approved';
    else if (id === 2) {
      p.status = 'pending';
      const act = res.CommerceAction;
      // The seed spells VERIFICATION_CODE_NEED; Bamboo's docs VERIFICATION_CODE_NEEDED: accept both.
      if (act && act.ActionType === 2 && /^VERIFICATION_CODE_NEED(ED)?$/.test(act.ActionReason)) p.action = { type: 'verification_code', url: act.ActionURL };
      else if (act && act.ActionType === 1) p.action = { type: 'redirect', url: act.ActionURL };
    } else {
      p.status = 'declined';
      p.message = err ? `${err.ErrorCode}: ${err.Message}` : res.Transaction.ErrorCode;
    }
    return p;
  }

  async function charge(body) {
    const { provider, order, source } = body;
    if (provider === 'bamboo') {
      let trxToken;
      if (source.type === 'token') trxToken = source.token;
      else if (source.type === 'profile') trxToken = profiles.get(`bamboo:${source.profileId}`);
      if (!trxToken) return { status: 'declined', message: 'Perfil desconocido' };
      const r = bamboo.purchase({ TrxToken: trxToken, Order: order.id, Amount: order.amount, Currency: order.currency, Capture: true,
        TargetCountryISO: 'UY', Installments: body.installments ?? 1, Customer: body.customer?.email ? { Email: body.customer.email } : undefined },
      `Basic ${BAMBOO_PRIVATE_KEY}`);
      return fromBamboo(r, 'bamboo');
    }
    if (provider === 'conekta') return chargeConekta(body);
    if (provider === 'kr') return chargeKr(body);
    return { status: 'declined', message: `Proveedor no soportado: ${provider}` };
  }

  /** Conekta (seed 003): customer with the token as payment source, then an order on it. */
  function chargeConekta({ order, source, customer }) {
    const auth = `Bearer ${CONEKTA_PRIVATE_KEY}`;
    let customerId, paymentMethod = { type: 'default' };
    if (source.type === 'token') {
      const c = conekta.createCustomer({ name: customer?.firstName ?? 'Cliente', email: customer?.email ?? 'cliente@example.com',
        payment_sources: [{ type: 'card', token_id: source.token }] }, auth);
      if (c.status !== 200) return { status: 'declined', message: c.body.details?.[0]?.message ?? 'Token rechazado', provider: 'conekta' };
      customerId = c.body.id;
      for (const src of c.body.payment_sources.data) profiles.set(`conekta:${src.id}`, { customerId, sourceId: src.id });
    } else if (source.type === 'profile') {
      const saved = profiles.get(`conekta:${source.profileId}`);
      if (!saved) return { status: 'declined', message: 'Perfil desconocido', provider: 'conekta' };
      customerId = saved.customerId;
      paymentMethod = { type: 'card', payment_source_id: saved.sourceId };
    } else return { httpStatus: 422, error: 'source not valid for conekta' };
    const r = conekta.createOrder({ currency: order.currency, customer_info: { customer_id: customerId },
      line_items: [{ name: `Pedido ${order.id}`, unit_price: order.amount, quantity: 1 }], charges: [{ payment_method: paymentMethod }],
      metadata: { order_id: order.id } }, auth);
    if (r.status !== 200) return { status: 'declined', message: r.body.details?.[0]?.message ?? 'Rechazado', provider: 'conekta', providerRef: r.body.data?.id };
    const status = { paid: 'approved', pending_payment: 'pending', declined: 'declined' }[r.body.payment_status];
    return { status, provider: 'conekta', providerRef: r.body.id };
  }

  /** KR: the answer was processed by Lyra in the browser; the server checks kr-hash and reads it. */
  function chargeKr({ order, source, customer }) {
    if (source.type === 'profile') {
      const saved = profiles.get(`kr:${source.profileId}`);
      if (!saved) return { status: 'declined', message: 'Perfil desconocido', provider: 'kr' };
      const r = kr.createPayment({ amount: order.amount, currency: order.currency, orderId: order.id, formAction: 'SILENT',
        paymentMethodToken: saved.paymentMethodToken, customer: { email: customer?.email } }, kr.basicAuth);
      if (r.status !== 'SUCCESS') return { status: 'declined', message: r.answer.errorCode, provider: 'kr' };
      return fromKrPayment(r.answer);
    }
    if (source.type !== 'kr_answer') return { httpStatus: 422, error: 'source not valid for kr' };
    if (!krHashValid(source)) return { httpStatus: 400, error: 'kr-hash does not match kr-answer' };
    let answer;
    try { answer = JSON.parse(source.rawClientAnswer); } catch { return { httpStatus: 400, error: 'kr-answer is not JSON' }; }
    // Trust only the signed raw answer, never the unsigned clientAnswer object next to it.
    if (answer.orderDetails?.orderCurrency !== order.currency || (answer.orderDetails?.orderId ?? order.id) !== order.id) {
      return { httpStatus: 400, error: 'kr-answer is for another order' };
    }
    const tx = answer.transactions?.[0];
    const seen = [...payments.values()].find((p) => p.provider === 'kr' && p.providerRef === tx?.uuid);
    if (seen) return { ...seen, duplicate: true };
    if (tx?.paymentMethodToken && customer?.email) {
      const card = tx.transactionDetails?.cardDetails ?? {};
      profiles.set(`kr:kr_${tx.uuid.slice(0, 8)}`, { paymentMethodToken: tx.paymentMethodToken, email: customer.email, brand: card.effectiveBrand, pan: card.pan });
    }
    return fromKrPayment(answer);
  }

  function fromKrPayment(answer) {
    const tx = answer.transactions?.[0] ?? {};
    if (answer.orderStatus === 'PAID') return { status: 'approved', provider: 'kr', providerRef: tx.uuid };
    return { status: 'declined', message: [tx.errorCode, tx.detailedStatus].filter(Boolean).join(': ') || 'UNPAID', provider: 'kr', providerRef: tx.uuid };
  }

  /**
   * The shopper's account on the merchant's side: a provider customer, optionally with test cards
   * saved (what earlier purchases or enrollments would have left). Secrets stay in `profiles`.
   */
  function ensureShopper({ provider, email, firstName = 'Ana', lastName = 'Pérez', cards = [] }) {
    const key = `${provider}:${email}`;
    let s = shoppers.get(key);
    if (!s) {
      s = { email, firstName, lastName };
      if (provider === 'bamboo') s.bambooId = bamboo.createCustomer({ Email: email, FirstName: firstName, LastName: lastName }).CustomerId;
      if (provider === 'kr') s.krTokens = [];
      shoppers.set(key, s);
    }
    for (const pan of cards) {
      if (provider === 'bamboo') {
        const session = bamboo.customerView(bamboo.customer(s.bambooId)).UniqueID;
        bamboo.tokenize({ key: 'merchant', pan, expMonth: 12, expYear: 2030, cvv: '123', holder: `${firstName} ${lastName}`, sessionId: session });
      } else if (provider === 'conekta') {
        const tok = conekta.tokenize({ publicKey: 'merchant', number: pan, name: `${firstName} ${lastName}`, exp_month: '12', exp_year: '30', cvc: '123' }).token;
        if (s.conektaId) throw new Error('emulator: add Conekta cards when creating the shopper');
        const c = conekta.createCustomer({ name: firstName, email, payment_sources: [{ type: 'card', token_id: tok.id }] }, `Bearer ${CONEKTA_PRIVATE_KEY}`);
        s.conektaId = c.body.id;
      } else if (provider === 'kr') {
        s.krTokens.push({ id: `kr_${s.krTokens.length + 1}`, token: kr.register(pan), pan });
      }
    }
    return savedCards(provider, s);
  }

  /** What the storefront gets to pass as `profiles`: each provider's own shape, minus secrets. */
  function savedCards(provider, s) {
    if (provider === 'bamboo') {
      const view = bamboo.customerView(bamboo.customer(s.bambooId));
      const list = view.PaymentProfiles.map(({ Token, CommerceToken, ...rest }) => {
        profiles.set(`bamboo:${rest.PaymentProfileId}`, Token || CommerceToken);
        return rest;
      });
      return { profiles: list, bamboo: { captureUrl: view.CaptureURL, uniqueId: view.UniqueID } };
    }
    if (provider === 'conekta') {
      const c = s.conektaId ? conekta.customer(s.conektaId) : null;
      const list = (c?.payment_sources.data ?? []).map((src) => {
        profiles.set(`conekta:${src.id}`, { customerId: c.id, sourceId: src.id });
        return { id: src.id, object: src.object, brand: src.brand, last4: src.last4, exp_month: src.exp_month, exp_year: src.exp_year, name: src.name };
      });
      return { profiles: list };
    }
    const list = s.krTokens.map((t) => {
      profiles.set(`kr:${t.id}`, { paymentMethodToken: t.token });
      return { id: t.id, brand: t.pan.startsWith('5') ? 'MASTERCARD' : 'VISA', last4: t.pan.slice(-4), expiry: '203012' };
    });
    return { profiles: list };
  }

  function refresh(p) {
    if (p.status !== 'pending') return p;
    let fresh;
    if (p.provider === 'bamboo') {
      const pur = bamboo.getPurchase(p.providerRef);
      if (pur) fresh = fromBamboo({ body: { Response: pur, Errors: pur.Transaction.ErrorCode ? [{ ErrorCode: pur.Transaction.ErrorCode, Message: 'Rechazado' }] : [] } }, 'bamboo');
    }
    if (fresh) Object.assign(p, { status: fresh.status, message: fresh.message, action: fresh.action });
    return p;
  }

  function validate(body) {
    if (!body || typeof body !== 'object') return 'body is not JSON';
    if (!['bamboo', 'conekta', 'kr'].includes(body.provider)) return 'provider';
    const o = body.order;
    if (!o || typeof o.id !== 'string' || !Number.isInteger(o.amount) || o.amount <= 0 || !/^[A-Z]{3}$/.test(o.currency)) return 'order';
    const s = body.source;
    if (!s || !['token', 'profile', 'kr_answer'].includes(s.type)) return 'source';
    return null;
  }

  async function pay(req, res) {
    const key = req.headers['idempotency-key'];
    if (!key || !/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(key)) {
      return sendJson(res, 400, { error: 'Idempotency-Key (uuid v4) required' });
    }
    const body = await readJson(req);
    requests.push({ at: Date.now(), key, body: redact(body), headers: { 'content-type': req.headers['content-type'], 'x-csrf-token': req.headers['x-csrf-token'] } });
    const gen = generation;
    if (await faults.apply('merchant-before', res)) return; // fails before charging
    if (gen !== generation) return res.socket?.destroy();
    let entry = idempotency.get(key);
    if (!entry) {
      const bad = validate(body);
      if (bad) return sendJson(res, 422, { error: `invalid ${bad}` });
      entry = charge(body).then((p) => {
        if (p.httpStatus || p.duplicate) return p;
        const payment = { id: `pay_${nextPayment++}`, ...p, key, order: body.order, provider: body.provider };
        payments.set(payment.id, payment);
        return payment;
      });
      idempotency.set(key, entry);
    }
    const payment = await entry;
    if (await faults.apply('merchant', res)) return; // fails after charging: the retry must not charge again
    if (payment.httpStatus) return sendJson(res, payment.httpStatus, { error: payment.error });
    sendJson(res, 200, answerOf(payment));
  }

  async function handle(req, res, url) {
    const p = url.pathname;
    if (p === '/merchant/pay' && req.method === 'POST') return pay(req, res);
    const m = p.match(/^\/merchant\/pay\/([^/]+)$/);
    if (m && req.method === 'GET') {
      if (await faults.apply('status', res)) return;
      const payment = payments.get(m[1]);
      if (!payment) return sendJson(res, 404, { error: 'unknown payment' });
      return sendJson(res, 200, answerOf(refresh(payment)));
    }
    if (p === '/merchant/kr/form-token' && req.method === 'POST') {
      // The merchant creates the formToken server to server (V4/Charge/CreatePayment).
      const b = (await readJson(req)) || {};
      const r = kr.createPayment({ amount: b.order?.amount, currency: b.order?.currency, orderId: b.order?.id, formAction: b.formAction || 'PAYMENT',
        customer: { email: b.customer?.email } }, kr.basicAuth);
      return r.status === 'SUCCESS' ? sendJson(res, 200, { formToken: r.answer.formToken }) : sendJson(res, 502, r.answer);
    }
    if (p === '/merchant/kr/bin-update' && req.method === 'POST') {
      // Seed 004's AmountUpdateCallback: 10.00 off for Mastercard BIN 59701003, 5.00 off for Amex 37828200.
      const b = (await readJson(req)) || {};
      const off = { 59701003: 1000, 37828200: 500 }[b.bin];
      if (!off) return sendJson(res, 200, { formToken: b.formToken });
      const r = kr.updatePaymentAmount({ updatedAmount: b.amount - off, cardBin: b.bin, formToken: b.formToken }, kr.basicAuth);
      return r.status === 'SUCCESS' ? sendJson(res, 200, { formToken: r.answer.formToken }) : sendJson(res, 422, r.answer);
    }
    if (p === '/merchant/customers' && req.method === 'POST') return sendJson(res, 200, ensureShopper((await readJson(req)) || {}));
    if (p === '/merchant/profiles' && req.method === 'GET') {
      const key = `${url.searchParams.get('provider')}:${url.searchParams.get('email')}`;
      return shoppers.has(key) ? sendJson(res, 200, savedCards(url.searchParams.get('provider'), shoppers.get(key))) : sendJson(res, 404, { error: 'unknown shopper' });
    }
    return sendJson(res, 404, { error: 'not found' });
  }

  return {
    handle, reset, profiles: () => profiles,
    /** Payments that moved money (approved, or pending and later approved). */
    charges: () => [...payments.values()].filter((p) => refresh(p).status === 'approved').map((p) => ({ id: p.id, provider: p.provider, order: p.order, key: p.key })),
    requests: () => requests,
    webhooks: () => webhooks,
    setOrigin() {},
  };
}

/** Never keep token values in the recorded requests (tests assert on shapes, not secrets). */
function redact(body) {
  if (!body || typeof body !== 'object' || !body.source) return body;
  const source = { ...body.source };
  if (source.token) source.token = `${String(source.token).slice(0, 4)}…`;
  return { ...body, source };
}
