// scripts/trim-glue.mjs replaces wasm-bindgen's `debugString` by its shape. A wasm-bindgen
// upgrade that renames, duplicates or drops it must fail here, and the trimmed glue must still
// link. Runs after `scripts/build.sh` (it needs the release wasm in target/ and wasm-bindgen).
import { test } from 'node:test';
import { withFreshGlue } from './fresh-glue.mjs';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dropSplitSection, REPLACEMENTS, replacePieces, trimGlue } from './trim-glue.mjs';

const ROOT = new URL('..', import.meta.url).pathname;

test("wasm-bindgen's glue has exactly one debugString, and the trimmed glue links", async () => {
  await withFreshGlue(async (dir) => {
    const file = join(dir, 'p.js');
    const glue = readFileSync(file, 'utf8');
    const trimmed = replacePieces(trimGlue(glue));
    assert.ok(trimmed.length < glue.length - 1000, 'the function body is gone');
    assert.match(trimmed, /function debugString\(val\) \{\n {4}return String\(val\);\n\}/);
    assert.doesNotMatch(trimmed, /deprecated parameters for `initSync/);
    for (const { what, from } of REPLACEMENTS) assert.ok(!trimmed.includes(from), what);
    assert.doesNotMatch(trimmed, /typeof FinalizationRegistry|'encodeInto' in|realloc === undefined/);
    writeFileSync(file, trimmed);
    const wasm = readFileSync(join(dir, 'p_bg.wasm'));
    const module = new WebAssembly.Module(dropSplitSection(wasm));
    assert.deepEqual(WebAssembly.Module.customSections(module, '__wasm_split_unstable'), []);
    const { initSync } = await import(pathToFileURL(file).href);
    const exports = initSync({ module });
    assert.ok(exports.memory instanceof WebAssembly.Memory);
  });
});

test('the built package is trimmed (each provider\'s wasm and glue)', () => {
  for (const provider of ['bamboo', 'conekta', 'kr']) {
    const module = new WebAssembly.Module(readFileSync(join(ROOT, `pkg/pasarela_${provider}_bg.wasm`)));
    assert.deepEqual(WebAssembly.Module.customSections(module, '__wasm_split_unstable'), []);
    const glue = readFileSync(join(ROOT, `pkg/pasarela_${provider}.js`), 'utf8');
    assert.doesNotMatch(glue, /deprecated parameters|typeof FinalizationRegistry|"encodeInto"in/);
  }
});

test('a replaced piece found more or less often than expected is refused', () => {
  const { from } = REPLACEMENTS[0];
  assert.throws(() => replacePieces(''), /found 0/);
  assert.throws(() => replacePieces(from + from), /found 2/);
});

test('two or no debugString is refused, not half-trimmed', () => {
  const one = 'function debugString(val) {\n    return 1;\n}\n';
  assert.throws(() => trimGlue(one + one), /found 2/);
  assert.throws(() => trimGlue('function other() {}\n'), /found 0/);
});
