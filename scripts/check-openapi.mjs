// The merchant service's OpenAPI document (docs/openapi.json) against the service itself:
//   a. the shipped file is what the built binary prints (`--openapi`) and serves (GET /openapi.json);
//   b. against the sandbox (the provider emulators), one valid request per operation: its status
//      is documented and its body validates against the documented schema; each secured
//      operation, sent without its credential, answers a documented 401 of the error schema;
//   c. the router's routes (`.route("…", get|post(…))` in server/src/routes/mod.rs) are the
//      document's operations, no more, no fewer; a path outside them answers 404 `no such route`.
// Schemas are checked by the subset of JSON Schema the document uses (type, properties,
// required, additionalProperties, enum, items, oneOf, anyOf, allOf, $ref, minimum, maximum); a
// keyword outside it fails the check rather than pass unread.
// Usage: bash scripts/build-server.sh && node scripts/check-openapi.mjs
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_BIN } from '../www/sandbox/service.mjs';
import { BAMBOO_PRIVATE_KEY } from '../www/sandbox/bamboo.mjs';
import { conektaDigest } from '../www/sandbox/conekta.mjs';
import { KR_PASSWORD } from '../www/sandbox/kr.mjs';
import { world, order } from '../tests/service/helpers.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
const fail = (what) => problems.push(what);

// ---------------------------------------------------------------------------------------------
// A JSON Schema subset: what utoipa writes for this service.

const ANNOTATIONS = new Set(['description', 'title', 'format', 'default', 'example', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'contentMediaType', 'contentEncoding']);
const CHECKED = new Set(['$ref', 'type', 'properties', 'required', 'additionalProperties', 'enum', 'items', 'oneOf', 'anyOf', 'allOf', 'minimum', 'maximum']);

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Resolves `#/a/b` in `doc`. */
function resolve(doc, ref) {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  const target = ref.slice(2).split('/').reduce((x, k) => x?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  if (target === undefined) throw new Error(`dangling $ref ${ref}`);
  return target;
}

/** The errors of `value` against `schema` at `path` (empty: valid). */
function validate(doc, schema, value, path = '$') {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${path}: no value allowed`];
  const errors = [];
  for (const k of Object.keys(schema)) {
    if (!CHECKED.has(k) && !ANNOTATIONS.has(k)) throw new Error(`${path}: the checker does not know the keyword ${k}`);
  }
  if (schema.$ref) errors.push(...validate(doc, resolve(doc, schema.$ref), value, path));
  if (schema.type !== undefined) {
    const types = [schema.type].flat();
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [...errors, `${path}: ${t}, not ${types.join(' or ')}`];
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: under ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: over ${schema.maximum}`);
  }
  if (typeOf(value) === 'object') {
    for (const r of schema.required ?? []) if (!(r in value)) errors.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(value)) {
      if (schema.properties && k in schema.properties) errors.push(...validate(doc, schema.properties[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: ${k} is not documented`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...validate(doc, schema.additionalProperties, v, `${path}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validate(doc, schema.items, v, `${path}[${i}]`)));
  if (schema.allOf) for (const s of schema.allOf) errors.push(...validate(doc, s, value, path));
  if (schema.anyOf && !schema.anyOf.some((s) => validate(doc, s, value, path).length === 0)) errors.push(`${path}: matches none of anyOf`);
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((s) => validate(doc, s, value, path).length === 0).length;
    if (matching !== 1) errors.push(`${path}: matches ${matching} of oneOf, not exactly 1`);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// a. One document: the file, the binary's, the live service's.

const shipped = readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8');
const printed = execFileSync(SERVER_BIN, ['--openapi'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
if (printed !== shipped) fail('docs/openapi.json differs from `pasarela-server --openapi`: run `target/server/pasarela-server --openapi > docs/openapi.json`');
const doc = JSON.parse(shipped);

const operations = [];
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) operations.push({ path, method: method.toUpperCase(), op });
}

// ---------------------------------------------------------------------------------------------
// c. The router's routes, from its source.

const routerSource = readFileSync(join(ROOT, 'server/src/routes/mod.rs'), 'utf8');
const routed = [...routerSource.matchAll(/\.route\(\s*"([^"]+)"\s*,\s*(get|post|put|patch|delete)\(/g)].map((m) => `${m[2].toUpperCase()} ${m[1]}`);
const documented = operations.map((o) => `${o.method} ${o.path}`);
for (const r of routed) if (!documented.includes(r)) fail(`${r} is routed but not in the document`);
for (const d of documented) if (!routed.includes(d)) fail(`${d} is in the document but not routed`);

// ---------------------------------------------------------------------------------------------
// b. The live service: one valid request per operation, and the credential refusals.

const w = await world();
let sent = 0;
let validated = 0;
/** Checks one answer of `operationId` against the document. */
async function check(operationId, res, label = 'valid request') {
  const o = operations.find((x) => x.op.operationId === operationId);
  if (!o) return fail(`no operation ${operationId} in the document`);
  o.checked = true;
  sent += 1;
  const text = await res.text();
  const where = `${o.method} ${o.path} (${operationId}, ${label})`;
  let documentedAnswer = o.op.responses[String(res.status)] ?? o.op.responses.default;
  if (!documentedAnswer) return fail(`${where}: status ${res.status} is not documented: ${text.slice(0, 200)}`);
  if (documentedAnswer.$ref) documentedAnswer = resolve(doc, documentedAnswer.$ref);
  const [type] = (res.headers.get('content-type') ?? '').split(';');
  // An answer documented without content (204) must have none.
  if (!documentedAnswer.content) {
    if (text !== '') return fail(`${where}: ${res.status} is documented without content, answered ${text.slice(0, 200)}`);
    validated += 1;
    return undefined;
  }
  const content = documentedAnswer.content?.[type];
  if (!content) return fail(`${where}: ${res.status} answered ${type || 'no content type'}, documented ${Object.keys(documentedAnswer.content ?? {}).join(', ') || 'none'}`);
  for (const h of Object.keys(documentedAnswer.headers ?? {})) {
    if (h === 'Retry-After' && res.status !== 409 && !res.headers.get(h)) fail(`${where}: no ${h} header`);
  }
  let body = text;
  if (type === 'application/json') {
    try { body = JSON.parse(text); } catch { return fail(`${where}: the body is not JSON: ${text.slice(0, 200)}`); }
  }
  const errors = validate(doc, content.schema, body);
  if (errors.length) fail(`${where}: ${res.status} body does not fit its schema: ${errors.slice(0, 5).join('; ')}`);
  else validated += 1;
  return body;
}

const url = (p) => `${w.svc.url}${p}`;
const json = (body, headers = {}) => ({ method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
const bearer = (key) => ({ Authorization: `Bearer ${key}` });
const backendKey = bearer(w.svc.secretKey);

try {
  await check('health', await fetch(url('/health')));
  await check('ready', await fetch(url('/ready')));
  await check('metrics', await fetch(url('/metrics'), { headers: backendKey }));
  const served = await fetch(url('/openapi.json'));
  const servedText = await served.clone().text();
  if (servedText !== shipped) fail('GET /openapi.json differs from docs/openapi.json');
  await check('openapi', served);

  // The backend opens sessions: Bamboo (with a customer: profiles and an enrollment) and KR.
  const bambooOrder = order(`OAS-B-${randomUUID()}`);
  const customer = { id: `oas-${randomUUID()}`, email: 'ana@example.com', firstName: 'Ana', lastName: 'Pérez' };
  const bamboo = await check('createSession', await fetch(url('/v1/sessions'), json({ provider: 'bamboo', order: bambooOrder, customer }, backendKey)));
  const krOrder = order(`OAS-K-${randomUUID()}`, 4990, 'EUR');
  const kr = await check('createSession', await fetch(url('/v1/sessions'), json({ provider: 'kr', order: krOrder, kr: { metadata: { campaign: 'oas' } } }, backendKey)), 'KR session');
  await check('linkCustomer', await fetch(url(`/v1/customers/${encodeURIComponent(customer.id)}`), json({ kr: [] }, backendKey)));

  // The customer's saved cards: two enrolled at Bamboo, listed by the next session; one made the
  // default and one removed by the page, the other removed by the backend, then listed (none).
  for (const pan of ['4111111111111111', '5555555555554444']) {
    w.sb.providers.bamboo.tokenize({ key: 'pk', pan, expMonth: 12, expYear: 2030, cvv: '123', holder: 'Ana', sessionId: bamboo.bamboo.uniqueId });
  }
  const enrolled = await (await fetch(url('/v1/sessions'), json({ provider: 'bamboo', order: order(`OAS-BC-${randomUUID()}`), customer }, backendKey))).json();
  const [firstCard, secondCard] = enrolled.profiles ?? [];
  if (!secondCard) fail('the enrolled cards were not listed by the next session');
  const cardPath = (id) => url(`/pay/payment-methods/${encodeURIComponent(id)}`);
  await check('setDefaultPaymentMethod', await fetch(`${cardPath(secondCard?.id)}/default`, { method: 'PUT', headers: bearer(enrolled.clientSecret) }));
  await check('removePaymentMethod', await fetch(cardPath(secondCard?.id), { method: 'DELETE', headers: bearer(enrolled.clientSecret) }));
  const customerCards = url(`/v1/customers/${encodeURIComponent(customer.id)}/payment-methods`);
  await check('removeCustomerPaymentMethod', await fetch(`${customerCards}/${encodeURIComponent(firstCard?.id)}`, { method: 'DELETE', headers: backendKey }));
  await check('listCustomerPaymentMethods', await fetch(customerCards, { headers: backendKey }));

  // The page pays, reads the payment, asks KR for its form token and a BIN update.
  const pay = { provider: 'bamboo', order: bambooOrder, source: { type: 'token', token: w.bambooToken(), kind: 'one_time' }, installments: 1, customer: {}, clientSecret: bamboo.clientSecret };
  const paid = await check('pay', await fetch(url('/pay'), json(pay, { 'Idempotency-Key': randomUUID() })));
  await check('getPayment', await fetch(url(`/pay/${paid.paymentId}`), { headers: bearer(bamboo.clientSecret) }));
  // The providers' way back (3-D Secure, a bank's site): the return page, fetched and POSTed (Bamboo's form).
  await check('payReturn', await fetch(url(`/pay/${paid.paymentId}/return`)));
  const form = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'PurchaseId=1&Status=approved' };
  await check('payReturnPost', await fetch(url(`/pay/${paid.paymentId}/return`), form));
  await check('krFormToken', await fetch(url('/kr/form-token'), json({ clientSecret: kr.clientSecret })));
  await check('krBinUpdate', await fetch(url('/kr/bin-update'), json({ formToken: kr.kr.formToken, bin: '59701003' })));
  const list = await check('listPayments', await fetch(url(`/v1/payments?orderId=${encodeURIComponent(bambooOrder.id)}`), { headers: backendKey }));
  await check('getBackendPayment', await fetch(url(`/v1/payments/${paid.paymentId}`), { headers: backendKey }));
  const events = await check('listEvents', await fetch(url('/v1/events?limit=100'), { headers: backendKey }));
  if (!events.data?.length) fail('GET /v1/events listed no event after a payment');

  // The providers notify: Bamboo of the purchase just made, Conekta of an order, Lyra of a KR payment.
  const n = { PurchaseId: list.data?.[0]?.providerRef, Amount: bambooOrder.amount, Currency: bambooOrder.currency };
  const dateSent = new Date().toISOString();
  const signature = createHmac('sha256', BAMBOO_PRIVATE_KEY).update(`${n.PurchaseId}${n.Amount}${n.Currency}${dateSent}`).digest('hex');
  await check('bambooWebhook', await fetch(url('/webhooks/bamboo'), json(n, { dateSent, signature })));
  const event = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'order.paid', data: { object: { id: 'ord_2tUigJ8DgBhbp6w5D' } } });
  await check('conektaWebhook', await fetch(url('/webhooks/conekta'), { method: 'POST', headers: { 'Content-Type': 'application/json', digest: conektaDigest(event) }, body: event }));
  const answer = JSON.stringify({ orderStatus: 'PAID', orderDetails: { orderId: krOrder.id, orderTotalAmount: krOrder.amount, orderCurrency: krOrder.currency },
    transactions: [{ uuid: `oas-${randomUUID()}`, status: 'PAID', detailedStatus: 'CAPTURED' }] });
  const ipn = new URLSearchParams({ 'kr-answer': answer, 'kr-hash': createHmac('sha256', KR_PASSWORD).update(answer).digest('hex'), 'kr-hash-key': 'password', 'kr-hash-algorithm': 'sha256_hmac' });
  await check('lyraWebhook', await fetch(url('/webhooks/lyra'), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: ipn.toString() }));

  // Every secured operation, without its credential: a documented 401.
  const refused = { createSession: ['/v1/sessions', json({})], linkCustomer: ['/v1/customers/x', json({})], listPayments: ['/v1/payments', {}], getBackendPayment: [`/v1/payments/${paid.paymentId}`, {}], listEvents: ['/v1/events', {}], getPayment: [`/pay/${paid.paymentId}`, {}] };
  for (const o of operations.filter((x) => x.op.security)) {
    const [path, init] = refused[o.op.operationId] ?? [o.path, { method: o.method }];
    await check(o.op.operationId, await fetch(url(path), init), 'no credential');
  }

  // Outside the document: the fallback's 404.
  const stray = await fetch(url(`/not-a-route-${randomUUID()}`));
  const strayBody = await stray.json().catch(() => ({}));
  if (stray.status !== 404 || strayBody.error !== 'no such route') fail(`a path outside the document answered ${stray.status} ${JSON.stringify(strayBody)}`);
} finally {
  await w.close();
}

for (const o of operations.filter((x) => !x.checked)) fail(`${o.method} ${o.path} (${o.op.operationId}) was never requested`);
console.log(`openapi: ${operations.length} operations documented, ${routed.length} routed; ${sent} answers checked, ${validated} bodies valid against their schemas`);
if (problems.length) {
  console.error(problems.map((p) => `  - ${p}`).join('\n'));
  process.exit(1);
}
