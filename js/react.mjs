// @ts-check
// pasarela/react: a React hook and component over `createCheckout`, correct under <StrictMode>
// (its mount → unmount → mount runs the effect twice: the first start is aborted before it
// renders), on unmount before the wasm loaded (the signal aborts, nothing is left behind) and on
// changed options (the old checkout is destroyed before the new one renders into the same node).
// Hand-written and copied into pkg/ by scripts/build.sh; React is a peer dependency.
import { createElement, forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { createCheckout } from './pasarela.mjs';

/**
 * Checkout event → the prop that receives it (`tsc` fails on an event missing here).
 * @satisfies {Record<import('./pasarela').EventName, keyof import('./react').CheckoutHandlers>}
 */
const HANDLERS = {
  ready: 'onReady',
  profileselected: 'onProfileSelected',
  profileremoved: 'onProfileRemoved',
  profiledefault: 'onProfileDefault',
  methodselected: 'onMethodSelected',
  token: 'onToken',
  action: 'onAction',
  notification: 'onNotification',
  result: 'onResult',
  error: 'onError',
};

/**
 * Renders a checkout into the element `ref` is attached to. A new checkout starts when `options`
 * change by value (compared as JSON: an inline object literal does not restart it); handlers may
 * change on every render. Returns the live checkout (`null` until it is created) and the error
 * `createCheckout` rejected with, if any.
 */
export function usePasarelaCheckout(options, handlers) {
  const ref = useRef(null);
  const latest = useRef({ options, handlers });
  const [state, setState] = useState({ checkout: null, error: null });
  // Runs before the effect below (effects run in order), so a start always sees this render's props.
  useEffect(() => { latest.current = { options, handlers }; });
  const key = JSON.stringify(options);
  useEffect(() => {
    const container = ref.current;
    if (!container) return undefined;
    const controller = new AbortController();
    let checkout = null;
    const call = (name, payload) => {
      const fn = latest.current.handlers && latest.current.handlers[name];
      if (typeof fn === 'function') fn(payload);
    };
    createCheckout({ ...latest.current.options, container }, { signal: controller.signal }).then(
      (created) => {
        checkout = created;
        for (const event of Object.keys(HANDLERS)) created.on(event, (payload) => call(HANDLERS[event], payload));
        setState({ checkout: created, error: null });
      },
      (error) => {
        if (controller.signal.aborted) return;
        setState({ checkout: null, error });
        call('onError', error);
      },
    );
    return () => {
      controller.abort();
      if (checkout) checkout.destroy();
      setState({ checkout: null, error: null });
    };
  }, [key]);
  return { ref, checkout: state.checkout, error: state.error };
}

/**
 * `<PasarelaCheckout options={…} onResult={…} />`: a `<div>` (with `className`, `id`) holding one
 * checkout. Its `ref` is the live checkout (`null` until ready to be called), for `ref.current.pay()`.
 */
export const PasarelaCheckout = forwardRef(function PasarelaCheckout(/** @type {import('./react').PasarelaCheckoutProps} */ { options, className, id, ...handlers }, forwarded) {
  const { ref, checkout } = usePasarelaCheckout(options, handlers);
  useImperativeHandle(forwarded, () => checkout, [checkout]);
  return createElement('div', { ref, className, id });
});
