/*
 * Local emulator of Lyra's KR client (kr-payment-form.min.js, "krypton").
 * Configuration from the script tag's attributes (kr-public-key, kr-language, kr-spa-mode) and
 * KR.setFormConfig({ formToken, 'kr-language' }). Methods return Promise<{ KR }> as Lyra's do.
 * The form renders as one iframe per form (Lyra uses one per field: a simplification) into
 * `.kr-embedded` / `.kr-smart-form` elements or the selector given to KR.renderElements.
 * Events: onSubmit(answer) (returning false stops the client redirect), onError(KRError),
 * onFormReady, onLoaded, onFormValid, onBrandChanged({ cardInfo: { bin, brand } }).
 * KR.setBinUpdateNotificationUrl(url): on a new 8-digit BIN the client POSTs
 * { bin, amount, currency, formToken } to url and expects { formToken } back (inferred: the seed
 * names the call, not its wire format), then shows the form for the new token.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var src = new URL(script.src);
  var base = src.origin + src.pathname.replace(/\/stable\/[^/]*$/, '');
  var attr = function (n) { return script.getAttribute(n); };
  var config = { publicKey: attr('kr-public-key'), language: attr('kr-language') || 'en-US', formToken: null, spa: attr('kr-spa-mode') === 'true' };
  var callbacks = { onSubmit: [], onError: [], onFormReady: [], onLoaded: [], onFormValid: [], onBrandChanged: [] };
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
    var results = callbacks[name].map(function (fn) { return fn(arg); });
    return results;
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
      var results = fire('onSubmit', m.answer);
      // Without a `false` from onSubmit the client would redirect to kr-post-url-success; the
      // emulator has nowhere to go and only records it.
      KR.lastRedirectPrevented = results.indexOf(false) !== -1;
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
    removeEventCallbacks: function () { Object.keys(callbacks).forEach(function (k) { callbacks[k] = []; }); return done(); },
    setBinUpdateNotificationUrl: function (url) { binUrl = url; return done(); },
  };
  Object.keys(callbacks).forEach(function (name) {
    KR[name] = function (fn) { callbacks[name].push(fn); return done(); };
  });
  window.KR = KR;
  // Forms already in the page (non-SPA integrations) render once a formToken is known.
  if (!config.spa) {
    var t = attr('kr-form-token');
    if (t) { config.formToken = t; document.querySelectorAll('.kr-embedded, .kr-smart-form').forEach(render); }
  }
})();
