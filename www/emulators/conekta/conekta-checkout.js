/*
 * Local emulator of Conekta's checkout component (conekta-checkout.min.js). Sources for each
 * behaviour are in docs/providers/conekta.md; guesses are marked inferred.
 * window.ConektaCheckoutComponents.Card(opts) renders a card iframe into `targetIFrame`.
 * Both argument shapes are read: the flat one of the seed (targetIFrame, publicKey, callbacks at
 * the top level) and the nested current one ({ config, callbacks, options }). With
 * config.useExternalSubmit the iframe hides its button and `onUpdateSubmitTrigger(submit)` hands
 * the page a function that submits it. Callbacks: onCreateTokenSucceeded(token),
 * onCreateTokenError({ object: 'error', type, log_id, details: [{ message, debug_message, param,
 * code }] }) for the tokenizer's refusals (Conekta's tokenizer docs), onGetInfoSuccess({
 * initLoadTime }), and onFormError(error) alone for the component's own client-side checks
 * (Conekta's WooCommerce plugin: without onFormError nothing settles). Strict as the real one: a
 * page that registers no onFormError hears nothing about an invalid card.
 */
(function () {
  'use strict';
  var src = new URL(document.currentScript.src);
  var base = src.origin + src.pathname.replace(/\/v1\.0\/js\/[^/]*$/, '');

  function Card(arg) {
    arg = arg || {};
    var config = arg.config || {};
    var cb = arg.callbacks || {};
    var pick = function (k) { return config[k] !== undefined ? config[k] : arg[k]; };
    var call = function (k, v) { var f = cb[k] || arg[k]; if (typeof f === 'function') f(v); };
    var target = document.querySelector(pick('targetIFrame'));
    if (!target) throw new Error('ConektaCheckoutComponents: targetIFrame not found');
    if (!pick('publicKey')) throw new Error('ConektaCheckoutComponents: publicKey is required');
    var external = !!pick('useExternalSubmit');
    var u = new URL(base + '/v1.0/component/card');
    u.searchParams.set('publicKey', pick('publicKey'));
    u.searchParams.set('locale', pick('locale') || 'es');
    u.searchParams.set('external', external ? '1' : '0');
    u.searchParams.set('parent', location.origin);
    var frame = document.createElement('iframe');
    frame.src = u.href;
    frame.title = 'Conekta';
    frame.style.width = '100%'; frame.style.border = '0'; frame.style.height = '300px';
    var started = Date.now();
    function onMessage(e) {
      if (e.source !== frame.contentWindow) return;
      var m = e.data || {};
      if (m.source !== 'conekta') return;
      if (m.type === 'loaded') {
        call('onGetInfoSuccess', { initLoadTime: Date.now() - started });
        if (external) call('onUpdateSubmitTrigger', function () { frame.contentWindow.postMessage({ source: 'conekta-parent', type: 'submit' }, src.origin); });
      } else if (m.type === 'token') call('onCreateTokenSucceeded', m.token);
      else if (m.type === 'error') call('onCreateTokenError', m.error);
      else if (m.type === 'formError') call('onFormError', m.error);
      else if (m.type === 'resize' && pick('autoResize') !== false) frame.style.height = m.height + 'px';
    }
    window.addEventListener('message', onMessage);
    // The iframe's removal ends the component (no documented teardown): stop listening then.
    new MutationObserver(function (_, obs) {
      if (!frame.isConnected) { window.removeEventListener('message', onMessage); obs.disconnect(); }
    }).observe(document.body, { childList: true, subtree: true });
    target.appendChild(frame);
  }

  window.ConektaCheckoutComponents = { Card: Card, Integration: Card };
})();
