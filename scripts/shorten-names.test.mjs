// scripts/shorten-names.mjs rewrites wasm-bindgen's output by its shape (the import object's keys,
// `wasm.<export>` calls). A wasm-bindgen upgrade that changes that shape must fail here, not ship
// a package whose glue no longer matches its wasm. Runs after `scripts/build.sh` (it needs the
// release wasm in target/ and wasm-bindgen on the PATH).
import { test } from 'node:test';
import { withFreshGlue } from './fresh-glue.mjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = new URL('..', import.meta.url).pathname;

test('the shortened glue still links and instantiates its shortened wasm', async () => {
  await withFreshGlue(async (dir) => {
    const glue = join(dir, 'p.js');
    const wasmFile = join(dir, 'p_bg.wasm');
    const before = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmFile)));
    execFileSync('node', [join(ROOT, 'scripts/shorten-names.mjs'), glue, wasmFile]);
    const module = new WebAssembly.Module(readFileSync(wasmFile));
    const imports = WebAssembly.Module.imports(module);
    assert.equal(imports.length, before.length, 'no import lost');
    assert.ok(imports.every((i) => i.module === 'w' && i.name.length <= 3), 'every import renamed');
    assert.ok(WebAssembly.Module.exports(module).every((e) => e.name === 'memory' || e.name.length <= 3), 'every export renamed');
    // Linking is the proof: an import the glue no longer provides under its new name is a LinkError.
    const { initSync } = await import(pathToFileURL(glue).href);
    const exports = initSync({ module });
    assert.ok(exports.memory instanceof WebAssembly.Memory);
  });
});

test('the built package carries the short names (each provider\'s wasm)', () => {
  for (const provider of ['bamboo', 'conekta', 'kr']) {
    const module = new WebAssembly.Module(readFileSync(join(ROOT, `pkg/pasarela_${provider}_bg.wasm`)));
    assert.ok(WebAssembly.Module.imports(module).every((i) => i.module === 'w'));
  }
});
