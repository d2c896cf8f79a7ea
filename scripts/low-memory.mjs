// Checks that a wasm leaves its first 1 KiB of memory unused, which `scripts/build.sh` tells
// wasm-opt (`--low-memory-unused`): it then folds a constant added to an address into the load's
// or store's offset, which it may not do when the sum could wrap around into low memory (0.4 KB
// gzip on each provider's wasm; README, "Size and speed"). Binaryen's option says the program
// never reads or writes below 1024; Emscripten passes it for the same layout.
//
// Rust's wasm32-unknown-unknown link puts the stack first: `__stack_pointer` (lld's first global)
// starts at 1 MiB and grows down, the static data sits above it, and the heap (src/heap.rs) grows
// the memory past the end. Only a stack 1 MiB deep would reach the low 1 KiB. A linker or rustc
// change that placed data or the stack's start there must fail the build, not the page.
//
// Usage: node scripts/low-memory.mjs module.wasm   (exits 1, saying why, unless it holds)
import { readFileSync } from 'node:fs';

/** The low memory wasm-opt is told is unused (binaryen's `--low-memory-unused` bound). */
export const LOW_MEMORY = 1024;
/** The least room the stack must have above that bound before it reaches it. */
export const STACK_ROOM = 64 * 1024;

/** Why `wasm` may use its low 1 KiB of memory, or `null` when it leaves it unused. */
export function lowMemoryProblem(wasm) {
  let at = 8;
  const u32 = () => {
    let r = 0, shift = 0, b;
    do { b = wasm[at++]; r |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return r >>> 0;
  };
  /** An `i32.const N end` initialiser: N, or null for anything else (the layout is not plain). */
  const constInit = () => {
    if (wasm[at++] !== 0x41) return null;
    let r = 0, shift = 0, b;
    do { b = wasm[at++]; r |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    if (shift < 32 && b & 0x40) r |= -1 << shift;
    return wasm[at++] === 0x0b ? r : null;
  };
  let stack = null, segments = 0;
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = u32();
    const end = at + size;
    if (id === 6 && u32() > 0) {
      // The first global, lld's `__stack_pointer`: a mutable i32.
      const type = wasm[at++], mutable = wasm[at++];
      if (type !== 0x7f || mutable !== 1) return 'its first global is not a mutable i32 (the stack pointer)';
      stack = constInit();
      if (stack === null || stack < LOW_MEMORY + STACK_ROOM) return `its stack starts at ${stack}, under ${LOW_MEMORY + STACK_ROOM}`;
    } else if (id === 11) {
      for (let n = u32(); n > 0; n--, segments++) {
        const flags = u32();
        if (flags === 1) { at += u32(); continue; } // passive: copied where the code says
        if (flags === 2) u32(); // an explicit memory index
        const offset = constInit();
        if (offset === null || offset < LOW_MEMORY) return `a data segment is at ${offset}, under ${LOW_MEMORY}`;
        at += u32();
      }
    }
    at = end;
  }
  if (stack === null) return 'it has no stack pointer';
  if (segments === 0) return 'it has no data section';
  return null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file] = process.argv.slice(2);
  const problem = lowMemoryProblem(readFileSync(file));
  if (problem) {
    console.error(`low-memory: ${file} may use its low ${LOW_MEMORY} bytes (${problem}): wasm-opt's --low-memory-unused would be wrong`);
    process.exit(1);
  }
}
