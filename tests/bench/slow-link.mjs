// The critical path on a slow link: how much later the provider's card form is usable through
// Pasarela than with the provider's script alone, at 150 ms RTT and 1.6 Mbps (200,000 B/s each
// way, Chromium's own throttling through CDP), caches off, with a provider script of 150,000 B
// on the wire. Both pages load the same padded copy of the emulator's script; every response of
// both (the sandbox's and the padded script) is served gzip -9 when the browser asks for it, as a
// CDN serves JS, CSS and wasm, and as every size in this project is counted. "Usable" is the
// emulator's card field present and enabled in a form document that has finished loading (its
// script and stylesheet in), timed from the top page's navigation start.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';

/** Chromium's `Network.emulateNetworkConditions`: latency is the round trip added per request. */
export const SLOW_LINK = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 200_000 };
/** The provider script's bytes on the wire (gzip -9). */
export const SCRIPT_BYTES = 150_000;

const root = new URL('../../', import.meta.url);
const gzip = (bytes) => gzipSync(bytes, { level: 9 });

/**
 * The provider script, padded to `SCRIPT_BYTES` gzip with real minified code (React DOM's
 * production builds, minified by esbuild, each in a function never called: parsed as a
 * provider's own code is, and compressing as minified JS does, about 3.2×), topped up to the
 * byte with a comment of more of the same. Returns the raw text; the server gzips it.
 */
function padded(file) {
  const own = readFileSync(new URL(file, root), 'utf8');
  const minify = (name) => transformSync(`window.__benchPadding=function(exports,require,module){${readFileSync(new URL(`node_modules/react-dom/cjs/${name}.production.js`, root), 'utf8')}\n};`,
    { minify: true, loader: 'js', charset: 'ascii' }).code;
  const code = [own, ...['react-dom-client', 'react-dom-server.browser', 'react-dom-server-legacy.browser'].map(minify)].join('\n');
  const filler = minify('react-dom-server.node').replaceAll('*/', '* /');
  const text = (n) => `${code}\n/*${filler.slice(0, n)}*/`;
  let lo = 0, hi = filler.length;
  if (gzip(text(lo)).length > SCRIPT_BYTES || gzip(text(hi)).length < SCRIPT_BYTES) throw new Error(`slow-link: cannot pad ${file} to ${SCRIPT_BYTES} B gzip`);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (gzip(text(mid)).length <= SCRIPT_BYTES) lo = mid; else hi = mid - 1;
  }
  return Buffer.from(text(lo));
}

const PAD = 'bench-pad=1';

/**
 * Per provider: the padded script's route (the emulator's own path, told apart by a query the
 * emulator ignores), the page that mounts the form as the provider's docs do, Pasarela's options,
 * and the test for a usable form.
 */
export const PROVIDERS = {
  bamboo: {
    path: '/bamboo/v1/Scripts/PWCheckoutNoModal.js',
    file: 'www/emulators/bamboo/pwcheckout.js',
    // Bamboo's embedded form (docs/providers/bamboo.md): the script with `?key=`, a form with the
    // hidden PWToken input, the page's own <iframe>, SetProperties and LoadIframe().
    alone: (script) => `<script src="${script}&key=pk"></script>
<form id="pay"><input type="hidden" name="PWToken" id="PWToken"></form>
<iframe id="pw-frame" title="Pago con tarjeta"></iframe>
<script>
PWCheckout.SetProperties({ form_id: 'pay', iframeId: 'pw-frame', country_code: 'MX', autoSubmit: 'false', lang: 'ES', amount: '1234.56', currency: 'USD' });
PWCheckout.LoadIframe();
</script>`,
    options: (script) => ({ provider: 'bamboo', container: '#checkout', publicKey: 'pk', scriptUrl: script,
      order: { id: 'S-1', amount: 123456, currency: 'USD' }, merchant: { paymentUrl: '/merchant/pay' }, bamboo: { countryCode: 'MX' } }),
    // In the top page's context: the Bamboo form's card number field, in any same-origin iframe.
    usable: `[...document.querySelectorAll('iframe')].some((f) => { const d = f.contentDocument;
      const pan = d && d.readyState === 'complete' && d.getElementById('pw-pan'); return !!pan && !pan.disabled; })`,
  },
};

const page = (title, head, body) => `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>${head}</head><body>
${body}
</body></html>`;

/** The two pages of a provider: its script alone, and Pasarela's bundled-app page (entry, glue, wasm, CSS). */
function pages(name, p) {
  const script = `${p.path}?${PAD}`;
  return {
    alone: page(`${name} alone`, '', p.alone(script)),
    pasarela: page(`${name} through Pasarela`, '<link rel="stylesheet" href="/pkg/pasarela.css">', `<div id="checkout"></div>
<script type="module">
import { createCheckout } from '/pkg/pasarela.mjs';
createCheckout(${JSON.stringify(p.options(script))});
</script>`),
  };
}

/**
 * Serves the padded scripts and the pages from the sandbox's own HTTP server, in front of its
 * handler: `/tests-bench/slow/<provider>/alone.html` and `…/pasarela.html`.
 */
export function serveSlowLink(server, names) {
  const scripts = new Map(names.map((n) => [PROVIDERS[n].path, padded(PROVIDERS[n].file)]));
  const html = new Map(names.flatMap((n) => Object.entries(pages(n, PROVIDERS[n])).map(([k, v]) => [`/tests-bench/slow/${n}/${k}.html`, v])));
  const [sandbox] = server.listeners('request');
  server.removeAllListeners('request');
  const packed = new Map(); // sha1 of a body → its gzip: pkg/ and the padded scripts are packed once
  server.on('request', (req, res) => {
    if (/\bgzip\b/.test(req.headers['accept-encoding'] || '')) gzipped(res, packed);
    const url = new URL(req.url, 'http://bench');
    if (req.method === 'GET' && url.searchParams.has('bench-pad') && scripts.has(url.pathname)) {
      // The headers the sandbox gives the emulator's script (the wrapper above gzips it).
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-cache' });
      return res.end(scripts.get(url.pathname));
    }
    if (req.method === 'GET' && html.has(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
      return res.end(html.get(url.pathname));
    }
    return sandbox(req, res);
  });
}

/**
 * Gzips a response's body when its type is text, JS, JSON or wasm and it is sent in one
 * `end()` (every file and JSON answer of the sandbox is).
 */
function gzipped(res, packed) {
  const writeHead = res.writeHead.bind(res), end = res.end.bind(res);
  let head = null;
  res.writeHead = (status, headers = {}) => { head = [status, { ...headers }]; return res; };
  res.end = (body, ...rest) => {
    if (!head) return end(body, ...rest);
    const [status, headers] = head;
    const type = String(headers['Content-Type'] ?? headers['content-type'] ?? '');
    if (body != null && typeof body !== 'function' && /text|javascript|json|wasm/.test(type)) {
      const bytes = Buffer.from(body);
      const key = createHash('sha1').update(bytes).digest('hex');
      if (!packed.has(key)) packed.set(key, gzip(bytes));
      body = packed.get(key);
      headers['Content-Encoding'] = 'gzip';
      headers['Vary'] = 'Accept-Encoding';
      delete headers['Content-Length'];
      delete headers['content-length'];
    }
    writeHead(status, headers);
    return end(body, ...rest);
  };
}

/**
 * Loads `url` in a fresh context on the slow link, caches off, and waits for the usable form;
 * `inspect(tab)` then runs before the context closes. Resolves `{ at, seen }`: milliseconds from
 * navigation start to a usable form, and what `inspect` returned.
 */
export async function loadOnSlowLink(browser, url, usable, inspect = async () => undefined) {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', SLOW_LINK);
    // The watch is the same script on both pages, and comes from no network: every 5 ms it looks
    // for the usable form and notes the time (performance.now() counts from navigation start).
    await tab.addInitScript(`if (window === window.top) { const t = setInterval(() => { if (${usable}) { window.__usableAt = performance.now(); clearInterval(t); } }, 5); }`);
    await tab.goto(url, { waitUntil: 'commit' });
    const at = await (await tab.waitForFunction(() => window.__usableAt, null, { timeout: 30_000, polling: 50 })).jsonValue();
    return { at, seen: await inspect(tab) };
  } finally {
    await context.close();
  }
}

/** Milliseconds from navigation start to a usable form, in a fresh context on the slow link. */
async function usableAfter(browser, url, usable) {
  return (await loadOnSlowLink(browser, url, usable)).at;
}

/**
 * Paired runs, alternating which side goes first: `{ alone: [ms], pasarela: [ms] }` per provider.
 */
export async function measureSlowLink(browser, base, names, runs) {
  const out = {};
  for (const n of names) {
    const alone = [], pasarela = [];
    const go = async (side) => (side === 'alone' ? alone : pasarela).push(await usableAfter(browser, `${base}/tests-bench/slow/${n}/${side}.html`, PROVIDERS[n].usable));
    for (let i = 0; i < runs; i++) {
      for (const side of i % 2 ? ['pasarela', 'alone'] : ['alone', 'pasarela']) await go(side);
    }
    out[n] = { alone, pasarela };
  }
  return out;
}
