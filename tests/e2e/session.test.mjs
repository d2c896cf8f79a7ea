// The page's side of pasarela-server's session contract (docs/api.md §4, "Sessions"), in
// Chromium: status reads prove the session with its client secret (a Bearer header, never the
// URL); one order is paid once (`409 order_already_paid` is the order's approval, `409
// attempt_in_progress` with its payment is polled like any pending answer); an order's unfinished
// attempt keeps its Idempotency-Key in sessionStorage across a reload; and, with
// `savePaymentMethod: 'ask'`, the shopper's own choice to save a new card.
//
// The merchant endpoint is a `page.route` stub (`/stub/pay`, `/stub/pay/{id}`) answering as the
// service does, so each answer the page must handle is given exactly; the providers' emulators
// are the sandbox's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { events, fillConektaCard, krOptions, mount, optionsFor, payInPage, payWithBambooCard, suiteWorld, violations, waitForEvent } from './helpers.mjs';

const SECRET = 'cs_test_1_secret_Zk93hQ';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CARD = { id: 'card_1', brand: 'visa', last4: '4242', expiry: '203012' };
const SAVE_LABEL = {
  es: 'Guardar esta tarjeta para mis próximas compras',
  en: 'Save this card for my next purchases',
  pt: 'Salvar este cartão para minhas próximas compras',
};

/**
 * Answers the page's merchant requests from the test: `pay(request, seen)` for each POST
 * `/stub/pay`, `status(request, seen)` for each GET `/stub/pay/{id}`; each returns `{ status?,
 * body }`, or `'hang'` to leave the request unanswered. Resolves the list of requests seen
 * (`{ method, url, headers, body }`), which grows as the page sends more.
 */
async function stubMerchant(page, { pay, status = () => ({ body: { status: 'approved' } }) }) {
  const seen = [];
  await page.route(/\/stub\/pay(\/[^/?]*)?$/, async (route) => {
    const req = route.request();
    const text = req.postData();
    const entry = { method: req.method(), url: req.url(), headers: await req.allHeaders(), body: text ? JSON.parse(text) : undefined };
    seen.push(entry);
    const answer = await (entry.method === 'POST' ? pay : status)(entry, seen);
    if (answer === 'hang') return;
    await route.fulfill({ status: answer.status ?? 200, contentType: 'application/json', body: JSON.stringify(answer.body) }).catch(() => {});
  });
  return seen;
}

const posts = (seen) => seen.filter((r) => r.method === 'POST');
const gets = (seen) => seen.filter((r) => r.method === 'GET');
const keyOf = (r) => r.headers['idempotency-key'];
const slotOf = (o) => `pasarela:attempt:${o.provider}:${o.order.id}`;
const stored = (page, o) => page.evaluate((slot) => sessionStorage.getItem(slot), slotOf(o));
const count = async (page, name) => (await events(page)).filter((e) => e.name === name).length;

/** A Conekta checkout with one saved card, paying the stub (a fixed order id when given). */
function savedCardOptions(world, { orderId, merchant = {}, ...extra } = {}) {
  const o = optionsFor(world, 'conekta', { profiles: [CARD], ...extra });
  if (orderId) o.order = { ...o.order, id: orderId };
  o.merchant = { paymentUrl: '/stub/pay', clientSecret: SECRET, retries: 0, ...merchant };
  return o;
}

async function ready(page, options) {
  assert.deepEqual(await mount(page, options), { ok: true });
  await waitForEvent(page, 'ready');
  // "Save this card" comes with the part of the package loaded once the checkout is ready.
  await page.waitForFunction(() => !document.querySelector('#checkout [data-save]') || document.querySelector('#checkout .pasarela-save'));
}

/** The "save this card" checkbox as the shopper meets it, or `null` when there is none. */
const saveBox = (page) => page.evaluate(() => {
  const label = document.querySelector('#checkout .pasarela-save');
  if (!label) return null;
  const input = label.querySelector('input');
  const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  return { text: label.textContent.trim(), type: input?.type, checked: input?.checked, visible: shown(label) && shown(input) };
});

/** Whether `a` comes before `b` in the document (Tab order, with no tabindex above 0). */
const before = (page, a, b) => page.evaluate(([a, b]) => {
  const x = document.querySelector(a), y = document.querySelector(b);
  return !!x && !!y && !!(x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING);
}, [a, b]);

describe('pasarela-server sessions: client secret, one payment per order, attempt keys, saving cards', () => {
  const ctx = suiteWorld();

  it('status reads carry the client secret as a Bearer header (none without one), and no URL, event, console line, DOM or storage holds it', async () => {
    const { page, consoleLines } = ctx.tab;
    const urls = [];
    page.on('request', (r) => urls.push(r.url()));
    let reads = 0;
    const seen = await stubMerchant(page, {
      pay: () => ({ body: { status: 'pending', paymentId: 'pay_1' } }),
      status: () => ({ body: ++reads < 2 ? { status: 'pending', paymentId: 'pay_1' } : { status: 'approved', paymentId: 'pay_1' } }),
    });
    const o = savedCardOptions(ctx.world);
    await ready(page, o);
    const r = await payInPage(page, { profileId: CARD.id });
    assert.deepEqual([r.status, r.paymentId], ['approved', 'pay_1']);
    assert.equal(gets(seen).length, 2, 'pending, then polled until final');
    for (const g of gets(seen)) {
      assert.equal(g.headers.authorization, `Bearer ${SECRET}`, g.url);
      assert.equal(new URL(g.url).pathname, '/stub/pay/pay_1');
    }
    assert.equal(posts(seen)[0].body.clientSecret, SECRET, 'the payment still carries it in its body');
    assert.ok(urls.length > 0 && urls.every((u) => !u.includes(SECRET)), urls.join('\n'));
    assert.ok(!JSON.stringify(await events(page)).includes(SECRET), 'no event carries it');
    assert.ok(!consoleLines.some((l) => l.includes(SECRET)), consoleLines.join('\n'));
    const page_ = await page.evaluate(() => document.documentElement.outerHTML + JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
    assert.ok(!page_.includes(SECRET), 'not in the DOM, sessionStorage or localStorage');

    // A storefront's own server (no client secret) gets no Authorization header.
    reads = 0;
    await page.evaluate(() => { checkout.destroy(); window.__events = []; });
    const { clientSecret, ...own } = o.merchant;
    await ready(page, { ...o, merchant: own });
    assert.equal((await payInPage(page, { profileId: CARD.id })).status, 'approved');
    assert.equal(gets(seen).length, 4);
    assert.deepEqual(gets(seen).slice(2).map((g) => g.headers.authorization), [undefined, undefined]);
    void clientSecret;
  });

  it('the list\'s own pay button: destroy() mid-attempt, or a status read that fails, leaves no unhandled rejection; a failed read ends pending, its key kept', async () => {
    const { page, consoleLines } = ctx.tab;
    const seen = await stubMerchant(page, { pay: () => 'hang' });
    const o = savedCardOptions(ctx.world);
    await ready(page, o);
    await page.click('#checkout .pasarela-pay');
    await page.waitForFunction(() => (window.__events || []).some((e) => e.name === 'token') || document.querySelector('#checkout .pasarela-pay:disabled'));
    for (let i = 0; i < 50 && posts(seen).length < 1; i++) await page.waitForTimeout(20);
    await page.evaluate(() => checkout.destroy());
    await page.waitForTimeout(300);
    assert.deepEqual(consoleLines.filter((l) => /Uncaught|pageerror|unhandled/i.test(l)), [], 'nothing unhandled');
    // A pending answer whose status read is refused (the secret lapsed): pending, not an error
    // that would read as "try again" — the payment exists, and its key stays.
    await page.evaluate(() => { window.__events = []; });
    await page.unroute(/\/stub\/pay(\/[^/?]*)?$/);
    const again = await stubMerchant(page, { pay: () => ({ body: { status: 'pending', paymentId: 'pay_9' } }), status: () => ({ status: 401, body: { error: 'unknown client secret' } }) });
    await ready(page, o);
    await page.click('#checkout .pasarela-pay');
    const r = await waitForEvent(page, 'result');
    assert.deepEqual([r.status, r.paymentId], ['pending', 'pay_9']);
    assert.equal(gets(again).length, 1, 'one read: a refusal does not mend by reading again');
    assert.equal(await stored(page, o), keyOf(posts(again)[0]), 'the key is kept for the order');
    assert.deepEqual(consoleLines.filter((l) => /Uncaught|pageerror|unhandled/i.test(l)), []);
  });

  it('409 order_already_paid: the attempt ends approved with the paying payment, once, and nothing is sent again', async () => {
    const { page } = ctx.tab;
    const seen = await stubMerchant(page, {
      pay: () => ({ status: 409, body: { error: 'the order is paid', code: 'order_already_paid', paymentId: 'pay_9' } }),
    });
    const o = savedCardOptions(ctx.world);
    await ready(page, o);
    const r = await payInPage(page, { profileId: CARD.id });
    assert.deepEqual(r, { status: 'approved', paymentId: 'pay_9' });
    assert.equal(await count(page, 'result'), 1);
    assert.equal(await count(page, 'error'), 0, 'not an error: the order is paid');
    assert.equal(await page.evaluate(() => checkout.state), 'succeeded');
    assert.equal(await page.textContent('#checkout [role=status]'), 'Pago aprobado');
    assert.deepEqual(await payInPage(page), r, 'pay() again: the same approval');
    assert.equal(posts(seen).length, 1, 'the shopper is not charged again');
    assert.equal(await stored(page, o), null, 'a final answer: the attempt key is gone');
  });

  it('409 attempt_in_progress with its paymentId: pending, then polled on statusUrl to its end', async () => {
    const { page } = ctx.tab;
    let reads = 0;
    const seen = await stubMerchant(page, {
      pay: () => ({ status: 409, body: { error: 'in progress', code: 'attempt_in_progress', paymentId: 'pay_7' } }),
      status: () => ({ body: ++reads < 2 ? { status: 'pending', paymentId: 'pay_7' } : { status: 'approved', paymentId: 'pay_7' } }),
    });
    const o = savedCardOptions(ctx.world);
    await ready(page, o);
    const states = page.evaluate(() => new Promise((ok) => {
      const seenStates = [];
      const t = setInterval(() => { seenStates.push(checkout.state); if (checkout.state === 'succeeded') { clearInterval(t); ok(seenStates); } }, 20);
    }));
    const r = await payInPage(page, { profileId: CARD.id });
    assert.deepEqual([r.status, r.paymentId], ['approved', 'pay_7']);
    assert.ok((await states).includes('processing'), 'processing while polled');
    assert.deepEqual(gets(seen).map((g) => new URL(g.url).pathname), ['/stub/pay/pay_7', '/stub/pay/pay_7']);
    assert.equal(posts(seen).length, 1);
    assert.equal(await count(page, 'result'), 1);
    assert.equal(await stored(page, o), null);
  });

  it('409 attempt_in_progress without a paymentId: merchant_rejected as before, and the key stays for the next attempt', async () => {
    const { page } = ctx.tab;
    let busy = true;
    const seen = await stubMerchant(page, {
      pay: () => (busy ? { status: 409, body: { error: 'in progress', code: 'attempt_in_progress' } } : { body: { status: 'approved', paymentId: 'pay_3' } }),
    });
    const o = savedCardOptions(ctx.world, { locale: 'en' });
    await ready(page, o);
    const r = await payInPage(page, { profileId: CARD.id });
    assert.equal(r.status, 'error');
    assert.equal(r.error.code, 'merchant_rejected');
    assert.equal(r.error.details, 'HTTP 409', "the status is the developer's");
    assert.doesNotMatch(r.error.message, /409|HTTP/, "never in the shopper's words");
    assert.equal(posts(seen).length, 1, 'not retried by the page (the service waited, bounded)');
    const key = keyOf(posts(seen)[0]);
    assert.equal(await stored(page, o), key, 'an attempt still in progress keeps its key');
    busy = false;
    assert.equal((await payInPage(page, { profileId: CARD.id })).status, 'approved');
    assert.equal(keyOf(posts(seen)[1]), key, 'the next attempt on the order reuses it');
    assert.equal(await stored(page, o), null);
  });

  it('a reload mid-attempt: the next page load reuses the key; a final answer removes it; the next attempt gets a new one; no sessionStorage, as before', async () => {
    const { page } = ctx.tab;
    const orderId = `R-${Date.now()}`;
    let answer = 'hang';
    const seen = await stubMerchant(page, { pay: (r) => (typeof answer === 'function' ? answer(r) : answer) });
    const o = savedCardOptions(ctx.world, { orderId });
    await ready(page, o);
    void payInPage(page, { profileId: CARD.id }).catch(() => {});
    await page.waitForFunction((slot) => sessionStorage.getItem(slot), slotOf(o));
    while (posts(seen).length < 1) await new Promise((r) => setTimeout(r, 20));
    const first = keyOf(posts(seen)[0]);
    assert.match(first, UUID_V4);
    assert.equal(await stored(page, o), first, 'written before the request left');
    assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), [slotOf(o)], 'the UUID alone is stored');

    await page.reload();
    answer = { body: { status: 'approved', paymentId: 'pay_r' } };
    await ready(page, o);
    assert.equal((await payInPage(page, { profileId: CARD.id })).status, 'approved');
    assert.equal(keyOf(posts(seen)[1]), first, 'the attempt after the reload sent the same Idempotency-Key');
    assert.equal(await stored(page, o), null, 'approved: the key is gone');

    await page.reload();
    await ready(page, o);
    assert.equal((await payInPage(page, { profileId: CARD.id })).status, 'approved');
    const third = keyOf(posts(seen)[2]);
    assert.match(third, UUID_V4);
    assert.notEqual(third, first, 'a new attempt, a new key');
    assert.equal(posts(seen).length, 3);

    // Without sessionStorage (a privacy mode: reaching it throws) the page pays as before, each
    // attempt with its own key, in memory.
    await page.addInitScript(() => Object.defineProperty(window, 'sessionStorage', { get() { throw new DOMException('denied', 'SecurityError'); } }));
    await page.reload();
    let down = true;
    answer = () => (down ? ((down = false), { status: 503, body: { error: 'down' } }) : { body: { status: 'approved', paymentId: 'pay_s' } });
    await ready(page, { ...o, merchant: { ...o.merchant, retries: 0 } });
    assert.equal((await payInPage(page, { profileId: CARD.id })).error?.code, 'network');
    assert.equal((await payInPage(page, { profileId: CARD.id })).status, 'approved');
    const [a, b] = posts(seen).slice(3).map(keyOf);
    assert.match(a, UUID_V4);
    assert.match(b, UUID_V4);
    assert.notEqual(a, b);
  });

  it('a reused key answered 422 naming Idempotency-Key: dropped, and retried once at once with a fresh key (a fresh one is not)', async () => {
    const { page } = ctx.tab;
    const orderId = `K-${Date.now()}`;
    let stale;
    const seen = await stubMerchant(page, {
      pay: (r) => {
        if (stale === undefined) return 'hang';
        if (stale === null || keyOf(r) === stale) return { status: 422, body: { error: 'this Idempotency-Key was used with a different request', field: 'Idempotency-Key' } };
        return { body: { status: 'declined', paymentId: 'pay_d', message: 'insufficient funds' } };
      },
    });
    const o = savedCardOptions(ctx.world, { orderId });
    await ready(page, o);
    void payInPage(page, { profileId: CARD.id }).catch(() => {});
    await page.waitForFunction((slot) => sessionStorage.getItem(slot), slotOf(o));
    while (posts(seen).length < 1) await new Promise((r) => setTimeout(r, 20));
    stale = keyOf(posts(seen)[0]);

    await page.reload();
    await ready(page, o);
    const r = await payInPage(page, { profileId: CARD.id });
    assert.deepEqual([r.status, r.paymentId], ['declined', 'pay_d']);
    const [, reused, fresh] = posts(seen);
    assert.equal(keyOf(reused), stale);
    assert.match(keyOf(fresh), UUID_V4);
    assert.notEqual(keyOf(fresh), stale);
    assert.deepEqual(fresh.body, reused.body, 'the same attempt, sent again');
    assert.equal(posts(seen).length, 3, 'one retry');
    assert.equal(await count(page, 'result'), 1);
    assert.equal(await count(page, 'error'), 0);
    assert.equal(await stored(page, o), null, 'declined: a final answer');

    // A fresh key (none was stored) answered the same is not retried.
    stale = null;
    const sent = posts(seen).length;
    const again = await payInPage(page, { profileId: CARD.id });
    assert.equal(again.error?.code, 'merchant_rejected');
    assert.equal(posts(seen).length, sent + 1);
  });

  it("'ask' (Conekta, es): an unticked, labelled checkbox after the card form; Space ticks it and the payment carries savePaymentMethod: true", async () => {
    const { page } = ctx.tab;
    const seen = await stubMerchant(page, { pay: () => ({ body: { status: 'approved', paymentId: 'pay_c' } }) });
    const o = optionsFor(ctx.world, 'conekta', { merchant: { paymentUrl: '/stub/pay', clientSecret: SECRET, savePaymentMethod: 'ask' } });
    await ready(page, o);
    assert.deepEqual(await saveBox(page), { text: SAVE_LABEL.es, type: 'checkbox', checked: false, visible: true });
    assert.ok(await before(page, '#checkout .pasarela-provider-form', '#checkout .pasarela-save'), 'after the card form');
    assert.deepEqual(await violations(page, '#checkout .pasarela-save'), []);
    await page.focus('#checkout .pasarela-save input');
    await page.keyboard.press('Space');
    assert.equal((await saveBox(page)).checked, true);
    await fillConektaCard(page, '4242424242424242');
    assert.equal((await payInPage(page)).status, 'approved');
    assert.equal(posts(seen)[0].body.savePaymentMethod, true);
    assert.equal(posts(seen)[0].body.source.type, 'token');
  });

  it("'ask' unticked: the payment carries no savePaymentMethod", async () => {
    const { page } = ctx.tab;
    const seen = await stubMerchant(page, { pay: () => ({ body: { status: 'approved', paymentId: 'pay_u' } }) });
    const o = optionsFor(ctx.world, 'conekta', { merchant: { paymentUrl: '/stub/pay', savePaymentMethod: 'ask' } });
    await ready(page, o);
    await fillConektaCard(page, '4242424242424242');
    assert.equal((await payInPage(page)).status, 'approved');
    assert.ok(!('savePaymentMethod' in posts(seen)[0].body), JSON.stringify(posts(seen)[0].body));
  });

  it("'ask' with saved cards (Conekta, pt): only with \"use another card\", between the form and Pasarela's pay button; a saved card pays without it", async () => {
    const { page } = ctx.tab;
    const seen = await stubMerchant(page, { pay: () => ({ body: { status: 'approved', paymentId: 'pay_p' } }) });
    const o = savedCardOptions(ctx.world, { locale: 'pt', merchant: { savePaymentMethod: 'ask' } });
    await ready(page, o);
    assert.equal((await saveBox(page))?.visible ?? false, false, 'a saved card is chosen: no checkbox');
    await page.click('#checkout .pasarela-profile-new');
    await page.waitForSelector('#checkout .pasarela-provider-form', { state: 'visible' });
    assert.deepEqual(await saveBox(page), { text: SAVE_LABEL.pt, type: 'checkbox', checked: false, visible: true });
    assert.ok(await before(page, '#checkout .pasarela-provider-form', '#checkout .pasarela-save'), 'after the card form');
    assert.ok(await before(page, '#checkout .pasarela-save', '#checkout .pasarela-pay'), "before Pasarela's pay button");
    assert.equal(await page.isVisible('#checkout .pasarela-pay'), true);
    await page.check('#checkout .pasarela-save input');
    await page.click('#checkout [role=radio]:first-child'); // back to the saved card
    assert.equal((await saveBox(page)).visible, false);
    assert.equal((await payInPage(page)).status, 'approved');
    assert.equal(posts(seen)[0].body.source.type, 'profile');
    assert.ok(!('savePaymentMethod' in posts(seen)[0].body), 'a saved card is saved already');
  });

  it("'ask' (Bamboo, en): after its card form, keyboard-usable, no WCAG 2.2 AA violation; ticked, the form's own button sends it", async () => {
    const { page } = ctx.tab;
    const seen = await stubMerchant(page, { pay: () => ({ body: { status: 'approved', paymentId: 'pay_b' } }) });
    const o = optionsFor(ctx.world, 'bamboo', { locale: 'en', merchant: { paymentUrl: '/stub/pay', savePaymentMethod: 'ask' } });
    await ready(page, o);
    assert.deepEqual(await saveBox(page), { text: SAVE_LABEL.en, type: 'checkbox', checked: false, visible: true });
    assert.ok(await before(page, '#checkout iframe', '#checkout .pasarela-save'));
    assert.deepEqual(await violations(page, '#checkout'), []);
    await page.focus('#checkout .pasarela-save input');
    await page.keyboard.press('Space');
    await payWithBambooCard(page, '4111111111111111');
    assert.equal((await waitForEvent(page, 'result')).status, 'approved');
    assert.equal(posts(seen)[0].body.savePaymentMethod, true);
  });

  it("KR's form asks itself; 'always' and 'off' show nothing", async () => {
    const { page } = ctx.tab;
    await ready(page, await krOptions(ctx.world, { merchant: { paymentUrl: '/merchant/pay', savePaymentMethod: 'ask' } }));
    assert.equal(await saveBox(page), null, 'KR: ASK_REGISTER_PAY is the form\'s own');
    for (const savePaymentMethod of ['always', 'off']) {
      await page.evaluate(() => { checkout.destroy(); window.__events = []; });
      await ready(page, optionsFor(ctx.world, 'conekta', { merchant: { paymentUrl: '/stub/pay', savePaymentMethod } }));
      assert.equal(await saveBox(page), null, savePaymentMethod);
    }
  });

  it('another savePaymentMethod is refused, naming merchant.savePaymentMethod, before anything renders', async () => {
    const { page } = ctx.tab;
    for (const bad of ['yes', 'ASK', true, 1]) {
      const r = await mount(page, optionsFor(ctx.world, 'conekta', { merchant: { paymentUrl: '/stub/pay', savePaymentMethod: bad } }));
      assert.equal(r.ok, false, String(bad));
      assert.equal(r.error.code, 'invalid_options');
      assert.equal(r.error.field, 'merchant.savePaymentMethod');
      assert.equal(r.error.name, 'PasarelaError');
      assert.equal(await page.$('#checkout .pasarela'), null);
    }
    await ready(page, optionsFor(ctx.world, 'conekta', { merchant: { paymentUrl: '/stub/pay', savePaymentMethod: 'ask' } }));
  });
});
