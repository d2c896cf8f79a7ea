// Types for the whole public contract (docs/api.md). Hand-written: these are the product's API.

/** The supported providers. */
export type Provider = 'bamboo' | 'conekta' | 'kr';

/** Lifecycle of a checkout. */
export type CheckoutState = 'loading' | 'ready' | 'processing' | 'action_required' | 'succeeded' | 'failed' | 'destroyed';

/**
 * Error codes (docs/api.md §3; `not_ready`, `unknown_profile`, `unsupported`, `internal`, `timeout`,
 * `cancelled`, `attempts_exceeded` are Pasarela extensions).
 * - `timeout`: the provider's form did not answer within its bound (retryable).
 * - `cancelled`: the shopper closed the provider's form before it produced a token (retryable).
 * - `attempts_exceeded`: the provider locked its form (KR `PSP_099`); a new `kr.formToken` is needed.
 */
export type PasarelaErrorCode =
  | 'invalid_options' | 'script_load_failed' | 'tokenization_failed' | 'network' | 'merchant_rejected'
  | 'merchant_bad_response' | 'token_expired' | 'secret_in_profile' | 'destroyed'
  | 'not_ready' | 'unknown_profile' | 'unsupported' | 'internal' | 'timeout' | 'cancelled' | 'attempts_exceeded';

/** A saved card, normalised (docs/api.md §5). Raw Bamboo `PaymentProfiles` and Conekta `payment_sources` entries are accepted too. */
export interface SavedProfile {
  id: string;
  brand: string;
  /** Exactly four digits. */
  last4: string;
  /** `YYYYMM`. */
  expiry?: string;
  holder?: string;
  issuer?: string;
  requiresCvv?: boolean;
  installments?: number[];
}

/** A raw Bamboo `PaymentProfiles` entry (without `Token`/`CommerceToken`, which are refused). */
export interface BambooPaymentProfile {
  PaymentProfileId: number | string;
  Brand: string;
  Last4: string;
  Expiration?: string;
  CardOwner?: string;
  IssuerBank?: string;
  /** `"1;2;3"` */
  Installments?: string;
  [key: string]: unknown;
}

/** A raw Conekta `payment_sources` entry. */
export interface ConektaPaymentSource {
  id: string;
  brand: string;
  last4: string;
  exp_month?: string | number;
  exp_year?: string | number;
  name?: string;
  [key: string]: unknown;
}

export interface CheckoutOptions {
  provider: Provider;
  /** CSS selector or element; Pasarela renders only inside it. */
  container: string | HTMLElement;
  /** The provider's public key (KR: `12345678:testpublickey_…`). */
  publicKey: string;
  /** `amount`: integer, minor units, > 0. `currency`: ISO-4217 in capitals. */
  order: { id: string; amount: number; currency: string };
  merchant: {
    /** POST target for every payment attempt. */
    paymentUrl: string;
    /** GET `${statusUrl}/${paymentId}`; default: `paymentUrl`. */
    statusUrl?: string;
    /** Added to every merchant request (e.g. CSRF). */
    headers?: Record<string, string>;
    /** Per request; default 15000 (1 to 120000). */
    timeoutMs?: number;
    /** Default 2 (0 to 10); only network errors, 408, 429 and 5xx are retried. */
    retries?: number;
  };
  profiles?: Array<SavedProfile | BambooPaymentProfile | ConektaPaymentSource>;
  customer?: { email?: string; firstName?: string; lastName?: string };
  /** Default `'es'`. */
  locale?: 'es' | 'en' | 'pt';
  /** Provider script URL; default: the provider's production CDN. */
  scriptUrl?: string;
  /** Required when `provider` is `'bamboo'` (for its `countryCode`). */
  bamboo?: {
    /**
     * The country the card is tokenized for, ISO 3166-1 alpha-2 in capitals (`'UY'`, `'MX'`):
     * PWCheckout's mandatory `country_code`.
     */
    countryCode: string;
    captureUrl?: string; uniqueId?: string; paymentMediaId?: number; bankId?: number;
  };
  /** Required when `provider` is `'kr'`. */
  kr?: { formToken: string; binUpdateUrl?: string };
  conekta?: { locale?: string };
}

export interface PaymentResult {
  status: 'approved' | 'declined' | 'pending' | 'error';
  paymentId?: string;
  message?: string;
  /** Extension: the typed error when `status` is `'error'`. */
  error?: PasarelaError;
}

export declare class PasarelaError extends Error {
  readonly name: 'PasarelaError';
  readonly code: PasarelaErrorCode;
  readonly message: string;
  /** The option path, e.g. `order.amount`. */
  readonly field?: string;
  readonly provider?: Provider;
  readonly retryable: boolean;
}

export interface CheckoutEvents {
  ready: { provider: Provider };
  /**
   * The shopper picked a saved card in the list. Emitted from inside the click (or key press),
   * like a DOM `change` event: a listener may call `pay()`, `setProfiles()` or `destroy()`.
   */
  profileselected: { profileId: string };
  /** Never carries the token value. */
  token: { provider: Provider; kind: 'one_time' | 'recurring' | 'form_answer'; brand?: string; last4?: string };
  /** `url` is set for `redirect` only (extension). */
  action: { type: 'verification_code' | 'redirect'; paymentId: string; url?: string };
  notification: { status: 'ok' | 'pending' | 'error' };
  result: PaymentResult;
  error: PasarelaError;
}

export interface PayOptions {
  /** One-click with this saved profile. */
  profileId?: string;
  installments?: number;
}

export interface Checkout {
  /**
   * Subscribes; the returned function unsubscribes. Adding the same handler twice keeps one. A
   * handler added or removed while an event is being delivered takes effect from the next event.
   * A handler that throws does not stop the others (its error is rethrown on the microtask queue).
   */
  on<E extends keyof CheckoutEvents>(event: E, handler: (payload: CheckoutEvents[E]) => void): () => void;
  off<E extends keyof CheckoutEvents>(event: E, handler: (payload: CheckoutEvents[E]) => void): void;
  /**
   * With `profileId`: one-click. Without: submits the provider's form (Bamboo's embedded form is
   * submitted by its own button; the promise then settles with that attempt). While an attempt is
   * in flight every call returns the same promise. Resolves with the attempt's `PaymentResult`;
   * rejects with a `PasarelaError` only when no attempt could start, or on `destroy()` mid-flight.
   */
  pay(opts?: PayOptions): Promise<PaymentResult>;
  /**
   * Extension: replaces the saved cards shown in the list (same validation as the `profiles`
   * option; throws `invalid_options` / `secret_in_profile`). The first new card is selected and
   * `ready` is emitted again.
   */
  setProfiles(profiles: CheckoutOptions['profiles']): void;
  /**
   * Extension (Bamboo): opens the card-enrollment form (`OpenIframeCustom`, or
   * `OpenIframeCustomWithPaymentMediaOptions` with `bamboo.paymentMediaId`/`bankId`). Resolves
   * with the `token` payload (`kind: 'recurring'`) once the card is saved; the storefront then
   * re-reads the customer's profiles and calls `setProfiles`. Rejects with `unsupported` on a
   * Conekta or KR checkout.
   */
  enroll(opts?: { captureUrl?: string; uniqueId?: string }): Promise<CheckoutEvents['token']>;
  readonly state: CheckoutState;
  /** Removes everything Pasarela rendered, unbinds provider events, drops listeners. Idempotent. */
  destroy(): void;
}

/** Validates `options` (rejecting with `invalid_options` and `field`), renders, loads the provider. */
export declare function createCheckout(options: CheckoutOptions): Promise<Checkout>;

/** The package version. */
export declare const version: string;

declare global {
  interface Window {
    /** Defined by the script-tag build `pasarela.js`. */
    Pasarela: { createCheckout: typeof createCheckout; version: string };
  }
}
