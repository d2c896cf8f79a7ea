// Types of `pasarela/react` (js/react.mjs).
import type { ForwardRefExoticComponent, RefAttributes, RefObject } from 'react';
import type {
  BambooCheckout, BambooCheckoutOptions, Checkout, CheckoutEvents, ConektaCheckout, ConektaCheckoutOptions,
  KrCheckout, KrCheckoutOptions, PasarelaError,
} from './pasarela.js';

/** Checkout options without `container`: the hook's `ref` (or the component's `<div>`) is the container. */
export type ReactCheckoutOptions =
  | Omit<BambooCheckoutOptions, 'container'>
  | Omit<ConektaCheckoutOptions, 'container'>
  | Omit<KrCheckoutOptions, 'container'>;

/** One optional handler per checkout event (`onResult` for `result`, …). */
export interface CheckoutHandlers {
  onReady?: (payload: CheckoutEvents['ready']) => void;
  onProfileSelected?: (payload: CheckoutEvents['profileselected']) => void;
  onProfileRemoved?: (payload: CheckoutEvents['profileremoved']) => void;
  onProfileDefault?: (payload: CheckoutEvents['profiledefault']) => void;
  onMethodSelected?: (payload: CheckoutEvents['methodselected']) => void;
  onToken?: (payload: CheckoutEvents['token']) => void;
  onAction?: (payload: CheckoutEvents['action']) => void;
  onNotification?: (payload: CheckoutEvents['notification']) => void;
  onResult?: (payload: CheckoutEvents['result']) => void;
  /** Also called when `createCheckout` rejects (not when it was aborted by an unmount). */
  onError?: (payload: PasarelaError) => void;
}

/** What `usePasarelaCheckout` returns. */
export interface PasarelaCheckoutHandle<C extends Checkout = Checkout> {
  /** Attach to the element the checkout renders into (it must stay mounted). */
  ref: RefObject<HTMLDivElement | null>;
  /** The live checkout; `null` while it is being created, after an error and after unmount. */
  checkout: C | null;
  /** What `createCheckout` rejected with, if it did. */
  error: PasarelaError | null;
}

/**
 * One checkout for the lifetime of the component, correct under `<StrictMode>`: unmounting (or
 * the double effect of StrictMode) aborts a checkout still loading and destroys a live one.
 * `options` are compared by value (as JSON): changed values destroy the checkout and create a new
 * one; an inline object literal with the same values does not. Handlers may change every render.
 */
export declare function usePasarelaCheckout(options: Omit<BambooCheckoutOptions, 'container'>, handlers?: CheckoutHandlers): PasarelaCheckoutHandle<BambooCheckout>;
export declare function usePasarelaCheckout(options: Omit<ConektaCheckoutOptions, 'container'>, handlers?: CheckoutHandlers): PasarelaCheckoutHandle<ConektaCheckout>;
export declare function usePasarelaCheckout(options: Omit<KrCheckoutOptions, 'container'>, handlers?: CheckoutHandlers): PasarelaCheckoutHandle<KrCheckout>;
export declare function usePasarelaCheckout(options: ReactCheckoutOptions, handlers?: CheckoutHandlers): PasarelaCheckoutHandle;

export interface PasarelaCheckoutProps extends CheckoutHandlers {
  options: ReactCheckoutOptions;
  className?: string;
  id?: string;
}

/**
 * `<PasarelaCheckout options={…} onResult={…} />`: a `<div>` holding one checkout
 * (`usePasarelaCheckout`). Its `ref` is the live checkout, `null` until created: `ref.current?.pay()`.
 */
export declare const PasarelaCheckout: ForwardRefExoticComponent<PasarelaCheckoutProps & RefAttributes<Checkout | null>>;
