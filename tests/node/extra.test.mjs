// How the part of the package loaded on demand shows a voucher (`voucherView` in
// js/pasarela_extra.mjs): which of its fields, in which order, a reference grouped in fours for
// the eye and read one character at a time for the ear, a link that is safe to follow, the amount
// in minor units with the currency's own digits. Runs against the built pkg/ (importing it in Node
// draws nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { voucherView } from '../../pkg/pasarela_extra.mjs';

const OXXO = {
  kind: 'cash', provider: 'conekta', amount: 20000, currency: 'MXN', expiresAt: '2026-12-10T23:59:00Z',
  reference: '93000262276908', barcodeUrl: 'https://s3.example/b.png', instructionsUrl: 'https://x.example/i',
};
const SPEI = {
  kind: 'bank_transfer', provider: 'bamboo', amount: 150050, currency: 'MXN', clabe: '646180111812345678',
  bank: 'STP', accountHolder: 'Pasarela SA', reference: '1234567', expiresAt: '2026-12-10T23:59:00Z',
};
const keys = (rows) => rows.map((r) => r[0]);

test('cash: what to pay, the reference and its barcode, until when, the printable page', () => {
  const rows = voucherView(OXXO, 'es-MX');
  assert.deepEqual(keys(rows), ['amount', 'reference', 'barcodeUrl', 'expiresAt', 'instructionsUrl']);
  assert.deepEqual(rows[0], ['amount', '$200.00']);
  assert.deepEqual(rows[1], ['reference', '9300 0262 2769 08', '9 3 0 0, 0 2 6 2, 2 7 6 9, 0 8']);
});

test('a transfer: the CLABE grouped, the bank, the holder, the reference, until when; no barcode', () => {
  const rows = voucherView({ ...SPEI, barcodeUrl: 'https://x.example/b.png' }, 'pt-BR');
  assert.deepEqual(keys(rows), ['amount', 'clabe', 'bank', 'accountHolder', 'reference', 'expiresAt']);
  assert.deepEqual(rows[1], ['clabe', '6461 8011 1812 3456 78', '6 4 6 1, 8 0 1 1, 1 8 1 2, 3 4 5 6, 7 8']);
  assert.deepEqual(rows[4], ['reference', '1234 567', '1 2 3 4, 5 6 7']);
  assert.equal(rows[0][1].replace(/\s/g, ' '), 'MX$ 1.500,50');
});

test("the amount follows the currency's digits", () => {
  assert.equal(voucherView({ ...OXXO, currency: 'CLP', amount: 5000 }, 'es-CL')[0][1], '$5.000');
  assert.equal(voucherView({ ...OXXO, currency: 'KWD', amount: 1234 }, 'en-US')[0][1].replace(/\s/g, ' '), 'KWD 1.234');
  assert.equal(voucherView({ ...OXXO, currency: 'USD', amount: 123456 }, 'en-US')[0][1], '$1,234.56');
});

test('absent fields are left out; whitespace the merchant sent is not grouped; characters, not bytes', () => {
  const rows = voucherView({ kind: 'cash', amount: 100, currency: 'MXN', reference: ' 9300 02\t62 ' }, 'es-MX');
  assert.deepEqual(keys(rows), ['amount', 'reference']);
  assert.equal(rows[1][1], '9300 0262');
  assert.equal(voucherView({ kind: 'cash', amount: 100, currency: 'MXN', reference: 'ÑA12É' }, 'es')[1][1], 'ÑA12 É');
});

test('a link that is not http(s) or a path on this site is not shown', () => {
  for (const bad of ['javascript:alert(1)', 'data:image/png;base64,x', '//evil.example/b.png', 'ftp://x/b']) {
    const rows = voucherView({ ...OXXO, barcodeUrl: bad, instructionsUrl: bad }, 'es-MX');
    assert.deepEqual(keys(rows), ['amount', 'reference', 'expiresAt'], bad);
  }
  assert.ok(keys(voucherView({ ...OXXO, barcodeUrl: '/vouchers/1.png' }, 'es-MX')).includes('barcodeUrl'));
});

test('nothing to show without something to pay with, a known kind, or a readable amount', () => {
  assert.equal(voucherView({ ...OXXO, reference: undefined }, 'es'), null);
  assert.equal(voucherView({ ...OXXO, kind: 'card' }, 'es'), null);
  assert.equal(voucherView({ ...OXXO, amount: 10.5 }, 'es'), null);
  assert.equal(voucherView({ ...OXXO, currency: 'nope' }, 'es'), null);
  assert.equal(voucherView(null, 'es'), null);
});
