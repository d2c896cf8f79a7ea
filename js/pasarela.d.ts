// Types for the whole public contract (docs/api.md). Hand-written: these are the product's API.

/** The supported providers. */
export type Provider = 'bamboo' | 'conekta' | 'kr';

/** How the shopper pays (docs/api.md §4, "Beyond the card form"): a card, cash against a voucher, or a bank transfer. */
export type PaymentMethod = 'card' | 'cash' | 'bank_transfer';

/**
 * A voucher or transfer the shopper pays away from the page: display fields only, as the merchant
 * sent them (`amount` in minor units of `currency`; `reference` and `clabe` raw, which Pasarela's
 * view groups in fours for reading).
 */
export interface PasarelaVoucher {
  kind: 'cash' | 'bank_transfer';
  provider: Provider;
  amount: number;
  currency: string;
  /** ISO 8601 (`2026-12-10T23:59:00Z`). */
  expiresAt?: string;
  reference?: string;
  barcodeUrl?: string;
  /** The 18-digit CLABE to transfer to (SPEI). */
  clabe?: string;
  bank?: string;
  accountHolder?: string;
  instructionsUrl?: string;
}

/** Lifecycle of a checkout. */
export type CheckoutState = 'loading' | 'ready' | 'processing' | 'action_required' | 'succeeded' | 'failed' | 'destroyed';

/**
 * Error codes (docs/api.md §3; `not_ready`, `unknown_profile`, `unsupported`, `internal`, `timeout`,
 * `cancelled`, `attempts_exceeded` are Pasarela extensions).
 * - `timeout`: the provider's form did not answer within its bound (retryable).
 * - `cancelled`: the shopper closed the provider's form before it produced a token (retryable).
 * - `attempts_exceeded`: the provider locked its form (KR `PSP_099`); a new `kr.formToken` is needed.
 * - `aborted`: `createCheckout`'s `signal` aborted before it resolved.
 */
export type PasarelaErrorCode =
  | 'invalid_options' | 'script_load_failed' | 'tokenization_failed' | 'network' | 'merchant_rejected'
  | 'merchant_bad_response' | 'token_expired' | 'secret_in_profile' | 'destroyed'
  | 'not_ready' | 'unknown_profile' | 'unsupported' | 'internal' | 'timeout' | 'cancelled' | 'attempts_exceeded'
  | 'aborted';

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
  /** The counts this card may be paid in (Bamboo's per-profile `Installments`): with `installments` offers, it narrows them. */
  installments?: number[];
  /** The customer's default card (pasarela-server's session answer; at most one): shown as such with `manageProfiles`. */
  default?: boolean;
}

/**
 * One installment offer (docs/api.md §2), as pasarela-server's session answer carries it
 * ({@link PasarelaSession.installments}): amounts in minor units, rates in percent.
 */
export interface InstallmentOffer {
  /** 1 (pay in full) to 48, each count once. */
  count: number;
  /** Each installment, a positive integer. */
  amount: number;
  /** What the shopper pays in all, a positive integer, at least `amount`. */
  total: number;
  /** Nominal annual rate (TNA), 0 or more; 0 when interest-free. */
  rate: number;
  /** Effective annual rate (TEA), 0 or more. */
  tea: number;
  /** Total financial cost (CFT), 0 or more, when known. */
  cft?: number;
  /** Interest-free ("sin intereses", "sem juros"). */
  free: boolean;
  /** Only for saved cards of these brands (`'visa'`, `'mastercard'`, …); a new card sees it, and the service checks its brand. */
  brands?: string[];
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
  /** Refused (`secret_in_profile`): it stays on the merchant's server. */
  Token?: never;
  /** Refused (`secret_in_profile`): it stays on the merchant's server. */
  CommerceToken?: never;
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

/** The currencies Pasarela knows the minor units of (`src/domain/money.rs`), ISO-4217 in capitals. */
export type Currency =
  | 'ARS' | 'BOB' | 'BRL' | 'CAD' | 'CLP' | 'COP' | 'CRC' | 'DOP' | 'EUR' | 'GBP' | 'GTQ'
  | 'HNL' | 'JPY' | 'KWD' | 'MXN' | 'NIO' | 'PAB' | 'PEN' | 'PYG' | 'USD' | 'UYU';

/**
 * The checkout's language (messages, labels), or a region's (its words where they differ, amounts
 * as it writes them).
 */
export type Locale = 'es' | 'en' | 'pt' | 'es-MX' | 'es-AR' | 'es-UY' | 'es-PE' | 'pt-BR';

export interface Order {
  id: string;
  /** Integer, minor units, > 0 (`1050` is 10.50 USD). Checked at run time: the type cannot. */
  amount: number;
  currency: Currency;
}

export interface MerchantOptions {
  /** POST target for every payment attempt: this site, or `https://` elsewhere. */
  paymentUrl: string;
  /** GET `${statusUrl}/${paymentId}`; default: `paymentUrl`. */
  statusUrl?: string;
  /** Added to every merchant request (e.g. CSRF). */
  headers?: Record<string, string>;
  /**
   * The client secret of a checkout session your backend opened on pasarela-server
   * (`POST /v1/sessions`, {@link PasarelaSession}), sent in every payment body (the service
   * charges the session's amount) and as `Authorization: Bearer` on every status read. Never in
   * a URL, an event, the console, the DOM or storage.
   */
  clientSecret?: string;
  /**
   * The session's rule for saving a new card ({@link PasarelaSession.savePaymentMethod}); default
   * `'off'`. With `'ask'`, Bamboo and Conekta checkouts show an unticked "save this card" checkbox
   * under the new-card form (KR's own form asks, with `formAction: 'ASK_REGISTER_PAY'`); ticked,
   * the payment carries `savePaymentMethod: true`. `'always'` and `'off'` show nothing.
   */
  savePaymentMethod?: SavePaymentMethod;
  /**
   * Where `manageProfiles` removes a saved card (`DELETE ${paymentMethodsUrl}/${profileId}`) and
   * makes one the default (`PUT …/${profileId}/default`): this site, or `https://` elsewhere.
   * Default with `clientSecret`: `${paymentUrl}/payment-methods` (pasarela-server).
   */
  paymentMethodsUrl?: string;
  /** Per request; default 15000 (1 to 120000). */
  timeoutMs?: number;
  /** Default 2 (0 to 10); only network errors, 408, 429 and 5xx are retried. */
  retries?: number;
}

/** Whether a new card is saved with the payment: never, the shopper's choice, or always. */
export type SavePaymentMethod = 'off' | 'ask' | 'always';

/**
 * pasarela-server's answer to `POST /v1/sessions` (server to server, with the secret key): what
 * a storefront's backend hands its page, which passes `clientSecret`, `savePaymentMethod` and
 * `profiles` to `createCheckout` (and, for KR, `kr.formToken`). The secret key never reaches the
 * page.
 */
export interface PasarelaSession {
  id: string;
  /** For the page: `merchant.clientSecret`. */
  clientSecret: string;
  /** When the session ends, in milliseconds since the epoch. */
  expiresAt: number;
  /** The customer's saved cards, display fields only: `profiles`. */
  profiles: SavedProfile[];
  /** The offers of the session's `installments` plans, paying in full first: `installments`. */
  installments?: InstallmentOffer[];
  /** `merchant.savePaymentMethod`. */
  savePaymentMethod: SavePaymentMethod;
  /** Bamboo: the enrollment form's session (`bamboo.captureUrl`, `bamboo.uniqueId`). */
  bamboo?: { captureUrl: string; uniqueId: string };
  /** KR: the form token of the session's order (`kr.formToken`). */
  kr?: { formToken: string };
}

/**
 * The merchant endpoint's `200` answer (docs/api.md §4), to `POST merchant.paymentUrl` and to
 * `GET ${statusUrl}/${paymentId}`: what Pasarela drives to a `PaymentResult`. `action` comes
 * with `pending` only.
 */
export type PasarelaPayAnswer =
  | { status: 'approved' | 'declined'; paymentId: string; message?: string; action?: never }
  | {
      status: 'pending';
      paymentId: string;
      message?: string;
      /**
       * A step for the shopper: Bamboo's verification code (`PWCapture`), a redirect, an in-page
       * authentication (`challenge`, Pasarela's dialog), or a voucher to pay away from the page.
       */
      action?:
        | { type: 'verification_code' | 'redirect' | 'challenge'; url: string; voucher?: never }
        | { type: 'voucher'; voucher: PasarelaVoucher; url?: never };
    }
  | { status: 'expired'; paymentId: string; message?: string; action?: never };

/**
 * pasarela-server's error body (4xx, 5xx). `field` names what was refused (`order.amount`,
 * `Idempotency-Key`); `code` tells the `409`s of one order paid once apart:
 * `order_already_paid` (the order is paid, by `paymentId`: Pasarela ends the attempt
 * `approved` with it, and nothing is charged again) and `attempt_in_progress` (another attempt
 * on the order is under way: Pasarela polls `paymentId` when there is one).
 */
export interface PasarelaServiceError {
  error: string;
  field?: string;
  code?: 'order_already_paid' | 'attempt_in_progress' | (string & {});
  paymentId?: string;
}

/** What every provider's options share. */
interface CommonOptions {
  /** CSS selector or element; Pasarela renders only inside it. */
  container: string | HTMLElement;
  /** The provider's public key. */
  publicKey: string;
  order: Order;
  merchant: MerchantOptions;
  customer?: { email?: string; firstName?: string; lastName?: string };
  /**
   * Default: the closest to the browser's language (`navigator.languages`: its tag, else its
   * language), else `'es'`. Pasarela's element's `lang` is the full tag.
   */
  locale?: Locale;
  /**
   * Pasarela's own pay button, after the saved cards and the card form it pays (default `true`).
   * `false` hides it: the storefront pays with its own button, calling `checkout.pay()`.
   */
  payButton?: boolean;
  /**
   * How the shopper may pay (default `['card']`). With more than one, Pasarela shows the choice
   * before the card form (the card first), emits `methodselected`, and `pay()` pays the chosen one.
   * Cash and bank transfers need no tokenizer: without `'card'` the provider's script is not loaded.
   */
  methods?: PaymentMethod[];
  /**
   * The payment a redirect left (the `pasarela_payment` query parameter of the return URL): read
   * once the checkout is ready and reported by one `result`.
   */
  resume?: string;
  /**
   * Installment offers (pasarela-server's session answer, or a storefront's own): with more than
   * paying in full, the shopper chooses among those the chosen card may take (an offer's `brands`,
   * a saved card's own `installments`), and `pay()` sends the count. `pay({ installments })` with a
   * count not offered is refused (`invalid_options`, field `installments`).
   */
  installments?: InstallmentOffer[];
  /**
   * The shopper may remove each saved card (after a confirmation in the list) and make one the
   * default, through `merchant.paymentMethodsUrl`; events `profileremoved`, `profiledefault`.
   * Needs `merchant.paymentMethodsUrl` or `merchant.clientSecret`. Default `false`.
   */
  manageProfiles?: boolean;
  /** Expired saved cards: shown disabled, "Vencida" (`'disable'`, the default), or left out (`'hide'`). */
  expiredProfiles?: 'disable' | 'hide';
  /**
   * The provider's script (default: its production CDN). KR: Lyra's or a reseller's own server
   * only: the client builds its form only from a domain on its built-in allow-list, so a copy
   * served from the storefront's domain or a proxy never shows a form (`script_load_failed`).
   */
  scriptUrl?: string;
}

/** Bamboo's own options: PWCheckout's mandatory country and the enrollment form's session. */
export interface BambooOptions {
  /**
   * The country the card is tokenized for, ISO 3166-1 alpha-2 in capitals (`'UY'`, `'MX'`):
   * PWCheckout's mandatory `country_code`.
   */
  countryCode: string;
  captureUrl?: string;
  uniqueId?: string;
  paymentMediaId?: number;
  bankId?: number;
}

/** KR's own options: the form token the merchant server created for this order. */
export interface KrOptions {
  formToken: string;
  binUpdateUrl?: string;
}

export interface ConektaOptions {
  /** The component's language; default: `locale`. */
  locale?: string;
}

export interface BambooCheckoutOptions extends CommonOptions {
  provider: 'bamboo';
  bamboo: BambooOptions;
  profiles?: Array<SavedProfile | BambooPaymentProfile>;
  kr?: never;
  conekta?: never;
}

export interface ConektaCheckoutOptions extends CommonOptions {
  provider: 'conekta';
  conekta?: ConektaOptions;
  profiles?: Array<SavedProfile | ConektaPaymentSource>;
  bamboo?: never;
  kr?: never;
}

/** A KR public key: `shopId:testpublickey_…` (test) or `shopId:publickey_…` (production). */
export type KrPublicKey = `${number}:${'test' | ''}publickey_${string}`;

export interface KrCheckoutOptions extends CommonOptions {
  provider: 'kr';
  publicKey: KrPublicKey;
  kr: KrOptions;
  profiles?: SavedProfile[];
  bamboo?: never;
  conekta?: never;
}

/**
 * `createCheckout` options, discriminated by `provider`: each provider's own block is required
 * where the provider needs it, and another provider's block is refused (at run time too, as
 * `invalid_options` naming the field).
 */
export type CheckoutOptions = BambooCheckoutOptions | ConektaCheckoutOptions | KrCheckoutOptions;

interface ResultBase {
  /** The merchant's message, when it sent one. */
  message?: string;
  error?: never;
}

interface FinalResult extends ResultBase {
  voucher?: never;
  /** Absent: every result is final but a voucher's pending one. */
  final?: never;
}

/**
 * What one payment attempt ended with. `error` comes with `status: 'error'` only. A voucher's
 * attempt ends twice: `pending` with the `voucher` and `final: false`, then, while the page stays
 * open, a final `approved` or `expired` (or `declined`).
 */
export type PaymentResult =
  | (FinalResult & { status: 'approved'; paymentId?: string })
  | (FinalResult & { status: 'declined'; paymentId?: string })
  /** Still pending: a webhook may settle it; `paymentId` names it. */
  | (FinalResult & { status: 'pending'; paymentId: string })
  /** A voucher to pay away from the page: shown in the container, its payment read until final. */
  | (ResultBase & { status: 'pending'; paymentId: string; voucher: PasarelaVoucher; final: false })
  /** The voucher lapsed unpaid, as the merchant says (never by the page's clock alone). */
  | (FinalResult & { status: 'expired'; paymentId: string })
  /** The attempt failed before an answer (network, tokenization, `destroy()`…). */
  | { status: 'error'; paymentId?: string; message: string; error: PasarelaError; voucher?: never; final?: never };

export declare class PasarelaError extends Error {
  readonly name: 'PasarelaError';
  readonly code: PasarelaErrorCode;
  readonly message: string;
  /** The option path, e.g. `order.amount`. */
  readonly field?: string;
  readonly provider?: Provider;
  readonly retryable: boolean;
  /**
   * For the developer, never in `message` (which a shopper reads and hears): e.g. `'HTTP 401'`
   * from the storefront, or why its answer is not the protocol (`'not JSON'`).
   */
  readonly details?: string;
}

export interface CheckoutEvents {
  /** The form or list is usable. A listener added after that is called once, in a microtask. */
  ready: { provider: Provider };
  /**
   * The shopper picked a saved card in the list. Emitted from inside the click (or key press),
   * like a DOM `change` event: a listener may call `pay()`, `setProfiles()` or `destroy()`.
   */
  profileselected: { profileId: string };
  /** With `manageProfiles`: the shopper removed this saved card (the service answered 204); the list no longer shows it. */
  profileremoved: { profileId: string };
  /** With `manageProfiles`: the shopper made this saved card the default; the list is the service's new one. */
  profiledefault: { profileId: string };
  /** The shopper chose how to pay (with more than one of `methods`), from inside the click or key press. */
  methodselected: { method: PaymentMethod };
  /** Never carries the token value. */
  token: { provider: Provider; kind: 'one_time' | 'recurring' | 'form_answer'; brand?: string; last4?: string };
  /**
   * A pending payment needs the shopper: `url` is set for `redirect` only (extension), which
   * Pasarela then navigates to.
   */
  action: { type: 'verification_code' | 'redirect' | 'challenge' | 'voucher'; paymentId: string; url?: string };
  notification: { status: 'ok' | 'pending' | 'error' };
  result: PaymentResult;
  error: PasarelaError;
}

/** The name of a checkout event. */
export type EventName = keyof CheckoutEvents;

/** Every event a checkout emits, each once (e.g. to forward them all, as `<pasarela-checkout>` does). */
export declare const EVENTS: readonly ['ready', 'profileselected', 'profileremoved', 'profiledefault', 'methodselected', 'token', 'action', 'notification', 'result', 'error'];

export interface PayOptions {
  /** One-click with this saved profile. */
  profileId?: string;
  /** How many installments: one the checkout offers (`installments`). Default: the shopper's choice, else 1. */
  installments?: number;
  /** Pay with this method (one of `methods`; `unsupported` otherwise). Default: the shopper's choice. */
  method?: PaymentMethod;
  /** Bamboo: the network for cash or a transfer (`PaymentMediaId`); `invalid_options` with the card. */
  paymentMediaId?: number;
}

/** What every checkout can do. */
interface CheckoutBase {
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
  setProfiles(profiles: Array<SavedProfile | BambooPaymentProfile | ConektaPaymentSource>): void;
  readonly state: CheckoutState;
  /** Removes everything Pasarela rendered, unbinds provider events, drops listeners. Idempotent. */
  destroy(): void;
}

/** A Bamboo checkout: the only one with an enrollment form. */
export interface BambooCheckout extends CheckoutBase {
  /**
   * Extension (Bamboo): opens the card-enrollment form (`OpenIframeCustom`, or
   * `OpenIframeCustomWithPaymentMediaOptions` with `bamboo.paymentMediaId`/`bankId`). Resolves
   * with the `token` payload (`kind: 'recurring'`) once the card is saved; the storefront then
   * re-reads the customer's profiles and calls `setProfiles`.
   */
  enroll(opts?: { captureUrl?: string; uniqueId?: string }): Promise<CheckoutEvents['token']>;
}

export interface ConektaCheckout extends CheckoutBase {}
export interface KrCheckout extends CheckoutBase {}

/** A checkout; which one follows from `options.provider` (see `createCheckout`'s overloads). */
export type Checkout = BambooCheckout | ConektaCheckout | KrCheckout;

export interface CreateCheckoutInit {
  /**
   * Aborting it before `createCheckout` resolves rejects with `aborted`, and nothing is left
   * rendered (a component unmounted while the wasm was still loading).
   */
  signal?: AbortSignal;
}

/**
 * Validates `options` (rejecting with `invalid_options` and `field`), renders, loads the provider.
 * Rejects with `unsupported` outside a browser: call it from the page, not during server rendering.
 */
export declare function createCheckout(options: BambooCheckoutOptions, init?: CreateCheckoutInit): Promise<BambooCheckout>;
export declare function createCheckout(options: ConektaCheckoutOptions, init?: CreateCheckoutInit): Promise<ConektaCheckout>;
export declare function createCheckout(options: KrCheckoutOptions, init?: CreateCheckoutInit): Promise<KrCheckout>;
export declare function createCheckout(options: CheckoutOptions, init?: CreateCheckoutInit): Promise<Checkout>;

/** @internal For the benchmarks and leak tests: bytes of wasm linear memory. */
export declare function _wasmMemoryBytes(): number;

/** The package version. */
export declare const version: string;

/** Checkout options for `<pasarela-checkout>`: the element itself is the container. */
export type ElementCheckoutOptions =
  | Omit<BambooCheckoutOptions, 'container'>
  | Omit<ConektaCheckoutOptions, 'container'>
  | Omit<KrCheckoutOptions, 'container'>;

/**
 * `<pasarela-checkout>`, defined by the script-tag build `pasarela.js`: one checkout rendered
 * inside the element while it is in the document. Options come from the `options` property or
 * the element's `options` attribute (JSON); a change of either, or moving the element, destroys
 * the checkout and creates a new one; removing it destroys it (or aborts it while it loads).
 * Every checkout event is dispatched on the element as a non-bubbling `CustomEvent` whose
 * `detail` is the payload (`el.addEventListener('result', (e) => e.detail.status)`); an options
 * attribute that is not JSON, or a failed start, is an `error` event.
 */
export interface PasarelaCheckoutElement extends HTMLElement {
  options: ElementCheckoutOptions | undefined;
  /** The live checkout (`el.checkout?.pay()`), `null` until it is created. */
  readonly checkout: Checkout | null;
  addEventListener<K extends keyof CheckoutEvents>(
    type: K,
    listener: (this: PasarelaCheckoutElement, ev: CustomEvent<CheckoutEvents[K]>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface Window {
    /** Defined by the script-tag build `pasarela.js` only: absent in a bundled app. */
    Pasarela?: {
      createCheckout: typeof createCheckout;
      /** `instanceof` holds for every error Pasarela rejects with or emits. */
      PasarelaError: typeof PasarelaError;
      version: string;
    };
  }
  interface HTMLElementTagNameMap {
    'pasarela-checkout': PasarelaCheckoutElement;
  }
}
