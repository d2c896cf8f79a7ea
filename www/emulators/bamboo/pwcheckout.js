/*
 * Local emulator of Bamboo Payment's PWCheckout browser library (PWCheckout.js and
 * PWCheckoutNoModal.js are this one file; the file name picks the mode, as on Bamboo's CDN).
 * Every behaviour is the documented one, with its source in docs/providers/bamboo.md (Bamboo's
 * docs: dgonzalb/BambooPaymentDoc content/en/docs/Versions/Forms/); guesses are marked inferred.
 * Strict where the real library is: LoadIframe() loads into the page's own <iframe> named by
 * iframeId (a <div> stays blank); no hidden PWToken input on the page, no token; form_id and
 * country_code are mandatory; TokenInfo's Bin, Last4, CardExpMonth and CardExpYear are numbers.
 *
 *   PWCheckout.SetProperties({...}), SetStyle({...}), Bind(event, fn), Unbind(event),
 *   LoadIframe() (no-modal), OpenIframeNormal(), OpenIframeCustom(url, uniqueId),
 *   Iframe.OpenIframeCustomWithPaymentMediaOptions(url, uniqueId, paymentMediaId, bankId),
 *   AddActionButton(...ids), PWCapture(actionUrl)
 *   events: opened, closed({Reason}), tokenCreated(TokenInfo), onTokenCreateError, notificationReceived
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var src = new URL(script.src);
  var apiBase = src.origin + src.pathname.replace(/\/v1\/Scripts\/[^/]*$/, '');
  var publicKey = src.searchParams.get('key') || '';
  var noModal = /NoModal/i.test(src.pathname);
  var props = {};
  var style = {};
  var handlers = {};
  var current = null; // { iframe, overlay, kind }

  function fire(event, data) {
    var h = handlers[event];
    if (typeof h === 'function') h(data);
  }

  function formUrl(extra) {
    var u = new URL(apiBase + '/v1/Checkout/Form');
    u.searchParams.set('key', publicKey);
    ['amount', 'currency', 'button_label', 'lang', 'email', 'name', 'description'].forEach(function (k) {
      if (props[k] !== undefined) u.searchParams.set(k, String(props[k]));
    });
    Object.keys(extra || {}).forEach(function (k) { u.searchParams.set(k, extra[k]); });
    return u;
  }

  function withParent(u) {
    u = new URL(u, location.href);
    u.searchParams.set('parent', location.origin);
    Object.keys(style).forEach(function (k) { u.searchParams.set('style_' + k, style[k]); });
    return u.href;
  }

  function makeIframe(url, title) {
    var f = document.createElement('iframe');
    f.src = withParent(url);
    f.title = title;
    f.setAttribute('allow', 'payment');
    f.className = 'pwcheckout-iframe';
    return f;
  }

  function openModal(url, kind) {
    requireProperties();
    close('CLOSE_BUTTON', true);
    var overlay = document.createElement('div');
    overlay.className = 'pwcheckout-overlay';
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    var frame = makeIframe(url, kind === 'cvv' ? 'Código de verificación' : 'Pago con tarjeta');
    // CSSOM, not style attributes: allowed under a strict CSP.
    var os = overlay.style;
    os.position = 'fixed'; os.inset = '0'; os.background = 'rgba(15,23,42,.55)'; os.display = 'grid';
    os.placeItems = 'center'; os.zIndex = '2147483000';
    var fs = frame.style;
    fs.width = 'min(420px, 94vw)'; fs.height = '420px'; fs.border = '0'; fs.borderRadius = '10px'; fs.background = '#fff';
    overlay.appendChild(frame);
    overlay.addEventListener('click', function (e) {
      if (e.target === overlay && props.close_onclick !== 'false') close('PAGE_CLICK');
    });
    document.body.appendChild(overlay);
    current = { iframe: frame, overlay: overlay, kind: kind };
    fire('opened', {});
  }

  function close(reason, silent) {
    if (!current) return;
    if (current.overlay) current.overlay.remove();
    else if (current.kind !== 'card') current.iframe.remove();
    var was = current;
    current = current.kind === 'card' && !current.overlay ? current : null;
    if (!silent && was.overlay) fire('closed', { Reason: reason });
  }

  function fillToken(tokenId) {
    // Checkout-Form.md, "Invoking the form": the page must include the hidden PWToken input; the
    // library sets its value, then fires tokenCreated, then submits form_id unless autoSubmit is
    // false. Without the input the library has nowhere to put the token (what the real one does
    // then is inferred: it fails, and no tokenCreated follows).
    var input = document.querySelector('input[name="PWToken"]') || document.getElementById('PWToken');
    if (!input) throw new Error('PWCheckout: the page has no hidden PWToken input');
    input.value = tokenId;
    var form = props.form_id && document.getElementById(props.form_id);
    if (form && String(props.autoSubmit) !== 'false') form.submit();
    return true;
  }

  // Checkout-Form.md: form_id and country_code are mandatory; the form cannot open without them
  // (when the real library checks them is inferred: here, when a form opens).
  function requireProperties() {
    if (!props.form_id) throw new Error('PWCheckout: form_id is required');
    if (!/^[A-Z]{2}$/.test(String(props.country_code || ''))) throw new Error('PWCheckout: country_code is required');
  }

  window.addEventListener('message', function (e) {
    if (!current || e.source !== current.iframe.contentWindow) return;
    var m = e.data;
    if (!m || m.source !== 'pwcheckout') return;
    if (m.type === 'tokenCreated') {
      try { fillToken(m.token.TokenId); } catch (err) { console.error(err.message); return; }
      fire('tokenCreated', m.token);
      if (current && current.overlay) close('TOKEN_RECEIVED');
    } else if (m.type === 'tokenError') {
      fire('onTokenCreateError', m.error);
    } else if (m.type === 'notification') {
      fire('notificationReceived', m.notification);
      close('NOTIFICATION_RECEIVED');
    } else if (m.type === 'close') {
      close('CLOSE_BUTTON');
    } else if (m.type === 'resize' && current) {
      current.iframe.style.height = m.height + 'px';
    }
  });

  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && current && current.overlay) close('ESCAPE');
  });

  window.PWCheckout = {
    SetProperties: function (p) {
      Object.keys(p || {}).forEach(function (k) { props[k] = p[k]; });
      if (!props.form_id) throw new Error('PWCheckout: form_id is required');
    },
    SetStyle: function (s) { Object.keys(s || {}).forEach(function (k) { style[k] = s[k]; }); },
    Bind: function (event, fn) { handlers[event] = fn; },
    Unbind: function (event) { delete handlers[event]; },
    // No-modal script only: renders the card form into the element named by `iframeId`.
    // No-modal script only: loads the card form into the page's own <iframe> named by iframeId
    // (Embedded-Checkout-Form.md). The library only sets its src: any other element stays blank.
    LoadIframe: noModal ? function () {
      requireProperties();
      var frame = document.getElementById(props.iframeId);
      if (!frame) throw new Error('PWCheckout: iframeId element not found');
      frame.src = withParent(formUrl());
      current = { iframe: frame, overlay: null, kind: 'card' };
      fire('opened', {});
    } : undefined,
    OpenIframeNormal: function () { openModal(formUrl(), 'card'); },
    OpenIframeCustom: function (url) { openModal(url, 'enroll'); },
    Iframe: {
      OpenIframeCustomWithPaymentMediaOptions: function (url, uniqueId, paymentMediaId, bankId) {
        var u = new URL(url, location.href);
        if (paymentMediaId !== undefined) u.searchParams.set('paymentMediaId', paymentMediaId);
        if (bankId !== undefined) u.searchParams.set('bankId', bankId);
        openModal(u.href, 'enroll');
      },
    },
    AddActionButton: function () {
      Array.prototype.forEach.call(arguments, function (id) {
        var b = document.getElementById(id);
        if (b) b.addEventListener('click', function (e) { e.preventDefault(); window.PWCheckout.OpenIframeNormal(); });
      });
    },
    PWCapture: function (actionUrl) { openModal(actionUrl, 'cvv'); },
    // Emulator only (not Bamboo's API): which events have a handler, for leak tests.
    __boundEvents: function () { return Object.keys(handlers); },
    // Emulator only: a copy of what SetProperties received, for the tests.
    __properties: function () { return JSON.parse(JSON.stringify(props)); },
    // Emulator only: closes the open modal form with a CloseInfo.Reason (TIMEOUT, ERROR,
    // COMMERCE_ACTION are the library's own decisions, which a test cannot provoke otherwise).
    __close: function (reason) { close(reason); },
  };
  if (!noModal) delete window.PWCheckout.LoadIframe;
})();
