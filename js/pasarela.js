// @ts-check
// Pasarela script-tag build: defines window.Pasarela and <pasarela-checkout>, and loads the ESM
// entry next to this file on first use (no inline code, so a strict CSP with script-src 'self'
// works; from another origin the files need CORS: js/README.md, "Script tag").
(function () {
  var here = (document.currentScript && /** @type {HTMLScriptElement} */ (document.currentScript).src) || location.href;
  var entry;

  // The errors of this file (its entry failed to load, a bad `options` attribute). `instanceof`
  // also holds for the entry's own PasarelaError, which this file cannot import before it loaded.
  class PasarelaError extends Error {
    constructor(code, message, retryable, field) {
      super(message);
      this.name = 'PasarelaError';
      this.code = code;
      if (field) this.field = field;
      this.retryable = retryable;
    }
    static [Symbol.hasInstance](e) {
      return e instanceof Error && e.name === 'PasarelaError';
    }
  }

  const url = () => new URL('./pasarela.mjs', here).href;
  // A failed import is not cached, so the next call tries again. Bounded (30 s): a stalled
  // server fails as any failed load does.
  const load = () => entry || (entry = new Promise((ok, no) => {
    const bound = setTimeout(no, 3e4);
    import(url()).then(ok, no).finally(() => clearTimeout(bound));
  }).catch(() => {
    entry = undefined;
    throw new PasarelaError('script_load_failed', 'Pasarela could not load ' + url(), true);
  }));
  const createCheckout = (options, init) => load().then((m) => m.createCheckout(options, init));

  // This file's PasarelaError stands in for the entry's (see its `Symbol.hasInstance`).
  window.Pasarela = { version: '__VERSION__', createCheckout, PasarelaError: /** @type {any} */ (PasarelaError) };

  // <pasarela-checkout options='{"provider":…}'>: one checkout rendered inside the element while
  // it is in the document (a new one when the options change); the checkout's events are
  // dispatched on the element as non-bubbling CustomEvents with the payload as `detail`.
  class PasarelaCheckoutElement extends HTMLElement {
    static observedAttributes = ['options'];
    #options;
    #checkout = null;
    #abort;

    /** The options set as a property (they win over the JSON `options` attribute). */
    get options() {
      return this.#options;
    }

    set options(value) {
      this.#options = value;
      this.#restart();
    }

    /** The live checkout (`el.checkout.pay()`), `null` until it is created. */
    get checkout() {
      return this.#checkout;
    }

    connectedCallback() { this.#restart(); }
    disconnectedCallback() { this.#restart(); }
    attributeChangedCallback() { if (!this.#options) this.#restart(); }

    /** Destroys (or aborts) the current checkout, then starts one if connected with options. */
    #restart() {
      this.#abort?.abort();
      this.#checkout?.destroy();
      this.#checkout = null;
      if (!this.isConnected) return;
      const signal = (this.#abort = new AbortController()).signal;
      const emit = (type, detail) => this.dispatchEvent(new CustomEvent(type, { detail }));
      const text = this.getAttribute('options');
      let options = this.#options;
      try {
        options ||= text && JSON.parse(text);
      } catch (e) {
        return emit('error', new PasarelaError('invalid_options', 'options: ' + e.message, false, 'options'));
      }
      // The events are the entry's own list (`EVENTS`), so this file cannot miss one.
      if (options) load().then((m) => m.createCheckout({ ...options, container: this }, { signal }).then((checkout) => {
        this.#checkout = checkout;
        for (const type of m.EVENTS) checkout.on(type, (detail) => emit(type, detail));
      })).catch((e) => signal.aborted || emit('error', e));
    }
  }

  if (!customElements.get('pasarela-checkout')) customElements.define('pasarela-checkout', PasarelaCheckoutElement);
})();
