// Engine-neutral steps of the cross-browser subset, written only with `evaluate` and `press`
// (tests/engines/drivers.mjs): waiting for a checkout's events, and typing a card into the
// emulators' frames (same-origin: the sandbox serves them), the way their own scripts read it.
// Mounting is tests/e2e/helpers.mjs's `mount`, which needs nothing but `evaluate` either.

export const GOOD = { bamboo: '4111111111111111', conekta: '4242424242424242', kr: '4970100000000055' };

/** Waits until `predicate(arg)` is truthy in the page; resolves its value. */
export async function until(page, predicate, arg = null, { timeout = 15_000, what = String(predicate) } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await page.evaluate(predicate, arg);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const eventNames = (page) => page.evaluate(() => window.__events.map((e) => e.name));

/** The payload of the `count`-th `name` event, once it came. */
export function waitForEvent(page, name, count = 1) {
  return until(page, ([n, c]) => {
    const hits = window.__events.filter((e) => e.name === n);
    return hits.length >= c ? { payload: hits[c - 1].payload } : null;
  }, [name, count], { what: `event ${name}` }).then((r) => r.payload);
}

/**
 * Types `fields` (selector → value) into the frame matched by `frame` (an <iframe>, or an element
 * whose fields are in its open shadow root) and, with `submit`, clicks that button: input and
 * change events as typing makes them.
 */
export async function fillFrame(page, frame, fields, submit) {
  // Loaded, not just parsed: the form's own script must have attached its handlers.
  await until(page, ([f, first]) => {
    const el = document.querySelector(f);
    const doc = el?.contentDocument ?? el?.shadowRoot;
    return (!el?.contentDocument || doc.readyState === 'complete') && !!doc?.querySelector(first);
  }, [frame, Object.keys(fields)[0]], { what: `${frame} inputs` });
  await page.evaluate(([f, values, button]) => {
    const el = document.querySelector(f);
    const doc = el.contentDocument ?? el.shadowRoot;
    for (const [sel, value] of Object.entries(values)) {
      const input = doc.querySelector(sel);
      input.focus();
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
    if (button) doc.querySelector(button).click();
  }, [frame, fields, submit || null]);
}

/** Conekta's fields are in the open shadow root of its <conekta-iframe> (the 4.8 component's way). */
export const fillConektaCard = (page, pan) =>
  fillFrame(page, '#checkout conekta-iframe', { '#ck-name': 'Ana Pérez', '#ck-number': pan, '#ck-exp': '12/30', '#ck-cvc': '123' });
export const fillKrCard = (page, pan) =>
  fillFrame(page, '#checkout iframe', { '#kr-pan': pan, '#kr-expiry': '12/30', '#kr-security-code': '123' });
export const payWithBambooCard = (page, pan) =>
  fillFrame(page, '#checkout iframe', { '#pw-pan': pan, '#pw-exp': '12/30', '#pw-cvv-card': '123', '#pw-holder': 'Ana Pérez' }, '#pw-submit');

/**
 * Starts `checkout.pay(opts)` in the page without waiting (a WebDriver session runs one command
 * at a time: a script waiting for the payment would block the typing that makes it).
 */
export function startPay(page, opts = null) {
  return page.evaluate((o) => {
    window.__paid = undefined;
    checkout.pay(o || undefined).then(
      (r) => { window.__paid = { ...r, ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}) }; },
      (e) => { window.__paid = { rejected: { code: e.code, message: e.message } }; },
    );
  }, opts);
}

/** What the started `pay()` settled with. */
export const paid = (page) => until(page, () => window.__paid, null, { timeout: 30_000, what: 'pay() to settle' });

/** `checkout.pay(opts)`, waited for. */
export async function payInPage(page, opts = null) {
  await startPay(page, opts);
  return paid(page);
}

/**
 * A merchant stub inside the page (WebDriver sessions have no request interception): `fetch`
 * answers `POST /stub/pay` with `pay` and `GET /stub/pay/{id}` with the `reads` in turn (the last
 * one repeated), and records each request in `window.__stub`. Other requests go to the network.
 */
export function stubMerchantInPage(page, pay, reads) {
  return page.evaluate(([pay, reads]) => {
    const real = window.fetch.bind(window);
    window.__stub = [];
    window.fetch = async (input, init) => {
      const req = input instanceof Request ? input : new Request(input, init);
      const path = new URL(req.url).pathname;
      if (!/^\/stub\/pay(\/|$)/.test(path)) return real(input, init);
      const body = req.method === 'POST' ? JSON.parse(await req.text()) : undefined;
      window.__stub.push({ method: req.method, path, body, authorization: req.headers.get('Authorization') });
      const gets = window.__stub.filter((r) => r.method === 'GET').length;
      const answer = req.method === 'POST' ? pay : reads[Math.min(gets, reads.length) - 1];
      return new Response(JSON.stringify(answer), { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
  }, [pay, reads]);
}
