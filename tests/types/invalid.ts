// What the types refuse. Each `@ts-expect-error` must meet an error: `tsc` fails on an unused one,
// so a rule that stops holding fails `npm test`.
import { createCheckout, type Checkout, type PaymentResult, type PasarelaSession, type PasarelaPayAnswer, type PasarelaServiceError } from 'pasarela';

const common = { container: '#c', publicKey: 'pk', order: { id: 'o', amount: 100, currency: 'MXN' as const }, merchant: { paymentUrl: '/pay' } };

export async function refused(checkout: Checkout, result: PaymentResult): Promise<void> {
  // @ts-expect-error `provider: 'kr'` needs its `kr` block (and a KR public key).
  await createCheckout({ ...common, provider: 'kr', publicKey: '1:testpublickey_x' });

  // @ts-expect-error a KR public key looks like `shopId:testpublickey_…`.
  await createCheckout({ ...common, provider: 'kr', publicKey: 'pk_test', kr: { formToken: 'ft' } });

  // @ts-expect-error Bamboo needs `bamboo.countryCode`.
  await createCheckout({ ...common, provider: 'bamboo' });

  // @ts-expect-error a `kr` block on a Conekta checkout.
  await createCheckout({ ...common, provider: 'conekta', kr: { formToken: 'ft' } });

  // @ts-expect-error currencies are ISO-4217 codes in capitals.
  await createCheckout({ ...common, provider: 'conekta', order: { id: 'o', amount: 1, currency: 'usd' } });

  // @ts-expect-error an installment offer names its amounts and whether it is interest-free.
  await createCheckout({ ...common, provider: 'conekta', installments: [{ count: 3 }] });

  // @ts-expect-error `expiredProfiles` is 'disable' or 'hide'.
  await createCheckout({ ...common, provider: 'conekta', expiredProfiles: 'remove' });

  // @ts-expect-error `manageProfiles` is a boolean.
  await createCheckout({ ...common, provider: 'conekta', manageProfiles: 'yes' });

  // @ts-expect-error no such event: a removal is `profileremoved`.
  checkout.on('profiledeleted', () => {});

  await createCheckout({
    ...common,
    provider: 'bamboo',
    bamboo: { countryCode: 'UY' },
    // @ts-expect-error a Bamboo profile must not carry its secret `Token`.
    profiles: [{ PaymentProfileId: 1, Brand: 'Visa', Last4: '0001', Token: 'OT__x_' }],
  });

  // @ts-expect-error `enroll()` is Bamboo's only.
  await checkout.enroll();

  const conekta = await createCheckout({ ...common, provider: 'conekta' });
  // @ts-expect-error `enroll()` is Bamboo's only.
  await conekta.enroll();

  if (result.status === 'approved') {
    // @ts-expect-error `error` comes with `status: 'error'` only.
    console.log(result.error.code);
  }

  // @ts-expect-error `window.Pasarela` exists on script-tag pages only: check it first.
  await window.Pasarela.createCheckout({ ...common, provider: 'conekta' });

  // @ts-expect-error unknown events are refused.
  checkout.on('paid', () => {});

  // @ts-expect-error Spain's Spanish is not one of the locales (its language, 'es', is).
  await createCheckout({ ...common, provider: 'conekta', locale: 'es-ES' });

  // @ts-expect-error `payButton` is a boolean.
  await createCheckout({ ...common, provider: 'conekta', payButton: 'no' });

  // @ts-expect-error the methods are 'card', 'cash' and 'bank_transfer'.
  await createCheckout({ ...common, provider: 'conekta', methods: ['card', 'crypto'] });

  // @ts-expect-error `pay()` names a method by its word.
  await checkout.pay({ method: 'oxxo' });

  // @ts-expect-error `resume` names a payment by its id (a string).
  await createCheckout({ ...common, provider: 'conekta', resume: 42 });

  if (result.status === 'approved') {
    // @ts-expect-error a final result carries no voucher: only the voucher's pending one does.
    console.log(result.voucher.reference);
  }
  if (result.status === 'pending') {
    // @ts-expect-error a pending result may be a plain one, without a voucher: narrow on `final` first.
    console.log(result.voucher.reference);
  }
  if (result.status === 'pending' && result.final === false) {
    // @ts-expect-error a voucher's `amount` is a number in minor units.
    const amount: string = result.voucher.amount;
    void amount;
  }
}

export function elementRefused(): void {
  const el = document.querySelector('pasarela-checkout');
  // @ts-expect-error a result event's detail has no `provider`.
  el?.addEventListener('result', (e) => e.detail.provider);
  // @ts-expect-error the element is the container: no `container` option.
  if (el) el.options = { provider: 'conekta', container: '#c', publicKey: 'pk', order: { id: 'o', amount: 1, currency: 'MXN' }, merchant: { paymentUrl: '/p' } };
}

export async function sessionRefused(session: PasarelaSession): Promise<void> {
  // @ts-expect-error `savePaymentMethod` is 'off', 'ask' or 'always'.
  await createCheckout({ ...common, provider: 'conekta', merchant: { paymentUrl: '/pay', savePaymentMethod: 'yes' } });

  // @ts-expect-error `savePaymentMethod` is a word, not a flag.
  await createCheckout({ ...common, provider: 'conekta', merchant: { paymentUrl: '/pay', savePaymentMethod: true } });

  // @ts-expect-error `expiresAt` is a number (milliseconds since the epoch).
  const expires: string = session.expiresAt;
  void expires;

  // @ts-expect-error a session always has its client secret.
  const noSecret: PasarelaSession = { id: 'cs_1', expiresAt: 1, profiles: [], savePaymentMethod: 'off' };
  void noSecret;

  // @ts-expect-error a voucher action carries its voucher.
  const bare: PasarelaPayAnswer = { status: 'pending', paymentId: 'p', action: { type: 'voucher', url: 'https://x' } };
  void bare;

  // @ts-expect-error the answer's status is approved, declined, pending or expired.
  const ok: PasarelaPayAnswer = { status: 'ok', paymentId: 'p' };
  void ok;

  // @ts-expect-error `action` comes with `pending` only.
  const final: PasarelaPayAnswer = { status: 'approved', paymentId: 'p', action: { type: 'redirect', url: 'https://x' } };
  void final;

  // @ts-expect-error a service error always says what went wrong.
  const noMessage: PasarelaServiceError = { code: 'order_already_paid', paymentId: 'p' };
  void noMessage;
}
