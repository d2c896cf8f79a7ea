// The local sandbox: serves the demo storefront (www/), the package (pkg/), the provider
// emulators (browser libraries and server APIs) and, as the merchant, the real merchant service
// (server/, started as a child process) behind a storefront backend (sandbox/service.mjs).
// Zero dependencies: `node www/server.mjs [port]`. Tests import `startSandbox()`.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBamboo } from './sandbox/bamboo.mjs';
import { createConekta } from './sandbox/conekta.mjs';
import { createKr } from './sandbox/kr.mjs';
import { createService } from './sandbox/service.mjs';
import { createFaults } from './sandbox/faults.mjs';
import { readJson, sendJson } from './sandbox/http.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml',
};

/** The Content-Security-Policy a merchant needs for Pasarela with the local emulators (see README). */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'";

/**
 * The policy per provider with the emulators, as docs/providers/*.md gives it for the real
 * libraries (with 'self' for their hosts).
 */
export const CSP_FOR = {
  bamboo: STRICT_CSP,
  // Conekta's 4.8 component styles itself with CSS-in-JS (<style> elements, no nonce), as its
  // emulator does; KR's client injects its theme as a <style> element.
  conekta: STRICT_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  kr: STRICT_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
};

async function serveFile(res, path, extraHeaders = {}) {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a file');
    const body = await readFile(path);
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] || 'application/octet-stream', 'Cache-Control': 'no-cache', ...extraHeaders });
    res.end(body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  }
}

/** Starts the sandbox on `port` (0: any free port). Resolves `{ url, server, state, close }`. */
export async function startSandbox({ port = 8080, host = '127.0.0.1', quiet = true } = {}) {
  const faults = createFaults();
  const bamboo = createBamboo();
  const conekta = createConekta();
  const kr = createKr();
  let merchant = null; // the merchant service starts once the sandbox's origin is known
  const providers = [bamboo, conekta, kr];
  // Every call the merchant service makes to a provider API, as sent (method and raw path):
  // tests count them (coalesced refreshes) and read their paths (escaped ids).
  const providerCalls = [];
  const PROVIDER_API = /^\/(bamboo\/v1\/|conekta\/(orders|customers|webhook_keys)|lyra\/api-payment\/)/;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://sandbox');
    const path = decodeURIComponent(url.pathname);
    if (!quiet) console.log(req.method, path);
    if (PROVIDER_API.test(url.pathname)) providerCalls.push({ method: req.method, path: url.pathname, search: url.search });
    try {
      if (await faults.handleScript(req, res, url)) return;
      if (path.startsWith('/__sandbox/')) return await control(req, res, path);
      if (path.startsWith('/merchant/')) return await merchant.handle(req, res, url);
      const charge = /^\/(bamboo\/v1\/api\/purchase|conekta\/orders|lyra\/api-payment\/V4\/Charge\/CreatePayment)$/.test(path);
      // A saved card's removal (Conekta's source delete, Bamboo's PaymentProfileDelete, Lyra's Token/Cancel) takes faults with `path` too.
      const removal = /^\/(conekta\/customers\/[\w-]+\/payment_sources\/[^/]+|bamboo\/v1\/api\/customer\/[^/]+\/PaymentProfileDelete|lyra\/api-payment\/V4\/Token\/Cancel)$/.test(path);
      if ((req.method === 'POST' && (charge || /^\/conekta\/customers(\/[\w-]+\/payment_sources)?$/.test(path))) || removal) {
        // Provider API faults, as the merchant service meets them: refused before charging
        // ('provider-before'), or the charge made and its answer lost or late ('provider-after');
        // a fault with `path` hits the other calls too (Conekta's token → payment source).
        const at = { path, charge };
        if (await faults.apply('provider-before', res, at)) return;
        const after = faults.take('provider-after', at);
        if (after) {
          const end = res.end.bind(res);
          res.end = (...args) => {
            if (after.kind === 'drop') return res.socket?.destroy();
            setTimeout(() => end(...args), after.delayMs ?? 1000);
            return res;
          };
        }
      }
      for (const p of providers) if (await p.handle(req, res, url)) return;
      if (path === '/harness.html') return serveFile(res, join(ROOT, 'www/harness.html'));
      if (path === '/harness-csp.html') {
        const csp = CSP_FOR[url.searchParams.get('provider')] || STRICT_CSP;
        return serveFile(res, join(ROOT, 'www/harness.html'), { 'Content-Security-Policy': csp });
      }
      // The demo storefront runs under the strictest policy a merchant of all three providers can
      // use (README, "CSP"): Conekta's component and KR's client need inline styles.
      if (path === '/' || path === '/index.html') return serveFile(res, join(ROOT, 'www/index.html'), { 'Content-Security-Policy': CSP_FOR.kr });
      // The example storefronts, as their bundlers built them (examples/build.mjs).
      const example = path.match(/^\/examples\/([\w-]+)\/(.*)$/);
      if (example) {
        const dist = join(ROOT, 'examples', example[1], 'dist');
        const file = normalize(join(dist, example[2] || 'index.html'));
        return serveFile(res, file.startsWith(dist + '/') ? file : '/nonexistent');
      }
      const file = normalize(join(ROOT, path));
      const allowed = ['www', 'pkg'].some((d) => file.startsWith(join(ROOT, d) + '/'));
      if (!allowed || file.includes('/sandbox/') || file.endsWith('server.mjs')) return serveFile(res, '/nonexistent');
      return serveFile(res, file);
    } catch (e) {
      console.error('sandbox error', e);
      if (!res.headersSent) sendJson(res, 500, { error: 'sandbox error' });
    }
  });

  async function control(req, res, path) {
    if (path === '/__sandbox/reset' && req.method === 'POST') {
      faults.reset(); merchant.reset(); for (const p of providers) p.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/__sandbox/state') {
      return sendJson(res, 200, { charges: await merchant.charges(), payments: await merchant.payments(), requests: merchant.requests(), webhooks: merchant.webhooks(),
        notifications: merchant.notifications(), bamboo: bamboo.state(), conekta: conekta.state(), kr: kr.state() });
    }
    if (path === '/__sandbox/faults' && req.method === 'POST') {
      faults.set(await readJson(req));
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/__sandbox/settle' && req.method === 'POST') {
      // A voucher or transfer paid at its network, or lapsed: `{ provider: 'conekta' | 'bamboo',
      // id: <order or purchase id>, outcome: 'paid' | 'expired' }` (Bamboo also 'rejected'); the
      // provider's signed webhook follows (README, "The sandbox and its emulators").
      // `{ paymentId, outcome }` settles the provider's order or purchase behind one of the
      // service's payments (the demo's buttons: a page knows the payment, not the provider's id).
      let { provider, id, outcome, paymentId } = (await readJson(req)) || {};
      if (typeof paymentId === 'string') {
        const payment = await merchant.payment(paymentId);
        if (!payment) return sendJson(res, 404, { error: 'unknown payment', field: 'paymentId' });
        ({ provider, providerRef: id } = payment);
      }
      const p = { conekta, bamboo }[provider];
      if (!p) return sendJson(res, 422, { error: 'provider must be conekta or bamboo', field: 'provider' });
      const r = p.settle(id, outcome);
      return sendJson(res, r.status, r.body);
    }
    if (path === '/__sandbox/webhooks' && req.method === 'POST') {
      // A storefront developing against the emulators with its own pasarela-server: the
      // providers' notifications go to that service (`{ service: 'http://127.0.0.1:4242' }`)
      // instead of the sandbox's own (README, "Develop locally against the emulators").
      const { service } = (await readJson(req)) || {};
      if (typeof service !== 'string' || !/^https?:\/\/[^/\s]+$/.test(service)) return sendJson(res, 422, { error: 'service must be an origin such as http://127.0.0.1:4242', field: 'service' });
      bamboo.setWebhook(`${service}/webhooks/bamboo`);
      conekta.setWebhook(`${service}/webhooks/conekta`);
      kr.setIpnUrl(`${service}/webhooks/lyra`);
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { error: 'unknown control' });
  }

  await new Promise((ok) => server.listen(port, host, ok));
  const url = `http://${host}:${server.address().port}`;
  for (const p of providers) p.setOrigin?.(url);
  try {
    merchant = await createService({ bamboo, conekta, kr, faults, origin: url });
  } catch (e) {
    server.close();
    throw e;
  }
  const close = async () => {
    await merchant.close();
    await new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); });
  };
  return { url, server, merchant, providers: { bamboo, conekta, kr }, faults, close, providerCalls: () => providerCalls };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] || process.env.PORT || 8080);
  const { url } = await startSandbox({ port, quiet: !process.env.VERBOSE });
  console.log(`Pasarela sandbox: ${url}/  (demo storefront; Ctrl-C to stop)`);
}
