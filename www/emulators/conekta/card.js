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

  function submit() {
    $('ck-error').textContent = '';
    var exp = $('ck-exp').value.split('/');
    fetch('/conekta/tokens', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicKey: q.get('publicKey'), number: $('ck-number').value, name: $('ck-name').value,
        exp_month: exp[0], exp_year: exp[1], cvc: $('ck-cvc').value.trim() }),
    }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (r) {
        if (r.ok) { post({ type: 'token', token: r.body }); $('ck-form').reset(); }
        else { $('ck-error').textContent = r.body.message_to_purchaser || r.body.message; post({ type: 'error', error: r.body }); }
      })
      .catch(function () { post({ type: 'error', error: { object: 'error', type: 'api_error', message: 'Network', message_to_purchaser: 'Sin conexión' } }); });
  }

  $('ck-form').addEventListener('submit', function (e) { e.preventDefault(); submit(); });
  window.addEventListener('message', function (e) {
    if (e.source === window.parent && e.data && e.data.source === 'conekta-parent' && e.data.type === 'submit') submit();
  });
  post({ type: 'loaded' });
  // Tell the library how tall the form is, so its iframe shows all of it (no inner scrolling).
  new ResizeObserver(function () { post({ type: 'resize', height: document.documentElement.scrollHeight }); }).observe(document.body);

})();
