/*
 * Local emulator of Lyra's KR client (kr-payment-form.min.js, "krypton"). Sources for each
 * behaviour are in docs/providers/kr.md; guesses are marked inferred.
 * Configuration from the script tag's attributes (kr-public-key, kr-language, kr-spa-mode) and
 * KR.setFormConfig({ formToken, 'kr-language' }). Methods return Promise<{ KR }> as Lyra's do
 * (lyra/embedded-form-glue index.d.ts). The form renders as one iframe per form (Lyra uses one
 * per field: a simplification) into `.kr-embedded` / `.kr-smart-form` elements or the selector
 * given to KR.renderElements.
 * Strict where the real client is:
 * - one callback per event: a second KR.onSubmit(fn) replaces the first; removeForms() and
 *   removeEventCallbacks() act on every form and callback of the page;
 * - onSubmit(answer) is called only for an accepted payment (returning false stops the client's
 *   redirect); a refused one reaches onError with the signed answer in metadata.answer and the form
 *   stays up for another card (Lyra's maintainer, lyra/embedded-form-glue issue #17); after too
 *   many refusals the form is locked and answers PSP_099 (after three, inferred);
 * - the client injects its theme as a <style> element in <head> and loads its own chunk file
 *   (kr-assets.bundle.js) with a <script> in <head>, as the public V4.1 build does: a page whose
 *   CSP refuses inline styles reports a violation.
 * - KR.ready is false while the client boots (after the DOM is ready, *inferred* timing); every
 *   call made before is queued, resolves at once with { KR } and no result (so attachForm gives
 *   no formId), and runs once ready; an error it then meets only goes to console.error. Lyra's
 *   own loader therefore waits for KR.ready (embedded-form-glue 1.2.0, "Wait for KR ready").
 * - the API follows the client's version, read from its own path: under /V4.1/ the V4.1 builds'
 *   attachForm(selector) → { KR, result: { formId } } (a missing or non-div element rejects; a
 *   container that is itself .kr-embedded is emptied, warns CLIENT_709 and rejects), addForm,
 *   showForm(formId), hideForm, and no renderElements; elsewhere the current renderElements too.
 * - the client builds its iframes only from a domain on its built-in allow-list, read from its
 *   own script URL; served from anywhere else (a self-hosted copy, a proxy on the merchant's
 *   domain) it logs nothing, builds nothing and never calls onFormReady, and attachForm rejects
 *   with { code: 'CLIENT_997' }. Here the allowed origin is the sandbox's /lyra/static/ (its
 *   stand-in for static.lyra.com) and Lyra's public hosts.
 * All three from the public V4.1.17 and V4.1.18.5 builds (docs/providers/kr.md, "Loading").
 * KR.setBinUpdateNotificationUrl(url): in no public client build or typing (seed 004 names it).
 * Here, on a new 8-digit BIN the client POSTs { bin, amount, currency, formToken } to url and
 * expects { formToken } back (inferred entirely), then shows the form for the new token.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var src = new URL(script.src);
  var base = src.origin + src.pathname.replace(/\/stable\/[^/]*$/, '');
  var v41 = /\/V4\.1\//.test(src.pathname);
  // The allow-list (see the header): Lyra's own hosts, and the sandbox's stand-in for them.
  var LYRA_HOSTS = /^(static|api)\.(lyra\.com|micuentaweb\.pe|systempay\.fr|payty\.com)$/;
  var allowed = LYRA_HOSTS.test(src.hostname) || src.pathname.indexOf('/lyra/static/') === 0;
  var attr = function (n) { return script.getAttribute(n); };
  var config = { publicKey: attr('kr-public-key'), language: attr('kr-language') || 'en-US', formToken: null, spa: attr('kr-spa-mode') === 'true' };
  var EVENTS = ['onSubmit', 'onError', 'onFormReady', 'onLoaded', 'onFormValid', 'onBrandChanged'];
  var callbacks = {};
  var frames = [];
  var binUrl = null;
  var lastBin = null;
  var KR;
  var done = function () { return Promise.resolve({ KR: KR }); };

  function formUrl() {
    var u = new URL(base + '/form.html');
    u.searchParams.set('formToken', config.formToken || '');
    u.searchParams.set('lang', config.language);
    u.searchParams.set('publicKey', config.publicKey || '');
    u.searchParams.set('parent', location.origin);
    return u.href;
  }

  function render(host) {
    if (!config.formToken) throw new Error('KR: no formToken');
    if (!allowed) return; // CLIENT_997, reported to the client's own log only: the form hangs
    var f = document.createElement('iframe');
    f.src = formUrl();
    f.title = 'Formulario de pago';
    f.className = 'kr-iframe';
    f.style.width = '100%'; f.style.border = '0'; f.style.height = '290px';
    host.appendChild(f);
    frames.push(f);
  }

  function fire(name, arg) {
    var fn = callbacks[name];
    return typeof fn === 'function' ? fn(arg) : undefined;
  }

  // The theme and the chunk file, as the real client adds them (see the header).
  function injectAssets() {
    if (document.getElementById('kr-theme')) return;
    var style = document.createElement('style');
    style.id = 'kr-theme';
    style.textContent = '.kr-embedded{display:block}.kr-embedded .kr-iframe{min-height:200px}.kr-out-of-view-form{display:none}';
    document.head.appendChild(style);
    var chunk = document.createElement('script');
    chunk.src = base + '/stable/kr-assets.bundle.js';
    document.head.appendChild(chunk);
  }

  window.addEventListener('message', function (e) {
    var frame = frames.filter(function (f) { return f.contentWindow === e.source; })[0];
    var m = e.data || {};
    if (!frame || m.source !== 'kr') return;
    if (m.type === 'ready') { fire('onFormReady', { KR: KR }); fire('onLoaded', { KR: KR }); }
    else if (m.type === 'valid') fire('onFormValid', { KR: KR });
    else if (m.type === 'resize') frame.style.height = m.height + 'px';
    else if (m.type === 'error') fire('onError', m.error);
    else if (m.type === 'answer') {
      var paid = m.answer.clientAnswer && m.answer.clientAnswer.orderStatus === 'PAID';
      if (!paid) {
        // A refused payment: onError with the signed answer; onSubmit is not called.
        var tx = (m.answer.clientAnswer.transactions || [])[0] || {};
        fire('onError', { errorCode: tx.errorCode || 'ACQ_001', errorMessage: tx.errorMessage || 'Payment refused',
          detailedErrorCode: tx.detailedErrorCode || null, detailedErrorMessage: tx.detailedErrorMessage || null,
          field: null, children: [], metadata: { answer: m.answer } });
        return;
      }
      // Without a `false` from onSubmit the client would redirect to kr-post-url-success; the
      // emulator has nowhere to go and only records it.
      KR.lastRedirectPrevented = fire('onSubmit', m.answer) === false;
    } else if (m.type === 'bin') onBin(m.bin, m.brand);
  });

  function onBin(bin, brand) {
    if (bin === lastBin) return;
    lastBin = bin;
    fire('onBrandChanged', { KR: KR, cardInfo: { bin: bin, brand: brand } });
    if (!binUrl) return;
    fetch(base.replace(/\/static\/.*$/, '') + '/api-payment/V4/Charge/FormInfo?formToken=' + encodeURIComponent(config.formToken))
      .then(function (r) { return r.json(); })
      .then(function (info) {
        return fetch(binUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ bin: bin, amount: info.amount, currency: info.currency, formToken: config.formToken }) });
      })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) { if (b && b.formToken && b.formToken !== config.formToken) setFormToken(b.formToken, bin); });
  }

  function setFormToken(token, keepBin) {
    config.formToken = token;
    frames.forEach(function (f) {
      var u = new URL(formUrl());
      if (keepBin) u.searchParams.set('bin', keepBin);
      f.src = u.href;
    });
    return done();
  }

  // Calls made before KR.ready: queued, answered at once without a result, run once ready.
  var queue = [];
  function queued(name) {
    var f = KR[name];
    KR[name] = function () {
      if (KR.ready) return f.apply(KR, arguments);
      var args = arguments;
      queue.push(function () { return Promise.resolve().then(function () { return f.apply(KR, args); }).catch(function (e) { console.error('[KR emulator] ' + name, e); }); });
      return done();
    };
  }

  function attach(selector, hidden) {
    var host = typeof selector === 'string' ? document.querySelector(selector) : selector;
    if (!host) return Promise.reject(new Error('Element on the DOM not found by selector ' + selector));
    if (host.tagName !== 'DIV') return Promise.reject(new Error("Only 'div' is an acceptable container"));
    if (host.classList.contains('kr-embedded')) {
      host.textContent = '';
      console.warn('[KR emulator] CLIENT_709: the container must not be the .kr-embedded element itself');
      return Promise.reject();
    }
    if (!allowed) return Promise.reject({ code: 'CLIENT_997', message: 'Endpoint ' + base + ' not allowed' });
    var form = host.querySelector('.kr-embedded') || host.appendChild(document.createElement('div'));
    form.className = 'kr-embedded' + (hidden ? ' kr-out-of-view-form' : '');
    form.dataset.formId = 'form-' + Math.random().toString(36).slice(2);
    render(form);
    return Promise.resolve({ KR: KR, result: { formId: form.dataset.formId } });
  }

  function show(formId, visible) {
    document.querySelectorAll('.kr-embedded[data-form-id]').forEach(function (f) {
      if (!formId || f.dataset.formId === formId) f.classList.toggle('kr-out-of-view-form', !visible);
    });
    return done();
  }

  KR = {
    ready: false,
    setFormConfig: function (c) {
      c = c || {};
      if (c.formToken) config.formToken = c.formToken;
      if (c['kr-language']) config.language = c['kr-language'];
      if (c['kr-public-key']) config.publicKey = c['kr-public-key'];
      return done();
    },
    setFormToken: function (t) { return setFormToken(t); },
    renderElements: function (selector) {
      var hosts = typeof selector === 'string' ? document.querySelectorAll(selector) : [selector];
      Array.prototype.forEach.call(hosts, render);
      return done();
    },
    attachForm: function (selector) { return attach(selector, false); },
    addForm: function (selector) { return attach(selector, true); },
    showForm: function (formId) { return show(formId, true); },
    hideForm: function (formId) { return show(formId, false); },
    removeForms: function () { frames.forEach(function (f) { f.remove(); }); frames = []; return done(); },
    validateForm: function () { return done(); },
    submit: function () {
      frames.forEach(function (f) { f.contentWindow.postMessage({ source: 'kr-parent', type: 'submit' }, src.origin); });
      return done();
    },
    removeEventCallbacks: function () { callbacks = {}; return done(); },
    setBinUpdateNotificationUrl: function (url) { binUrl = url; return done(); },
  };
  EVENTS.forEach(function (name) {
    KR[name] = function (fn) { callbacks[name] = fn; return done(); };
  });
  if (v41) delete KR.renderElements;
  Object.keys(KR).forEach(function (name) { if (typeof KR[name] === 'function') queued(name); });
  window.KR = KR;
  // Ready once the page's DOM is, and the client's app is made (a task later, *inferred*).
  function boot() {
    setTimeout(function () {
      KR.ready = true;
      queue.splice(0).reduce(function (p, run) { return p.then(run); }, Promise.resolve());
    }, 20);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
  injectAssets();
  // Forms already in the page (non-SPA integrations) render once a formToken is known.
  if (!config.spa) {
    var t = attr('kr-form-token');
    if (t) { config.formToken = t; document.querySelectorAll('.kr-embedded, .kr-smart-form').forEach(render); }
  }
})();
