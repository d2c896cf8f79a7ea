// What `pasarela/react`'s types accept and refuse (`tsc` fails on an unused `@ts-expect-error`).
import { useRef } from 'react';
import type { Checkout, ConektaCheckout } from 'pasarela';
import { PasarelaCheckout, usePasarelaCheckout } from 'pasarela/react';

const order = { id: 'o', amount: 100, currency: 'MXN' as const };
const merchant = { paymentUrl: '/pay' };

export function Accepted() {
  const ref = useRef<Checkout | null>(null);
  const hook = usePasarelaCheckout({ provider: 'conekta', publicKey: 'pk', order, merchant }, {
    onResult: (r) => { if (r.status === 'error') console.log(r.error.code); },
  });
  const typed: ConektaCheckout | null = hook.checkout;
  void typed;
  return (
    <>
      <div ref={hook.ref} />
      <PasarelaCheckout ref={ref} className="c" options={{ provider: 'kr', publicKey: '1:testpublickey_x', order, merchant, kr: { formToken: 'ft' } }}
        onReady={(p) => console.log(p.provider)} onProfileSelected={(p) => console.log(p.profileId)} />
    </>
  );
}

export function Refused() {
  return (
    <>
      {/* @ts-expect-error the component is the container: no `container` option. */}
      <PasarelaCheckout options={{ provider: 'conekta', container: '#c', publicKey: 'pk', order, merchant }} />
      {/* @ts-expect-error `provider: 'kr'` needs its `kr` block. */}
      <PasarelaCheckout options={{ provider: 'kr', publicKey: '1:testpublickey_x', order, merchant }} />
      {/* @ts-expect-error handlers are typed per event: a result has no `provider`. */}
      <PasarelaCheckout options={{ provider: 'conekta', publicKey: 'pk', order, merchant }} onResult={(r) => r.provider} />
    </>
  );
}
