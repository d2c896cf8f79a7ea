// What a storefront writes, and the types accept (checked by `tsc --noEmit` in `npm test`).
import {
  createCheckout, EVENTS, PasarelaError, type PaymentResult, type CheckoutOptions, type EventName,
  type PasarelaSession, type PasarelaPayAnswer, type PasarelaServiceError, type SavePaymentMethod,
  type PasarelaVoucher, type PaymentMethod, type InstallmentOffer,
} from 'pasarela';

// `EVENTS` lists every event of `CheckoutEvents`, and nothing else.
type Missing = Exclude<EventName, (typeof EVENTS)[number]>;
type Extra = Exclude<(typeof EVENTS)[number], EventName>;
export const eventsAreComplete: [Missing, Extra] extends [never, never] ? true : false = true;

const merchant = { paymentUrl: '/merchant/pay' };

export async function bamboo(): Promise<void> {
  const checkout = await createCheckout({
    provider: 'bamboo',
    container: '#checkout',
    publicKey: 'pk_sandbox',
    order: { id: 'A-1', amount: 123456, currency: 'UYU' },
    merchant,
    bamboo: { countryCode: 'UY', captureUrl: '/bamboo/capture', uniqueId: 'UI_1' },
    profiles: [
      { id: 'p1', brand: 'Visa', last4: '4242', expiry: '203012', installments: [1, 3] },
      { PaymentProfileId: 55591, Brand: 'MasterCard', Last4: '0001', Installments: '1;2;3', Enabled: true },
    ],
    locale: 'es-AR',
    payButton: false,
  });
  const saved = await checkout.enroll({ uniqueId: 'UI_2' });
  const kind: 'one_time' | 'recurring' | 'form_answer' = saved.kind;
  void kind;
  checkout.on('result', (r) => show(r));
  checkout.on('error', (e) => console.log(e.code, e.field, e.retryable));
  show(await checkout.pay({ profileId: 'p1', installments: 3 }));
}

export async function conekta(container: HTMLElement): Promise<void> {
  const checkout = await createCheckout({
    provider: 'conekta',
    container,
    publicKey: 'key_sandbox_public',
    order: { id: 'C-1', amount: 5000, currency: 'MXN' },
    merchant: { ...merchant, headers: { 'X-Csrf': 'abc' }, timeoutMs: 10_000, retries: 1 },
    profiles: [{ id: 'src_1', brand: 'visa', last4: '4242', exp_month: '5', exp_year: 29, object: 'payment_source' }],
  });
  const off = checkout.on('action', (a) => { if (a.type === 'redirect' && a.url) location.assign(a.url); });
  off();
  checkout.destroy();
}

export async function kr(formToken: string, signal: AbortSignal): Promise<void> {
  const checkout = await createCheckout({
    provider: 'kr',
    container: '#checkout',
    publicKey: '69876357:testpublickey_DEMOPUBLICKEY',
    order: { id: 'K-1', amount: 5000, currency: 'PEN' },
    merchant,
    kr: { formToken },
  }, { signal });
  const state: 'loading' | 'ready' | 'processing' | 'action_required' | 'succeeded' | 'failed' | 'destroyed' = checkout.state;
  void state;
}

/** `status` narrows the result: `error` only with `'error'`, `paymentId` always on `'pending'`. */
export function show(r: PaymentResult): string {
  switch (r.status) {
    case 'approved':
      return `paid ${r.paymentId ?? ''}`;
    case 'pending':
      // A voucher's pending result is not final: its `voucher` is there to show or send on.
      if (r.final === false) return `${r.voucher.kind} ${r.voucher.amount} ${r.voucher.currency} ${r.voucher.reference ?? r.voucher.clabe ?? ''}`;
      return r.paymentId.toUpperCase();
    case 'declined':
      return r.message ?? 'declined';
    case 'expired':
      return `voucher ${r.paymentId} lapsed`;
    case 'error':
      return `${r.error.code}: ${r.error.message} (${r.message})`;
  }
}

// Cash and transfers: the choice of method, its event, `pay({ method })`, the voucher's two
// results, and `resume` after a redirect.
export async function vouchers(): Promise<void> {
  const methods: PaymentMethod[] = ['card', 'cash', 'bank_transfer'];
  const checkout = await createCheckout({
    provider: 'conekta', container: '#checkout', publicKey: 'key_x', methods,
    order: { id: 'V-1', amount: 20000, currency: 'MXN' }, merchant,
    resume: new URLSearchParams(location.search).get('pasarela_payment') ?? undefined,
  });
  checkout.on('methodselected', ({ method }) => { const m: PaymentMethod = method; void m; });
  checkout.on('action', (a) => { if (a.type === 'voucher' || a.type === 'challenge') console.log(a.paymentId); });
  checkout.on('result', (r) => {
    if (r.status === 'pending' && r.final === false) {
      const v: PasarelaVoucher = r.voucher;
      console.log(v.expiresAt, v.barcodeUrl, v.bank, v.accountHolder, v.instructionsUrl);
    } else if (r.status === 'approved' || r.status === 'expired') {
      console.log('final', r.paymentId, r.final);
    }
  });
  show(await checkout.pay({ method: 'cash' }));
  show(await checkout.pay({ method: 'bank_transfer', paymentMediaId: 32 }));
}

export function options(provider: 'bamboo' | 'conekta'): CheckoutOptions {
  const base = { container: '#c', publicKey: 'pk', order: { id: 'o', amount: 1, currency: 'USD' as const }, merchant };
  return provider === 'bamboo' ? { ...base, provider, bamboo: { countryCode: 'MX' } } : { ...base, provider };
}

export function isPasarela(e: unknown): boolean {
  return e instanceof PasarelaError && e.name === 'PasarelaError';
}

// The script-tag global is there only on script-tag pages.
export const viaTag = window.Pasarela?.createCheckout;

document.querySelector<HTMLButtonElement>('#buy')?.addEventListener('click', () => void bamboo());

// The script-tag build: `<pasarela-checkout>` and `window.Pasarela.PasarelaError`.
export function element(): void {
  const el = document.querySelector('pasarela-checkout');
  el?.addEventListener('result', (e) => { if (e.detail.status === 'error') console.log(e.detail.error.code); });
  el?.addEventListener('ready', (e) => console.log(e.detail.provider));
  if (el) el.options = { provider: 'conekta', publicKey: 'pk', order: { id: 'o', amount: 1, currency: 'MXN' }, merchant: { paymentUrl: '/p' } };
  void el?.checkout?.pay();
  const P = window.Pasarela;
  if (P) P.createCheckout({} as never).catch((e: unknown) => e instanceof P.PasarelaError && console.log(e.code));
}

// With pasarela-server: the backend's session typed as it comes, handed to the page.
export async function withSession(session: PasarelaSession): Promise<void> {
  const save: SavePaymentMethod = session.savePaymentMethod;
  const expires: number = session.expiresAt;
  void expires;
  const checkout = await createCheckout({
    provider: 'bamboo', container: '#checkout', publicKey: 'pk', bamboo: { countryCode: 'UY', ...session.bamboo },
    order: { id: 'A-1', amount: 20000, currency: 'UYU' },
    profiles: session.profiles,
    merchant: { paymentUrl: 'https://pay.shop.example/pay', clientSecret: session.clientSecret, savePaymentMethod: save },
  });
  void checkout;
  if (session.kr) {
    await createCheckout({
      provider: 'kr', container: '#checkout', publicKey: '69876357:testpublickey_X', kr: { formToken: session.kr.formToken },
      order: { id: 'K-1', amount: 5000, currency: 'PEN' },
      merchant: { paymentUrl: '/pay', clientSecret: session.clientSecret, savePaymentMethod: 'ask' },
    });
  }
}

// A storefront backend answering the page as the protocol says, and reading the service's errors.
export function answer(paid: boolean): PasarelaPayAnswer {
  return paid
    ? { status: 'approved', paymentId: 'pay_1' }
    : { status: 'pending', paymentId: 'pay_2', action: { type: 'verification_code', url: 'https://bamboo.example/capture' } };
}
export const voucherAnswer: PasarelaPayAnswer = {
  status: 'pending', paymentId: 'pay_3',
  action: { type: 'voucher', voucher: { kind: 'cash', provider: 'conekta', amount: 20000, currency: 'MXN', reference: '93000262276908' } },
};
export const challengeAnswer: PasarelaPayAnswer = { status: 'pending', paymentId: 'pay_4', action: { type: 'challenge', url: 'https://3ds.example/c' } };
export const expiredAnswer: PasarelaPayAnswer = { status: 'expired', paymentId: 'pay_3' };

export function orderState(e: PasarelaServiceError): string {
  switch (e.code) {
    case 'order_already_paid': return `paid by ${e.paymentId ?? '?'}`;
    case 'attempt_in_progress': return 'wait';
    default: return e.field ? `${e.field}: ${e.error}` : e.error;
  }
}
export const future: PasarelaServiceError = { error: 'x', code: 'some_later_code' };

// Installment offers as pasarela-server's session answers them, and the shopper's card management.
export async function installmentsAndCards(session: PasarelaSession): Promise<void> {
  const offers: InstallmentOffer[] = session.installments ?? [
    { count: 1, amount: 1000000, total: 1000000, rate: 0, tea: 0, free: true },
    { count: 6, amount: 195000, total: 1170000, rate: 60, tea: 79.59, cft: 98.84, free: false, brands: ['visa'] },
  ];
  const checkout = await createCheckout({
    provider: 'conekta',
    container: '#checkout',
    publicKey: 'key_x',
    order: { id: 'A-2', amount: 1000000, currency: 'ARS' },
    merchant: { paymentUrl: 'https://pay.example/pay', clientSecret: session.clientSecret, paymentMethodsUrl: 'https://pay.example/pay/payment-methods' },
    profiles: [...session.profiles, { id: 'p2', brand: 'Visa', last4: '4242', default: true }],
    installments: offers,
    manageProfiles: true,
    expiredProfiles: 'hide',
  });
  checkout.on('profileremoved', (e) => console.log(e.profileId));
  checkout.on('profiledefault', ({ profileId }) => console.log(profileId));
  show(await checkout.pay({ installments: 6 }));
}
