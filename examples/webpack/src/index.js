// A storefront page built by webpack 5: Pasarela from npm; the stylesheet is linked from the
// page (importing CSS would need css-loader).
import { createCheckout } from 'pasarela';

const checkout = await createCheckout({
  provider: 'conekta',
  container: '#checkout',
  publicKey: 'key_sandbox_public',
  order: { id: `WEBPACK-${Date.now()}`, amount: 12345, currency: 'MXN' },
  merchant: { paymentUrl: '/merchant/pay' },
  scriptUrl: `${location.origin}/conekta/v1.0/js/conekta-checkout.min.js`,
});
checkout.on('ready', () => { document.body.dataset.ready = 'true'; });
checkout.on('result', (result) => { document.body.dataset.result = result.status; });
document.querySelector('#buy').addEventListener('click', () => void checkout.pay());
