// @ts-check
// Pasarela ESM entry: loads the wasm of each provider a page uses, once, and wraps it in the
// public `Checkout`. Hand-written and copied into pkg/ by scripts/build.sh (`__VERSION__` is
// filled in there).

/** The package version. */
export const version = '__VERSION__';

/** The error every rejection and `error` event carries (docs/api.md §3). */
export class PasarelaError extends Error {
  constructor(e) {
    super(e.message);
    this.name = 'PasarelaError';
    this.code = e.code;
    if (e.field !== undefined) this.field = e.field;
    if (e.provider !== undefined) this.provider = e.provider;
    this.retryable = !!e.retryable;
    if (e.details !== undefined) this.details = e.details;
  }
}

/** Errors only a developer causes and acts on (in English, docs/api.md §3): not said aloud. */
const UNSAID = ['invalid_options', 'secret_in_profile'];
/** Whether `e` is a shopper's error as the wasm hands it over: its words are still to come. */
const unworded = (e) => !!e && !(e instanceof PasarelaError) && typeof e.code === 'string' && !UNSAID.includes(e.code);
/**
 * The `PasarelaError` of what the wasm threw or reported. A shopper's error gets its words in
 * `lang` from the on-demand part `m` (`errorWords`), in front of what the wasm said (a
 * provider's own words, in brackets): the wasm keeps none (README, "Size and speed").
 */
const toError = (e, m, lang) =>
  e instanceof PasarelaError
    ? e
    : new PasarelaError(e && typeof e === 'object' && typeof e.code === 'string'
      ? (unworded(e) ? { ...e, message: `${m ? m.errorWords(e.code, lang) : ''}${e.message || ''}`.trim() || e.code } : e)
      : { code: 'internal', message: String(e && e.message || e), retryable: false });
const failure = (code, message) => new PasarelaError({ code, message, retryable: false });
const destroyedError = () => failure('destroyed', 'The checkout was destroyed');

const live = new Set();
/** provider → the promise of its loaded module's `WasmCheckout`. */
const modules = new Map();
/** The linear memory of each module loaded. */
const memories = new Set();
/** Set once a Rust panic aborted a module: no call may go into Pasarela any more. */
let poisoned = null;

/**
 * Each provider's wasm, built with that provider's adapter only (scripts/build.sh), and its
 * wasm-bindgen glue, imported on demand: a page loads its provider's alone. Literal URLs, so that
 * bundlers find and copy every `.wasm` (js/README.md, "Bundlers").
 * @type {Record<string, [() => Promise<typeof import('./pasarela_wasm')>, () => URL]>}
 */
const BUILDS = {
  bamboo: [() => import('./pasarela_bamboo.js'), () => new URL('./pasarela_bamboo_bg.wasm', import.meta.url)],
  conekta: [() => import('./pasarela_conekta.js'), () => new URL('./pasarela_conekta_bg.wasm', import.meta.url)],
  kr: [() => import('./pasarela_kr.js'), () => new URL('./pasarela_kr_bg.wasm', import.meta.url)],
};

/**
 * Compiles the wasm while it downloads, or from its bytes when the server does not send it as
 * `application/wasm` (streaming compilation requires that type). Compiled here and instantiated
 * by wasm-bindgen's `initSync`: its async `init` carries a second copy of this logic plus
 * deprecated-call handling (0.4 KB of the gzipped package; README, "Size and speed").
 */
async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Pasarela: ${url} answered ${response.status}`);
  const type = (response.headers.get('Content-Type') || '').split(';')[0].trim();
  if (type !== 'application/wasm') console.warn('Pasarela: serve .wasm as application/wasm');
  else if (WebAssembly.compileStreaming) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Loads and instantiates `provider`'s wasm once (the glue and the wasm fetched together). Options
 * naming no known provider are checked by one of the builds: every build validates every option.
 */
function load(provider) {
  if (!BUILDS[provider]) provider = 'conekta';
  let loading = modules.get(provider);
  if (!loading) {
    // A Rust panic reaches every live checkout as an `internal` error and settles its promises.
    globalThis.__pasarelaPanic = (e) => {
      poisoned = toError(e, loaded, document.documentElement.lang);
      for (const c of [...live]) c._poison(poisoned);
    };
    const [glue, wasm] = BUILDS[provider];
    // Bounded (30 s): a stalled server is `script_load_failed`, retryable, not a checkout that
    // never comes.
    loading = new Promise((ok, no) => {
      const bound = setTimeout(no, 3e4);
      Promise.all([glue(), compile(wasm())]).then(([g, module]) => {
        memories.add(g.initSync({ module }).memory);
        ok(g.WasmCheckout);
      }, no).finally(() => clearTimeout(bound));
    });
    modules.set(provider, loading);
    loading.catch(() => modules.delete(provider));
  }
  return loading;
}

/**
 * The part of the package only some payments need (pasarela_extra.mjs: the voucher view and the
 * in-page authentication dialog), imported once per page: after the first `ready`, so it never
 * competes with the provider's form and is there by the time the shopper pays, or at once when a
 * payment needs it first. A failed import is tried again the next time.
 * @type {Promise<typeof import('./pasarela_extra.mjs')> | undefined}
 */
let extraModule;
/** The on-demand part once loaded (Bamboo's enrollment form is opened from it at once). */
let loaded;
// Bounded (8 s): an error or a result waiting for its words is told without them rather than
// never; after that wait (a rejection without a reason) the page does not wait for it again.
const extra = () => (extraModule ||= new Promise((ok, no) => {
  const bound = setTimeout(no, 8e3);
  import('./pasarela_extra.mjs').then((m) => ok(loaded = m), no).finally(() => clearTimeout(bound));
}).catch((e) => { e && (extraModule = undefined); throw e; }));
/** Calls `f` once the on-demand part is here (or could not come): at once when it is. */
const worded = (f) => (loaded ? f() : extra().then(f, f));

/**
 * A plain-data copy of `value` (through JSON: no getters, functions, prototypes or shared
 * references survive), `skipKey` left out of its top level; `undefined` when it is not plain
 * data (cycles, BigInt, throwing getters). The wasm reads the copy, never the page's object.
 */
function plain(value, skipKey) {
  try {
    const text = JSON.stringify(value, function (key, v) { return this === value && key === skipKey ? undefined : v; });
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The choice of method's words, `[es, en, pt]`. */
const METHOD = {
  label: ['Medio de pago', 'Payment method', 'Meio de pagamento'],
  card: ['Tarjeta', 'Card', 'Cartão'],
  cash: ['Efectivo', 'Cash', 'Dinheiro'],
  bank_transfer: ['Transferencia bancaria', 'Bank transfer', 'Transferência bancária'],
};
let methodGroups = 0;

/**
 * The events a checkout emits, in the order docs/api.md §3 lists them: the one list, which
 * `pasarela.js` (the element), the demo and the tests take from here. Its type is the `.d.ts`'s
 * `EVENTS` tuple (tsc, tests/types/tsconfig.js.json), which tests/types/valid.ts holds to
 * `CheckoutEvents`: a name missing or extra fails `npm test`.
 * @type {typeof import('./pasarela').EVENTS}
 */
export const EVENTS = ['ready', 'profileselected', 'profileremoved', 'profiledefault', 'methodselected', 'token', 'action', 'notification', 'result', 'error'];

class Checkout {
  #inner;
  #host;
  /** event → handlers; each array is replaced, never changed, so `_emit` needs no copy. */
  #listeners = new Map();
  /** @type {WeakMap<Promise<any>, Promise<any>>} */
  #promises = new WeakMap();
  #pending = new Set();
  /** The last `ready` payload, for listeners added after it was emitted. */
  #ready;
  /** Resolves the promise the last `pay()` handed out (a voucher's result comes before its end). */
  #early;
  /** The payment a redirect left (`resume`), until the checkout is ready to read it. */
  #resume;
  /** Set while events wait for the on-demand part (an error's words): later ones queue behind. */
  #held;

  /** The live region (`role=status`) in Pasarela's element: each result and error is said there. */
  #status;

  /** The provider script's `<link rel=preload>`, until the script has loaded or failed. */
  #preload;

  constructor(preload) {
    this.#preload = preload;
  }

  /**
   * @internal `o`: the options' plain copy, as the wasm accepted them (the on-demand part reads
   * the installment offers and card management from it); `o.resume`, the payment
   * `createCheckout({ resume })` names, is taken up once ready.
   */
  _attach(inner, o) {
    this.#inner = inner;
    this.#resume = o.resume;
    this._o = o;
    const host = this.#host = inner.host;
    // Empty from the start: a live region announces changes, not what it held when it appeared.
    this.#status = document.createElement('p');
    this.#status.className = 'pasarela-status';
    this.#status.setAttribute('role', 'status');
    host.prepend(this.#status);
    // The choice of method, when the options offer more than one (the wasm lists them, card first,
    // in `data-methods`): native radios in a radio group, so arrow keys move the choice and Tab
    // reaches the chosen one. The choice is the host's `data-method`, which the stylesheet and
    // `pay()` read.
    const methods = host.dataset.methods;
    if (methods) {
      const l = ['es', 'en', 'pt'].indexOf(host.lang.slice(0, 2));
      const group = document.createElement('div');
      group.className = 'pasarela-methods';
      group.setAttribute('role', 'radiogroup');
      group.setAttribute('aria-label', METHOD.label[l]);
      for (const m of methods.split(' ')) {
        const row = group.appendChild(document.createElement('label'));
        const input = row.appendChild(document.createElement('input'));
        Object.assign(input, { type: 'radio', name: `pasarela-method-${methodGroups}`, value: m, checked: m === host.dataset.method });
        row.className = 'pasarela-method';
        row.append(METHOD[m][l]);
      }
      methodGroups++;
      group.addEventListener('change', (e) => {
        const method = /** @type {HTMLInputElement} */ (e.target).value;
        host.dataset.method = method;
        this._emit('methodselected', { method });
      });
      this.#status.after(group);
    }
  }

  /**
   * @internal Says `text` in the live region; `error` marks it as one (`data-kind`, its colour).
   * An attempt's outcome panel (`data-outcome`, drawn by the on-demand part) goes.
   */
  _say(text, error) {
    const s = this.#status;
    s.textContent = text;
    s.dataset.kind = error ? 'error' : '';
    delete s.dataset.outcome;
  }

  /**
   * @internal Resolves the promise the last `pay()` handed out with a voucher's result, which
   * comes before its attempt ends: a later `pay()` gets the attempt's final result.
   */
  _early(result) {
    this.#early?.(result);
    this.#promises = new WeakMap();
  }

  /** @internal Calls the listeners of `event`; one throwing listener does not silence the others. */
  _emit(event, payload) {
    // The wasm's requests to draw (`_v` a voucher, from the merchant's answer as it came; `_c` an
    // in-page authentication): the on-demand part draws them (and reports the voucher), and `_c`
    // answers with a promise of how it ended.
    if (event === '_e') return loaded?.enroll(this.#host, payload);
    if (event[0] === '_') return extra().then((m) => m.draw(event, this, this.#host, payload));
    // An error's words come from the on-demand part (fetched after `ready`, so it is nearly always
    // here): until it is, that event, and every one after it, waits for it, in order.
    if (this.#held || (!loaded && unworded(event === 'error' ? payload : payload?.error))) {
      const held = this.#held = (this.#held || Promise.resolve()).then(() => worded(() => {
        if (this.#held === held) this.#held = undefined;
        this.#deliver(event, payload);
      }));
    } else this.#deliver(event, payload);
  }

  #deliver(event, payload) {
    // `ready` comes after the provider's script ran, a setup `error` after it failed: either way
    // the preload has done its work (removing it earlier could cancel the fetch it started).
    if (event === 'ready' || event === 'error') this.#preload?.remove();
    // Once the form is usable, the on-demand part is fetched (and draws "save this card" when the
    // checkout asks, `data-save`).
    if (event === 'ready') {
      setTimeout(() => extra().then((m) => m.ready(this.#host, this), () => {}));
      // `resume`: read and reported as an attempt of the page's, whose `result` says how it went.
      if (this.#resume) this.#inner.pay({ resume: this.#resume }).catch(() => {});
      this.#resume = undefined;
    }
    if (event === 'profileselected') payload = { profileId: payload };
    // A redirect: Pasarela takes the shopper there once the attempt's `result` is out.
    else if (event === 'action' && payload.type === 'redirect') setTimeout(() => location.assign(payload.url));
    else if (event === 'error') {
      payload = toError(payload, loaded, this.#host.lang);
      if (!UNSAID.includes(payload.code)) this._say(payload.message, true);
    }
    else if (event === 'ready') this.#ready = payload;
    // How it ended, said in the live region; focus put back; a voucher's final state shown on it.
    else if (event === 'result') extra().then((m) => m.ended(this, this.#host, payload), () => {});
    if (event === 'result' && payload && payload.error) payload.message = (payload.error = toError(payload.error, loaded, this.#host.lang)).message;
    for (const fn of this.#listeners.get(event) || []) {
      try { fn(payload); } catch (err) { queueMicrotask(() => { throw err; }); }
    }
  }

  /** @internal The module is dead: report once, settle what waits, keep `destroy()` working. */
  _poison(err) {
    this._emit('error', err);
    for (const reject of this.#pending) reject(err);
    this.#pending.clear();
  }

  on(event, handler) {
    if (!EVENTS.includes(event)) throw new PasarelaError({ code: 'invalid_options', field: 'event', message: `Unknown event '${event}'`, retryable: false });
    if (typeof handler !== 'function') throw new PasarelaError({ code: 'invalid_options', field: 'handler', message: 'handler must be a function', retryable: false });
    const list = this.#listeners.get(event) || [];
    if (!list.includes(handler)) this.#listeners.set(event, [...list, handler]);
    // `ready` is a state as much as an event: a listener added once the checkout is ready (after
    // a few awaits, in a framework's effect) hears it once, in a microtask, like a settled promise.
    const ready = this.#ready;
    if (event === 'ready' && ready && !list.includes(handler)) {
      queueMicrotask(() => { if (this.#listeners.get(event)?.includes(handler)) handler(ready); });
    }
    return () => this.off(event, handler);
  }

  off(event, handler) {
    const list = this.#listeners.get(event);
    if (list) this.#listeners.set(event, list.filter((fn) => fn !== handler));
  }

  pay(opts) {
    if (!this.#inner) return Promise.reject(destroyedError());
    if (poisoned) return Promise.reject(poisoned);
    // The shopper's choice of method, unless the call names a method or a saved card.
    const m = this.#host.dataset.method;
    if (m && m !== 'card' && (opts == null || (typeof opts === 'object' && !opts.method && !opts.profileId))) opts = { ...opts, method: m };
    const raw = this.#inner.pay(opts);
    // The same attempt must give the same promise to every caller.
    let wrapped = this.#promises.get(raw);
    if (!wrapped) {
      wrapped = new Promise((resolve, reject) => {
        this.#early = resolve;
        this.#pending.add(reject);
        const lang = this.#host.lang;
        raw.then(
          (r) => {
            const go = () => {
              if (r && r.error) r.message = (r.error = toError(r.error, loaded, lang)).message;
              resolve(r);
            };
            unworded(r && r.error) ? worded(go) : go();
          },
          (e) => (unworded(e) ? worded : (f) => f())(() => reject(toError(e, loaded, lang))),
        ).finally(() => this.#pending.delete(reject));
      });
      this.#promises.set(raw, wrapped);
    }
    return wrapped;
  }

  /** Extension: replaces the saved cards (validated like `profiles`), e.g. after `enroll()`. */
  setProfiles(profiles) {
    if (!this.#inner) throw destroyedError();
    if (poisoned) throw poisoned;
    const list = plain(profiles);
    try { this.#inner.setProfiles(list); } catch (e) { throw toError(e); }
    // What the list shows now, for the on-demand part's card management.
    this._o.profiles = list;
  }

  /**
   * Extension (Bamboo): opens the card-enrollment form (card management, from the part loaded on
   * demand); resolves with the `token` payload.
   */
  enroll(opts) {
    return extra().then(() => {
      if (!this.#inner) throw destroyedError();
      if (poisoned) throw poisoned;
      return this.#inner.enroll(opts);
    }).catch((e) => { throw toError(e, loaded, this.#host.lang); });
  }

  get state() {
    if (!this.#inner) return 'destroyed';
    return poisoned ? 'failed' : this.#inner.state;
  }

  destroy() {
    const inner = this.#inner;
    if (!inner) return;
    this.#inner = undefined;
    this.#preload?.remove();
    // An in-page authentication still open goes with the checkout.
    extraModule?.then((m) => m.close(this.#host), () => {});
    if (poisoned) {
      // The module cannot run any more: take Pasarela's nodes out from here.
      this.#host?.remove();
    } else {
      inner.destroy();
      inner.free();
    }
    for (const reject of this.#pending) reject(destroyedError());
    this.#pending.clear();
    // Events still waiting for their words (the attempt `destroy()` ended) reach the listeners first.
    const drop = () => this.#listeners.clear();
    this.#held ? this.#held.then(drop) : drop();
    live.delete(this);
  }
}

/**
 * The providers' production scripts (docs/providers/*.md cite each): one table for the preload
 * below and, as the options' default `scriptUrl`, for the adapter's own `<script>` (the wasm
 * keeps no copy), so the two never ask for different URLs.
 */
const SCRIPTS = {
  bamboo: 'https://api.bamboopayment.com/v1/Scripts/PWCheckoutNoModal.js',
  conekta: 'https://pay.conekta.com/v1.0/js/conekta-checkout.min.js',
  kr: 'https://static.lyra.com/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js',
};

/**
 * Starts fetching the provider's script while the wasm compiles, with `<link rel=preload>`: the
 * adapter's own `<script>` (Rust, `src/web/script.rs`) then finds it in the cache. The URL is the
 * one the adapter builds (Bamboo appends `key`); anything the options would refuse is skipped.
 * A second preload of the same URL is one fetch: the browser matches preloads by URL. The link
 * is returned so that it goes once its work is done (`Checkout#_emit`): a long-lived page that
 * creates checkouts again and again keeps no trail of them in `<head>`.
 */
function preloadProviderScript(o) {
  try {
    let url = o.scriptUrl === undefined ? SCRIPTS[o.provider] : o.scriptUrl;
    // Cash and transfers only: no tokenizer to load.
    if (!/^(https?:\/\/|\/(?!\/)|\.\/)\S*$/i.test(url) || (Array.isArray(o.methods) && !o.methods.includes('card'))) return;
    if (o.provider === 'bamboo' && !/[?&]key=/.test(url)) url += `${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(o.publicKey)}`;
    const link = document.createElement('link');
    link.rel = 'preload';
    link.as = 'script';
    link.href = url;
    document.head.append(link);
    return link;
  } catch {}
}

/**
 * Validates `options`, renders into `options.container` and starts loading the provider.
 * What is fetched at once, whatever the options: Pasarela's wasm (once per page) and, when
 * `provider` and `scriptUrl` look usable, the provider's script (a `<link rel=preload>`, removed
 * again once the checkout is ready, has failed, or is destroyed). Rejects with a `PasarelaError`:
 * `invalid_options` naming the `field` on bad input, before anything is rendered;
 * `unsupported` outside a browser (server rendering); `aborted` when `init.signal` aborts before
 * it resolves (nothing is left rendered then).
 */
export async function createCheckout(options, init) {
  const signal = init && init.signal;
  if (typeof document === 'undefined') throw failure('unsupported', 'Pasarela runs in a browser only');
  const preload = options ? preloadProviderScript(options) : undefined;
  const checkout = new Checkout(preload);
  try {
    // A failed download of the wasm (offline, blocked, a 404) is this error, and the next call retries.
    const WasmCheckout = await load(options && safeGet(options, 'provider')).catch(() => {
      throw new PasarelaError({ code: 'script_load_failed', message: 'Pasarela could not load its wasm', retryable: true });
    });
    if (poisoned) throw poisoned;
    // The wasm loads once per page; nothing of this checkout exists before the next line.
    if (signal && signal.aborted) throw failure('aborted', 'createCheckout was aborted');
    const container = options !== null && typeof options === 'object' ? safeGet(options, 'container') : undefined;
    const element = typeof Element !== 'undefined' && container instanceof Element ? container : undefined;
    const o = withDefaultScript(plain(options, element ? 'container' : undefined));
    checkout._attach(WasmCheckout.create(o, element, (event, payload) => checkout._emit(event, payload)), o);
  } catch (e) {
    preload?.remove();
    // A shopper's error (a second Bamboo or KR checkout, `unsupported`) waits for its words.
    if (unworded(e)) await extra().catch(() => {});
    throw toError(e, loaded, options && safeGet(options, 'locale'));
  }
  live.add(checkout);
  return checkout;
}

/** The `locale` values (docs/api.md §2): a region's tag before its language's. */
const LOCALES = ['es-MX', 'es-AR', 'es-UY', 'es-PE', 'pt-BR', 'es', 'en', 'pt'];

/**
 * The browser's language as Pasarela speaks it, for options without `locale`: the first of the
 * shopper's languages Pasarela has, by its tag (`es-AR`) or else its language (`es-CO` → `es`);
 * `es` when none.
 */
function browserLocale() {
  for (const tag of navigator.languages || [navigator.language]) {
    const [l, r] = String(tag).split('-');
    const hit = LOCALES.find((x) => x === `${l.toLowerCase()}-${r?.toUpperCase()}`) || LOCALES.find((x) => x === l.toLowerCase());
    if (hit) return hit;
  }
  return 'es';
}

/**
 * The options' plain copy with the provider's production `scriptUrl` when the page gave none, and
 * the browser's language when it gave no `locale`.
 */
function withDefaultScript(o) {
  if (o && o.scriptUrl === undefined && SCRIPTS[o.provider]) o.scriptUrl = SCRIPTS[o.provider];
  if (o && typeof o === 'object' && o.locale == null) o.locale = browserLocale();
  return o;
}

function safeGet(o, k) {
  try { return o[k]; } catch { return undefined; }
}

/** Internal, for the benchmarks and leak tests: bytes of wasm linear memory (all loaded builds). */
export function _wasmMemoryBytes() {
  let bytes = 0;
  for (const m of memories) bytes += m.buffer.byteLength;
  return bytes;
}
