// scripts/order-functions.mjs renames the functions of wasm-bindgen's output so that wasm-opt
// lays them out by signature and size. A fresh build must have the names it needs, the renamed
// module must still be the same module, and a module without names must fail the build. Runs
// after `scripts/build.sh` (it needs the release wasm in target/ and wasm-bindgen).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFreshGlue } from './fresh-glue.mjs';
import { orderFunctions } from './order-functions.mjs';

/** The function names of a module's name section, by index. */
function functionNames(wasm) {
  const module = new WebAssembly.Module(wasm);
  const [section] = WebAssembly.Module.customSections(module, 'name').map((s) => Buffer.from(s));
  const names = new Map();
  let at = 0;
  const u32 = (b) => { let r = 0, shift = 0, x; do { x = b[at++]; r |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80); return r >>> 0; };
  while (at < section.length) {
    const id = section[at++];
    const end = u32(section) + at;
    if (id === 1) {
      for (let n = u32(section); n > 0; n--) {
        const index = u32(section);
        const len = u32(section);
        names.set(index, section.subarray(at, at + len).toString());
        at += len;
      }
    }
    at = end;
  }
  return names;
}

/** Every section but the name section, as bytes. */
function otherSections(wasm) {
  const out = [];
  for (let at = 8; at < wasm.length;) {
    const start = at++;
    let size = 0, shift = 0, b;
    do { b = wasm[at++]; size |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    at += size;
    const s = wasm.subarray(start, at);
    if (!(s[0] === 0 && s.includes(Buffer.from('\x04name')))) out.push(s.toString('hex'));
  }
  return out;
}

test("wasm-bindgen's output is renamed by signature and size, and stays the same module", async () => {
  await withFreshGlue((dir) => {
    const wasm = readFileSync(join(dir, 'p_bg.wasm'));
    const before = functionNames(wasm);
    const ordered = orderFunctions(wasm);
    const after = functionNames(ordered);
    assert.ok(before.size > 100, 'rustc names the functions');
    assert.equal(after.size, before.size);
    let keyed = 0;
    for (const [index, name] of after) {
      const m = /^(\d{4})(\d{6})\|(.*)$/s.exec(name);
      if (m) keyed++;
      assert.equal(m ? m[3] : name, before.get(index), 'the name is kept after its key');
    }
    assert.ok(keyed > 100, 'every defined function gets a key');
    // Only the name section differs: the same imports and exports, and the same bytes up to it.
    const a = new WebAssembly.Module(wasm), b = new WebAssembly.Module(ordered);
    assert.deepEqual(WebAssembly.Module.exports(b), WebAssembly.Module.exports(a));
    assert.deepEqual(WebAssembly.Module.imports(b), WebAssembly.Module.imports(a));
    assert.deepEqual(otherSections(ordered), otherSections(wasm));
  });
});

test('a module without function names is refused', () => {
  // (module (func)) : type, function and code sections, no name section.
  const bare = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0b]);
  new WebAssembly.Module(bare);
  assert.throws(() => orderFunctions(Buffer.from(bare)), /names no function/);
});

test('the key orders by type, then by body size', () => {
  // Two types; three functions: f0 (type 1, 3 bytes), f1 (type 0, 4 bytes), f2 (type 0, 3 bytes),
  // named a, b, c.
  const name = (s) => [s.length, ...Buffer.from(s)];
  const map = [3, 0, ...name('a'), 1, ...name('b'), 2, ...name('c')];
  const names = [1, map.length, ...map];
  const nameSection = [...name('name'), ...names];
  const bytes = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    1, 8, 2, 0x60, 0, 0, 0x60, 1, 0x7f, 0,
    3, 4, 3, 1, 0, 0,
    10, 11, 3, 2, 0, 0x0b, 3, 0, 0x01, 0x0b, 2, 0, 0x0b,
    0, nameSection.length, ...nameSection]);
  const ordered = orderFunctions(Buffer.from(bytes));
  const got = functionNames(ordered);
  assert.deepEqual([...got.values()], ['0001000002|a', '0000000003|b', '0000000002|c']);
  assert.deepEqual([...got.values()].sort().map((n) => n.at(-1)), ['c', 'b', 'a']);
});
