// What a supervisor and an operator read from the merchant service: /health (alive), /ready (the
// database answers with this version's migrations), /metrics (Prometheus text, with the secret key).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { world, DATABASE } from './helpers.mjs';

describe(`merchant service operations (${DATABASE})`, () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.close(); });

  it('/health and /ready answer { ok: true } on a migrated database', async () => {
    for (const path of ['/health', '/ready']) {
      const r = await fetch(`${w.svc.url}${path}`);
      assert.equal(r.status, 200, path);
      assert.deepEqual(await r.json(), { ok: true }, path);
    }
  });
});
