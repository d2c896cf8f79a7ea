// The demo storefront: what a merchant writes to use Pasarela with the local emulators.
import { createCheckout, EVENTS } from '/pkg/pasarela.mjs';

const origin = location.origin;
const order = { id: `DEMO-${Date.now()}`, amount: 123456, currency: 'USD' };
const scripts = {
  bamboo: `${origin}/bamboo/v1/Scripts/PWCheckoutNoModal.js`,
  conekta: `${origin}/conekta/v1.0/js/conekta-checkout.min.js`,
  kr: `${origin}/lyra/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js`,
};
const keys = { bamboo: 'bamboo_public_sandbox', conekta: 'key_sandbox_public', kr: '69876357:testpublickey_DEMOPUBLICKEY95me92597fd28tGD4r5' };
let checkout;

const $ = (id) => document.getElementById(id);
const log = (name, payload) => {
  const li = document.createElement('li');
  li.textContent = `${name} ${JSON.stringify(payload)}`;
  $('events').append(li);
};

/** A returning shopper: the merchant server's saved cards for them (secrets stay on the server). */
async function savedCards(provider) {
  if (!$('returning').checked) return {};
  const cards = { bamboo: ['4111111111111111', '4000000000003063'], conekta: ['4242424242424242'], kr: ['4970100000000055'] }[provider];
  const r = await fetch('/merchant/customers', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ provider, email: 'ana@example.com', cards }) });
  const { profiles, bamboo } = await r.json();
  // Bamboo's enrollment form needs the shopper's capture URL and session, next to the country.
  return { profiles, ...(bamboo ? { bamboo: { countryCode: 'MX', ...bamboo } } : {}) };
}

async function providerExtras(provider) {
  // PWCheckout's country_code is mandatory: the country the card is tokenized for.
  if (provider === 'bamboo') return { bamboo: { countryCode: 'MX' } };
  if (provider !== 'kr') return {};
  // The merchant server creates the KR formToken (V4/Charge/CreatePayment) before the form loads.
  const r = await fetch('/merchant/kr/form-token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ order }) });
  const { formToken } = await r.json();
  return { kr: { formToken, binUpdateUrl: `${origin}/merchant/kr/bin-update` } };
}

async function mount() {
  checkout?.destroy();
  $('events').replaceChildren();
  $('outcome').textContent = '';
  const provider = document.querySelector('input[name=provider]:checked').value;
  // Bamboo's embedded form has its own pay button, and the saved-card list brings Pasarela's;
  // otherwise the storefront's button presses the provider form.
  $('pay').hidden = provider === 'bamboo' || $('returning').checked;
  const locale = $('locale').value;
  try {
    checkout = await createCheckout({
      provider, locale, order, container: '#checkout', publicKey: keys[provider], scriptUrl: scripts[provider],
      merchant: { paymentUrl: '/merchant/pay' }, customer: { email: 'ana@example.com', firstName: 'Ana', lastName: 'Pérez' },
      ...(await providerExtras(provider)),
      ...(await savedCards(provider)),
    });
  } catch (e) {
    $('outcome').textContent = `${e.code}: ${e.message}`;
    return;
  }
  for (const ev of EVENTS) {
    checkout.on(ev, (p) => log(ev, p));
  }
  checkout.on('result', (r) => {
    $('outcome').textContent = { approved: '✅ Pago aprobado', declined: '❌ Pago rechazado', pending: '⏳ Pago pendiente', error: '⚠️ Error' }[r.status] + (r.message ? ` — ${r.message}` : '');
  });
}

$('pay').addEventListener('click', () => checkout?.pay().catch((e) => { $('outcome').textContent = `${e.code}: ${e.message}`; }));
for (const el of document.querySelectorAll('input[name=provider], #locale, #returning')) el.addEventListener('change', mount);
mount();
