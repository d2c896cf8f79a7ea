// The emulated Conekta card iframe: tokenizes with the public key and reports to the parent.
(function () {
  'use strict';
  var q = new URLSearchParams(location.search);
  var parentOrigin = q.get('parent') || '*';
  var $ = function (id) { return document.getElementById(id); };
  var post = function (m) { m.source = 'conekta'; window.parent.postMessage(m, parentOrigin); };
  var EN = { name: 'Cardholder name', number: 'Card number', exp: 'Expiry (MM/YY)', pay: 'Continue' };
  if (q.get('locale') === 'en') document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = EN[el.dataset.i18n]; });
  if (q.get('external') === '1') $('ck-submit').hidden = true;

  // The component's own checks, before anything is sent: a failure is reported on onFormError,
  // shaped as the errors the component raises itself before a request (its 4.8 source): an
  // English `message` for developers and the shopper's `message_to_purchaser`, no `details`.
  // What onFormError itself passes is in no public source (inferred: that same shape).
  function luhn(pan) {
    if (!/^\d{12,19}$/.test(pan)) return false;
    var sum = 0;
    for (var i = 0; i < pan.length; i++) { var d = Number(pan[pan.length - 1 - i]); if (i % 2) { d *= 2; if (d > 9) d -= 9; } sum += d; }
    return sum % 10 === 0;
  }
  var problem = function (message, toPurchaser) {
    return { object: 'error', type: 'invalid_request_error', message: message, message_to_purchaser: toPurchaser };
  };
  function formProblem() {
    var pan = $('ck-number').value.replace(/\s+/g, '');
    if (!pan) return problem('The card number is required', 'Ingresa el número de tarjeta.');
    if (!luhn(pan)) return problem('The card number is invalid', 'El número de tarjeta es inválido.');
    if (!/^\d{1,2}\/\d{2,4}$/.test($('ck-exp').value.trim())) return problem('The expiration date is invalid', 'La fecha de expiración es inválida.');
    if (!/^\d{3,4}$/.test($('ck-cvc').value.trim())) return problem('The security code is invalid', 'El código de seguridad (CVC) es inválido.');
    return null;
  }

  function submit() {
    $('ck-error').textContent = '';
    var bad = formProblem();
    if (bad) { $('ck-error').textContent = bad.message_to_purchaser; post({ type: 'formError', error: bad }); return; }
    var exp = $('ck-exp').value.split('/');
    fetch('/conekta/tokens', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicKey: q.get('publicKey'), number: $('ck-number').value, name: $('ck-name').value,
        exp_month: exp[0], exp_year: exp[1], cvc: $('ck-cvc').value.trim() }),
    }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (r) {
        if (r.ok) { post({ type: 'token', token: r.body }); $('ck-form').reset(); }
        else { $('ck-error').textContent = ((r.body.details || [])[0] || {}).message || ''; post({ type: 'error', error: r.body }); }
      })
      .catch(function () { post({ type: 'error', error: { object: 'error', type: 'api_error', log_id: null, details: [{ message: 'Sin conexión', debug_message: 'Network', param: null, code: 'conekta.errors.api.network' }] } }); });
  }

  $('ck-form').addEventListener('submit', function (e) { e.preventDefault(); submit(); });
  window.addEventListener('message', function (e) {
    if (e.source === window.parent && e.data && e.data.source === 'conekta-parent' && e.data.type === 'submit') submit();
  });
  post({ type: 'loaded' });
  // Tell the library how tall the form is, so its iframe shows all of it (no inner scrolling).
  new ResizeObserver(function () { post({ type: 'resize', height: document.documentElement.scrollHeight }); }).observe(document.body);

})();
