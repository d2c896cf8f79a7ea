// The merchant service (server/) against the provider emulators: a sandbox per file, a backend
// client with the secret key, and tokens minted at the emulators as their iframes would.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../www/server.mjs';

export const DATABASE = process.env.PASARELA_TEST_DATABASE_URL ? 'postgres' : 'sqlite';

/** A database URL for a new service: the test Postgres when set (shared), else a new SQLite file. */
export const freshDatabase = () => process.env.PASARELA_TEST_DATABASE_URL
  || `sqlite://${join(mkdtempSync(join(tmpdir(), 'pasarela-svc-')), 'db.sqlite')}?mode=rwc`;

export async function world() {
  const sb = await startSandbox({ port: 0 });
  const svc = sb.merchant;
  const { bamboo, conekta } = sb.providers;
  const backend = async (method, path, body, { key = svc.secretKey, base = svc.url } = {}) => {
    const r = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
    // A 204 (a removed card) has no body.
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, text: undefined };
  };
  const pay = async (body, { key = randomUUID(), base = svc.url, headers = {} } = {}) => {
    const r = await fetch(`${base}/pay`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, body: json, text, headers: r.headers };
  };
  return {
    sb, svc, backend, pay,
    session: async (s) => {
      const r = await backend('POST', '/v1/sessions', s);
      if (r.status !== 200) throw new Error(`session: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    bambooToken: (pan = '4111111111111111') => bamboo.tokenize({ key: 'pk', pan, expMonth: 12, expYear: 2030, cvv: '123', holder: 'Ana' }).token.TokenId,
    conektaToken: (pan = '4242424242424242') => conekta.tokenize({ publicKey: 'pk', number: pan, name: 'Ana', exp_month: '12', exp_year: '30', cvc: '123' }).token.id,
    /**
     * Resolves once no provider notification is on its way to the service (each bounded): take it
     * before counting the provider calls one request makes, so that a notification of an earlier
     * payment, read back by the service meanwhile, is not counted as that request's.
     */
    quiet: () => Promise.all(Object.values(sb.providers).map((p) => p.idle())),
    purchases: () => bamboo.state().purchases,
    orders: () => conekta.state().orders,
    close: () => sb.close(),
  };
}

export const order = (id, amount = 150000, currency = 'UYU') => ({ id, amount, currency });
