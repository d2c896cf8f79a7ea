// scripts/build.sh tells wasm-opt that the low 1 KiB of memory is unused (`--low-memory-unused`)
// after scripts/low-memory.mjs has checked it of the linked wasm. The check must pass on a fresh
// build and refuse a layout that uses low memory. Runs after `scripts/build.sh` (it needs the
// release wasm in target/ and wasm-bindgen).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFreshGlue } from './fresh-glue.mjs';
import { LOW_MEMORY, lowMemoryProblem } from './low-memory.mjs';

const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const sleb = (n) => { const out = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b]; out.push(b | 0x80); } };
const section = (id, body) => [id, ...leb(body.length), ...body];
/** A module with one memory, a first global (mutable i32 = `stack`) and one active data segment at `data`. */
function module(stack, data, { mutable = 1 } = {}) {
  const bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(5, [1, 0, 17]),
    ...section(6, [1, 0x7f, mutable, 0x41, ...sleb(stack), 0x0b]),
    ...section(11, [1, 0, 0x41, ...sleb(data), 0x0b, 2, 0x68, 0x69])];
  const wasm = Uint8Array.from(bytes);
  new WebAssembly.Module(wasm); // a valid module, or the test is wrong
  return wasm;
}

test("rustc's layout for the wasm leaves the low 1 KiB unused", async () => {
  await withFreshGlue((dir) => assert.equal(lowMemoryProblem(readFileSync(join(dir, 'p_bg.wasm'))), null));
});

test('the layout the stack-first link gives passes', () => {
  assert.equal(lowMemoryProblem(module(1 << 20, (1 << 20) + 16)), null);
  assert.equal(lowMemoryProblem(module(1 << 20, LOW_MEMORY)), null, 'data from 1024 on');
});

test('data or a stack start in low memory is refused', () => {
  assert.match(lowMemoryProblem(module(1 << 20, 0)), /data segment is at 0/);
  assert.match(lowMemoryProblem(module(1 << 20, LOW_MEMORY - 1)), /data segment is at 1023/);
  assert.match(lowMemoryProblem(module(512, 1 << 20)), /stack starts at 512/);
  assert.match(lowMemoryProblem(module(1 << 20, 1 << 20, { mutable: 0 })), /not a mutable i32/);
});
