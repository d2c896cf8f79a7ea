// `npm run bench:service`: the merchant service under load and provider faults.
//
// 1,000 `POST /pay` attempts from 50 concurrent clients over 400 Idempotency-Keys (every key is
// sent at least once; the rest are duplicates, some sent in the same instant, some later), Bamboo
// and Conekta, while the provider emulators refuse, drop or delay a share of the charge calls
// (before the charge, or after it with the answer lost). A client retries its attempt with the
// same key, as the browser package does, until it gets an answer. Then:
//   charges at the providers = distinct keys   (nothing charged twice, nothing lost)
//   every answer for one key is the same text  (the replay)
// and it prints p50/p90/p99 latency. On Postgres (PASARELA_TEST_DATABASE_URL) the clients share
// two service processes on the one database, as a scaled deployment does. Exits 1 on a broken
// invariant; the latency figures are reported, not judged.
//   LOAD_ATTEMPTS, LOAD_CLIENTS, LOAD_KEYS, LOAD_FAULT_RATE (per fault kind, default 0.03)
import { randomUUID, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../www/server.mjs';
import { spawnService, serviceEnv } from '../../www/sandbox/service.mjs';

const ATTEMPTS = Number(process.env.LOAD_ATTEMPTS || 1000);
const CLIENTS = Number(process.env.LOAD_CLIENTS || 50);
const KEYS = Number(process.env.LOAD_KEYS || Math.round(ATTEMPTS * 0.4));
const FAULT_RATE = Number(process.env.LOAD_FAULT_RATE ?? 0.03);
const POSTGRES = process.env.PASARELA_TEST_DATABASE_URL;
/** How long one attempt may keep retrying before the run counts it as lost. */
const ATTEMPT_DEADLINE_MS = 60_000;

const sandbox = await startSandbox({ port: 0 });
const { bamboo, conekta } = sandbox.providers;
const secretKey = `sk_load_${randomBytes(12).toString('hex')}`;
const databaseUrl = POSTGRES || `sqlite://${join(mkdtempSync(join(tmpdir(), 'pasarela-load-')), 'db.sqlite')}?mode=rwc`;
// A provider call answered late past this timeout counts as an answer lost (the delay faults).
const env = { ...serviceEnv(sandbox.url, { databaseUrl, secretKey }), PASARELA_PROVIDER_TIMEOUT_MS: '1000' };
const services = [];
let exitCode = 0;

try {
  for (let i = 0; i < (POSTGRES ? 2 : 1); i++) services.push(await spawnService(env, { label: `load-${i}` }));

  // One session (and one order) per key, opened by "the storefront's backend" before the clock.
  const payments = [];
  for (let i = 0; i < KEYS; i += 25) {
    payments.push(...await Promise.all(Array.from({ length: Math.min(25, KEYS - i) }, async (_, j) => {
      const provider = (i + j) % 3 === 2 ? 'conekta' : 'bamboo';
      const order = { id: `LOAD-${i + j}-${randomUUID().slice(0, 8)}`, amount: 1000 + (i + j), currency: provider === 'conekta' ? 'MXN' : 'UYU' };
      const r = await fetch(`${services[0].url}/v1/sessions`, { method: 'POST', headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ provider, order }) });
      if (r.status !== 200) throw new Error(`session: ${r.status} ${await r.text()}`);
      const { clientSecret } = await r.json();
      const token = provider === 'bamboo'
        ? bamboo.tokenize({ key: 'pk', pan: '4111111111111111', expMonth: 12, expYear: 2030, cvv: '123', holder: 'Ana' }).token.TokenId
        : conekta.tokenize({ publicKey: 'pk', number: '4242424242424242', name: 'Ana', exp_month: '12', exp_year: '30', cvc: '123' }).token.id;
      const source = provider === 'bamboo' ? { type: 'token', token, kind: 'one_time' } : { type: 'token', token };
      return { key: randomUUID(), provider, order, body: JSON.stringify({ provider, order, source, clientSecret }), answers: [] };
    })));
  }

  // The queue: each key once, then duplicates; a third of the duplicates right behind their
  // first send (two clients on one key at once), the rest anywhere.
  const queue = payments.slice();
  for (let i = KEYS; i < ATTEMPTS; i++) {
    const p = payments[Math.floor(Math.random() * KEYS)];
    if (i % 3 === 0) queue.splice(queue.indexOf(p) + 1, 0, p);
    else queue.splice(Math.floor(Math.random() * (queue.length + 1)), 0, p);
  }

  const faults = [
    { target: 'provider-before', kind: 'drop' },
    { target: 'provider-before', kind: 'status', status: 503 },
    { target: 'provider-after', kind: 'drop' },
    { target: 'provider-after', kind: 'delay', delayMs: 1500 },
  ].map((f) => ({ ...f, rate: FAULT_RATE, times: 1e9 }));
  sandbox.faults.set(faults);

  let requests = 0;
  const retriedBecause = {};
  const latencies = [];
  const lost = [];
  const attempt = async (p, client) => {
    const started = performance.now();
    for (let tries = 0; ; tries++) {
      const base = services[(client + tries) % services.length].url;
      let why;
      try {
        requests++;
        const r = await fetch(`${base}/pay`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': p.key }, body: p.body, signal: AbortSignal.timeout(20_000) });
        const text = await r.text();
        if (r.status < 500 && r.status !== 409) {
          latencies.push(performance.now() - started);
          p.answers.push({ status: r.status, text });
          return;
        }
        why = `HTTP ${r.status}`;
      } catch (e) {
        why = e.name === 'TimeoutError' ? 'timeout' : 'network';
      }
      retriedBecause[why] = (retriedBecause[why] ?? 0) + 1;
      if (performance.now() - started > ATTEMPT_DEADLINE_MS) { lost.push(p.key); return; }
      await new Promise((ok) => setTimeout(ok, Math.min(1000, 50 * 2 ** tries)));
    }
  };

  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
    while (next < queue.length) await attempt(queue[next++], client);
  }));
  const wall = performance.now() - t0;
  const injected = sandbox.faults.report().map((f) => `${f.target} ${f.kind}: ${f.applied}`);
  sandbox.faults.reset();

  // The invariants, from the emulators' own records.
  const purchases = bamboo.state().purchases;
  const orders = conekta.state().orders;
  const chargesOf = (p) => p.provider === 'bamboo'
    ? purchases.filter((x) => x.Order === p.order.id).length
    : orders.filter((o) => o.metadata?.order_id === p.order.id).length;
  const problems = [];
  for (const p of payments) {
    const n = chargesOf(p);
    if (n !== 1) problems.push(`${p.provider} ${p.order.id}: ${n} charges`);
    const texts = new Set(p.answers.map((a) => a.text));
    if (texts.size > 1) problems.push(`${p.order.id}: ${texts.size} different answers`);
    const bad = p.answers.find((a) => a.status !== 200 || !a.text.includes('"approved"'));
    if (bad) problems.push(`${p.order.id}: ${bad.status} ${bad.text.slice(0, 160)}`);
  }
  if (lost.length) problems.push(`${lost.length} attempts got no answer within ${ATTEMPT_DEADLINE_MS / 1000} s`);
  const charges = payments.reduce((s, p) => s + chargesOf(p), 0);

  const sorted = latencies.sort((a, b) => a - b);
  const pct = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1);
  console.log(`merchant service load (${POSTGRES ? 'Postgres, 2 processes' : 'SQLite, 1 process'})`);
  console.table({
    attempts: ATTEMPTS, clients: CLIENTS, 'distinct keys': KEYS, 'HTTP requests': requests,
    'charges at the providers': charges, 'wall time (s)': (wall / 1000).toFixed(1),
    'attempts/s': (ATTEMPTS / (wall / 1000)).toFixed(0),
    'latency p50 (ms)': pct(0.5), 'latency p90 (ms)': pct(0.9), 'latency p99 (ms)': pct(0.99), 'latency max (ms)': sorted.at(-1)?.toFixed(1),
  });
  console.log(`faults injected: ${injected.join(', ')}`);
  console.log(`retries: ${Object.entries(retriedBecause).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  if (charges !== KEYS || problems.length) {
    console.error(`FAIL: charges ${charges} for ${KEYS} keys\n  ${problems.slice(0, 20).join('\n  ')}`);
    exitCode = 1;
  } else {
    console.log(`pass: charges = distinct keys = ${KEYS}; every key's answers identical`);
  }
} finally {
  for (const s of services) await s.stop();
  await sandbox.close();
}
process.exit(exitCode);
