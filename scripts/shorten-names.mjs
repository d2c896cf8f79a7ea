// Gives the wasm's imports and exports short names, in the wasm and in wasm-bindgen's JS glue.
//
// wasm-bindgen names every import after the JS it calls plus a 16-hex-digit hash
// (`__wbg_setAttribute_e2b65e539071a669`) and every closure export after its Rust symbol. Each
// name is written twice (the wasm's import or export section and the glue's import object or
// `wasm.…` call), and the hashes are random, so gzip cannot squeeze them: ~190 names cost about
// 4 KB of the gzipped package. Here they become `a`, `b`, … `aB`. `memory` keeps its name (the JS
// entry reads it for the memory benchmark).
//
// Usage: node scripts/shorten-names.mjs glue.js module.wasm   (both rewritten in place)
import { readFileSync, writeFileSync } from 'node:fs';

const [glueFile, wasmFile] = process.argv.slice(2);
const wasm = readFileSync(wasmFile);
let glue = readFileSync(glueFile, 'utf8');

// --- wasm binary: just enough of the format to rewrite sections 2 (imports) and 7 (exports).
function reader(buf, at = 0) {
  return {
    at,
    u32() {
      let r = 0, shift = 0, b;
      do { b = buf[this.at++]; r |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
      return r >>> 0;
    },
    bytes(n) { const s = buf.subarray(this.at, this.at + n); this.at += n; return s; },
    name() { return Buffer.from(this.bytes(this.u32())).toString('utf8'); },
  };
}
const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return Buffer.from(out); };
const nameBytes = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([leb(b.length), b]); };

const RESERVED = new Set(['do', 'if', 'in']);
let counter = 0;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
function nextName() {
  for (;;) {
    let n = counter++, s = '';
    do { s = ALPHABET[n % 52] + s; n = Math.floor(n / 52) - 1; } while (n >= 0);
    if (!RESERVED.has(s)) return s;
  }
}

const renamedImports = new Map();
const renamedExports = new Map();
let importModule = null;
const out = [wasm.subarray(0, 8)];
const r = reader(wasm, 8);
while (r.at < wasm.length) {
  const id = wasm[r.at++];
  const size = r.u32();
  const body = r.bytes(size);
  if (id !== 2 && id !== 7) { out.push(Buffer.from([id]), leb(size), body); continue; }
  const s = reader(body);
  const count = s.u32();
  const parts = [leb(count)];
  for (let i = 0; i < count; i++) {
    if (id === 2) {
      const module = s.name();
      const field = s.name();
      const start = s.at;
      const kind = body[s.at++];
      // Skip the import's description: func (type idx), table (reftype + limits), memory
      // (limits), global (valtype + mut).
      if (kind === 0) s.u32();
      else if (kind === 1) { s.at++; const f = s.u32(); s.u32(); if (f & 1) s.u32(); }
      else if (kind === 2) { const f = s.u32(); s.u32(); if (f & 1) s.u32(); }
      else if (kind === 3) s.at += 2;
      else throw new Error(`shorten-names: unknown import kind ${kind}`);
      if (importModule !== null && importModule !== module) throw new Error('shorten-names: more than one import module');
      importModule = module;
      if (!renamedImports.has(field)) renamedImports.set(field, nextName());
      parts.push(nameBytes('w'), nameBytes(renamedImports.get(field)), body.subarray(start, s.at));
    } else {
      const field = s.name();
      const start = s.at;
      s.at++; s.u32(); // kind, index
      const short = field === 'memory' ? field : nextName();
      renamedExports.set(field, short);
      parts.push(nameBytes(short), body.subarray(start, s.at));
    }
  }
  const newBody = Buffer.concat(parts);
  out.push(Buffer.from([id]), leb(newBody.length), newBody);
}

// --- the glue: the import object's keys, its module key, and every `wasm.<export>`.
const escape = (s) => s.replace(/[$]/g, '\\$&');
const moduleKey = `"${importModule}"`;
if (!glue.includes(moduleKey)) throw new Error(`shorten-names: the glue has no import module ${moduleKey}`);
glue = glue.replace(`${moduleKey}:`, 'w:');
for (const [long, short] of renamedImports) {
  const re = new RegExp(`(^|[\\s,{])${escape(long)}(?=\\s*:)`, 'gm');
  const before = glue;
  glue = glue.replace(re, `$1${short}`);
  if (glue === before) throw new Error(`shorten-names: import ${long} not found in the glue`);
}
for (const [long, short] of renamedExports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(long)}\\b`, 'g'), `wasm.${short}`);
}
const leftover = [
  ...[...renamedImports.keys()].filter((long) => new RegExp(`(^|[\\s,{])${escape(long)}\\s*:`, 'm').test(glue)),
  ...[...renamedExports.keys()].filter((long) => long !== 'memory' && new RegExp(`wasm\\.${escape(long)}\\b`).test(glue)),
];
if (leftover.length) throw new Error(`shorten-names: still referenced by the long name: ${leftover.join(', ')}`);

writeFileSync(wasmFile, Buffer.concat(out));
writeFileSync(glueFile, glue);
console.log(`shorten-names: ${renamedImports.size} imports, ${renamedExports.size} exports renamed`);
