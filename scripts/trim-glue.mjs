// Trims wasm-bindgen's JS glue of code only panic messages use.
//
// `debugString` (about 60 lines) renders a JS value for `JsValue`'s `Debug` impl. In Pasarela's
// wasm that impl is reached only from panic messages (`Result::unwrap` on a DOM call inside
// tachys), and a panic's message is never read: the hook in `src/boundary.rs` reports every panic
// as the same `internal` error. So the function becomes `String(val)`: 0.35 KB of the gzipped
// package (README, "Size and speed"). `scripts/trim-glue.test.mjs` fails if the glue stops
// having exactly one such function, so a wasm-bindgen upgrade cannot silently undo or break it.
//
// Usage: node scripts/trim-glue.mjs glue.js   (rewritten in place)
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file] = process.argv.slice(2);
  writeFileSync(file, trimGlue(readFileSync(file, 'utf8')));
}
