// Removes wasm exports nothing calls, so wasm-opt can drop the code behind them.
//
// leptos depends on server_fn with its "browser" feature unconditionally, and that brings
// wasm-streams, whose `#[wasm_bindgen]` classes (IntoUnderlyingSource, …Sink, …ByteSource) are
// exported from every Leptos wasm. Pasarela never streams a body, and the bundled JS entry does
// not reference those classes, so their exports (and wasm_split's marker) go before optimising.
// Usage: node scripts/strip-exports.mjs file.wasm
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';

const UNUSED = /^(__wbg_)?intounderlying|^_WASM_SPLIT_MARKER_/;
const file = process.argv[2];
const module = binaryen.readBinary(readFileSync(file));
// The features rustc enables for wasm32-unknown-unknown (as build.sh gives wasm-opt): with
// `All`, binaryen writes types (exact heap types) that browsers refuse.
const F = binaryen.Features;
module.setFeatures(F.MVP | F.ReferenceTypes | F.BulkMemory | F.NontrappingFPToInt | F.SignExt | F.MutableGlobals | F.Multivalue);
const names = [];
for (let i = 0; i < module.getNumExports(); i++) names.push(binaryen.getExportInfo(module.getExportByIndex(i)).name);
const gone = names.filter((n) => UNUSED.test(n));
for (const n of gone) module.removeExport(n);
binaryen.setDebugInfo(true); // keep a name section if there is one (wasm-opt strips it later)
writeFileSync(file, module.emitBinary());
console.log(`strip-exports: removed ${gone.length} unused exports`);
