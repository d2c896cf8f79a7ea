// Trims wasm-bindgen's JS glue, and the wasm, of what Pasarela's package never runs or reads.
//
// - `debugString` (about 60 lines) renders a JS value for `JsValue`'s `Debug` impl. In Pasarela's
//   wasm that impl is reached only from panic messages (`Result::unwrap` on a DOM call inside
//   tachys), and a panic's message is never read: the hook in `src/boundary.rs` reports every
//   panic as the same `internal` error. It becomes `String(val)`: 0.25 KB of the gzipped package.
// - `initSync`'s handling of other call forms (bytes, a bare module, the deprecated positional
//   call and its warning): the JS entry always passes `{ module }` with a compiled module.
// - fallbacks for what every browser Pasarela supports has (README, "Browser support"):
//   `FinalizationRegistry` (Chrome 84, Firefox 79, Safari 14.1) and `TextEncoder#encodeInto`
//   (Chrome 74, Firefox 66, Safari 14.1); and `passStringToWasm0`'s branch for a missing
//   `realloc`, which every call site of this glue passes. 0.1 KB of the gzipped package.
// - the wasm's `__wasm_split_unstable` custom section (no runtime reads custom sections).
// `scripts/trim-glue.test.mjs` fails unless each is found exactly once in a fresh build, so a
// wasm-bindgen or rustc upgrade cannot silently undo or break a trim (README, "Size and speed").
//
// Usage: node scripts/trim-glue.mjs glue.js     (rewritten in place)
//        node scripts/trim-glue.mjs module.wasm (rewritten in place)
import { readFileSync, writeFileSync } from 'node:fs';

/** The glue with `debugString`'s body replaced; throws unless there is exactly one. */
export function trimGlue(glue) {
  const head = /^function debugString\(val\) \{\n/gm;
  const found = [...glue.matchAll(head)];
  if (found.length !== 1) throw new Error(`trim-glue: expected one debugString, found ${found.length}`);
  const start = found[0].index;
  const end = glue.indexOf('\n}\n', start);
  if (end < 0) throw new Error('trim-glue: debugString has no end');
  return `${glue.slice(0, start)}function debugString(val) {\n    return String(val);${glue.slice(end)}`;
}

/** Exact pieces of wasm-bindgen's glue and what replaces each (see the list above). */
export const REPLACEMENTS = [
  {
    what: "initSync's other call forms",
    from: `    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for \`initSync()\`; pass a single object instead')
        }
    }

    const imports = __wbg_get_imports();
    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
`,
    to: `    module = module.module;
    const imports = __wbg_get_imports();
`,
  },
  {
    what: 'the FinalizationRegistry fallback',
    from: `(typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry`,
    to: 'new FinalizationRegistry',
    count: 2,
  },
  {
    what: 'the encodeInto fallback',
    from: `if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}
`,
    to: '',
  },
  {
    what: "passStringToWasm0's branch without realloc",
    from: `    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }
`,
    to: '',
  },
];

/** `trimGlue`'s second step: each of `REPLACEMENTS`, found exactly as often as it says or thrown. */
export function replacePieces(glue) {
  for (const { what, from, to, count = 1 } of REPLACEMENTS) {
    const n = glue.split(from).length - 1;
    if (n !== count) throw new Error(`trim-glue: expected ${what} ${count} time(s), found ${n}`);
    glue = glue.split(from).join(to);
  }
  return glue;
}

/** The wasm without its `__wasm_split_unstable` custom section; throws unless there is one. */
export function dropSplitSection(wasm) {
  const kept = [wasm.subarray(0, 8)];
  let found = 0;
  for (let at = 8; at < wasm.length;) {
    const start = at;
    const id = wasm[at++];
    let size = 0, shift = 0, b;
    do { b = wasm[at++]; size |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    const body = wasm.subarray(at, at + size);
    at += size;
    const isSplit = id === 0 && Buffer.from(body.subarray(1, 1 + body[0])).toString() === '__wasm_split_unstable';
    if (isSplit) found += 1;
    else kept.push(wasm.subarray(start, at));
  }
  if (found !== 1) throw new Error(`trim-glue: expected one __wasm_split_unstable section, found ${found}`);
  return Buffer.concat(kept);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file] = process.argv.slice(2);
  if (file.endsWith('.wasm')) writeFileSync(file, dropSplitSection(readFileSync(file)));
  else writeFileSync(file, replacePieces(trimGlue(readFileSync(file, 'utf8'))));
}
