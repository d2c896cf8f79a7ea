// The emulator's kr-hash check against Lyra's public conformance vector (no browser needed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { krHash, krHashValid } from '../../www/sandbox/kr.mjs';

const v = JSON.parse(readFileSync(new URL('../fixtures/lyra-vectors.json', import.meta.url)));

describe('kr-hash', () => {
  it('reproduces the hash Lyra published for its demo HMAC key', () => {
    assert.equal(krHash(v.browserAnswer.rawClientAnswer, 'sha256_hmac'), v.browserAnswer.hash);
    assert.equal(krHashValid(v.browserAnswer), true);
  });
  it('refuses a one-character change, a wrong key kind and a wrong algorithm', () => {
    const a = v.browserAnswer;
    assert.equal(krHashValid({ ...a, rawClientAnswer: a.rawClientAnswer.replace('"amount":250', '"amount":251') }), false);
    assert.equal(krHashValid({ ...a, hashKey: 'password' }), false);
    assert.equal(krHashValid({ ...a, hashAlgorithm: 'sha1' }), false);
    assert.equal(krHashValid({ ...a, hash: a.hash.toUpperCase().replace(/./, '0') }), false);
  });
});
