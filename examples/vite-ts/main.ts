// A storefront page built by Vite: Pasarela from npm, its CSS imported, a Conekta checkout
// against the local sandbox (keys and test cards: the workspace README, "The sandbox").
import { createCheckout } from 'pasarela';
import 'pasarela/pasarela.css';

const checkout = await createCheckout({
  provider: 'conekta',
  container: '#checkout',
  publicKey: 'key_sandbox_public',
  order: { id: `VITE-${Date.now()}`, amount: 12345, currency: 'MXN' },
  merchant: { paymentUrl: '/merchant/pay' },
  scriptUrl: `${location.origin}/conekta/v1.0/js/conekta-checkout.min.js`,
});
checkout.on('ready', () => { document.body.dataset.ready = 'true'; });
checkout.on('result', (result) => { document.body.dataset.result = result.status; });
document.querySelector<HTMLButtonElement>('#buy')?.addEventListener('click', () => void checkout.pay());
