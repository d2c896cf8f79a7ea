// A property (fuzz) test of the merchant service's HTTP API: every route, fed valid bodies with
// one thing broken (a field of the wrong type, missing or extra; malformed JSON; odd content
// types, headers, ids; empty bodies and bodies around the 2 MiB limit), keeps the service's promises:
//   - the connection answers (no reset, no close without an answer);
//   - never a 5xx (no fault is injected here: not even 503);
//   - a 4xx is JSON `{ error: string, field?: string }`; `field` is a dotted path of field names
//     (`order.id`, `source.token`, `Idempotency-Key`) of the request, and neither `field` nor
//     `error` repeats the value sent (every generated string carries a ZZMARK<n> marker);
//   - nothing fuzzed charges: at the end the service still answers /health, and the emulators hold
//     no Bamboo purchase, Conekta order or Lyra transaction for a FUZZ- order;
//   - nothing fuzzed removes a saved card (no fuzzed request pairs a card with its owner's
//     credential for a removal), and no answer carries a card's provider secret (a Conekta
//     payment source id, a Lyra token).
// Violations are collected, not thrown at the first: the last assertion lists them grouped by
// route, what was wrong, status and input kind, with an excerpt of one answer.
// Seeded: the seed is printed; PASARELA_FUZZ_SEED=<n> replays a run, PASARELA_FUZZ_SCALE=<x>
// multiplies the number of requests per route.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomUUID, createHmac } from 'node:crypto';
import { world, order, DATABASE } from './helpers.mjs';
import { KR_PASSWORD, KR_HMAC_KEY } from '../../www/sandbox/kr.mjs';
import { BAMBOO_PRIVATE_KEY } from '../../www/sandbox/bamboo.mjs';

const SEED = process.env.PASARELA_FUZZ_SEED ? Number(process.env.PASARELA_FUZZ_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32) >>> 0;
const SCALE = Number(process.env.PASARELA_FUZZ_SCALE || 1);
const BATCH = 10;
/** PASARELA_FUZZ_TRACE=<route prefix, e.g. "POST /webhooks">: prints every request of those routes with its answer. */
const TRACE = process.env.PASARELA_FUZZ_TRACE;
const REQUEST_TIMEOUT_MS = 15_000;
/** Axum's default body limit (2 MiB): one body just over it, one just under it, per POST route. */
const BODY_LIMIT = 2 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32), one stream per route family so that families replay alone.

function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    /** A v4 UUID from the stream (so a replay sends the same keys). */
    uuid: () => {
      const h = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
      h[12] = '4';
      h[16] = '89ab'[Math.floor(next() * 4)];
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
  };
  return r;
}
const fnv = (s) => { let h = 0x811c9dc5; for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0; return h; };
const familyRng = (name) => prng((SEED ^ fnv(name)) >>> 0);

let markers = 0;
/**
 * Ids and markers stay unique across runs (not drawn from the seed): the test Postgres outlives a
 * run, and an event id, a customer id or a signed date seen before would be answered from what an
 * earlier run stored (a duplicate event, a provider customer of an emulator long gone).
 */
const RUN = randomUUID().slice(0, 6);
const STARTED = Date.now();
/** A unique marker: a generated string carries one, so an answer repeating it is seen. */
const mark = () => `ZZMARK${++markers}r${RUN}`;
const MARKED = /ZZMARK/;
const unmarked = (s) => s.replace(/ZZMARK\d+r[0-9a-f]{6}/g, 'ZZMARK');

// ---------------------------------------------------------------------------------------------
// JSON with raw parts (numbers JSON.stringify cannot write, invalid UTF-8, 10,000-deep nesting).

class Raw {
  constructor(bytes) { this.bytes = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'); }
}

function encode(v) {
  const out = [];
  const walk = (x) => {
    if (x instanceof Raw) out.push(x.bytes);
    else if (Array.isArray(x)) {
      out.push(Buffer.from('['));
      x.forEach((y, i) => { if (i) out.push(Buffer.from(',')); walk(y); });
      out.push(Buffer.from(']'));
    } else if (x && typeof x === 'object') {
      out.push(Buffer.from('{'));
      let first = true;
      for (const [k, y] of Object.entries(x)) {
        if (y === undefined) continue;
        if (!first) out.push(Buffer.from(','));
        first = false;
        out.push(Buffer.from(`${JSON.stringify(k)}:`));
        walk(y);
      }
      out.push(Buffer.from('}'));
    } else out.push(Buffer.from(JSON.stringify(x ?? null)));
  };
  walk(v);
  return Buffer.concat(out);
}

/** Every path (array of keys) below the root of a plain JSON value. */
function paths(v, at = []) {
  const out = [];
  if (v instanceof Raw || v === null || typeof v !== 'object') return out;
  for (const [k, y] of Object.entries(v)) {
    const p = [...at, Array.isArray(v) ? Number(k) : k];
    out.push(p, ...paths(y, p));
  }
  return out;
}
const objectPaths = (v) => [[], ...paths(v).filter((p) => { const x = getAt(v, p); return x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Raw); })];
const getAt = (v, p) => p.reduce((x, k) => x?.[k], v);
function setAt(v, p, value) {
  const parent = getAt(v, p.slice(0, -1));
  parent[p[p.length - 1]] = value;
  return v;
}
function removeAt(v, p) {
  const parent = getAt(v, p.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(p[p.length - 1], 1);
  else delete parent[p[p.length - 1]];
  return v;
}
/** `order.id`, `kr[].brand`: a path as the service should name it (indices folded). */
const dotted = (p) => p.map((k, i) => (typeof k === 'number' ? '[]' : `${i ? '.' : ''}${k}`)).join('');
const normalizeField = (f) => f.replace(/\[\d+\]/g, '[]').replace(/\.(\d+)(?=\.|$)/g, '[]');

/** A value of a kind that does not belong where it is put. */
const VALUE_KINDS = [
    (rng) => ({ label: 'bool', value: rng.chance(0.5) }),
    (rng) => ({ label: 'number', value: rng.pick([0, 7, 49, 2147483648, 4294967296, 9007199254740991]) }),
    (rng) => ({ label: 'float', value: rng.pick([1000.5, 0.25, 31337.75]) }),
    (rng) => ({ label: 'negative', value: rng.pick([-5, -1000.5, -9007199254740991]) }),
    (rng) => ({ label: 'huge number', value: new Raw(rng.pick(['1e308', '123456789012345678901234567890', '-1e308', '9007199254740993'])) }),
    (rng, m) => ({ label: 'NUL string', value: `${m}\u0000tail` }),
    (rng, m) => ({ label: 'lone surrogate (raw bytes)', value: new Raw(Buffer.concat([Buffer.from(`"${m}`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"')])) }),
    (rng, m) => ({ label: 'lone surrogate (\\ud800 escape)', value: new Raw(`"${m}\\ud800"`) }),
    (rng, m) => ({ label: '100 KB string', value: `${m}${'x'.repeat(100_000)}` }),
    (rng, m) => ({ label: 'unicode string', value: `${m} ñandú 漢字 😀 \u202e\u200b` }),
    () => ({ label: 'empty string', value: '' }),
    (rng, m) => ({ label: 'string', value: m }),
    (rng, m) => ({ label: 'array', value: [m, 1, null] }),
    (rng, m) => ({ label: 'object', value: { [`${m}k`]: m } }),
    () => ({ label: 'nested arrays 10000 deep', value: new Raw(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) }),
];
/** A value of kind `i` (random when not given) that does not belong where it is put. */
const oddValue = (rng, i = rng.int(VALUE_KINDS.length)) => VALUE_KINDS[i](rng, mark());

/** Malformed JSON made from a valid body's text. */
function malformed(rng, text) {
  const m = mark();
  const t = text;
  const firstString = t.indexOf('":"');
  return rng.pick([
    ['truncated', () => t.slice(0, 1 + rng.int(Math.max(1, t.length - 1)))],
    ['trailing garbage', () => `${t}${m}`],
    ['trailing comma', () => t.replace(/}$/, ',}')],
    ['single quotes', () => t.replaceAll('"', "'")],
    ['unquoted keys', () => t.replace(/"([A-Za-z-]+)":/g, '$1:')],
    ['byte order mark', () => `\ufeff${t}`],
    ['NaN', () => t.replace(/}$/, `,"${m}":NaN}`)],
    ['comment', () => `/* ${m} */${t}`],
    ['raw NUL in a string', () => (firstString < 0 ? `${t}\u0000` : `${t.slice(0, firstString + 3)}${m}\u0000${t.slice(firstString + 3)}`)],
    ['raw newline in a string', () => (firstString < 0 ? `${t}\n` : `${t.slice(0, firstString + 3)}${m}\n${t.slice(firstString + 3)}`)],
    ['invalid UTF-8 byte', () => Buffer.concat([Buffer.from(t.slice(0, Math.max(0, firstString + 3))), Buffer.from(m), Buffer.from([0xff, 0xfe]), Buffer.from(t.slice(Math.max(0, firstString + 3)))])],
    ['two documents', () => `${t}${t}`],
    ['unterminated string', () => (firstString < 0 ? `"${m}` : t.slice(0, firstString + 4))],
    ['single value in braces', () => `{"${m}"}`],
  ].map(([label, f]) => () => ({ label, bytes: Buffer.isBuffer(f()) ? f() : Buffer.from(f(), 'utf8') })))();
}

/** A whole body that is not the route's object at all. */
function oddBody(rng) {
  const m = mark();
  return rng.pick([
    ['empty', ''], ['null', 'null'], ['array', `["${m}"]`], ['string', `"${m}"`], ['number', '1000.5'], ['true', 'true'],
    ['whitespace', ' \n\t '], ['nested arrays 10000 deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['nested objects 10000 deep', `${`{"${m}":`.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['object of markers', `{"${m}":"${m}"}`],
  ].map(([label, text]) => () => ({ label, bytes: Buffer.from(text) })))();
}

/**
 * One random mutation of `base`: `{ kind, bytes, value? }` (`value`: the mutated object, when the
 * body is still one).
 */
function mutate(rng, base) {
  const r = rng.next();
  const ps = paths(base);
  if (r < 0.55 && ps.length) {
    const p = rng.pick(ps);
    const v = oddValue(rng);
    const value = setAt(structuredClone(base), p, v.value);
    return { kind: `replace ${dotted(p)} by ${v.label}`, value, bytes: encode(value) };
  }
  if (r < 0.67 && ps.length) {
    const p = rng.pick(ps);
    const value = removeAt(structuredClone(base), p);
    return { kind: `remove ${dotted(p)}`, value, bytes: encode(value) };
  }
  if (r < 0.77) {
    const p = rng.pick(objectPaths(base));
    const v = oddValue(rng);
    const value = structuredClone(base);
    const target = p.length ? getAt(value, p) : value;
    target[mark()] = v.value;
    return { kind: `extra field in ${p.length ? dotted(p) : 'body'} (${v.label})`, value, bytes: encode(value) };
  }
  if (r < 0.9) {
    const m = malformed(rng, JSON.stringify(base));
    return { kind: `malformed JSON: ${m.label}`, bytes: m.bytes };
  }
  const b = oddBody(rng);
  return { kind: `body: ${b.label}`, bytes: b.bytes };
}

/**
 * Every field of `base`, each replaced by every odd value kind, then removed; an extra field in
 * every object. `refresh(value)` renews what must differ per request (an event id).
 */
function sweep(rng, base, refresh = () => {}) {
  const out = [];
  const add = (kind, value) => { refresh(value, kind); out.push({ kind, value, bytes: encode(value) }); };
  for (const p of paths(base)) {
    for (let i = 0; i < VALUE_KINDS.length; i++) {
      const v = oddValue(rng, i);
      add(`replace ${dotted(p)} by ${v.label}`, setAt(structuredClone(base), p, v.value));
    }
    add(`remove ${dotted(p)}`, removeAt(structuredClone(base), p));
  }
  for (const p of objectPaths(base)) {
    const value = structuredClone(base);
    (p.length ? getAt(value, p) : value)[mark()] = mark();
    add(`extra field in ${p.length ? dotted(p) : 'body'} (string)`, value);
  }
  return out;
}

/** The JSON content type, mostly; sometimes another one (the body stays the same). */
function jsonContentType(rng) {
  if (rng.chance(0.88)) return { kind: '', headers: [['Content-Type', 'application/json']] };
  const ct = rng.pick([null, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml',
    'application/json; charset=utf-16', 'application/json; charset=latin1', '*/*', Buffer.from([0x61, 0x2f, 0xff])]);
  return { kind: ` + Content-Type: ${ct === null ? 'none' : Buffer.isBuffer(ct) ? 'latin-1 bytes' : ct}`, headers: ct === null ? [] : [['Content-Type', ct]] };
}

/** Odd values for a header. */
function oddHeader(rng, name, good) {
  const m = mark();
  return rng.pick([
    ['missing', []],
    ['empty', [[name, '']]],
    ['8 KB', [[name, `${m}${'a'.repeat(8192)}`]]],
    ['latin-1 bytes', [[name, Buffer.concat([Buffer.from(m), Buffer.from([0xff, 0xfe, 0xe9])])]]],
    ['UTF-8 bytes', [[name, Buffer.from(`${m} ñ 😀`, 'utf8')]]],
    ['tab inside', [[name, `${m}\tx`]]],
    ['marker', [[name, m]]],
    ...(good === undefined ? [] : [
      ['doubled', [[name, good], [name, m]]],
      ['doubled (odd first)', [[name, m], [name, good]]],
      ['padded', [[name, `  ${good}  `]]],
    ]),
  ].map(([label, headers]) => () => ({ label: `${name}: ${label}`, headers })))();
}

// ---------------------------------------------------------------------------------------------
// HTTP over a raw socket: any bytes in a path, header or body, and a reset is seen as one.

function send(base, { method, path, headers = [], body }) {
  const u = new URL(base);
  const head = [Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n`)];
  for (const [k, v] of headers) head.push(Buffer.from(`${k}: `), Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1'), Buffer.from('\r\n'));
  if (body !== undefined) head.push(Buffer.from(`Content-Length: ${body.length}\r\n`));
  head.push(Buffer.from('\r\n'));
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks = [];
    let done = false;
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    const finish = (error) => {
      if (done) return;
      const r = parseResponse(Buffer.concat(chunks), Boolean(error) && /closed/.test(error.message));
      if (!r && !error) return; // wait for more
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r ? { ...r, ms: Date.now() - started } : { error: `${error.code || error.message}${chunks.length ? ` after ${Buffer.concat(chunks).length} bytes of answer` : ' before any answer'}`, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
    sock.on('connect', () => {
      sock.write(Buffer.concat(head));
      if (body !== undefined && body.length) sock.write(body);
    });
    sock.on('data', (d) => { chunks.push(d); finish(); });
    sock.on('end', () => finish(new Error('connection closed')));
    sock.on('close', () => finish(new Error('connection closed')));
    sock.on('error', (e) => finish(e));
  });
}

/** `{ status, headers, body }` once the answer is complete, else undefined. */
function parseResponse(buf, closed = false) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = lines[0].match(/^HTTP\/1\.[01] (\d{3})/);
  if (!m) return undefined;
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const rest = buf.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const parts = [];
    let at = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', at);
      if (eol < 0) return undefined;
      const size = parseInt(rest.subarray(at, eol).toString('latin1'), 16);
      if (Number.isNaN(size)) return undefined;
      if (size === 0) break;
      if (rest.length < eol + 2 + size) return undefined;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    return { status: Number(m[1]), headers, body: Buffer.concat(parts) };
  }
  const len = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (len === undefined) return closed ? { status: Number(m[1]), headers, body: rest } : undefined; // an answer that ends with the connection
  if (rest.length < len) return undefined;
  return { status: Number(m[1]), headers, body: rest.subarray(0, len) };
}

/** Percent-encodes bytes (everything but unreserved characters). */
const pct = (bytes) => [...(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'))]
  .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** An id for a path segment or a query value, as raw (already escaped) text, with its kind. */
function oddId(rng, prefix) {
  const m = mark();
  return rng.pick([
    ['plain', `${prefix}${m}`],
    ['unicode', pct(`${prefix}${m}-ñandú-漢字-😀`)],
    ['NUL %00', `${prefix}${m}%00`],
    ['NUL %00 alone', '%00'],
    ['..%2f', `..%2f..%2f${m}`],
    ['%2e%2e', '%2e%2e'],
    ['..%2fhealth', '..%2fhealth'],
    ['10 KB', `${prefix}${m}${'a'.repeat(10_000)}`],
    ['300 characters', `${prefix}${m}${'b'.repeat(300)}`],
    ['%FF (invalid UTF-8)', `${prefix}${m}%FF`],
    ['lone surrogate bytes', `${prefix}${m}%ED%A0%80`],
    ['%25', `${m}%25`],
    ['space %20', `${m}%20x`],
    ['plus', `${m}+x`],
    ['quote', `${m}%22%27%3C`],
  ].map(([label, raw]) => () => ({ label, raw })))();
}

// ---------------------------------------------------------------------------------------------
// What every answer must be.

/** A number or a JSON literal as `field`: a value cut out of a parser's message. */
const SENT_LITERAL = /^(?:-?\d|true$|false$|null$)/;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(?:(?:\.[A-Za-z_][A-Za-z0-9_-]*)|\[\d*\])*$/;

/** The promises an answer breaks (as short labels; [] when none). */
function problemsOf(req, res) {
  if (res.error) return [`no answer: ${res.error.replace(/ after \d+ bytes/, ' after part')}`];
  const out = [];
  const text = res.body.toString('utf8');
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  if (res.status >= 500) out.push(`5xx${res.headers['retry-after'] ? ' (with Retry-After)' : ''}`);
  else if (res.status >= 400) {
    if (!json || typeof json !== 'object' || Array.isArray(json) || typeof json.error !== 'string') out.push(`4xx body is not JSON { error }${res.headers['content-type'] ? ` (Content-Type ${res.headers['content-type']})` : ''}`);
    else {
      if (MARKED.test(json.error)) out.push('error repeats the value sent');
      if (json.field !== undefined) {
        if (typeof json.field !== 'string') out.push('field is not a string');
        else if (MARKED.test(json.field) || SENT_LITERAL.test(json.field)) out.push('field holds the value sent');
        else if (!FIELD_PATH.test(json.field)) out.push('field is not a dotted path of names');
        else if (!req.fields.has(normalizeField(json.field))) out.push('field is no path of the request (a bare or unknown name)');
      }
    }
  } else if (res.status >= 200 && res.status < 300) {
    if (json === undefined) out.push('2xx body is not JSON');
  } else out.push(`unexpected status ${res.status}`);
  const extra = req.check?.(res, json);
  if (extra) out.push(extra);
  return out;
}

/** Violations, grouped by route → problem and status → input kind. */
function collector() {
  const groups = new Map();
  let total = 0;
  const sent = new Map();
  const statuses = new Map();
  return {
    sent(route, res) {
      sent.set(route, (sent.get(route) || 0) + 1);
      const s = statuses.get(route) || new Map();
      const k = res.error ? 'no answer' : String(res.status);
      s.set(k, (s.get(k) || 0) + 1);
      statuses.set(route, s);
    },
    /** `400×12 401×3 …`: how deep the requests of a route got. */
    statusesOf: (route) => [...(statuses.get(route) || new Map()).entries()].sort().map(([k, c]) => `${k}×${c}`).join(' '),
    add(req, res, problem) {
      total += 1;
      const status = res.error ? '—' : String(res.status);
      const key = `${req.route}\u0000${problem}\u0000${status}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { route: req.route, problem, status, count: 0, kinds: new Map() }));
      g.count += 1;
      // Kinds grouped without the base body's name and the header/content-type variations; one
      // full example is kept.
      const kind = unmarked(req.kind.replace(/^\[[^\]]+\] /, '').split(' + ')[0]);
      const k = g.kinds.get(kind) || { count: 0, example: unmarked(req.kind), excerpt: res.error ? res.error : excerpt(res.body) };
      k.count += 1;
      g.kinds.set(kind, k);
    },
    total: () => total,
    sentCounts: () => sent,
    report() {
      const byRoute = new Map();
      for (const g of groups.values()) byRoute.set(g.route, [...(byRoute.get(g.route) || []), g]);
      const lines = [`${total} violations in ${groups.size} groups (seed ${SEED}, ${DATABASE}; replay: PASARELA_FUZZ_SEED=${SEED})`];
      for (const [route, gs] of byRoute) {
        lines.push(`${route}  (${gs.reduce((n, g) => n + g.count, 0)} of ${sent.get(route) || 0} requests)`);
        for (const g of gs.sort((a, b) => b.count - a.count)) {
          lines.push(`  ✗ ${g.problem} — status ${g.status} — ${g.count}×`);
          const kinds = [...g.kinds.entries()].sort((a, b) => b[1].count - a[1].count);
          for (const [kind, k] of kinds.slice(0, 12)) lines.push(`      ${k.count}× ${kind}${k.example !== kind ? `  (e.g. ${k.example})` : ''}  →  ${k.excerpt}`);
          if (kinds.length > 12) lines.push(`      … and ${kinds.length - 12} more input kinds (${kinds.slice(12).reduce((n, [, k]) => n + k.count, 0)} requests): ${kinds.slice(12).map(([kind]) => kind).join('; ')}`);
        }
      }
      return lines.join('\n');
    },
  };
}

const excerpt = (body) => {
  const t = unmarked(body.toString('utf8')).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `\`${t.length > 200 ? `${t.slice(0, 200)}…` : t}\``;
};

// ---------------------------------------------------------------------------------------------

describe(`merchant service fuzz (${DATABASE})`, () => {
  let w, ctx;
  const v = collector();
  const fuzzOrders = new Set();
  const fuzzOrder = (prefix, amount, currency) => { const o = order(`FUZZ-${prefix}-${randomUUID().slice(0, 8)}`, amount, currency); fuzzOrders.add(o.id); return o; };

  before(async () => {
    console.log(`fuzz seed: ${SEED} (replay with PASARELA_FUZZ_SEED=${SEED}), scale ${SCALE}, database ${DATABASE}`);
    w = await world();
    const { svc } = w;
    // The sessions fuzzed payments are made against (never charged: each body is refused on purpose).
    const oB = fuzzOrder('B', 150000, 'UYU'), oC = fuzzOrder('C', 5000, 'MXN'), oK = fuzzOrder('K', 4990, 'EUR');
    const sB = await w.session({ provider: 'bamboo', order: oB });
    const sC = await w.session({ provider: 'conekta', order: oC });
    const sK = await w.session({ provider: 'kr', order: oK, customer: { id: `FUZZ-kr-${randomUUID()}`, email: 'fuzz@example.com' } });
    // Real payments (not FUZZ- orders) for the reads and the webhooks to be about.
    const seedB = order(`SEED-B-${randomUUID()}`);
    const ssB = await w.session({ provider: 'bamboo', order: seedB });
    const paid = await w.pay({ provider: 'bamboo', order: seedB, source: { type: 'token', token: w.bambooToken(), kind: 'one_time' }, clientSecret: ssB.clientSecret });
    assert.equal(paid.status, 200, paid.text);
    const seedC = order(`SEED-C-${randomUUID()}`, 5000, 'MXN');
    const ssC = await w.session({ provider: 'conekta', order: seedC });
    const paidC = await w.pay({ provider: 'conekta', order: seedC, source: { type: 'token', token: w.conektaToken() }, clientSecret: ssC.clientSecret });
    assert.equal(paidC.status, 200, paidC.text);
    const purchase = w.purchases().find((p) => p.Order === seedB.id);
    const conektaOrder = w.orders().find((x) => x.metadata?.order_id === seedC.id);
    // Tokens minted at the emulators as their iframes would; each body below carries one that
    // cannot pay it (the other provider's, or the right one for an amount the session has not).
    const tokens = { bamboo: w.bambooToken(), conekta: w.conektaToken() };
    // A session whose plans offer installments (POST /pay's `installments` must be one of them).
    const oI = fuzzOrder('I', 150000, 'UYU');
    const sI = await w.session({ provider: 'bamboo', order: oI, installments: [{ count: 3 }, { count: 6, rate: 30, brands: ['visa'] }] });
    // Saved cards for the card routes to be about: a Conekta card saved by paying (an order that
    // is not a FUZZ- one), and a Lyra token linked by the backend; the owner's sessions, and
    // sessions of another customer and of none.
    const pmCustomer = { id: `FUZZ-PM-${randomUUID()}`, email: 'fuzz@example.com' };
    const seedPm = order(`SEED-PM-${randomUUID()}`, 5000, 'MXN');
    const ssPm = await w.session({ provider: 'conekta', order: seedPm, customer: pmCustomer, savePaymentMethod: 'always' });
    const paidPm = await w.pay({ provider: 'conekta', order: seedPm, source: { type: 'token', token: w.conektaToken() }, clientSecret: ssPm.clientSecret });
    assert.equal(paidPm.body?.status, 'approved', paidPm.text);
    const sPM = await w.session({ provider: 'conekta', order: fuzzOrder('PM', 5000, 'MXN'), customer: pmCustomer });
    assert.equal(sPM.profiles.length, 1, 'the saved card');
    const sOther = await w.session({ provider: 'conekta', order: fuzzOrder('PO', 5000, 'MXN'), customer: { id: `FUZZ-PO-${randomUUID()}`, email: 'fuzz@example.com' } });
    const krCustomer = `FUZZ-PMK-${randomUUID()}`;
    const krToken = w.sb.providers.kr.register('4970100000000055');
    assert.equal((await w.backend('POST', `/v1/customers/${krCustomer}`, { kr: [{ paymentMethodToken: krToken, brand: 'VISA', last4: '0055' }] })).status, 200);
    const krCard = (await w.backend('GET', `/v1/customers/${krCustomer}/payment-methods`)).body.data[0];
    assert.ok(krCard?.id, 'the linked Lyra card');
    // What must never leave the service: the provider's own ids of the saved cards.
    const cardSecrets = [krToken, ...w.sb.providers.conekta.sources().map((x) => x.id)];
    ctx = { url: svc.url, secretKey: svc.secretKey, oB, oC, oK, oI, sB, sC, sK, sI, tokens, seedPayment: paid.body.paymentId, seedSecret: ssB.clientSecret, purchase, conektaOrder,
      pmCustomer: pmCustomer.id, pmCard: sPM.profiles[0].id, sPM, sOther, krCustomer, krCard: krCard.id, cardSecrets };
  });
  after(async () => { await w?.close(); });

  /** Sends `reqs` (descriptors) in batches of BATCH and records what they break. */
  async function run(reqs) {
    for (let i = 0; i < reqs.length; i += BATCH) {
      const batch = reqs.slice(i, i + BATCH);
      const answers = await Promise.all(batch.map((r) => send(ctx.url, r)));
      batch.forEach((r, j) => {
        v.sent(r.route, answers[j]);
        if (TRACE && r.route.startsWith(TRACE)) console.log(`${r.route} | ${unmarked(r.kind)} → ${answers[j].error || `${answers[j].status} ${excerpt(answers[j].body).slice(0, 160)}`}`);
        for (const p of problemsOf(r, answers[j])) v.add(r, answers[j], p);
      });
    }
  }
  const n = (count) => Math.max(1, Math.round(count * SCALE));
  /** The two bodies around the 2 MiB limit: a JSON string just over, and just under. */
  const huge = (base, at) => [BODY_LIMIT + 64, BODY_LIMIT - 64 * 1024].map((size) => {
    const m = mark();
    const value = structuredClone(base);
    const skeleton = encode(setAt(structuredClone(base), at, m)).length;
    setAt(value, at, `${m}${'y'.repeat(size - skeleton)}`);
    return { kind: `${size > BODY_LIMIT ? 'over' : 'under'} 2 MiB body (${dotted(at)} a long string)`, bytes: encode(value) };
  });

  // Field names per route, as `field` may name them ([] folds array indices).
  const PAY_FIELDS = ['body', 'Idempotency-Key', 'provider', 'order', 'order.id', 'order.amount', 'order.currency', 'source', 'source.type', 'source.token',
    'source.kind', 'source.profileId', 'source.rawClientAnswer', 'source.hash', 'source.hashAlgorithm', 'source.hashKey', 'installments', 'customer',
    'customer.email', 'customer.firstName', 'customer.lastName', 'clientSecret'];
  const SESSION_FIELDS = ['body', 'Authorization', 'provider', 'order', 'order.id', 'order.amount', 'order.currency', 'customer', 'customer.id', 'customer.email',
    'customer.firstName', 'customer.lastName', 'customer.billingDetails', 'customer.shippingDetails', 'customer.shoppingCart', 'kr', 'kr.formAction',
    'kr.strongAuthentication', 'kr.overridePaymentCinematic', 'kr.metadata', 'kr.ipnTargetUrl', 'expiresIn', 'installments', 'installments[]',
    'installments[].count', 'installments[].rate', 'installments[].cft', 'installments[].brands', 'installments[].brands[]', 'savePaymentMethod'];
  /** An integer in an answer beyond 2^53 - 1, which the page cannot read exactly (`undefined`: none). */
  const unsafeNumber = (res) => ((res.body.toString('latin1').match(/(?<![\w.])\d{16,}(?![\w.])/g) || []).some((x) => BigInt(x) > BigInt(Number.MAX_SAFE_INTEGER))
    ? 'a number the page cannot read exactly (beyond 2^53 - 1) in the answer' : undefined);
  /** A provider's id of a saved card in an answer (`undefined`: none). */
  const leaksCard = (res) => (ctx.cardSecrets.some((x) => res.body.includes(x)) ? "a saved card's provider id in the answer" : undefined);
  const fieldsOf = (list, base) => new Set([...list, ...(base ? paths(base).map(dotted) : [])]);

  it('every route keeps its promises under fuzzed input (one grouped list of every violation)', { timeout: 180_000 }, async (t) => {
    const started = Date.now();
    const timings = [];
    const family = async (name, build) => {
      const t0 = Date.now();
      const reqs = build(familyRng(name));
      await run(reqs);
      timings.push(`${name}: ${reqs.length} requests, ${((Date.now() - t0) / 1000).toFixed(1)} s — ${v.statusesOf(name)}`);
    };
    const auth = (key) => [['Authorization', `Bearer ${key}`]];

    // POST /pay -------------------------------------------------------------------------------
    await family('POST /pay', (rng) => {
      const { oB, oC, oK, sB, sC, sK } = ctx;
      const customer = { email: 'fuzz@example.com', firstName: 'Ana', lastName: 'Fuzz' };
      const krRaw = (o) => JSON.stringify({ orderStatus: 'PAID', orderDetails: { orderId: o.id, orderTotalAmount: o.amount + 1, orderCurrency: o.currency }, transactions: [{ uuid: 'FUZZTX', status: 'PAID' }] });
      // Each base is valid but for one thing that stops it before any charge (a token of the other
      // provider, an amount that is not the session's, an unknown saved card, a signed KR answer
      // for another amount, a secret nobody issued), and no odd value can mend that one thing: no
      // mutation of a base may charge. (A fully valid body would: an extra field or a null
      // optional field is no reason to refuse a payment.)
      const { tokens } = ctx;
      const bases = [
        () => ({ name: 'bamboo, a Conekta token', body: { provider: 'bamboo', order: oB, source: { type: 'token', token: tokens.conekta, kind: 'one_time' }, installments: 1, customer, clientSecret: sB.clientSecret } }),
        () => ({ name: 'bamboo, another amount', body: { provider: 'bamboo', order: { ...oB, amount: oB.amount + 1 }, source: { type: 'token', token: tokens.bamboo, kind: 'one_time' }, installments: 1, customer, clientSecret: sB.clientSecret } }),
        () => ({ name: 'bamboo profile', body: { provider: 'bamboo', order: oB, source: { type: 'profile', profileId: `card_${mark()}` }, installments: 3, customer, clientSecret: sB.clientSecret } }),
        () => ({ name: 'conekta, a Bamboo token', body: { provider: 'conekta', order: oC, source: { type: 'token', token: tokens.bamboo }, customer, clientSecret: sC.clientSecret } }),
        () => ({ name: 'conekta profile', body: { provider: 'conekta', order: oC, source: { type: 'profile', profileId: `card_${mark()}` }, clientSecret: sC.clientSecret } }),
        () => {
          const raw = krRaw(oK);
          return { name: 'kr answer', body: { provider: 'kr', order: oK, source: { type: 'kr_answer', rawClientAnswer: raw, hash: createHmac('sha256', KR_HMAC_KEY).update(raw).digest('hex'), hashAlgorithm: 'sha256_hmac', hashKey: 'sha256_hmac' }, clientSecret: sK.clientSecret } };
        },
        () => ({ name: 'bamboo installments, a Conekta token', body: { provider: 'bamboo', order: ctx.oI, source: { type: 'token', token: tokens.conekta, kind: 'one_time' }, installments: 6, customer, clientSecret: ctx.sI.clientSecret } }),
        () => ({ name: 'unknown secret', body: { provider: 'bamboo', order: oB, source: { type: 'token', token: tokens.bamboo }, clientSecret: `cs_${mark()}_secret_x` } }),
      ];
      const reqs = [];
      const one = (kind, bytes, headers, base) => reqs.push({ route: 'POST /pay', kind, method: 'POST', path: '/pay', headers, body: bytes, fields: fieldsOf(PAY_FIELDS, base),
        check: (res) => (res.status >= 200 && res.status < 300 ? 'a fuzzed payment was accepted (2xx)' : undefined) });
      // A mutation inside the signed KR answer, signed again: the service parses what Lyra signed.
      const signedKr = (body, inner) => {
        const b = structuredClone(body);
        b.source.rawClientAnswer = inner.bytes.toString('utf8');
        b.source.hash = createHmac('sha256', KR_HMAC_KEY).update(b.source.rawClientAnswer).digest('hex');
        return { kind: `signed kr answer: ${inner.kind}`, bytes: encode(b) };
      };
      const JSON_KEY = () => [['Content-Type', 'application/json'], ['Idempotency-Key', rng.uuid()]];
      for (const make of bases) {
        const base = make();
        for (const m of sweep(rng, base.body)) one(`[${base.name}] ${m.kind}`, m.bytes, JSON_KEY(), base.body);
        if (base.name === 'kr answer') {
          for (const inner of sweep(rng, JSON.parse(base.body.source.rawClientAnswer))) one(`[kr answer] ${signedKr(base.body, inner).kind}`, signedKr(base.body, inner).bytes, JSON_KEY(), base.body);
        }
      }
      for (let i = 0; i < n(600); i++) {
        const base = rng.pick(bases)();
        const m = base.name === 'kr answer' && rng.chance(0.35) ? signedKr(base.body, mutate(rng, JSON.parse(base.body.source.rawClientAnswer))) : mutate(rng, base.body);
        const ct = jsonContentType(rng);
        let key = { label: '', headers: [['Idempotency-Key', rng.uuid()]] };
        if (rng.chance(0.2)) {
          const good = rng.uuid();
          key = rng.pick([
            () => oddHeader(rng, 'Idempotency-Key', good),
            () => ({ label: 'Idempotency-Key: uppercase UUID', headers: [['Idempotency-Key', good.toUpperCase()]] }),
            () => ({ label: 'Idempotency-Key: UUID v1', headers: [['Idempotency-Key', `${good.slice(0, 14)}1${good.slice(15)}`]] }),
            () => ({ label: 'Idempotency-Key: no dashes', headers: [['Idempotency-Key', good.replaceAll('-', '')]] }),
            () => ({ label: 'Idempotency-Key: braces', headers: [['Idempotency-Key', `{${good}}`]] }),
          ])();
        }
        one(`[${base.name}] ${m.kind}${ct.kind}${key.label ? ` + ${key.label}` : ''}`, m.bytes, [...ct.headers, ...key.headers], base.body);
      }
      const b = bases[0]().body;
      for (const h of huge(b, ['customer', 'firstName'])) one(h.kind, h.bytes, [['Content-Type', 'application/json'], ['Idempotency-Key', rng.uuid()]], b);
      one('empty body, no Content-Type', Buffer.alloc(0), [['Idempotency-Key', rng.uuid()]], b);
      one('no body at all', undefined, [['Idempotency-Key', rng.uuid()]], b);
      return reqs;
    });

    // GET /pay/{id} ---------------------------------------------------------------------------
    await family('GET /pay/{id}', (rng) => {
      const { seedPayment, seedSecret, sB } = ctx;
      const reqs = [];
      for (let i = 0; i < n(300); i++) {
        let id;
        const r = rng.next();
        if (r < 0.1) id = { label: 'the real payment id', raw: seedPayment };
        else if (r < 0.3) {
          id = rng.pick([
            { label: 'real id with a suffix', raw: `${seedPayment}x` }, { label: 'real id uppercased', raw: seedPayment.toUpperCase() },
            { label: 'real id then %00', raw: `${seedPayment}%00` }, { label: 'real id then %20', raw: `${seedPayment}%20` },
            { label: 'real id cut', raw: seedPayment.slice(0, -1) }, { label: 'real id, %-encoded', raw: pct(Buffer.from(seedPayment)).replace(/_/g, '%5F') },
            { label: 'empty', raw: '' }, { label: 'real id then %2f..', raw: `${seedPayment}%2f..` },
          ]);
        } else id = oddId(rng, 'pay_');
        const a = rng.pick([
          () => ({ label: 'no Authorization', headers: [] }),
          () => ({ label: 'the page\'s client secret', headers: auth(seedSecret) }),
          () => ({ label: 'another session\'s client secret', headers: auth(sB.clientSecret) }),
          () => ({ label: 'Bearer (empty)', headers: [['Authorization', 'Bearer ']] }),
          () => ({ label: 'Basic', headers: [['Authorization', `Basic ${Buffer.from(`${mark()}:x`).toString('base64')}`]] }),
          () => oddHeader(rng, 'Authorization', `Bearer ${seedSecret}`),
        ])();
        const real = id.raw === seedPayment || (id.label === 'real id, %-encoded');
        reqs.push({
          route: 'GET /pay/{id}', kind: `id ${id.label} + ${a.label}`, method: 'GET', path: `/pay/${id.raw}`, headers: a.headers,
          fields: new Set(['id', 'paymentId', 'Authorization', 'clientSecret']),
          check: (res, json) => {
            if (res.status >= 200 && res.status < 300 && !real) return 'answered 2xx for an id that is no payment';
            if (res.status === 200 && (typeof json?.status !== 'string' || json?.paymentId !== seedPayment)) return 'a 200 that is not the payment';
            return undefined;
          },
        });
      }
      return reqs;
    });

    // POST /kr/form-token and /kr/bin-update --------------------------------------------------
    await family('POST /kr/form-token', (rng) => {
      const reqs = [];
      const push = (kind, bytes, headers, base) => reqs.push({ route: 'POST /kr/form-token', kind, method: 'POST', path: '/kr/form-token', headers, body: bytes, fields: fieldsOf(['body', 'clientSecret'], base) });
      for (const base of [{ clientSecret: ctx.sK.clientSecret }, { clientSecret: ctx.sB.clientSecret }]) {
        for (const m of sweep(rng, base)) push(m.kind, m.bytes, [['Content-Type', 'application/json']], base);
      }
      for (let i = 0; i < n(200); i++) {
        const base = rng.chance(0.8) ? { clientSecret: ctx.sK.clientSecret } : { clientSecret: ctx.sB.clientSecret };
        const m = mutate(rng, base);
        const ct = jsonContentType(rng);
        push(m.kind + ct.kind, m.bytes, ct.headers, base);
      }
      for (const h of huge({ clientSecret: ctx.sK.clientSecret }, ['clientSecret'])) push(h.kind, h.bytes, [['Content-Type', 'application/json']]);
      push('no body at all', undefined, []);
      return reqs;
    });
    await family('POST /kr/bin-update', (rng) => {
      const reqs = [];
      const push = (kind, bytes, headers, base) => reqs.push({ route: 'POST /kr/bin-update', kind, method: 'POST', path: '/kr/bin-update', headers, body: bytes, fields: fieldsOf(['body', 'formToken', 'bin'], base) });
      // A BIN with no discount: the form token stays as it is, whatever the fuzz sends.
      const base = () => ({ formToken: ctx.sK.kr.formToken, bin: rng.chance(0.7) ? '41111111' : 41111111 });
      const sb = { formToken: ctx.sK.kr.formToken, bin: '41111111' };
      for (const m of sweep(rng, sb)) push(m.kind, m.bytes, [['Content-Type', 'application/json']], sb);
      for (let i = 0; i < n(200); i++) {
        const b = base();
        const m = mutate(rng, b);
        const ct = jsonContentType(rng);
        push(m.kind + ct.kind, m.bytes, ct.headers, b);
      }
      for (const h of huge(base(), ['formToken'])) push(h.kind, h.bytes, [['Content-Type', 'application/json']]);
      push('no body at all', undefined, []);
      return reqs;
    });

    // POST /v1/sessions ----------------------------------------------------------------------
    await family('POST /v1/sessions', (rng) => {
      const reqs = [];
      const billingDetails = { firstName: 'Marie', lastName: 'Grimaldi', address: '230 avenue des Champs Elysées', zipCode: '59170', city: 'CROIX', country: 'FR' };
      const bases = [
        () => ({ provider: 'bamboo', order: fuzzOrder('S', 150000, 'UYU'), customer: { id: `FUZZ-S-${mark()}`, email: 'fuzz@example.com', firstName: 'Ana', lastName: 'Fuzz' } }),
        () => ({ provider: 'bamboo', order: fuzzOrder('S', 150000, 'UYU'), expiresIn: 600 }),
        () => ({ provider: 'conekta', order: fuzzOrder('S', 5000, 'MXN'), customer: { id: `FUZZ-S-${mark()}`, email: 'fuzz@example.com', firstName: 'Ana' } }),
        () => ({ provider: 'kr', order: fuzzOrder('S', 4990, 'EUR'), customer: { id: `FUZZ-S-${mark()}`, email: 'fuzz@example.com', billingDetails, shippingDetails: { ...billingDetails, shippingMethod: 'RECLAIM_IN_SHOP' },
          shoppingCart: { cartItemInfo: [{ productRef: 'r1', productAmount: '1200', productLabel: 'l1', productQty: '1' }] } },
        kr: { formAction: 'ASK_REGISTER_PAY', strongAuthentication: 'CHALLENGE_REQUESTED', overridePaymentCinematic: 'DELAYED_CAPTURE', metadata: { campaign: 'navidad' } }, expiresIn: 600 }),
        // Installment plans (docs/api.md §4): priced when the session opens.
        () => ({ provider: 'bamboo', order: fuzzOrder('S', 150000, 'ARS'), installments: [{ count: 3 }, { count: 12, rate: 60, cft: 80.5, brands: ['visa', 'oca'] }, { count: 48, rate: 999.99 }] }),
        () => ({ provider: 'conekta', order: fuzzOrder('S', 200000, 'MXN'), installments: [{ count: 3 }, { count: 18, rate: 0, brands: ['mastercard'] }] }),
      ];
      const push = (kind, bytes, headers, base, keyOk) => reqs.push({ route: 'POST /v1/sessions', kind, method: 'POST', path: '/v1/sessions', headers, body: bytes, fields: fieldsOf(SESSION_FIELDS, base),
        check: (res) => (res.status >= 200 && res.status < 300 ? (!keyOk ? 'answered 2xx without the secret key' : unsafeNumber(res)) : undefined) });
      for (const make of bases) {
        const base = make();
        for (const m of sweep(rng, base)) push(`[${base.provider}] ${m.kind}`, m.bytes, [['Content-Type', 'application/json'], ...auth(ctx.secretKey)], base, true);
      }
      for (let i = 0; i < n(500); i++) {
        const base = rng.pick(bases)();
        const m = mutate(rng, base);
        const ct = jsonContentType(rng);
        let a = { label: '', headers: auth(ctx.secretKey), ok: true };
        if (rng.chance(0.1)) {
          a = rng.pick([
            () => ({ label: 'Authorization: wrong key', headers: auth(`sk_${mark()}`) }),
            () => ({ label: 'Authorization: lowercase bearer', headers: [['Authorization', `bearer ${ctx.secretKey}`]] }),
            () => ({ label: 'Authorization: a client secret', headers: auth(ctx.sB.clientSecret) }),
            () => oddHeader(rng, 'Authorization', `Bearer ${ctx.secretKey}`),
          ])();
          // The right key first among two, or padded (HTTP trims it): a 2xx is no violation.
          a.ok = a.label === 'Authorization: doubled' || a.label === 'Authorization: padded';
        }
        push(`[${base.provider}] ${m.kind}${ct.kind}${a.label ? ` + ${a.label}` : ''}`, m.bytes, [...ct.headers, ...a.headers], base, a.ok);
      }
      const b = bases[0]();
      for (const h of huge(b, ['customer', 'firstName'])) push(h.kind, h.bytes, [['Content-Type', 'application/json'], ...auth(ctx.secretKey)], b, true);
      push('no body at all', undefined, auth(ctx.secretKey), b, true);
      return reqs;
    });

    // POST /v1/customers/{id} ----------------------------------------------------------------
    await family('POST /v1/customers/{id}', (rng) => {
      const reqs = [];
      const fields = ['id', 'customerId', 'body', 'Authorization', 'bamboo', 'conekta', 'kr', 'kr[]', 'kr[].paymentMethodToken', 'kr[].brand', 'kr[].last4', 'kr[].expiry'];
      const base = () => ({ bamboo: `FUZZ-${mark()}`, conekta: `cus_FUZZ${mark()}`, kr: [{ paymentMethodToken: `pmt${mark()}`, brand: 'VISA', last4: '0055', expiry: '203012' }] });
      const push = (kind, path, bytes, headers, b, keyOk) => reqs.push({ route: 'POST /v1/customers/{id}', kind, method: 'POST', path, headers, body: bytes, fields: fieldsOf(fields, b),
        check: (res) => (!keyOk && res.status >= 200 && res.status < 300 ? 'answered 2xx without the secret key' : undefined) });
      const sb = base();
      for (const m of sweep(rng, sb)) push(`id plain, ${m.kind}`, `/v1/customers/FUZZ-L-${mark()}`, m.bytes, [['Content-Type', 'application/json'], ...auth(ctx.secretKey)], sb, true);
      for (let i = 0; i < n(300); i++) {
        const b = base();
        const id = rng.chance(0.6) ? { label: 'plain', raw: `FUZZ-L-${mark()}` } : oddId(rng, 'FUZZ-L-');
        const m = rng.chance(0.25) ? { kind: 'valid body', bytes: encode(b) } : mutate(rng, b);
        const ct = jsonContentType(rng);
        const keyOk = rng.chance(0.92);
        push(`id ${id.label}, ${m.kind}${ct.kind}${keyOk ? '' : ' + Authorization: wrong key'}`, `/v1/customers/${id.raw}`, m.bytes, [...ct.headers, ...auth(keyOk ? ctx.secretKey : `sk_${mark()}`)], b, keyOk);
      }
      const b = base();
      for (const h of huge(b, ['conekta'])) push(h.kind, `/v1/customers/FUZZ-L-${mark()}`, h.bytes, [['Content-Type', 'application/json'], ...auth(ctx.secretKey)], b, true);
      return reqs;
    });

    // The shopper's saved cards: DELETE /pay/payment-methods/{id}, PUT …/{id}/default ----------
    // The card's id reaches the page's routes only with other credentials than its owner's for a
    // removal (a removal with the owner's would really remove it); ids near it with the owner's.
    const cardId = (rng, real, prefix) => {
      const r = rng.next();
      if (r < 0.2) return { label: 'the real card id', raw: real, real: true };
      if (r < 0.4) {
        return rng.pick([
          { label: 'real id with a suffix', raw: `${real}x` }, { label: 'real id uppercased', raw: real.toUpperCase() },
          { label: 'real id then %00', raw: `${real}%00` }, { label: 'real id then %20', raw: `${real}%20` }, { label: 'real id cut', raw: real.slice(0, -1) },
          { label: 'real id then %2f..', raw: `${real}%2f..` }, { label: "the Lyra card (another customer's)", raw: ctx.krCard }, { label: 'empty', raw: '' },
        ]);
      }
      return oddId(rng, prefix);
    };
    const OWNER_AUTH = new Set(['Authorization: doubled', 'Authorization: padded']);
    const pageCards = (route, method, tail) => family(route, (rng) => {
      const { pmCard, sPM, sOther, sB } = ctx;
      const reqs = [];
      for (let i = 0; i < n(200); i++) {
        const id = cardId(rng, pmCard, 'card_');
        const others = [
          () => ({ label: 'no Authorization', headers: [] }),
          () => ({ label: "another customer's client secret", headers: auth(sOther.clientSecret) }),
          () => ({ label: 'a session without a customer', headers: auth(sB.clientSecret) }),
          () => ({ label: 'the secret key', headers: auth(ctx.secretKey) }),
          () => ({ label: 'Bearer (empty)', headers: [['Authorization', 'Bearer ']] }),
          () => ({ label: 'Basic', headers: [['Authorization', `Basic ${Buffer.from(`${mark()}:x`).toString('base64')}`]] }),
          () => ({ label: 'an unknown client secret', headers: auth(`cs_${mark()}_secret_x`) }),
        ];
        const owners = [
          () => ({ label: "the owner's client secret", headers: auth(sPM.clientSecret) }),
          () => oddHeader(rng, 'Authorization', `Bearer ${sPM.clientSecret}`),
        ];
        const removal = method === 'DELETE';
        const a = rng.pick(id.real && removal ? others : rng.chance(0.5) ? owners : others)();
        const owner = a.label === "the owner's client secret" || OWNER_AUTH.has(a.label);
        // A body the route does not read: it changes nothing.
        const b = rng.chance(0.15) ? mutate(rng, { profileId: pmCard }) : undefined;
        const ct = b ? jsonContentType(rng) : { kind: '', headers: [] };
        reqs.push({
          route, kind: `id ${id.label} + ${a.label}${b ? ` + body ${b.kind}${ct.kind}` : ''}`, method, path: `/pay/payment-methods/${id.raw}${tail}`, headers: [...a.headers, ...ct.headers], body: b?.bytes,
          fields: new Set(['id', 'profileId', 'Authorization', 'clientSecret', 'path']),
          check: (res, json) => {
            const leak = leaksCard(res);
            if (leak || res.status < 200 || res.status >= 300) return leak;
            if (removal) return 'a fuzzed request removed a card (2xx)';
            if (!(id.real && owner)) return `answered 2xx for ${id.real ? 'the card with another credential' : 'an id that is no card of the session'}`;
            if (!Array.isArray(json?.profiles) || json.profiles[0]?.id !== pmCard || json.profiles[0]?.default !== true) return 'a 200 that is not the list, the new default first';
            return undefined;
          },
        });
      }
      return reqs;
    });
    await pageCards('DELETE /pay/payment-methods/{id}', 'DELETE', '');
    await pageCards('PUT /pay/payment-methods/{id}/default', 'PUT', '/default');

    // GET /v1/customers/{id}/payment-methods ---------------------------------------------------
    const customerId = (rng, prefix) => {
      const real = rng.chance(0.5) ? ctx.pmCustomer : ctx.krCustomer;
      const r = rng.next();
      if (r < 0.2) return { label: 'a real customer id', raw: real, real };
      if (r < 0.4) {
        return rng.pick([
          { label: 'real id with a suffix', raw: `${real}x` }, { label: 'real id uppercased', raw: real.toUpperCase() }, { label: 'real id lowercased', raw: real.toLowerCase() },
          { label: 'real id then %00', raw: `${real}%00` }, { label: 'real id then %20', raw: `${real}%20` }, { label: 'real id cut', raw: real.slice(0, -1) },
          { label: 'real id, %-encoded', raw: pct(real), real }, { label: 'real id then %2f..', raw: `${real}%2f..` },
        ].map((x) => ({ near: !x.real, ...x })));
      }
      return oddId(rng, prefix);
    };
    await family('GET /v1/customers/{id}/payment-methods', (rng) => {
      const reqs = [];
      for (let i = 0; i < n(200); i++) {
        const id = customerId(rng, 'FUZZ-L-');
        const keyOk = rng.chance(0.85);
        const a = keyOk ? { label: '', headers: auth(ctx.secretKey) } : rng.pick([() => oddHeader(rng, 'Authorization'), () => ({ label: 'Authorization: a client secret', headers: auth(ctx.sPM.clientSecret) })])();
        reqs.push({
          route: 'GET /v1/customers/{id}/payment-methods', kind: `id ${id.label}${a.label ? ` + ${a.label}` : ''}`, method: 'GET', path: `/v1/customers/${id.raw}/payment-methods`, headers: a.headers,
          fields: new Set(['id', 'customerId', 'Authorization', 'path']),
          check: (res, json) => {
            const leak = leaksCard(res);
            if (leak || res.status < 200 || res.status >= 300) return leak;
            if (!keyOk) return 'answered 2xx without the secret key';
            if (!Array.isArray(json?.data)) return 'a 2xx without data[]';
            // (An odd id may be a customer the POST /v1/customers/{id} family linked cards to.)
            if (id.near && json.data.length) return "listed cards for an id that is not their customer's";
            if (id.real && json.data.length !== 1) return `the customer's one card listed ${json.data.length} times`;
            return undefined;
          },
        });
      }
      return reqs;
    });

    // DELETE /v1/customers/{id}/payment-methods/{profileId} ----------------------------------------
    await family('DELETE /v1/customers/{id}/payment-methods/{profileId}', (rng) => {
      const reqs = [];
      for (let i = 0; i < n(200); i++) {
        // Never a customer with its own card (that would really remove it): one of them real at most.
        let cust = customerId(rng, 'FUZZ-L-');
        let card = cardId(rng, rng.chance(0.5) ? ctx.pmCard : ctx.krCard, 'card_');
        const owner = { [ctx.pmCustomer]: ctx.pmCard, [ctx.krCustomer]: ctx.krCard };
        if (cust.real && owner[cust.real] === card.raw) {
          if (rng.chance(0.5)) cust = oddId(rng, 'FUZZ-L-');
          else card = oddId(rng, 'card_');
        }
        const keyOk = rng.chance(0.85);
        const a = keyOk ? { label: '', headers: auth(ctx.secretKey) } : rng.pick([() => oddHeader(rng, 'Authorization'), () => ({ label: 'Authorization: a client secret', headers: auth(ctx.sPM.clientSecret) })])();
        reqs.push({
          route: 'DELETE /v1/customers/{id}/payment-methods/{profileId}', kind: `customer ${cust.label}, card ${card.label}${a.label ? ` + ${a.label}` : ''}`, method: 'DELETE',
          path: `/v1/customers/${cust.raw}/payment-methods/${card.raw}`, headers: a.headers, fields: new Set(['id', 'customerId', 'profileId', 'Authorization', 'path']),
          check: (res) => leaksCard(res) ?? (res.status >= 200 && res.status < 300 ? 'a fuzzed request removed a card (2xx)' : undefined),
        });
      }
      return reqs;
    });

    // GET /v1/payments?orderId= --------------------------------------------------------------
    await family('GET /v1/payments', (rng) => {
      const reqs = [];
      const fuzzed = [...fuzzOrders];
      for (let i = 0; i < n(200); i++) {
        const r = rng.next();
        let q;
        if (r < 0.25) { const id = rng.pick(fuzzed); q = { label: 'a FUZZ order id', raw: `?orderId=${pct(id)}`, fuzz: id }; }
        else if (r < 0.35) q = rng.pick([{ label: 'no query', raw: '' }, { label: 'empty orderId', raw: '?orderId=' }, { label: 'orderId twice', raw: `?orderId=${mark()}&orderId=${mark()}` },
          { label: 'orderId without =', raw: '?orderId' }, { label: 'bare %', raw: '?orderId=%' }, { label: '%ZZ', raw: `?orderId=${mark()}%ZZ` }, { label: 'other params', raw: `?${mark()}=1&limit=-1` }]);
        else { const id = oddId(rng, 'FUZZ-'); q = { label: `orderId ${id.label}`, raw: `?orderId=${id.raw}` }; }
        const keyOk = rng.chance(0.9);
        const a = keyOk ? { label: '', headers: auth(ctx.secretKey) } : oddHeader(rng, 'Authorization');
        reqs.push({
          route: 'GET /v1/payments', kind: `${q.label}${a.label ? ` + ${a.label}` : ''}`, method: 'GET', path: `/v1/payments${q.raw}`, headers: a.headers, fields: new Set(['orderId', 'Authorization', 'query']),
          check: (res, json) => {
            if (res.status < 200 || res.status >= 300) return undefined;
            if (!keyOk) return 'answered 2xx without the secret key';
            if (!Array.isArray(json?.data)) return 'a 2xx without data[]';
            if (q.fuzz && json.data.length) return 'a payment is recorded for a fuzzed order';
            return undefined;
          },
        });
      }
      return reqs;
    });

    // GET /v1/payments/{id} ---------------------------------------------------------------------
    await family('GET /v1/payments/{id}', (rng) => {
      const { seedPayment } = ctx;
      const reqs = [];
      for (let i = 0; i < n(150); i++) {
        const id = rng.chance(0.1) ? { label: 'the real payment id', raw: seedPayment }
          : rng.chance(0.2) ? rng.pick([{ label: 'real id with a suffix', raw: `${seedPayment}x` }, { label: 'real id then %00', raw: `${seedPayment}%00` }, { label: 'real id cut', raw: seedPayment.slice(0, -1) }])
            : oddId(rng, 'pay_');
        const keyOk = rng.chance(0.85);
        const a = keyOk ? { label: '', headers: auth(ctx.secretKey) } : oddHeader(rng, 'Authorization');
        reqs.push({
          route: 'GET /v1/payments/{id}', kind: `id ${id.label}${a.label ? ` + ${a.label}` : ''}`, method: 'GET', path: `/v1/payments/${id.raw}`, headers: a.headers,
          fields: new Set(['paymentId', 'Authorization']),
          check: (res, json) => {
            if (res.status < 200 || res.status >= 300) return undefined;
            if (!keyOk) return 'answered 2xx without the secret key';
            if (id.raw !== seedPayment) return 'answered 2xx for an id that is no payment';
            if (json?.id !== seedPayment) return 'a 200 that is not the payment';
            return undefined;
          },
        });
      }
      return reqs;
    });

    // GET /v1/events?after=&limit= --------------------------------------------------------------
    await family('GET /v1/events', (rng) => {
      const reqs = [];
      for (let i = 0; i < n(150); i++) {
        const r = rng.next();
        let q;
        if (r < 0.3) q = rng.pick([{ label: 'no query', raw: '' }, { label: 'empty after', raw: '?after=' }, { label: 'limit 1', raw: '?limit=1' }, { label: 'limit 0', raw: '?limit=0' },
          { label: 'limit 101', raw: '?limit=101' }, { label: 'limit -1', raw: '?limit=-1' }, { label: 'limit huge', raw: '?limit=99999999999999999999' }, { label: 'limit text', raw: `?limit=${mark()}` },
          { label: 'after twice', raw: `?after=${mark()}&after=${mark()}` }, { label: 'bare %', raw: '?after=%' }, { label: 'other params', raw: `?${mark()}=1` },
          { label: 'well-formed unknown event', raw: `?after=evt_${'A'.repeat(24)}` }]);
        else { const id = oddId(rng, 'evt_'); q = { label: `after ${id.label}`, raw: `?after=${id.raw}&limit=${1 + rng.int(100)}` }; }
        const keyOk = rng.chance(0.9);
        const a = keyOk ? { label: '', headers: auth(ctx.secretKey) } : oddHeader(rng, 'Authorization');
        reqs.push({
          route: 'GET /v1/events', kind: `${q.label}${a.label ? ` + ${a.label}` : ''}`, method: 'GET', path: `/v1/events${q.raw}`, headers: a.headers, fields: new Set(['after', 'limit', 'query', 'Authorization']),
          check: (res, json) => {
            if (res.status < 200 || res.status >= 300) return undefined;
            if (!keyOk) return 'answered 2xx without the secret key';
            if (!Array.isArray(json?.data) || typeof json?.hasMore !== 'boolean') return 'a 2xx without data[] and hasMore';
            return undefined;
          },
        });
      }
      return reqs;
    });

    // POST /webhooks/conekta -----------------------------------------------------------------
    await family('POST /webhooks/conekta', (rng) => {
      const reqs = [];
      const base = () => ({ id: `evt_${mark()}`, type: rng.pick(['order.paid', 'order.pending_payment', 'order.declined', 'charge.paid']), livemode: false,
        data: { object: { id: ctx.conektaOrder.id, object: 'order', payment_status: 'paid', amount: 5000 } } });
      const push = (kind, bytes, headers, b) => reqs.push({ route: 'POST /webhooks/conekta', kind, method: 'POST', path: '/webhooks/conekta', headers, body: bytes,
        fields: fieldsOf(['body', 'id', 'type', 'data', 'data.object', 'data.object.id', 'digest'], b) });
      // Each request its own event id (a repeated one is answered as a duplicate, unread).
      const sb = { ...base(), type: 'order.paid' };
      for (const m of sweep(rng, sb, (value, kind) => { if (value && typeof value === 'object' && !/^(replace|remove) id\b/.test(kind)) value.id = `evt_${mark()}`; })) {
        push(m.kind, m.bytes, [['Content-Type', 'application/json']], sb);
      }
      for (let i = 0; i < n(250); i++) {
        const b = base();
        const m = mutate(rng, b);
        const ct = jsonContentType(rng);
        const digest = rng.chance(0.15) ? oddHeader(rng, 'digest') : { label: '', headers: [] };
        push(`${m.kind}${ct.kind}${digest.label ? ` + ${digest.label}` : ''}`, m.bytes, [...ct.headers, ...digest.headers], b);
      }
      for (const h of huge(base(), ['livemode'])) push(h.kind, h.bytes, [['Content-Type', 'application/json']]);
      push('no body at all', undefined, []);
      return reqs;
    });

    // POST /webhooks/bamboo ------------------------------------------------------------------
    await family('POST /webhooks/bamboo', (rng) => {
      const reqs = [];
      const p = ctx.purchase;
      const base = () => ({ PurchaseId: p.PurchaseId, Order: p.Order, Amount: p.Amount, Currency: p.Currency, Installments: 1, Transaction: { Status: 'Approved' } });
      // What the service signs over: a string as it is, a number as serde_json writes it.
      const asText = (x) => (typeof x === 'string' ? x : typeof x === 'number' && Number.isFinite(x) && Math.abs(x) < 1e21 ? String(x) : undefined);
      const sign = (o, dateSent) => {
        const parts = [o?.PurchaseId, o?.Amount, o?.Currency].map(asText);
        if (parts.some((x) => x === undefined)) return undefined;
        return createHmac('sha256', BAMBOO_PRIVATE_KEY).update(`${parts.join('')}${dateSent}`).digest('hex');
      };
      const push = (kind, bytes, headers, b) => reqs.push({ route: 'POST /webhooks/bamboo', kind, method: 'POST', path: '/webhooks/bamboo', headers, body: bytes,
        fields: fieldsOf(['body', 'PurchaseId', 'Amount', 'Currency', 'dateSent', 'signature'], b) });
      // Every field by every odd kind, signed (when it can be) as Bamboo would sign it.
      const sb = base();
      sweep(rng, sb).forEach((m, i) => {
        const dateSent = new Date(STARTED - 3_600_000 + i * 1000).toISOString();
        const signed = sign(m.value, dateSent);
        push(`${m.kind} + ${signed ? 'signed' : 'signed over the unfuzzed body'}`, m.bytes, [['Content-Type', 'application/json'], ['dateSent', dateSent], ['signature', signed || sign(sb, dateSent)]], sb);
      });
      for (let i = 0; i < n(300); i++) {
        const b = base();
        const m = mutate(rng, b);
        const ct = jsonContentType(rng);
        const dateSent = new Date(STARTED + i * 1000 + rng.int(1000)).toISOString();
        const signed = rng.chance(0.7) && sign(m.value, dateSent);
        let hs = { label: signed ? 'signed' : 'signed over the unfuzzed body', headers: [['dateSent', dateSent], ['signature', signed || sign(b, dateSent)]] };
        if (rng.chance(0.2)) {
          const h = rng.pick([() => oddHeader(rng, 'dateSent', dateSent), () => oddHeader(rng, 'signature', signed || sign(b, dateSent)),
            () => ({ label: 'signature: not hex', headers: [['signature', `${mark()}zz`]] }), () => ({ label: 'signature: uppercase hex', headers: [['signature', (signed || sign(b, dateSent)).toUpperCase()]] })])();
          const name = h.label.split(':')[0];
          hs = { label: h.label, headers: [...hs.headers.filter(([k]) => k !== name), ...h.headers] };
        }
        push(`${m.kind}${ct.kind} + ${hs.label}`, m.bytes, [...ct.headers, ...hs.headers], b);
      }
      const b = base();
      const dateSent = new Date().toISOString();
      for (const h of huge(b, ['Order'])) push(h.kind, h.bytes, [['Content-Type', 'application/json'], ['dateSent', dateSent], ['signature', sign(b, dateSent)]], b);
      push('no body at all', undefined, [['dateSent', dateSent], ['signature', sign(b, dateSent)]]);
      return reqs;
    });

    // POST /webhooks/lyra (form-encoded IPN) ------------------------------------------------
    await family('POST /webhooks/lyra', (rng) => {
      const reqs = [];
      const fields = new Set(['body', 'kr-answer', 'kr-hash', 'kr-hash-key', 'kr-hash-algorithm', 'kr-answer-type']);
      const answer = () => ({ shopId: '69876357', orderCycle: 'CLOSED', orderStatus: 'PAID', serverDate: '2026-01-01T00:00:00Z',
        orderDetails: { orderTotalAmount: 4990, orderCurrency: 'EUR', mode: 'TEST', orderId: `FUZZ-IPN-${mark()}` },
        transactions: [{ uuid: `fuzz${mark()}`, status: 'PAID', amount: 4990, currency: 'EUR', paymentMethodToken: null, detailedStatus: 'AUTHORISED' }] });
      const hash = (bytes) => createHmac('sha256', KR_PASSWORD).update(bytes).digest('hex');
      const formOf = (pairs) => Buffer.from(pairs.map(([k, val]) => `${pct(k)}=${pct(val)}`).join('&'));
      const push = (kind, bytes, headers) => reqs.push({ route: 'POST /webhooks/lyra', kind, method: 'POST', path: '/webhooks/lyra', headers, body: bytes, fields });
      const FORM = [['Content-Type', 'application/x-www-form-urlencoded']];
      const signedForm = (raw) => formOf([['kr-hash-algorithm', 'sha256_hmac'], ['kr-hash-key', 'password'], ['kr-answer-type', 'V4/Payment'], ['kr-answer', raw], ['kr-hash', hash(raw)]]);
      // Every field of the answer by every odd kind, signed; each with its own transaction uuid
      // (an event is applied once per uuid and status).
      const sa = answer();
      for (const m of sweep(rng, sa, (value, kind) => { if (value?.transactions?.[0] && typeof value.transactions[0] === 'object' && !/transactions\[\]\.uuid/.test(kind)) value.transactions[0].uuid = `fuzz${mark()}`; })) {
        push(`kr-answer signed: ${m.kind}`, signedForm(m.bytes), FORM);
      }
      // Every form field by every odd value (as its text).
      for (const name of ['kr-answer', 'kr-hash', 'kr-hash-key', 'kr-hash-algorithm', 'kr-answer-type']) {
        for (let k = 0; k < VALUE_KINDS.length; k++) {
          const raw = Buffer.from(JSON.stringify(answer()));
          const o = oddValue(rng, k);
          const value = o.value instanceof Raw ? o.value.bytes : Buffer.from(typeof o.value === 'string' ? o.value : JSON.stringify(o.value));
          const ps = [['kr-hash-algorithm', 'sha256_hmac'], ['kr-hash-key', 'password'], ['kr-answer-type', 'V4/Payment'], ['kr-answer', raw], ['kr-hash', hash(raw)]]
            .map(([f, val]) => [f, f === name ? value : val]);
          if (name === 'kr-answer') ps[4][1] = hash(value);
          push(`replace ${name} by ${o.label}${name === 'kr-answer' ? ' (signed)' : ''}`, formOf(ps), FORM);
        }
      }
      for (let i = 0; i < n(300); i++) {
        const a = answer();
        let raw = Buffer.from(JSON.stringify(a));
        let kind;
        const pairs = () => [['kr-hash-algorithm', 'sha256_hmac'], ['kr-hash-key', 'password'], ['kr-answer-type', 'V4/Payment'], ['kr-answer', raw], ['kr-hash', hash(raw)]];
        const r = rng.next();
        let body, headers = FORM;
        if (r < 0.4) {
          const m = mutate(rng, a);
          raw = m.bytes;
          const signed = rng.chance(0.75);
          kind = `kr-answer ${signed ? 'signed' : 'unsigned'}: ${m.kind}`;
          const ps = pairs();
          if (!signed) ps[4][1] = hash(Buffer.from(JSON.stringify(a)));
          body = formOf(ps);
        } else if (r < 0.7) {
          const ps = pairs();
          const at = rng.int(ps.length);
          const o = oddValue(rng);
          const value = o.value instanceof Raw ? o.value.bytes : Buffer.from(typeof o.value === 'string' ? o.value : JSON.stringify(o.value));
          const op = rng.pick(['replace', 'remove', 'double', 'extra']);
          if (op === 'replace') ps[at][1] = value;
          if (op === 'remove') ps.splice(at, 1);
          if (op === 'double') ps.push([ps[at][0], value]);
          if (op === 'extra') ps.push([mark(), value]);
          kind = op === 'extra' ? `extra field (${o.label})` : `${op} ${pairs()[at][0]}${op === 'remove' ? '' : ` by ${o.label}`}`;
          body = formOf(ps);
        } else if (r < 0.85) {
          const m = mark();
          const good = formOf(pairs()).toString('latin1');
          const bad = rng.pick([
            ['%ZZ', `${good}&${m}=%ZZ`], ['bare %', `${good}&kr-hash=%`], ['%FF in a value', good.replace('kr-hash-key=password', `kr-hash-key=${m}%FF`)],
            ['NUL %00 in kr-answer', good.replace('kr-answer=', `kr-answer=${m}%00`)], ['&&& and =', `&&=&${good}&=x&&`], ['field without =', `${good}&${m}`],
            ['+ for spaces', good.replace('kr-answer-type=V4%2FPayment', `kr-answer-type=${m}+x+y`)], ['raw JSON body', JSON.stringify(Object.fromEntries(pairs().map(([k, val]) => [k, val.toString()])))],
            ['raw UTF-8 bytes', `${good}&${m}=ñandú`],
          ]);
          kind = `malformed form: ${bad[0]}`;
          body = Buffer.from(bad[1], 'utf8');
        } else {
          body = formOf(pairs());
          const ct = rng.pick([null, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=latin1', Buffer.from([0x61, 0xff])]);
          headers = ct === null ? [] : [['Content-Type', ct]];
          kind = `Content-Type: ${ct === null ? 'none' : Buffer.isBuffer(ct) ? 'latin-1 bytes' : ct}`;
        }
        push(kind, body, headers);
      }
      for (const size of [BODY_LIMIT + 64, BODY_LIMIT - 64 * 1024]) {
        const a = answer();
        a.orderDetails.orderId = `FUZZ-IPN-${mark()}${'z'.repeat(size)}`;
        const raw = Buffer.from(JSON.stringify(a));
        push(`${size > BODY_LIMIT ? 'over' : 'under'} 2 MiB form (signed, long orderId)`, formOf([['kr-hash-algorithm', 'sha256_hmac'], ['kr-hash-key', 'password'], ['kr-answer', raw], ['kr-hash', hash(raw)]]), FORM);
      }
      push('empty body', Buffer.alloc(0), FORM);
      push('no body at all', undefined, FORM);
      return reqs;
    });

    // GET /health ----------------------------------------------------------------------------
    await family('GET /health', (rng) => {
      const reqs = [];
      for (let i = 0; i < n(60); i++) {
        const q = rng.chance(0.5) ? '' : `?${pct(mark())}=%00%FF&x`;
        const h = rng.chance(0.6) ? oddHeader(rng, rng.pick(['Authorization', 'Content-Type', 'X-Forwarded-For', 'Origin', 'Cookie'])) : { label: 'plain', headers: [] };
        reqs.push({ route: 'GET /health', kind: `${q ? 'odd query + ' : ''}${h.label}`, method: 'GET', path: `/health${q}`, headers: h.headers, fields: new Set(),
          check: (res) => (res.status !== 200 ? 'health is not 200' : undefined) });
      }
      return reqs;
    });

    const summary = `fuzzed ${[...v.sentCounts().values()].reduce((a, b) => a + b, 0)} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (${DATABASE}):\n  ${timings.join('\n  ')}`;
    console.log(summary);
    t.diagnostic(summary.replace(/\n\s*/g, '; '));
    assert.equal(v.total(), 0, v.report());
  });

  it('afterwards the service is alive and no fuzzed order was charged anywhere', async () => {
    const proc = w.svc.service.process;
    const alive = proc.exitCode === null && proc.signalCode === null;
    const health = await send(ctx.url, { method: 'GET', path: '/health' });
    const problems = [];
    if (!alive) problems.push(`the service process exited (code ${proc.exitCode}, signal ${proc.signalCode})`);
    if (health.error || health.status !== 200) problems.push(`GET /health: ${health.error || `${health.status} ${excerpt(health.body)}`}`);
    const fuzzy = (id) => typeof id === 'string' && id.startsWith('FUZZ-');
    const purchases = w.sb.providers.bamboo.state().purchases.filter((p) => fuzzy(p.Order));
    const orders = w.sb.providers.conekta.state().orders.filter((o) => fuzzy(o.metadata?.order_id));
    // No KR payment is made in this file at all: every Lyra transaction of this sandbox is a fuzzed one.
    const krTx = w.sb.providers.kr.state().transactions;
    if (purchases.length) problems.push(`Bamboo purchases for fuzzed orders: ${JSON.stringify(purchases.map((p) => [p.Order, p.Amount, p.Transaction?.Status]))}`);
    if (orders.length) problems.push(`Conekta orders for fuzzed orders: ${JSON.stringify(orders.map((o) => [o.metadata?.order_id, o.amount, o.payment_status]))}`);
    if (krTx.length) problems.push(`Lyra transactions: ${JSON.stringify(krTx)}`);
    // Saved cards: none removed at any provider, both still listed.
    const removals = [...w.sb.providers.conekta.state().deletes, ...w.sb.providers.bamboo.state().deletes, ...w.sb.providers.kr.state().cancels];
    if (removals.length) problems.push(`saved cards removed at the providers: ${JSON.stringify(removals)}`);
    for (const id of [ctx.pmCustomer, ctx.krCustomer]) {
      const r = await w.backend('GET', `/v1/customers/${id}/payment-methods`);
      if (r.status !== 200 || r.body?.data?.length !== 1) problems.push(`customer ${id}'s card: ${r.status} ${JSON.stringify(r.body)}`);
    }
    if (!health.error) {
      const list = await send(ctx.url, { method: 'GET', path: '/v1/payments', headers: [['Authorization', `Bearer ${ctx.secretKey}`]] });
      const data = list.error ? undefined : JSON.parse(list.body.toString('utf8')).data;
      const mine = (data || []).filter((p) => fuzzy(p.orderId));
      if (mine.length) problems.push(`the service recorded payments for fuzzed orders: ${JSON.stringify(mine.map((p) => [p.orderId, p.status, p.provider]))}`);
    }
    assert.deepEqual(problems, [], `seed ${SEED}:\n${problems.join('\n')}`);
  });
});
