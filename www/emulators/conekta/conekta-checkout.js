/*
 * Local emulator of Conekta's checkout component loader (conekta-checkout.min.js). Sources for
 * each behaviour are in docs/providers/conekta.md; guesses are marked inferred.
 * window.ConektaCheckoutComponents.Card(opts) (and Integration) mounts the component into the
 * element `targetIFrame` names (found by id, a leading '#' stripped). As the 4.8.0 source does,
 * the loader first adds a second script, component-static.min.js, from Conekta's assets host
 * (here /conekta/assets/…), with a plain <script> and no nonce; that script renders the form:
 * no <iframe>, a <conekta-iframe> element whose fields live in an open shadow root, styled by
 * <style> elements it injects (see component-static.js). Both argument shapes are read: the flat
 * one of the seed (targetIFrame, publicKey, callbacks at the top level) and the nested current
 * one ({ config, callbacks, options }), merged as the 4.8.0 source merges them. How this loader
 * at pay.conekta.com relates to the 4.8.0 wrapper is not in a public source (inferred: it is it).
 */
(function () {
  'use strict';
  var src = new URL(document.currentScript.src);
  var base = src.origin + src.pathname.replace(/\/v1\.0\/js\/[^/]*$/, '');
  var STATIC = base + '/assets/component/4.8.0/lib/component-static.min.js';
  var loading = null;

  function loadStatic() {
    if (loading) return loading;
    loading = new Promise(function (ok, fail) {
      var s = document.createElement('script');
      s.src = STATIC;
      s.onload = ok;
      s.onerror = function () { loading = null; fail(new Error('ConektaCheckoutComponents: component-static failed to load')); };
      document.head.appendChild(s);
    });
    return loading;
  }

  function Card(arg) {
    arg = arg || {};
    var config = arg.config || {};
    var cb = arg.callbacks || {};
    var pick = function (k) { return config[k] !== undefined ? config[k] : arg[k]; };
    var call = function (k, v) { var f = cb[k] || arg[k]; if (typeof f === 'function') f(v); };
    var id = String(pick('targetIFrame') || '').replace(/^#/, '');
    var target = document.getElementById(id);
    if (!target) throw new Error('ConektaCheckoutComponents: targetIFrame not found');
    if (!pick('publicKey')) throw new Error('ConektaCheckoutComponents: publicKey is required');
    var props = {
      publicKey: pick('publicKey'),
      locale: String(pick('locale') || 'es').toLowerCase(),
      external: !!pick('useExternalSubmit'),
      tokensUrl: base + '/tokens',
      assets: base + '/assets',
      call: call,
    };
    loadStatic().then(function () { window.__conektaComponentStatic.mount(target, props); }, function (e) { console.error(e.message); });
  }

  window.ConektaCheckoutComponents = { Card: Card, Integration: Card };
})();
