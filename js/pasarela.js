// Pasarela script-tag build: defines window.Pasarela and loads the ESM entry next to this file
// on the first createCheckout call (no inline code, so a strict CSP with script-src 'self' works).
(function () {
  var here = (document.currentScript && document.currentScript.src) || location.href;
  var entry;
  function load() {
    return entry || (entry = import(new URL('./pasarela.mjs', here).href));
  }
  window.Pasarela = {
    version: '__VERSION__',
    createCheckout: function (options) {
      return load().then(function (m) { return m.createCheckout(options); });
    },
  };
})();
