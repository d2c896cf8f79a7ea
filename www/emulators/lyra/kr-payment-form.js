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
 * KR.setBinUpdateNotificationUrl(url): in no public client build or typing (seed 004 names it).
 * Here, on a new 8-digit BIN the client POSTs { bin, amount, currency, formToken } to url and
 * expects { formToken } back (inferred entirely), then shows the form for the new token.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var src = new URL(script.src);
  var base = src.origin + src.pathname.replace(/\/stable\/[^/]*$/, '');
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
    style.textContent = '.kr-embedded{display:block}.kr-embedded .kr-iframe{min-height:200px}';
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

  KR = {
    ready: true,
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
    attachForm: function (selector) { return KR.renderElements(selector); },
    showForm: function () { frames.forEach(function (f) { f.hidden = false; }); return done(); },
    hideForm: function () { frames.forEach(function (f) { f.hidden = true; }); return done(); },
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
  window.KR = KR;
  injectAssets();
  // Forms already in the page (non-SPA integrations) render once a formToken is known.
  if (!config.spa) {
    var t = attr('kr-form-token');
    if (t) { config.formToken = t; document.querySelectorAll('.kr-embedded, .kr-smart-form').forEach(render); }
  }
})();
