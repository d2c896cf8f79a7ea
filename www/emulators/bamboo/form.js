// The emulated PWCheckout iframe: card form (Checkout/Form), enrollment (Capture/?session_id=UI_…)
// and verification code (Capture/Action?session_id=CA_…). Talks to the parent page only through
// postMessage to the `parent` origin the library passed.
(function () {
  'use strict';
  var q = new URLSearchParams(location.search);
  var parentOrigin = q.get('parent') || '*';
  var session = q.get('session_id') || '';
  var mode = /\/Capture\/Action/.test(location.pathname) ? 'cvv' : /\/Capture\//.test(location.pathname) ? 'enroll' : 'card';
  var $ = function (id) { return document.getElementById(id); };
  var post = function (msg) { msg.source = 'pwcheckout'; window.parent.postMessage(msg, parentOrigin); };

  function money() {
    var amount = q.get('amount');
    var currency = q.get('currency') || '';
    return amount ? currency + ' ' + amount : '';
  }

  // `lang` is ISO 639-1 (Checkout-Form.md); without a valid one the form follows the browser.
  var lang = /^[a-z]{2}$/i.test(q.get('lang') || '') ? q.get('lang').toLowerCase() : (navigator.language || 'es').slice(0, 2);
  var EN = { 'pw-title': 'Card payment', 'l-pan': 'Card number', 'l-exp': 'Expiry', 'l-holder': 'Cardholder' };
  var PT = { 'pw-title': 'Pagamento com cartão', 'l-pan': 'Número do cartão', 'l-exp': 'Validade', 'l-holder': 'Titular' };
  var T = lang === 'en' ? EN : lang === 'pt' ? PT : null;
  document.documentElement.lang = lang;

  function setup() {
    if (T) Object.keys(T).forEach(function (id) { var el = $(id); if (el) el.firstChild.textContent = T[id] + ' '; });
    var label = (q.get('button_label') || 'Pagar #monto#').replace('#monto#', money()).trim();
    if (mode === 'card') {
      $('pw-submit').textContent = label;
    } else if (mode === 'enroll') {
      $('pw-title').textContent = 'Registrar tarjeta';
      $('pw-submit').textContent = 'Guardar tarjeta';
      $('pw-close').hidden = false;
    } else {
      $('pw-title').textContent = 'Código de verificación';
      $('pw-card-fields').hidden = true;
      $('pw-cvv-fields').hidden = false;
      $('pw-submit').textContent = 'Confirmar';
      $('pw-close').hidden = false;
      fetch('/bamboo/v1/Checkout/action-info?session_id=' + encodeURIComponent(session))
        .then(function (r) { return r.json(); })
        .then(function (info) {
          if (!info.Last4) return;
          var el = $('pw-card-info');
          el.textContent = info.Brand + ' •••• ' + info.Last4;
          el.hidden = false;
        });
    }
    $('pw-close').addEventListener('click', function () { post({ type: 'close' }); });
    $('pw-form').addEventListener('submit', onSubmit);
  }

  function onSubmit(e) {
    e.preventDefault();
    var btn = $('pw-submit');
    $('pw-error').textContent = '';
    btn.disabled = true;
    if (mode === 'cvv') {
      return call('/bamboo/v1/api/capture-action', { sessionId: session, cvv: $('pw-cvv').value.trim() }).then(function (r) {
        btn.disabled = false;
        post({ type: 'notification', notification: { ProcessType: r.body.ProcessType, ProcessStatus: r.body.ProcessStatus } });
      });
    }
    var exp = $('pw-exp').value.split('/');
    call('/bamboo/v1/api/tokenize', {
      key: q.get('key'), pan: $('pw-pan').value, expMonth: exp[0], expYear: exp[1], cvv: $('pw-cvv-card').value.trim(),
      holder: $('pw-holder').value, email: q.get('email') || '', sessionId: mode === 'enroll' ? session : undefined,
    }).then(function (r) {
      btn.disabled = false;
      if (r.ok) {
        post({ type: 'tokenCreated', token: r.body });
        $('pw-form').reset(); // a one-time token is spent: a new attempt needs the card again
      } else {
        var err = (r.body.Errors || [])[0] || { ErrorCode: 'TK000', Message: 'Error' };
        $('pw-error').textContent = err.Message;
        post({ type: 'tokenError', error: err });
      }
    });
  }

  function call(url, body) {
    return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .catch(function () { return { ok: false, body: { Errors: [{ ErrorCode: 'NET', Message: 'Sin conexión' }] } }; });
  }

  setup();
  // Tell the library how tall the form is, so its iframe shows all of it (no inner scrolling).
  new ResizeObserver(function () { post({ type: 'resize', height: document.documentElement.scrollHeight }); }).observe(document.body);

})();
