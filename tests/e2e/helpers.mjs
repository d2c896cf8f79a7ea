// Shared set-up for the end-to-end suites: the local sandbox on a free port and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { createRequire } from 'node:module';
import { after, before, beforeEach } from 'node:test';
import { chromium } from 'playwright-core';
import { startSandbox } from '../../www/server.mjs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// The package's own list of events (importing the entry in Node runs nothing).
import { EVENTS } from '../../pkg/pasarela.mjs';
export { EVENTS };

/** Starts the sandbox and the browser once per test file. */
export async function startWorld() {
  const sandbox = await startSandbox({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    sandbox, browser, url: sandbox.url,
    async reset() { await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST' }); },
    async state() { return (await fetch(`${sandbox.url}/__sandbox/state`)).json(); },
    async faults(f) { await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(f) }); },
    async close() { await browser.close(); await sandbox.close(); },
  };
}

/**
 * Registers the usual suite hooks: one sandbox and browser per file, and before each test a
 * reset sandbox and a fresh harness page. Tests read `ctx.world` and `ctx.tab`.
 */
export function suiteWorld() {
  const ctx = {};
  before(async () => { ctx.world = await startWorld(); });
  after(async () => { await ctx.tab?.close(); await ctx.world.close(); });
  beforeEach(async () => {
    await ctx.world.reset();
    await ctx.tab?.close();
    ctx.tab = await openPage(ctx.world);
  });
  return ctx;
}

/** A fresh page on `path` that records console output and page errors (`contextOptions`: Playwright's). */
export async function openPage(world, path = '/harness.html', viewport, contextOptions = {}) {
  // A Spanish browser unless the test says otherwise: without a `locale` option a checkout speaks
  // the browser's language (Playwright's own default is en-US), and the suites were written for
  // Pasarela's default, Spanish.
  contextOptions = { locale: 'es-ES', ...contextOptions };
  const context = await world.browser.newContext(viewport ? { viewport, ...contextOptions } : contextOptions);
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(world.url + path);
  // A route handler still running when its test ends (a delayed `route.continue()`, a
  // `route.fetch()`) would reject once the context is gone, an unhandled rejection that node:test
  // pins on whichever hook runs next: routes are removed, and their handlers awaited with errors
  // ignored, before the context closes (Playwright's `unrouteAll({ behavior: 'ignoreErrors' })`).
  const close = async () => {
    await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
    await context.close();
  };
  return { page, consoleLines, close };
}

/** Default options per provider against the local emulators. */
export function optionsFor(world, provider, extra = {}) {
  const scriptUrl = {
    bamboo: `${world.url}/bamboo/v1/Scripts/PWCheckoutNoModal.js`,
    conekta: `${world.url}/conekta/v1.0/js/conekta-checkout.min.js`,
    kr: `${world.url}/lyra/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js`,
  }[provider];
  const publicKey = { bamboo: 'bamboo_public_sandbox', conekta: 'key_sandbox_public', kr: '69876357:testpublickey_DEMOPUBLICKEY95me92597fd28tGD4r5' }[provider];
  const o = {
    provider, publicKey, scriptUrl, container: '#checkout',
    order: { id: `T-${Math.random().toString(36).slice(2)}`, amount: 123456, currency: 'USD' },
    merchant: { paymentUrl: '/merchant/pay', retries: 2 },
    customer: { email: 'ana@example.com' },
    ...extra,
  };
  // PWCheckout's country_code is mandatory: every Bamboo checkout names one.
  if (provider === 'bamboo') o.bamboo = { countryCode: 'MX', ...extra.bamboo };
  return o;
}

/**
 * Mounts a checkout in the page and records every event in `window.__events` (errors as plain
 * objects). Resolves `{ ok: true }` or `{ ok: false, error }` with the rejection.
 */
export function mount(page, options) {
  return page.evaluate(async ({ options, events }) => {
    const { createCheckout } = await import('/pkg/pasarela.mjs');
    const plain = (v) => JSON.parse(JSON.stringify(v, (k, x) => (x instanceof Error ? { ...x, message: x.message, isError: true } : x)));
    window.__events = window.__events || [];
    try {
      const c = await createCheckout(options);
      window.checkout = c;
      for (const e of events) c.on(e, (p) => window.__events.push({ name: e, payload: plain(p) }));
      return { ok: true };
    } catch (e) {
      return { ok: false, error: plain(e) };
    }
  }, { options, events: EVENTS });
}

export const events = (page) => page.evaluate(() => window.__events);
export const eventNames = async (page) => (await events(page)).map((e) => e.name);

export async function waitForEvent(page, name, count = 1, timeout = 15000) {
  await page.waitForFunction(([n, c]) => (window.__events || []).filter((e) => e.name === n).length >= c, [name, count], { timeout });
  return (await events(page)).filter((e) => e.name === name)[count - 1].payload;
}

/** Types a card into the Bamboo emulator's iframe and presses its button. */
export async function payWithBambooCard(page, pan, { exp = '12/30', cvv = '123', holder = 'Ana Pérez', frame = '#checkout iframe' } = {}) {
  const f = page.frameLocator(frame);
  await f.locator('#pw-pan').fill(pan);
  await f.locator('#pw-exp').fill(exp);
  await f.locator('#pw-cvv-card').fill(cvv);
  await f.locator('#pw-holder').fill(holder);
  await f.locator('#pw-submit').click();
}

/**
 * The Conekta component's fields: in the open shadow root of its <conekta-iframe> (no iframe, as
 * the 4.8 component renders; Playwright's locators pierce open shadow roots).
 */
export const conektaForm = (page, host = '#checkout') => page.locator(`${host} conekta-iframe`);

/** Types a card into the Conekta emulator's form (its own button is hidden: `pay()` submits). */
export async function fillConektaCard(page, pan, { exp = '12/30', cvc = '123', name = 'Ana Pérez' } = {}) {
  const f = conektaForm(page);
  await f.locator('#ck-name').fill(name);
  await f.locator('#ck-number').fill(pan);
  await f.locator('#ck-exp').fill(exp);
  await f.locator('#ck-cvc').fill(cvc);
}

/** Types a card into the KR emulator's form. */
export async function fillKrCard(page, pan, { exp = '12/30', cvv = '123', frame = '#checkout iframe' } = {}) {
  const f = page.frameLocator(frame);
  await f.locator('#kr-pan').fill(pan);
  await f.locator('#kr-expiry').fill(exp);
  await f.locator('#kr-security-code').fill(cvv);
}

/** Asks the emulated merchant for a KR formToken (V4/Charge/CreatePayment), as a storefront does. */
export async function krFormToken(world, order, formAction = 'PAYMENT', customer = { email: 'ana@example.com' }) {
  const r = await fetch(`${world.url}/merchant/kr/form-token`, { method: 'POST', body: JSON.stringify({ order, formAction, customer }) });
  return (await r.json()).formToken;
}

/** Options for a KR checkout with a fresh formToken for its order. */
export async function krOptions(world, extra = {}) {
  const o = optionsFor(world, 'kr', extra);
  o.kr = { formToken: await krFormToken(world, o.order, extra.formAction), ...(extra.kr || {}) };
  delete o.formAction;
  return o;
}

/** `checkout.pay()` in the page, with errors flattened so they cross the evaluate boundary. */
export function payInPage(page, opts) {
  return page.evaluate((opts) => checkout.pay(opts).then(
    (r) => ({ ...r, ...(r.error ? { error: { code: r.error.code, field: r.error.field, message: r.error.message, retryable: r.error.retryable, details: r.error.details } } : {}) }),
    (e) => ({ rejected: { code: e.code, field: e.field, message: e.message } }),
  ), opts);
}

/** The emulated merchant's saved cards for a shopper (creating the shopper with `cards` first). */
export async function shopper(world, provider, cards = [], email = 'ana@example.com') {
  const r = await fetch(`${world.url}/merchant/customers`, { method: 'POST', body: JSON.stringify({ provider, email, cards }) });
  return r.json();
}

/** The profile list's radios as the shopper sees them. */
export function radios(page) {
  return page.$$eval('#checkout [role=radiogroup] [role=radio]', (els) => els.map((e) => ({
    text: e.textContent.replace(/\s+/g, ' ').trim(), checked: e.getAttribute('aria-checked'), disabled: e.getAttribute('aria-disabled'),
    tabindex: e.getAttribute('tabindex'), id: e.dataset.profileId,
  })));
}

/**
 * A returning Bamboo shopper whose saved card asks for its CVV (•••• 3063) pays in one click and
 * is shown PWCapture's verification form. Resolves the pending `pay()` outcome's promise.
 */
export async function openBambooVerification(world, page) {
  const saved = await shopper(world, 'bamboo', ['4000000000003063']);
  await mount(page, optionsFor(world, 'bamboo', { profiles: saved.profiles }));
  await waitForEvent(page, 'ready');
  const outcome = payInPage(page);
  await waitForEvent(page, 'action');
  await page.frameLocator('.pwcheckout-overlay iframe').locator('#pw-cvv').waitFor();
  return { outcome };
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** WCAG 2.2 A and AA, as axe-core tags them. */
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * axe's WCAG 2.2 AA violations in `selector`, or in the whole document without one (the
 * providers' own frames are theirs, not audited), as `"rule: targets"` lines.
 */
export async function violations(page, selector) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async ([sel, tags]) => {
    const r = await window.axe.run(sel ? { include: [sel] } : document, { runOnly: { type: 'tag', values: tags }, iframes: false });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, [selector || null, WCAG]);
}
