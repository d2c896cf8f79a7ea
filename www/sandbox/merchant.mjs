// The emulated merchant server: implements API.md §4 on top of the emulated provider APIs.
//   POST /merchant/pay            one payment attempt (Idempotency-Key required)
//   GET  /merchant/pay/{id}       status of a payment (statusUrl defaults to paymentUrl)
// Every provider call it makes is recorded as a charge when it moves money, so tests can
// assert "exactly one charge".
import { readJson, sendJson } from '../server.mjs';
import { BAMBOO_PRIVATE_KEY } from './bamboo.mjs';

export function createMerchant({ bamboo, conekta, kr, faults }) {
  let idempotency, payments, requests, profiles, nextPayment;
  const reset = () => {
    idempotency = new Map(); payments = new Map(); requests = []; profiles = new Map(); nextPayment = 1;
  };
  reset();

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
    if (provider === 'conekta' && conekta.charge) return conekta.charge(body, profiles);
    if (provider === 'kr' && kr.charge) return kr.charge(body, profiles);
    return { status: 'declined', message: `Proveedor no soportado: ${provider}` };
  }

  function refresh(p) {
    if (p.status !== 'pending') return p;
    let fresh;
    if (p.provider === 'bamboo') {
      const pur = bamboo.getPurchase(p.providerRef);
      if (pur) fresh = fromBamboo({ body: { Response: pur, Errors: pur.Transaction.ErrorCode ? [{ ErrorCode: pur.Transaction.ErrorCode, Message: 'Rechazado' }] : [] } }, 'bamboo');
    } else if (p.provider === 'conekta' && conekta.refresh) fresh = conekta.refresh(p);
    else if (p.provider === 'kr' && kr.refresh) fresh = kr.refresh(p);
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
    requests.push({ key, body: redact(body), headers: { 'content-type': req.headers['content-type'], 'x-csrf-token': req.headers['x-csrf-token'] } });
    if (await faults.apply('merchant-before', res)) return; // fails before charging
    let entry = idempotency.get(key);
    if (!entry) {
      const bad = validate(body);
      if (bad) return sendJson(res, 422, { error: `invalid ${bad}` });
      entry = charge(body).then((p) => {
        const payment = { id: `pay_${nextPayment++}`, ...p, key, order: body.order, provider: body.provider };
        payments.set(payment.id, payment);
        return payment;
      });
      idempotency.set(key, entry);
    }
    const payment = await entry;
    if (await faults.apply('merchant', res)) return; // fails after charging: the retry must not charge again
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
    if (p === '/merchant/profiles' && req.method === 'GET') return sendJson(res, 200, []);
    return sendJson(res, 404, { error: 'not found' });
  }

  return {
    handle, reset, profiles: () => profiles,
    /** Payments that moved money (approved, or pending and later approved). */
    charges: () => [...payments.values()].filter((p) => refresh(p).status === 'approved').map((p) => ({ id: p.id, provider: p.provider, order: p.order, key: p.key })),
    requests: () => requests,
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
