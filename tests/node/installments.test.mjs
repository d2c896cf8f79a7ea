// How the part of the package loaded on demand words an installment offer (`installmentText` in
// js/pasarela_extra.mjs) in each region, and which offers its choice lists for the chosen card
// (`installmentChoices`, from the host's `data-offers`). Runs against the built pkg/ (importing it
// in Node draws nothing). Intl writes some spaces as U+00A0: compared here as plain spaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installmentChoices, installmentText } from '../../pkg/pasarela_extra.mjs';

const text = (offer, lang, currency) => installmentText(offer, lang, currency).replace(/\u00a0|\u202f/g, ' ');
/** An offer as the merchant service computes it (docs/api.md §2): amounts in minor units. */
const free = (count, total) => ({ count, amount: Math.round(total / count), total, rate: 0, tea: 0, free: true });

test('es-MX: months without interest, the amount as Mexico writes pesos', () => {
  assert.equal(text(free(3, 100000), 'es-MX', 'MXN'), '3 meses sin intereses de $333.33');
  assert.equal(text(free(1, 100000), 'es-MX', 'MXN'), '1 pago de $1,000.00');
  const interest = { count: 6, amount: 19500, total: 117000, rate: 60, tea: 79.59, free: false };
  assert.equal(text(interest, 'es-MX', 'MXN'), '6 meses de $195.00 — Total $1,170.00 — tasa efectiva anual 79.59 %', 'no CAT without a figure: the effective rate stands in');
  assert.equal(text({ ...interest, cft: 98.84 }, 'es-MX', 'MXN'), '6 meses de $195.00 — Total $1,170.00 — CAT 98.84 %');
});

test('es-AR: the CFT always, and with interest the total and the TEA', () => {
  assert.equal(text({ ...free(3, 1000000), cft: 0 }, 'es-AR', 'ARS'), '3 cuotas de $ 3.333,33 — CFT 0,00 %');
  assert.equal(text(free(3, 1000000), 'es-AR', 'ARS'), '3 cuotas de $ 3.333,33 — CFT 0,00 %', 'interest-free: CFT 0 when not given');
  const interest = { count: 6, amount: 195000, total: 1170000, rate: 60, tea: 79.59, cft: 98.84, free: false };
  assert.equal(text(interest, 'es-AR', 'ARS'), '6 cuotas de $ 1.950,00 — Total $ 11.700,00 — TEA 79,59 % — CFT 98,84 %');
  const { cft, ...withoutCft } = interest;
  assert.equal(text(withoutCft, 'es-AR', 'ARS'), '6 cuotas de $ 1.950,00 — Total $ 11.700,00 — TEA 79,59 %');
  assert.equal(text(free(1, 1000000), 'es-AR', 'ARS'), '1 pago de $ 10.000,00');
});

test('pt-BR: "3x de R$ 33,33 sem juros", with interest "com juros" and the total', () => {
  assert.equal(text(free(3, 10000), 'pt-BR', 'BRL'), '3x de R$ 33,33 sem juros');
  assert.equal(text(free(1, 10000), 'pt-BR', 'BRL'), 'À vista: R$ 100,00');
  const interest = { count: 6, amount: 1950, total: 11700, rate: 60, tea: 79.59, cft: 98.84, free: false };
  assert.equal(text(interest, 'pt-BR', 'BRL'), '6x de R$ 19,50 com juros — Total R$ 117,00 — CET 98,84 %');
  const { cft, ...withoutCet } = interest;
  assert.equal(text(withoutCet, 'pt-BR', 'BRL'), '6x de R$ 19,50 com juros — Total R$ 117,00 — taxa efetiva anual 79,59 %', 'never no rate at all');
});

test('a region without its own words takes its language\'s; another language, Spanish', () => {
  assert.match(text(free(3, 30000), 'es-UY', 'UYU'), /^3 cuotas sin interés de \$ 100,00$/);
  assert.match(text(free(3, 30000), 'es-PE', 'PEN'), /^3 cuotas sin interés de S\/ ?100\.00$/);
  assert.equal(text(free(3, 30000), 'en-US', 'USD'), '3 interest-free installments of $100.00');
  assert.equal(text(free(1, 30000), 'en-US', 'USD'), 'Pay in full: $300.00');
  const interest = { count: 12, amount: 3000, total: 36000, rate: 20, tea: 21.94, free: false };
  assert.equal(text(interest, 'en-US', 'USD'), '12 installments of $30.00 — Total $360.00 — effective annual rate 21.94%');
  assert.equal(text(free(3, 30000), 'pt', 'BRL'), '3x de R$ 100,00 sem juros');
  assert.equal(text(free(3, 30000), 'fr-FR', 'EUR'), '3 cuotas sin interés de 100,00 €');
  assert.equal(text(free(3, 300), 'es-CL', 'CLP'), '3 cuotas sin interés de $100', 'a currency without decimals');
});

test('the choice: paying in full first, then the offers the chosen card may take, fewest first', () => {
  const offers = [free(6, 10000), free(1, 10000), free(3, 10000), free(12, 10000)];
  assert.deepEqual(installmentChoices(offers, '1 3 6 12', 10000).map((o) => o.count), [1, 3, 6, 12]);
  assert.deepEqual(installmentChoices(offers, '1 3', 10000).map((o) => o.count), [1, 3], 'a saved card\'s brand or list');
  assert.deepEqual(installmentChoices(offers, '', 10000).map((o) => o.count), [1]);
  const noOne = installmentChoices([free(3, 10000)], '3', 10000);
  assert.deepEqual(noOne[0], { count: 1, amount: 10000, total: 10000, rate: 0, tea: 0, free: true }, 'paying in full is always offered');
  assert.deepEqual(noOne.map((o) => o.count), [1, 3]);
});
