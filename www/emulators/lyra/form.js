// The emulated KR embedded form: shows the formToken's amount, posts the card to the emulated
// Lyra API and reports the signed answer (or a KRError) to the KR client in the parent.
(function () {
  'use strict';
  var q = new URLSearchParams(location.search);
  var parentOrigin = q.get('parent') || '*';
  var token = q.get('formToken');
  var lang = (q.get('lang') || 'es-ES').slice(0, 2);
  var $ = function (id) { return document.getElementById(id); };
  var post = function (m) { m.source = 'kr'; window.parent.postMessage(m, parentOrigin); };
  var T = { en: { pan: 'Card number', exp: 'Expiry (MM/YY)', cvv: 'CVV', save: 'Save the card', pay: 'Pay' },
            es: { pay: 'Pagar' }, pt: { pan: 'Número do cartão', exp: 'Validade (MM/AA)', save: 'Salvar o cartão', pay: 'Pagar' } }[lang] || { pay: 'Pagar' };
  document.querySelectorAll('[data-t]').forEach(function (el) { if (T[el.dataset.t]) el.textContent = T[el.dataset.t]; });
  var api = '/lyra/api-payment/V4/Charge/';

  fetch(api + 'FormInfo?formToken=' + encodeURIComponent(token)).then(function (r) { return r.json(); }).then(function (info) {
    var amount = (info.amount / 100).toFixed(2);
    $('kr-payment-button').textContent = T.pay + ' ' + amount + ' ' + info.currency;
    $('kr-payment-button').dataset.amount = String(info.amount);
    if (info.formAction === 'ASK_REGISTER_PAY') document.querySelector('.kr-do-register').hidden = false;
    if (q.get('bin')) $('kr-pan').value = q.get('bin');
    post({ type: 'ready' });
  });

  $('kr-pan').addEventListener('input', function () {
    var digits = $('kr-pan').value.replace(/\D/g, '');
    if (digits.length >= 8) post({ type: 'bin', bin: digits.slice(0, 8), brand: /^3[47]/.test(digits) ? 'AMEX' : /^5/.test(digits) ? 'MASTERCARD' : 'VISA' });
  });

  function submit() {
    $('kr-error').textContent = '';
    fetch(api + 'ProcessFormPayment', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ formToken: token, pan: $('kr-pan').value, expiry: $('kr-expiry').value, cvv: $('kr-security-code').value.trim(), register: $('kr-do-register').checked }),
    }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (r) {
        if (r.ok) post({ type: 'answer', answer: r.body });
        else { $('kr-error').textContent = r.body.errorMessage; post({ type: 'error', error: r.body }); }
      });
  }
  $('kr-form').addEventListener('submit', function (e) { e.preventDefault(); submit(); });
  window.addEventListener('message', function (e) {
    if (e.source === window.parent && e.data && e.data.source === 'kr-parent' && e.data.type === 'submit') submit();
  });
  // Tell the library how tall the form is, so its iframe shows all of it (no inner scrolling).
  new ResizeObserver(function () { post({ type: 'resize', height: document.documentElement.scrollHeight }); }).observe(document.body);

})();
