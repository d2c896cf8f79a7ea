// A storefront page bundled by esbuild: Pasarela from npm, its CSS imported (esbuild writes
// main.css). esbuild leaves `new URL('./pasarela_<provider>_bg.wasm', import.meta.url)` alone,
// so the build copies the three `.wasm` files beside the bundle (a page fetches its provider's).
import { createCheckout } from 'pasarela';
import 'pasarela/pasarela.css';

const checkout = await createCheckout({
  provider: 'conekta',
  container: '#checkout',
  publicKey: 'key_sandbox_public',
  order: { id: `ESBUILD-${Date.now()}`, amount: 12345, currency: 'MXN' },
  merchant: { paymentUrl: '/merchant/pay' },
  scriptUrl: `${location.origin}/conekta/v1.0/js/conekta-checkout.min.js`,
});
checkout.on('ready', () => { document.body.dataset.ready = 'true'; });
checkout.on('result', (result) => { document.body.dataset.result = result.status; });
document.querySelector<HTMLButtonElement>('#buy')?.addEventListener('click', () => void checkout.pay());
