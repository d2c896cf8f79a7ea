// The demo storefront: what a merchant writes to use Pasarela with the local emulators.
// Its backend (www/sandbox/service.mjs) opens a session at the merchant service for the cart, with
// the methods the shop takes from that provider, and hands the page the session's client secret.
import { createCheckout, EVENTS } from '/pkg/pasarela.mjs';

const origin = location.origin;
const scripts = {
  bamboo: `${origin}/bamboo/v1/Scripts/PWCheckoutNoModal.js`,
  conekta: `${origin}/conekta/v1.0/js/conekta-checkout.min.js`,
  kr: `${origin}/lyra/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js`,
};
const keys = { bamboo: 'bamboo_public_sandbox', conekta: 'key_sandbox_public', kr: '69876357:testpublickey_DEMOPUBLICKEY95me92597fd28tGD4r5' };
// What the shop takes per provider: Conekta's OXXO cash and SPEI take pesos; the service's Bamboo
// account is Uruguayan (BAMBOO_COUNTRY=UY: Abitab cash and a bank transfer through the bank's
// site); Lyra's form offers its own methods, so KR is card only.
// Installments: Conekta's interest-free months (the counts it documents, above their minimum
// amounts); with Bamboo, 3 and 6 free and 12 at 40 % a year. The service prices them.
const shop = {
  bamboo: { currency: 'USD', methods: ['card', 'cash', 'bank_transfer'], installments: [{ count: 3 }, { count: 6 }, { count: 12, rate: 40 }] },
  conekta: { currency: 'MXN', methods: ['card', 'cash', 'bank_transfer'], installments: [{ count: 3 }, { count: 6 }, { count: 9 }, { count: 12 }] },
  kr: { currency: 'USD', methods: ['card'] },
};
// The shopper: a guest, or Ana signed in with her saved cards (two people: the shop's backend
// keeps a customer per email, and only Ana's has cards).
const guest = { email: 'invitada@example.com', firstName: 'Lucía', lastName: 'Gómez' };
const ana = { email: 'ana@example.com', firstName: 'Ana', lastName: 'Pérez' };
const shopper = () => ($('returning').checked ? ana : guest);
// What the shop's account holds of the shopper beyond the checkout's fields: Uruguay's cash
// networks ask for a phone and an identity document (docs/providers/bamboo.md).
const account = () => ({ ...shopper(), phone: '099111222', documentNumber: '12345672' });
let checkout;
let mounting = 0;

const $ = (id) => document.getElementById(id);
const log = (name, payload) => {
  const li = document.createElement('li');
  li.textContent = `${name} ${JSON.stringify(payload)}`;
  $('events').append(li);
};
const say = (text) => { $('outcome').textContent = text; };

/**
 * The cart's order for `provider`: kept for the tab (sessionStorage) until it is paid, so a reload
 * goes on with the same order, and the same session and unfinished attempt.
 */
function orderFor(provider) {
  const key = `demo:order:${provider}`;
  let id = sessionStorage.getItem(key);
  if (!id) sessionStorage.setItem(key, (id = `DEMO-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`));
  return { id, amount: 123456, currency: shop[provider].currency };
}
const paid = (provider) => sessionStorage.removeItem(`demo:order:${provider}`);

async function post(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = await r.json();
  if (!r.ok) throw Object.assign(new Error(json.error || `${path}: ${r.status}`), { code: 'merchant_rejected' });
  return json;
}

/** A returning shopper: the merchant server's saved cards for them (secrets stay on the server). */
async function savedCards(provider) {
  if (!$('returning').checked) return {};
  const cards = { bamboo: ['4111111111111111', '4000000000003063'], conekta: ['4242424242424242'], kr: ['4970100000000055'] }[provider];
  // The shop knows her already (another tab, a reload), or makes her account with her cards.
  const known = await fetch(`/merchant/profiles?${new URLSearchParams({ provider, email: ana.email })}`);
  const { profiles, bamboo } = known.ok ? await known.json() : await post('/merchant/customers', { provider, email: ana.email, cards });
  // Bamboo's enrollment form needs the shopper's capture URL and session, next to the country.
  return { profiles, ...(bamboo ? { bamboo: { countryCode: 'MX', ...bamboo } } : {}) };
}

/** The backend's part: KR's formToken, or the session's client secret (with its methods). */
async function merchantSide(provider, order) {
  if (provider === 'kr') {
    // The merchant server creates the KR formToken (V4/Charge/CreatePayment) before the form loads.
    const { formToken } = await post('/merchant/kr/form-token', { order });
    return { kr: { formToken, binUpdateUrl: `${origin}/merchant/kr/bin-update` }, merchant: { paymentUrl: '/merchant/pay' } };
  }
  // The provider's way back (3-D Secure on its own page, the bank's site) ends on this page,
  // `?pasarela_payment=`, with the provider chosen again.
  const returnUrl = `${origin}/?${new URLSearchParams({ provider, locale: $('locale').value })}`;
  const { methods, installments: plans } = shop[provider];
  const session = await post('/merchant/session', { provider, order, customer: provider === 'bamboo' ? account() : shopper(), methods, returnUrl, installments: plans });
  return {
    merchant: { paymentUrl: '/merchant/pay', clientSecret: session.clientSecret },
    // A returning shopper removes a saved card or makes one default, through the session.
    ...($('returning').checked ? { manageProfiles: true } : {}),
    // The session's priced offers, shown as the service will charge them.
    installments: session.installments,
    // PWCheckout's country_code is mandatory: the country the card is tokenized for.
    ...(provider === 'bamboo' ? { bamboo: { countryCode: 'MX' } } : {}),
  };
}

/**
 * `createCheckout`, with what this build of the package does not take yet left out: a regional
 * locale (es-MX, es-AR, pt-BR) is used when the package accepts it, and a package that knows only
 * es, en and pt shows the base language; the session's installment offers likewise (the saved
 * card's own counts are offered then). The container's `data-locale` says which locale runs.
 */
async function create(options) {
  try {
    const c = await createCheckout(options);
    $('checkout').dataset.locale = options.locale;
    return c;
  } catch (e) {
    if (e.code === 'invalid_options' && e.field === 'locale' && options.locale.includes('-')) return create({ ...options, locale: options.locale.slice(0, 2) });
    if (e.code === 'invalid_options' && e.field === 'installments' && options.installments) return create({ ...options, installments: undefined });
    throw e;
  }
}

/** The storefront's own pay button: for the providers' forms without one, and for cash and transfers. */
function showPay(provider, method) {
  $('pay').hidden = method === 'card' && (provider === 'bamboo' || $('returning').checked);
}

/** Sandbox only: what the shopper does at the store or bank, the emulator's settle control. */
function showSettle(paymentId) {
  $('settle').hidden = !paymentId;
  $('settle').dataset.paymentId = paymentId || '';
}

async function mount(resume) {
  const turn = ++mounting;
  checkout?.destroy();
  checkout = undefined;
  $('events').replaceChildren();
  say('');
  showSettle();
  const provider = document.querySelector('input[name=provider]:checked').value;
  const order = orderFor(provider);
  $('total').textContent = new Intl.NumberFormat(order.currency === 'MXN' ? 'es-MX' : 'es-US', { style: 'currency', currency: order.currency }).format(order.amount / 100);
  showPay(provider, 'card');
  const locale = $('locale').value;
  let c;
  try {
    // The shopper's saved cards first: the cart's session then lists them.
    const saved = await savedCards(provider);
    const options = {
      provider, locale, order, container: '#checkout', publicKey: keys[provider], scriptUrl: scripts[provider], customer: shopper(),
      ...(shop[provider].methods.length > 1 ? { methods: shop[provider].methods } : {}),
      ...(resume ? { resume } : {}),
      ...(await merchantSide(provider, order)),
    };
    if (turn !== mounting) return; // the shopper changed the provider meanwhile
    if (options.bamboo || saved.bamboo) saved.bamboo = { ...options.bamboo, ...saved.bamboo };
    c = checkout = await create({ ...options, ...saved });
  } catch (e) {
    if (turn === mounting) say(`${e.code}: ${e.message}`);
    return;
  }
  if (turn !== mounting) { c.destroy(); return; }
  for (const ev of EVENTS) c.on(ev, (p) => log(ev, p));
  let method = shop[provider].methods[0];
  c.on('methodselected', (m) => showPay(provider, (method = m.method)));
  c.on('result', (r) => {
    const voucher = r.status === 'pending' && r.voucher;
    say(voucher ? 'Ficha de pago lista: páguela antes de que venza'
      : { approved: 'Pago aprobado', declined: 'Pago rechazado', pending: 'Pago pendiente', expired: 'La ficha de pago venció', error: 'Error' }[r.status]
        + (r.message ? ` — ${r.message}` : ''));
    showSettle(voucher ? r.paymentId : undefined);
    // While a voucher waits, it is the way to pay: the button would only show it again.
    if (voucher) $('pay').hidden = true;
    else showPay(provider, method);
    if (r.status === 'approved') paid(provider);
  });
}

$('pay').addEventListener('click', () => checkout?.pay().catch((e) => say(`${e.code}: ${e.message}`)));
for (const button of document.querySelectorAll('#settle button')) {
  button.addEventListener('click', () => fetch('/__sandbox/settle', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ paymentId: $('settle').dataset.paymentId, outcome: button.value }) }));
}
for (const el of document.querySelectorAll('input[name=provider], #locale, #returning')) el.addEventListener('change', () => mount());

// `?provider=&locale=` choose them (a link to one checkout); back from the provider's page, the
// payment it left (`pasarela_payment`) is read once.
const query = new URLSearchParams(location.search);
const chosen = document.querySelector(`input[name=provider][value="${CSS.escape(query.get('provider') ?? '')}"]`);
if (chosen) chosen.checked = true;
if ([...$('locale').options].some((o) => o.value === query.get('locale'))) $('locale').value = query.get('locale');
const resume = query.get('pasarela_payment') ?? undefined;
if (resume) {
  query.delete('pasarela_payment');
  history.replaceState(null, '', `${location.pathname}?${query}`);
}
mount(resume);
