/*
 * Local emulator of Conekta's component-static.min.js (the 4.8.0 component; docs/providers/
 * conekta.md cites each behaviour). It renders the card form the way the real one does:
 * - a custom element <conekta-iframe> in the target (despite its name, no <iframe>), the form in
 *   its open shadow root: the card fields are in the page;
 * - styles as CSS-in-JS: a <style> element injected into the shadow root (Emotion's) and one into
 *   <head> (styled-components'), neither with a nonce: a policy without 'unsafe-inline' in
 *   style-src refuses them, reports a violation and leaves the form unstyled;
 * - an image from Conekta's assets host (here /conekta/assets/checkout/img/…);
 * - tokenization from the page (POST /tokens with the public key); onCreateTokenSucceeded gets
 *   the whole /tokens answer; a refusal reaches onCreateTokenError as the HTTP library's error
 *   (an AxiosError, the API's body in response.data);
 * - its own checks before any request raise { object: 'error', type: 'invalid_request_error',
 *   message (English, for developers), message_to_purchaser } on onFormError (which 4.8.0 lacks
 *   and later versions have: inferred from Conekta's plugin);
 * - with useExternalSubmit, onUpdateSubmitTrigger(submit) once mounted and no button of its own;
 *   onGetInfoSuccess({ initLoadTime }) once mounted.
 */
(function () {
  'use strict';
  if (window.__conektaComponentStatic) return;

  var CSS = ':host{display:block}form{font-family:system-ui,sans-serif;color:#1f2933;padding:4px 0}' +
    'label{display:grid;gap:4px;font-size:13px;margin-bottom:10px}' +
    'input{font:inherit;padding:10px;border:1px solid #c9ced6;border-radius:6px;min-height:40px;min-width:0}' +
    '.ck-row{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:10px}' +
    '.ck-error{color:#b42318;min-height:1em;font-size:13px;margin:0 0 8px}' +
    'button{font:inherit;min-height:44px;width:100%;border:0;border-radius:6px;background:#0d1b4c;color:#fff;font-weight:600}' +
    'button[hidden]{display:none}.ck-brands{height:20px}';
  var TEXT = {
    es: { name: 'Nombre del tarjetahabiente', number: 'Número de tarjeta', exp: 'Vencimiento (MM/AA)', pay: 'Continuar', form: 'Datos de la tarjeta' },
    en: { name: 'Cardholder name', number: 'Card number', exp: 'Expiry (MM/YY)', pay: 'Continue', form: 'Card details' },
  };

  function luhn(pan) {
    if (!/^\d{12,19}$/.test(pan)) return false;
    var sum = 0;
    for (var i = 0; i < pan.length; i++) { var d = Number(pan[pan.length - 1 - i]); if (i % 2) { d *= 2; if (d > 9) d -= 9; } sum += d; }
    return sum % 10 === 0;
  }
  var problem = function (message, toPurchaser) {
    return { object: 'error', type: 'invalid_request_error', message: message, message_to_purchaser: toPurchaser };
  };

  if (!customElements.get('conekta-iframe')) customElements.define('conekta-iframe', class extends HTMLElement {});

  function styledComponentsSheet() {
    if (document.head.querySelector('style[data-styled]')) return;
    var s = document.createElement('style');
    s.setAttribute('data-styled', 'active');
    s.textContent = 'conekta-iframe{display:block;min-height:250px}';
    document.head.appendChild(s);
  }

  function mount(target, props) {
    var started = Date.now();
    var t = TEXT[props.locale] || TEXT.es;
    var host = document.createElement('conekta-iframe');
    var root = host.attachShadow({ mode: 'open' });
    var style = document.createElement('style');
    style.setAttribute('data-emotion', 'react-shadow');
    style.textContent = CSS;
    root.appendChild(style);
    var form = document.createElement('form');
    form.id = 'ck-form';
    form.noValidate = true;
    form.setAttribute('aria-label', t.form);
    form.innerHTML =
      '<img class="ck-brands" alt="" src="' + props.assets + '/checkout/img/cards.svg">' +
      '<label><span>' + t.name + '</span> <input id="ck-name" autocomplete="cc-name"></label>' +
      '<label><span>' + t.number + '</span> <input id="ck-number" inputmode="numeric" autocomplete="cc-number"></label>' +
      '<div class="ck-row">' +
      '<label><span>' + t.exp + '</span> <input id="ck-exp" inputmode="numeric" autocomplete="cc-exp" placeholder="MM/AA"></label>' +
      '<label>CVC <input id="ck-cvc" inputmode="numeric" autocomplete="cc-csc"></label>' +
      '</div>' +
      '<p id="ck-error" class="ck-error" role="alert"></p>' +
      '<button id="ck-submit" type="submit">' + t.pay + '</button>';
    root.appendChild(form);
    var $ = function (id) { return root.getElementById(id); };
    if (props.external) $('ck-submit').hidden = true;

    function formProblem() {
      var pan = $('ck-number').value.replace(/\s+/g, '');
      if (!pan) return problem('The card number is required', 'Ingresa el número de tarjeta.');
      if (!luhn(pan)) return problem('The card number is invalid', 'El número de tarjeta es inválido.');
      if (!/^\d{1,2}\/\d{2,4}$/.test($('ck-exp').value.trim())) return problem('The expiration date is invalid', 'La fecha de expiración es inválida.');
      if (!/^\d{3,4}$/.test($('ck-cvc').value.trim())) return problem('The security code is invalid', 'El código de seguridad (CVC) es inválido.');
      return null;
    }

    function submit() {
      if (!host.isConnected) return;
      $('ck-error').textContent = '';
      var bad = formProblem();
      if (bad) { $('ck-error').textContent = bad.message_to_purchaser; props.call('onFormError', bad); return; }
      var exp = $('ck-exp').value.split('/');
      fetch(props.tokensUrl, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ publicKey: props.publicKey, number: $('ck-number').value, name: $('ck-name').value,
          exp_month: exp[0], exp_year: exp[1], cvc: $('ck-cvc').value.trim() }),
      }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, status: r.status, body: b }; }); })
        .then(function (r) {
          if (!host.isConnected) return;
          if (r.ok) { props.call('onCreateTokenSucceeded', r.body); form.reset(); }
          else {
            $('ck-error').textContent = ((r.body.details || [])[0] || {}).message || r.body.message_to_purchaser || '';
            // An answer that is not a success reaches the callback as the HTTP library's error,
            // the body under response.data (the 4.8 source's customFetch rethrows the AxiosError).
            props.call('onCreateTokenError', { name: 'AxiosError', message: 'Request failed with status code ' + r.status,
              code: 'ERR_BAD_REQUEST', response: { status: r.status, data: r.body } });
          }
        })
        .catch(function () {
          if (host.isConnected) props.call('onCreateTokenError', { object: 'error', type: 'api_error', message: 'Network error', message_to_purchaser: 'Sin conexión' });
        });
    }

    form.addEventListener('submit', function (e) { e.preventDefault(); submit(); });
    styledComponentsSheet();
    target.appendChild(host);
    props.call('onGetInfoSuccess', { initLoadTime: Date.now() - started });
    if (props.external) props.call('onUpdateSubmitTrigger', submit);
  }

  window.__conektaComponentStatic = { mount: mount };
})();
