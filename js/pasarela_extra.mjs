// @ts-check
// The part of Pasarela only some shoppers need, loaded on demand: the voucher view (cash and bank
// transfers), the in-page authentication dialog (`challenge`), the "save this card" box, and what
// is said after an attempt (how it ended, what to do next, every error a shopper meets). The
// entry (pasarela.mjs) imports it once per page, after the first `ready` (so it never competes
// with the provider's form, and is there by the time the shopper pays) or when a payment needs it
// first. How often a voucher's payment is read, what ends an attempt and what is sent are the
// wasm's (src/domain, natively tested); what is decided here is how a voucher is shown: which of
// its fields, in which order, a reference grouped for reading, a link that is safe to follow
// (`voucherView`, exported for tests/node/extra.test.mjs). Its stylesheet (pasarela_extra.css) is
// linked from here, beside this file.

/** Labels, `[es, en, pt]`, picked by the checkout's locale. */
const T = {
  cash: ['Pague en efectivo', 'Pay in cash', 'Pague em dinheiro'],
  bank_transfer: ['Pague con una transferencia', 'Pay by bank transfer', 'Pague por transferência'],
  amount: ['Monto a pagar', 'Amount to pay', 'Valor a pagar'],
  reference: ['Referencia', 'Reference', 'Referência'],
  clabe: ['CLABE', 'CLABE', 'CLABE'],
  bank: ['Banco', 'Bank', 'Banco'],
  accountHolder: ['Titular', 'Account holder', 'Titular'],
  barcodeUrl: ['Código de barras', 'Barcode', 'Código de barras'],
  barcodeOf: ['Código de barras de la referencia', 'Barcode of reference', 'Código de barras da referência'],
  expiresAt: ['Vence', 'Expires', 'Vence em'],
  instructionsUrl: ['Instrucciones', 'Instructions', 'Instruções'],
  open: ['Ver instrucciones de pago (se abre en otra pestaña)', 'See the payment instructions (opens in a new tab)', 'Ver as instruções de pagamento (abre em outra aba)'],
  copy: ['Copiar', 'Copy', 'Copiar'],
  copied: ['Copiado', 'Copied', 'Copiado'],
  print: ['Imprimir', 'Print', 'Imprimir'],
  approved: ['Pagada', 'Paid', 'Paga'],
  expired: ['Vencida', 'Expired', 'Vencida'],
  challenge: ['Verificación de su banco', 'Your bank’s verification', 'Verificação do seu banco'],
  close: ['Cerrar', 'Close', 'Fechar'],
  save: ['Guardar esta tarjeta para mis próximas compras', 'Save this card for my next purchases', 'Salvar este cartão para minhas próximas compras'],
  said_approved: ['Pago aprobado', 'Payment approved', 'Pagamento aprovado'],
  said_declined: ['Pago rechazado', 'Payment declined', 'Pagamento recusado'],
  said_pending: ['Pago pendiente', 'Payment pending', 'Pagamento pendente'],
  said_expired: ['La ficha de pago venció', 'The payment voucher expired', 'A ficha de pagamento venceu'],
  // What the shopper does or waits for next.
  next_declined: ['Pruebe con otra tarjeta', 'Try another card', 'Tente outro cartão'],
  next_pending: ['Esperando la confirmación del banco o del medio de pago', 'Waiting for the bank or payment provider to confirm it', 'Aguardando a confirmação do banco ou do meio de pagamento'],
};

/**
 * Every error a shopper can meet (docs/api.md §3), by code, `[es, en, pt]`: the JS entry puts
 * these words in front of what the wasm says (a provider's own message, in brackets), in the
 * checkout's locale. The two errors only a developer causes are English, in the wasm
 * (`src/domain/error.rs` holds this table to its codes). Never an HTTP status: that is the
 * developer's, in the error's `details`.
 */
const ERRORS = {
  script_load_failed: ['No se pudo cargar el formulario de pago', 'The payment form could not be loaded', 'Não foi possível carregar o formulário de pagamento'],
  tokenization_failed: ['Revise los datos de la tarjeta', 'Please check the card details', 'Verifique os dados do cartão'],
  network: ['No hay conexión con la tienda; intente de nuevo', 'Could not reach the store; please try again', 'Sem conexão com a loja; tente novamente'],
  merchant_rejected: ['La tienda no aceptó el pago; recargue la página e intente de nuevo', 'The store did not accept the payment; reload the page and try again', 'A loja não aceitou o pagamento; recarregue a página e tente novamente'],
  merchant_bad_response: ['Respuesta inesperada de la tienda; intente de nuevo', 'Unexpected answer from the store; please try again', 'Resposta inesperada da loja; tente novamente'],
  token_expired: ['Los datos de la tarjeta vencieron; ingréselos de nuevo', 'The card details expired; please enter them again', 'Os dados do cartão expiraram; digite-os novamente'],
  destroyed: ['Se cerró el pago', 'The checkout was closed', 'O pagamento foi fechado'],
  not_ready: ['El formulario de pago aún no está listo', 'The payment form is not ready yet', 'O formulário de pagamento ainda não está pronto'],
  unknown_profile: ['Esa tarjeta guardada no está disponible', 'That saved card is not available', 'Esse cartão salvo não está disponível'],
  unsupported: ['No disponible con este medio de pago', 'Not available with this provider', 'Indisponível com este meio de pagamento'],
  internal: ['Error interno del pago; intente de nuevo', 'Internal checkout error; please try again', 'Erro interno do pagamento; tente novamente'],
  timeout: ['El formulario de pago no respondió', 'The payment form did not answer', 'O formulário de pagamento não respondeu'],
  cancelled: ['Se cerró el formulario de pago', 'The payment form was closed', 'O formulário de pagamento foi fechado'],
  attempts_exceeded: ['Demasiados intentos: formulario bloqueado', 'Too many attempts: the form is locked', 'Tentativas demais: formulário bloqueado'],
};

/**
 * Where a region's words differ from its language's (the locales of docs/api.md §2): the card's
 * security code is the CVV in Mexico and Peru and the "código de seguridad" in Argentina and
 * Uruguay; `pt-BR` is `pt`'s wording (already Brazil's: "cartão", "parcelas").
 */
const REGIONAL = {
  'es-MX': { tokenization_failed: 'Revise el número, la fecha de vencimiento y el CVV de la tarjeta' },
  'es-PE': { tokenization_failed: 'Revise el número, la fecha de vencimiento y el CVV de la tarjeta' },
  'es-AR': { tokenization_failed: 'Revise el número, el vencimiento y el código de seguridad de la tarjeta' },
  'es-UY': { tokenization_failed: 'Revise el número, el vencimiento y el código de seguridad de la tarjeta' },
};
const LOCALES = ['es', 'en', 'pt'];
let ids = 0;

/**
 * The stylesheet of this part, linked once per document (CSP `style-src 'self'` allows it);
 * `styled` settles once it has loaded (or failed): what its rules hide waits for it.
 */
let styled;
function linkStyles() {
  let link = /** @type {HTMLLinkElement | null} */ (document.querySelector('link[data-pasarela-extra]'));
  if (!link) {
    link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = new URL('./pasarela_extra.css', import.meta.url).href;
    link.dataset.pasarelaExtra = '';
    document.head.append(link);
  }
  // Bounded: a stylesheet that never answers must not keep the choice of installments and card
  // management from being drawn.
  styled = link.sheet ? Promise.resolve() : new Promise((ok) => {
    const bound = setTimeout(ok, 8e3);
    link.onload = link.onerror = () => { clearTimeout(bound); ok(); };
  });
}
if (typeof document !== 'undefined') linkStyles();

/** `document.createElement(tag)` with a class, text and attributes. */
function el(tag, className, text, attrs) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  return e;
}

/** The words `k` (of `T` or `ERRORS`) in the language tagged `lang` (`es-MX`), its region's where they differ. */
const wordsIn = (lang) => {
  const l = Math.max(0, LOCALES.indexOf(lang.slice(0, 2))), own = REGIONAL[lang] || {};
  return (k) => own[k] || (T[k] || ERRORS[k])[l];
};
/** The label `k` in `host`'s language (its `lang`). */
const words = (host) => wordsIn(host.lang);

/**
 * What a shopper's error with `code` says in `lang`, before the wasm's own part of its message (a
 * provider's words, in brackets): the JS entry's `toError`. Unknown codes say nothing more.
 */
export const errorWords = (code, lang) => (ERRORS[code] ? wordsIn(lang || 'es')(code) : '');

/**
 * Draws `what` in `host` (`checkout`'s element): `_v` a voucher (`data`: the merchant's answer as
 * it came), which is reported at once by a `pending` result that is not final, which the waiting
 * `pay()` resolves with; `_c` an in-page authentication (`data`: `{ url, paymentId, paymentUrl }`;
 * `null` closes the open one), resolving with how it ended: 1 the service's page said it is
 * over, 2 the shopper closed it.
 */
export function draw(what, checkout, host, data) {
  const t = words(host);
  if (what === '_c') return data ? challenge(host, data, t) : (close(host), undefined);
  const { paymentId, action } = JSON.parse(data);
  const result = { status: 'pending', paymentId: String(paymentId), voucher: action.voucher, final: false };
  voucher(host, action.voucher, t, (text) => checkout._say(text));
  checkout._emit('result', result);
  checkout._early(result);
}

/**
 * How an attempt ended, as the live region says it (a `result` with status `error` says its
 * error's message, already in the checkout's locale, through the `error` event), and what follows
 * on the page: a voucher's final state is shown on it; focus the attempt took away (to the body
 * when a form closed, or on Pasarela's own button, disabled while it ran) goes back to the chosen
 * card, so the shopper can pick another with the arrows. Focus the page moved elsewhere, or a
 * provider's card form holds, stays.
 */
export function ended(checkout, host, r) {
  // A voucher's pending result is said by its view.
  if (T[`said_${r.status}`] && !r.voucher) outcome(checkout, host, r);
  settle(host, r.status);
  const a = document.activeElement;
  // A provider's card form is an <iframe> (Bamboo, KR) or, Conekta's, an element whose fields are
  // in its shadow root (docs/providers/conekta.md): focus anywhere in its slot is the form's.
  if (!a || a === document.body || (!a.closest('.pasarela-provider-form') && host.contains(a))) host.querySelector('[aria-checked=true]')?.focus();
}

/**
 * How the attempt ended, shown and said at once in the live region (visible, and read out by
 * screen readers as it changes): what happened in bold, the merchant's reason as it sent it
 * (`result.message`, e.g. "Fondos insuficientes."), then what the shopper does or waits for
 * next. Its `data-outcome` gives it the look of a panel (pasarela_extra.css). A decline keeps the
 * ways to pay as they were: the shopper corrects the card or picks another in place.
 */
function outcome(checkout, host, r) {
  const t = words(host), status = r.status;
  checkout._say('', status === 'declined');
  const box = host.querySelector('.pasarela-status');
  if (!box) return;
  // Sentences: each piece ends with its stop (the title too, when more follows).
  const full = (s) => (/[.!?…]$/.test(s) ? s : `${s}.`);
  const parts = status === 'approved' || status === 'expired' ? [] : [str(r.message), t(`next_${status}`)].filter(Boolean);
  const title = t(`said_${status}`);
  box.append(el('strong', '', parts.length ? full(title) : title), ...parts.map((p) => ` ${full(p.trim())}`));
  box.dataset.outcome = status;
}

/** A link the voucher view may follow: `http(s)://…` or a path on this site. */
const safe = (u) => typeof u === 'string' && /^(https?:\/\/[^\s/]|\/(?!\/))/i.test(u);
/** Text the merchant sent, or nothing. */
const str = (v) => (typeof v === 'string' && v.trim() ? v : undefined);

/**
 * How a voucher is shown: `[key, text, spoken?]` rows in order, or `null` when there is nothing
 * to pay with (neither `reference` nor `clabe`) or its kind is not one. Cash: what to pay, the
 * reference to give at the counter (and its barcode), until when, the provider's printable page.
 * A transfer: what to pay, the CLABE, the bank and the account's holder, the reference (the
 * transfer's concept), until when, the instructions. A reference or CLABE is seen in blocks of
 * four (`9300 0262 2769 08`) and heard one character at a time, a pause between blocks
 * (`9 3 0 0, 0 2 6 2, …`); a link that is not `http(s)://` or a path is left out.
 */
export function voucherView(v, lang) {
  if (!v || (v.kind !== 'cash' && v.kind !== 'bank_transfer') || !(str(v.reference) || str(v.clabe))) return null;
  const amount = Number.isInteger(v.amount) && v.amount > 0 ? money(v.amount, lang, v.currency) : '';
  if (!amount) return null;
  const keys = v.kind === 'cash'
    ? ['amount', 'reference', 'barcodeUrl', 'expiresAt', 'instructionsUrl']
    : ['amount', 'clabe', 'bank', 'accountHolder', 'reference', 'expiresAt', 'instructionsUrl'];
  const rows = [];
  for (const key of keys) {
    const value = key === 'amount' ? amount : str(v[key]);
    if (!value || (key.endsWith('Url') && !safe(value))) continue;
    if (key === 'reference' || key === 'clabe') {
      const chars = [...value.replace(/\s/g, '')];
      const blocks = [];
      for (let i = 0; i < chars.length; i += 4) blocks.push(chars.slice(i, i + 4));
      rows.push([key, blocks.map((b) => b.join('')).join(' '), blocks.map((b) => b.join(' ')).join(', ')]);
    } else rows.push([key, value]);
  }
  return rows;
}

/** A voucher: what to pay, how, until when; copy, print. Replaces any earlier one. */
function voucher(host, v, t, say) {
  const rows = voucherView(v, host.lang);
  if (!rows) return;
  host.querySelector('.pasarela-voucher')?.remove();
  const id = `pasarela-voucher-${++ids}`;
  const box = el('section', 'pasarela-voucher', '', { 'aria-labelledby': id, 'data-kind': v.kind });
  box.append(el('h3', 'pasarela-voucher-title', t(v.kind), { id }));
  const list = el('dl', 'pasarela-voucher-fields');
  for (const [key, value, spoken] of rows) {
    const dd = el('dd', `pasarela-voucher-${key}`);
    if (spoken) {
      // Seen grouped in fours; heard one character at a time.
      dd.append(el('span', 'pasarela-voucher-code', value, { 'aria-hidden': 'true' }), el('span', 'pasarela-sr', spoken));
      const copy = el('button', 'pasarela-voucher-copy', t('copy'), { type: 'button' });
      copy.addEventListener('click', () => {
        navigator.clipboard.writeText(value.replace(/ /g, '')).then(() => say(`${t('copied')}: ${t(key)}`), () => getSelection()?.selectAllChildren(dd.firstChild));
      });
      dd.append(copy);
    } else if (key === 'barcodeUrl') {
      dd.append(el('img', '', '', { src: value, alt: `${t('barcodeOf')} ${rows.find((r) => r[0] === 'reference')?.[1] || ''}`.trim() }));
    } else if (key === 'expiresAt') {
      // In the shopper's language and the browser's own time zone.
      const when = new Date(value);
      const text = isNaN(+when) ? value : new Intl.DateTimeFormat(host.lang, { dateStyle: 'long', timeStyle: 'short' }).format(when);
      dd.append(el('time', '', text, { datetime: value }));
    } else if (key === 'instructionsUrl') {
      dd.append(el('a', '', t('open'), { href: value, target: '_blank', rel: 'noopener' }));
    } else {
      dd.textContent = value;
    }
    list.append(el('dt', '', t(key)), dd);
  }
  const print = el('button', 'pasarela-voucher-print', t('print'), { type: 'button' });
  print.addEventListener('click', () => print.ownerDocument.defaultView?.print());
  box.append(list, print);
  host.setAttribute('data-view', 'voucher');
  host.querySelector('.pasarela-status')?.after(box);
  say(`${t(v.kind)}. ${t('amount')}: ${rows[0][1]}`);
}

/**
 * Once the checkout is usable: "save this card for my next purchases" when it asks
 * (`merchant.savePaymentMethod: 'ask'`, the host's `data-save`), unticked, after the card form and
 * before the list's pay button. The stylesheet shows it with the new-card form only; the wasm
 * reads it when an attempt pays a new card. Before it, from `checkout`'s options: the choice of
 * installments and the saved cards' management.
 */
export async function ready(host, checkout) {
  // Its stylesheet first: it hides the box while a saved card or another method is chosen.
  await styled;
  // The choice of installments and card management, from the options as the wasm accepted them.
  if (checkout?._o && host.isConnected) {
    planChoice(host, checkout._o);
    manageCards(host, checkout);
  }
  if (!host.hasAttribute('data-save') || host.querySelector('.pasarela-save') || !host.isConnected) return;
  const label = el('label', 'pasarela-save', words(host)('save'));
  label.prepend(el('input', '', '', { type: 'checkbox' }));
  host.insertBefore(label, host.querySelector(':scope > .pasarela-pay'));
}

/** A voucher's final state, shown on it: `approved` or `expired` (or `declined`). */
function settle(host, status) {
  const box = host.querySelector('.pasarela-voucher');
  if (!box || box.dataset.status || !['approved', 'expired', 'declined'].includes(status)) return;
  box.setAttribute('data-status', status);
  box.querySelector('.pasarela-voucher-title')?.append(el('span', 'pasarela-voucher-state', ` · ${words(host)(status === 'approved' ? 'approved' : 'expired')}`));
  // Lapsed: the shopper may pay again, so the ways to pay come back beside it.
  if (status !== 'approved') host.removeAttribute('data-view');
}

/** host → the open dialog's ending function. */
const open = new WeakMap();
/** host → what PWCheckout added to `<body>` for its enrollment forms. */
const added = new WeakMap();

/**
 * On `destroy()`: the dialog open in `host` ends as closed by the shopper, and the enrollment
 * forms PWCheckout opened for it go (a form left open could still save a card).
 */
export function close(host) {
  open.get(host)?.(2);
  for (const n of added.get(host) || []) n.remove();
  added.delete(host);
}

/**
 * Card management (Bamboo): opens PWCheckout's enrollment form at `url` (the wasm's
 * `{captureUrl}?key=…&session_id=…`) with `OpenIframeCustom`, or, with a `paymentMediaId` or
 * `bankId`, `Iframe.OpenIframeCustomWithPaymentMediaOptions`; keeps what it adds to `<body>`
 * (its overlay, *inferred*: PWCheckout documents no call that closes it). Its token reaches the
 * wasm through the handlers the adapter bound. Says whether it opened.
 */
export function enroll(host, [url, session, media, bank]) {
  const pw = /** @type {any} */ (window).PWCheckout, body = document.body, before = body.children.length;
  try {
    if (media === undefined && bank === undefined) pw.OpenIframeCustom(url, session);
    else pw.Iframe.OpenIframeCustomWithPaymentMediaOptions(url, session, media, bank);
  } catch {
    return false;
  }
  added.set(host, [...(added.get(host) || []), ...[...body.children].slice(before)]);
  return true;
}

/**
 * The in-page authentication: the provider's page in an `<iframe>` inside a modal dialog,
 * labelled, focus kept inside it, Escape and a visible close button cancel. The service's return
 * page ends it with `postMessage({ source: 'pasarela', type: 'challenge_end', paymentId })`,
 * accepted only from the service's origin (that of `paymentUrl`) and for this payment.
 */
function challenge(host, { url, paymentId, paymentUrl }, t) {
  close(host);
  return new Promise((resolve) => {
    const id = `pasarela-challenge-${++ids}`;
    const origin = new URL(paymentUrl, location.href).origin;
    const before = document.activeElement;
    const dialog = el('div', 'pasarela-challenge', '', { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': id });
    const box = el('div', 'pasarela-challenge-box');
    const closeButton = el('button', 'pasarela-challenge-close', t('close'), { type: 'button' });
    const frame = el('iframe', '', '', { src: url, title: t('challenge') });
    box.append(el('h2', 'pasarela-challenge-title', t('challenge'), { id }), closeButton, frame);
    // Focus that leaves the frame (Tab past it, Shift+Tab before the button) meets an edge of
    // the dialog and comes back to its button: it never reaches the page behind.
    const edge = () => {
      const e = el('span', 'pasarela-challenge-edge', '', { tabindex: '0' });
      e.addEventListener('focus', () => closeButton.focus());
      return e;
    };
    dialog.append(edge(), box, edge());
    const onMessage = (e) => {
      const d = e.data;
      if (e.origin === origin && d && d.source === 'pasarela' && d.type === 'challenge_end' && d.paymentId === paymentId) end(1);
    };
    const onKey = (e) => { if (e.key === 'Escape') { e.preventDefault(); end(2); } };
    // Focus that leaves the dialog (Tab past the frame, Shift+Tab before the button) comes back.
    const onFocus = (e) => { if (!dialog.contains(/** @type {Node} */ (e.target))) closeButton.focus(); };
    const end = (how) => {
      open.delete(host);
      removeEventListener('message', onMessage);
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('focusin', onFocus);
      dialog.remove();
      if (before instanceof HTMLElement && before.isConnected) before.focus();
      resolve(how);
    };
    open.set(host, end);
    closeButton.addEventListener('click', () => end(2));
    addEventListener('message', onMessage);
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('focusin', onFocus);
    host.append(dialog);
    closeButton.focus();
  });
}

// Installment offers and saved-card management (docs/api.md §2, §5): the choice of installments
// drawn from the `installments` option, and the buttons that remove a saved card or make it the
// default (`manageProfiles`). Which counts the chosen card may be paid in is the wasm's rule (the
// host's `data-offers`); how an offer is worded is decided here, in `installmentText` and
// `installmentChoices` (tests/node/installments.test.mjs).

/**
 * How an offer is worded, by the checkout's language tag (`es-MX`), a region's entry over its
 * language's (`es`): `one(a)` pays in full; `free(n, a)` / `paid(n, a)`, n installments of a
 * without or with interest; with interest the total follows, and the effective annual rate and
 * total financial cost under the region's own names (`rate`: the effective annual rate where the
 * region names only the total cost and no figure was given); `cftFree`, the total
 * financial cost on an interest-free offer too, as Argentine offers state it ("CFT 0,00 %").
 */
const PLANS = {
  es: { legend: 'Cuotas', one: (a) => `1 pago de ${a}`, free: (n, a) => `${n} cuotas sin interés de ${a}`, paid: (n, a) => `${n} cuotas de ${a}`, tea: 'TEA', cft: 'CFT' },
  'es-MX': { legend: 'Meses', free: (n, a) => `${n} meses sin intereses de ${a}`, paid: (n, a) => `${n} meses de ${a}`, tea: '', rate: 'tasa efectiva anual', cft: 'CAT' },
  'es-AR': { free: (n, a) => `${n} cuotas de ${a}`, cftFree: true },
  en: { legend: 'Installments', one: (a) => `Pay in full: ${a}`, free: (n, a) => `${n} interest-free installments of ${a}`, paid: (n, a) => `${n} installments of ${a}`, tea: 'effective annual rate', cft: 'total financial cost' },
  pt: { legend: 'Parcelamento', one: (a) => `À vista: ${a}`, free: (n, a) => `${n}x de ${a} sem juros`, paid: (n, a) => `${n}x de ${a} com juros`, tea: '', rate: 'taxa efetiva anual', cft: 'CET' },
};
/** The wording of `lang` (`es-AR`), its language's (`es`) where the region has none; `es` for others. */
const planWords = (lang) => ({ ...(PLANS[String(lang).slice(0, 2)] || PLANS.es), ...PLANS[lang] });

/**
 * `minor` units of `currency` as `lang` writes money (`Intl`, which knows each ISO 4217
 * currency's digits, as the protocol's table does); '' when unknown.
 */
function money(minor, lang, currency) {
  try {
    const nf = new Intl.NumberFormat(lang, { style: 'currency', currency });
    return nf.format(minor / 10 ** nf.resolvedOptions().maximumFractionDigits);
  } catch {
    return '';
  }
}

/**
 * One offer (`{ count, amount, total, rate, tea, cft?, free }`, amounts in minor units) as the
 * shopper reads it in `lang`: "3 meses sin intereses de $333.33" (es-MX), "6 cuotas de
 * $ 1.950,00 — Total $ 11.700,00 — TEA 79,59 % — CFT 98,84 %" (es-AR), "3x de R$ 33,33 sem
 * juros" (pt-BR), "1 pago de $1,000.00" / "Pay in full: $10.00" for count 1.
 */
export function installmentText(offer, lang, currency) {
  const w = planWords(lang), a = money(offer.amount, lang, currency);
  if (offer.count === 1) return w.one(a);
  // Two decimals, and the sign after a (no-break) space as Spanish and Portuguese write it, not
  // English: engines' percent patterns differ by locale data version ("79,59%" / "79,59 %").
  const pct = (x) => `${new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(x)}${String(lang).startsWith('en') ? '' : '\u00a0'}%`;
  const parts = [offer.free ? w.free(offer.count, a) : w.paid(offer.count, a)];
  if (!offer.free) {
    parts.push(`Total ${money(offer.total, lang, currency)}`);
    // Where the region names only its total cost (CAT, CET), the effective annual rate stands in
    // when the storefront gave no cost figure: an offer with interest never shows no rate at all.
    if (w.tea) parts.push(`${w.tea} ${pct(offer.tea)}`);
    else if (offer.cft === undefined && w.rate) parts.push(`${w.rate} ${pct(offer.tea)}`);
  }
  const cft = offer.cft ?? (offer.free && w.cftFree ? 0 : undefined);
  if (w.cft && cft !== undefined && (!offer.free || w.cftFree)) parts.push(`${w.cft} ${pct(cft)}`);
  return parts.join(' — ');
}

/**
 * What the choice lists: paying in full first (the options' count-1 offer, or the order's amount
 * when they have none), then the offers whose count is in `offered` (the host's `data-offers`,
 * `"1 3 6"`: those the chosen card may be paid in), fewest installments first.
 */
export function installmentChoices(offers, offered, amount) {
  const counts = String(offered || '').split(' ').map(Number);
  const rest = offers.filter((o) => o.count !== 1 && counts.includes(o.count)).sort((a, b) => a.count - b.count);
  return [offers.find((o) => o.count === 1) || { count: 1, amount, total: amount, rate: 0, tea: 0, free: true }, ...rest];
}

let planGroups = 0;

/**
 * The choice of installments: native radios in a fieldset (arrow keys move, Tab reaches the chosen
 * one), after the card form or list and before "save this card" and the pay button; hidden while
 * only paying in full is offered. It follows the chosen card (`data-offers`, kept when still
 * offered, else back to paying in full) and keeps the shopper's count on the host
 * (`pasarelaInstallments`), which the wasm sends unless `pay({ installments })` names one.
 */
function planChoice(host, o) {
  if (!Array.isArray(o.installments) || !o.installments.length || host.querySelector('.pasarela-plans')) return;
  const w = planWords(host.lang), name = `pasarela-plans-${++planGroups}`;
  const box = el('fieldset', 'pasarela-plans');
  let drawn;
  const draw = () => {
    const choices = installmentChoices(o.installments, host.dataset.offers, o.order.amount);
    const keep = choices.some((c) => c.count === host.pasarelaInstallments) ? host.pasarelaInstallments : 1;
    host.pasarelaInstallments = keep;
    const key = choices.map((c) => c.count).join();
    if (key === drawn) return;
    drawn = key;
    box.replaceChildren(el('legend', '', w.legend));
    for (const c of choices) {
      const input = el('input', '', '', { type: 'radio', name, value: String(c.count) });
      input.checked = c.count === keep;
      const label = el('label', 'pasarela-plan');
      label.append(input, el('span', '', installmentText(c, host.lang, o.order.currency)));
      box.append(label);
    }
    box.hidden = choices.length < 2;
  };
  // The pay button names what is charged: with interest the offer's total (which the service
  // charges), not the order's amount the wasm writes there. The wasm rewrites its text on every
  // state change, so the amount at its end is swapped each time it changes.
  const button = host.querySelector(':scope > .pasarela-pay');
  const cash = (minor) => money(minor, host.lang, o.order.currency);
  const relabel = () => {
    const chosen = o.installments.find((p) => p.count === host.pasarelaInstallments);
    const want = cash(chosen && !chosen.free ? chosen.total : o.order.amount), text = button?.textContent || '';
    if (!want || text.endsWith(want)) return;
    const from = [o.order.amount, ...o.installments.map((p) => p.total)].map(cash).find((m) => m && text.endsWith(m));
    if (from && button) button.textContent = text.slice(0, -from.length) + want;
  };
  box.addEventListener('change', (e) => { host.pasarelaInstallments = Number(/** @type {HTMLInputElement} */ (e.target).value); relabel(); });
  draw();
  new MutationObserver(() => { draw(); relabel(); }).observe(host, { attributes: true, attributeFilter: ['data-offers'] });
  if (button) new MutationObserver(relabel).observe(button, { childList: true, characterData: true, subtree: true });
  host.insertBefore(box, host.querySelector(':scope > .pasarela-save, :scope > .pasarela-pay'));
}

/** Card management's words, `[es, en, pt]` (`{card}`: "Visa •••• 4242"). */
const CARDS = {
  remove: ['Eliminar', 'Remove', 'Remover'],
  confirm: ['¿Eliminar {card}?', 'Remove {card}?', 'Remover {card}?'],
  cancel: ['Cancelar', 'Cancel', 'Cancelar'],
  makeDefault: ['Usar por defecto', 'Make default', 'Tornar padrão'],
  isDefault: ['Predeterminada', 'Default', 'Padrão'],
  removed: ['Se eliminó {card}', '{card} was removed', '{card} foi removido'],
  defaulted: ['{card} es ahora su tarjeta predeterminada', '{card} is now your default card', '{card} agora é o seu cartão padrão'],
  refused: ['No se pudo eliminar la tarjeta', 'The card could not be removed', 'Não foi possível remover o cartão'],
  failed: ['No se pudo completar; revise su conexión e intente de nuevo', 'That did not work; check your connection and try again', 'Não foi possível concluir; verifique sua conexão e tente novamente'],
};
/** Hosts whose cards are managed already (a `ready` after `setProfiles` comes here again). */
const managed = new WeakSet();
/** A saved card's id in any of the shapes `profiles` takes (docs/api.md §5). */
const idOf = (p) => String(p && (p.id ?? p.PaymentProfileId));

/**
 * `DELETE` or `PUT` `${paymentMethodsUrl}/${path}` with the client secret as `Authorization:
 * Bearer` and `merchant.headers`, bounded by `merchant.timeoutMs` (body read included):
 * `{ status, body }`, or `null` when no answer came.
 */
async function send(o, method, path) {
  const m = o.merchant, abort = new AbortController();
  const headers = { ...m.headers };
  if (m.clientSecret) headers.Authorization = `Bearer ${m.clientSecret}`;
  const timer = setTimeout(() => abort.abort(), m.timeoutMs || 15000);
  try {
    const r = await fetch(`${(m.paymentMethodsUrl || `${m.paymentUrl}/payment-methods`).replace(/\/$/, '')}/${path}`, { method, headers, signal: abort.signal });
    const text = await r.text();
    let body = {};
    try { body = JSON.parse(text || '{}'); } catch {}
    return { status: r.status, body };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Card management (`manageProfiles`): beside each saved card, "Make default" (or "Default" on the
 * default one) and "Remove", which asks in the list itself ("¿Eliminar Visa •••• 4242?", focus on
 * Cancel, Escape cancels) before it sends anything. The buttons sit between the radios of the list,
 * never inside one (a radio's content is not interactive), and are drawn again whenever the list is.
 */
function manageCards(host, checkout) {
  const o = checkout._o;
  if (!o.manageProfiles || managed.has(host)) return;
  managed.add(host);
  host.setAttribute('data-manage', '');
  const l = Math.max(0, LOCALES.indexOf(host.lang.slice(0, 2)));
  const t = (k, card = '') => CARDS[k][l].replace('{card}', card);
  const button = (text, label) => el('button', '', text, { type: 'button', 'aria-label': label });
  const gone = () => !host.isConnected || checkout.state === 'destroyed';
  const focusList = () => /** @type {HTMLElement | null} */ (host.querySelector('[role=radio][aria-checked=true], [role=radio]:not([aria-disabled=true])'))?.focus();
  const decorate = () => {
    for (const row of host.querySelectorAll('.pasarela-profiles [role=radio]:not([data-profile-id=""])')) {
      if (row.nextElementSibling?.classList.contains('pasarela-manage')) continue;
      const id = /** @type {HTMLElement} */ (row).dataset.profileId || '';
      const card = row.querySelector('.pasarela-profile-brand')?.textContent?.trim() || id;
      const cell = el('span', 'pasarela-manage');
      if ((o.profiles || []).find((p) => idOf(p) === id)?.default === true) cell.append(el('span', 'pasarela-manage-default', t('isDefault')));
      else if (row.getAttribute('aria-disabled') !== 'true') {
        const make = button(t('makeDefault'), `${t('makeDefault')}: ${card}`);
        make.addEventListener('click', async () => {
          make.disabled = true;
          const r = await send(o, 'PUT', `${encodeURIComponent(id)}/default`);
          if (gone()) return;
          make.disabled = false;
          try {
            if (!r || r.status !== 200 || !Array.isArray(r.body.profiles)) throw 0;
            checkout.setProfiles(r.body.profiles);
          } catch {
            return checkout._say(t('failed'), true);
          }
          checkout._say(t('defaulted', card));
          focusList();
          checkout._emit('profiledefault', { profileId: id });
        });
        cell.append(make);
      }
      const remove = button(t('remove'), `${t('remove')} ${card}`);
      remove.addEventListener('click', () => confirmRemoval(row, cell, remove, id, card));
      cell.append(remove);
      row.after(cell);
    }
  };
  const confirmRemoval = (row, cell, remove, id, card) => {
    const question = t('confirm', card);
    const box = el('span', 'pasarela-confirm', '', { role: 'group', 'aria-label': question });
    const yes = el('button', 'pasarela-confirm-yes', t('remove'), { type: 'button' });
    const no = el('button', '', t('cancel'), { type: 'button' });
    const note = el('span', 'pasarela-confirm-note');
    box.append(el('span', '', question), yes, no, note);
    const cancel = () => {
      box.remove();
      cell.hidden = false;
      remove.focus();
    };
    no.addEventListener('click', cancel);
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        cancel();
      }
    });
    yes.addEventListener('click', async () => {
      yes.disabled = no.disabled = true;
      const r = await send(o, 'DELETE', encodeURIComponent(id));
      if (gone()) return;
      yes.disabled = no.disabled = false;
      if (r && r.status >= 200 && r.status < 300) {
        // Drawn again without it, as `setProfiles` draws a list.
        checkout.setProfiles((o.profiles || []).filter((p) => idOf(p) !== id));
        checkout._say(t('removed', card));
        focusList();
        checkout._emit('profileremoved', { profileId: id });
        return;
      }
      // Ours first, in the shopper's language; then the provider's refusal as the service passed
      // it (a provider may write it in another language than the shopper's); no answer, ours.
      const why = r && r.status === 409 && typeof r.body.error === 'string' ? r.body.error.trim() : '';
      const reason = why ? `${t('refused')}: ${why}` : t(r ? 'refused' : 'failed');
      note.textContent = reason;
      checkout._say(reason, true);
      yes.focus();
    });
    cell.hidden = true;
    cell.after(box);
    checkout._say(question);
    no.focus();
  };
  decorate();
  new MutationObserver(decorate).observe(host, { childList: true, subtree: true });
}
