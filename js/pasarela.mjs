// Pasarela ESM entry: loads the wasm once, wraps it in the public `Checkout`.
// Hand-written and copied into pkg/ by scripts/build.sh (`__VERSION__` is filled in there).
import init, { WasmCheckout } from './pasarela_wasm.js';

/** The package version. */
export const version = '__VERSION__';

/** The error every rejection and `error` event carries (API.md §3). */
export class PasarelaError extends Error {
  constructor(e) {
    super(e.message);
    this.name = 'PasarelaError';
    this.code = e.code;
    if (e.field !== undefined) this.field = e.field;
    if (e.provider !== undefined) this.provider = e.provider;
    this.retryable = !!e.retryable;
  }
}

const toError = (e) =>
  e instanceof PasarelaError
    ? e
    : new PasarelaError(e && typeof e === 'object' && 'code' in e ? e : { code: 'internal', message: String(e), retryable: false });

const live = new Set();
let loading;

/** Loads and instantiates the wasm once (streaming compile when served as application/wasm). */
function load() {
  if (!loading) {
    // A Rust panic reaches every live checkout as an `internal` error instead of a silent trap.
    globalThis.__pasarelaPanic = (e) => live.forEach((c) => c._emit('error', e));
    loading = init({ module_or_path: new URL('./pasarela_wasm_bg.wasm', import.meta.url) });
    loading.catch(() => { loading = undefined; });
  }
  return loading;
}

const EVENTS = ['ready', 'profileselected', 'token', 'action', 'notification', 'result', 'error'];

class Checkout {
  #inner;
  #listeners = new Map();
  #promises = new WeakMap();

  /** @internal */
  _attach(inner) { this.#inner = inner; }

  /** @internal Calls the listeners of `event`; one throwing listener does not silence the others. */
  _emit(event, payload) {
    if (event === 'error') payload = toError(payload);
    if (event === 'result' && payload && payload.error) payload.error = toError(payload.error);
    for (const fn of [...(this.#listeners.get(event) || [])]) {
      try { fn(payload); } catch (err) { queueMicrotask(() => { throw err; }); }
    }
  }

  on(event, handler) {
    if (!EVENTS.includes(event)) throw new PasarelaError({ code: 'invalid_options', field: 'event', message: `Unknown event '${event}'`, retryable: false });
    if (typeof handler !== 'function') throw new PasarelaError({ code: 'invalid_options', field: 'handler', message: 'handler must be a function', retryable: false });
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(handler);
    return () => this.off(event, handler);
  }

  off(event, handler) {
    this.#listeners.get(event)?.delete(handler);
  }

  pay(opts) {
    if (!this.#inner) return Promise.reject(new PasarelaError({ code: 'destroyed', message: 'The checkout was destroyed', retryable: false }));
    const raw = this.#inner.pay(opts);
    // The same attempt must give the same promise to every caller.
    let wrapped = this.#promises.get(raw);
    if (!wrapped) {
      wrapped = raw.then(
        (r) => { if (r && r.error) r.error = toError(r.error); return r; },
        (e) => { throw toError(e); },
      );
      this.#promises.set(raw, wrapped);
    }
    return wrapped;
  }

  /** Extension: replaces the saved cards (validated like `profiles`), e.g. after `enroll()`. */
  setProfiles(profiles) {
    if (!this.#inner) throw new PasarelaError({ code: 'destroyed', message: 'The checkout was destroyed', retryable: false });
    try { this.#inner.setProfiles(profiles); } catch (e) { throw toError(e); }
  }

  /** Extension (Bamboo): opens the card-enrollment form; resolves with the `token` payload. */
  enroll(opts) {
    if (!this.#inner) return Promise.reject(new PasarelaError({ code: 'destroyed', message: 'The checkout was destroyed', retryable: false }));
    return this.#inner.enroll(opts).catch((e) => { throw toError(e); });
  }

  get state() {
    return this.#inner ? this.#inner.state : 'destroyed';
  }

  destroy() {
    const inner = this.#inner;
    if (!inner) return;
    inner.destroy();
    this.#inner = undefined;
    this.#listeners.clear();
    live.delete(this);
    inner.free();
  }
}

/**
 * Validates `options`, renders into `options.container` and starts loading the provider.
 * Rejects with a `PasarelaError` (`invalid_options`, `field`) before anything is loaded on bad input.
 */
export async function createCheckout(options) {
  await load();
  const checkout = new Checkout();
  let inner;
  try {
    inner = WasmCheckout.create(options, (event, payload) => checkout._emit(event, payload));
  } catch (e) {
    throw toError(e);
  }
  checkout._attach(inner);
  live.add(checkout);
  return checkout;
}
