// The oldest browsers the package claims (README, "Browser support"), checked against what the
// built package uses: nothing newer than the claim without a fallback. Versions are MDN's
// browser-compat-data as the web-features explorer publishes it
// (https://web-platform-dx.github.io/web-features-explorer/).
//
//   wasm   validated by binaryen with only the features below enabled (any other proposal in the
//          module fails validation)
//   JS     each entry built by esbuild for the floor's targets must need no lowering
//   APIs   none of a list of newer APIs appears in the JS
//   CSS    a newer value (color-mix) always follows a plain fallback for the same property, and
//          focus styles that remove the outline sit inside :focus-visible (dropped whole by a
//          browser without it, which then keeps its own outline)
//
// Usage: node scripts/check-browser-floor.mjs   (after npm run build)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const pkg = (f) => join(ROOT, 'pkg', f);

/** The claim, and the feature that sets each browser's floor. */
export const FLOOR = { chrome: 96, edge: 96, firefox: 90, safari: 15.1 };
export const FEATURES = [
  ['wasm reference types (externref tables: wasm-bindgen)', { chrome: 96, edge: 96, firefox: 79, safari: 15.1 }],
  ['wasm bulk memory', { chrome: 75, edge: 79, firefox: 79, safari: 15 }],
  ['wasm multi-value', { chrome: 86, edge: 86, firefox: 78, safari: 13.1 }],
  ['wasm non-trapping float-to-int', { chrome: 75, edge: 79, firefox: 64, safari: 15 }],
  ['wasm sign-extension operators', { chrome: 74, edge: 79, firefox: 62, safari: 14.1 }],
  ['JS private class fields and methods (#x)', { chrome: 84, edge: 84, firefox: 90, safari: 15 }],
  ['WebAssembly.compileStreaming (a fallback compiles from bytes)', { chrome: 61, edge: 16, firefox: 58, safari: 15 }],
  ['FinalizationRegistry', { chrome: 84, edge: 84, firefox: 79, safari: 14.1 }],
  ['custom elements v1', { chrome: 67, edge: 79, firefox: 63, safari: 10.1 }],
];
const WASM_FEATURES = ['reference-types', 'bulk-memory', 'multivalue', 'nontrapping-float-to-int', 'sign-ext', 'mutable-globals'];
/** APIs newer than the floor somewhere, with where they arrived last. */
const NEWER_APIS = [
  [/\bstructuredClone\b/, 'structuredClone (Safari 15.4)'],
  [/\.at\(/, 'Array/String .at() (Safari 15.4)'],
  [/\bObject\.hasOwn\b/, 'Object.hasOwn (Safari 15.4)'],
  [/\bfindLast(Index)?\b/, 'findLast (Firefox 104)'],
  [/AbortSignal\.(timeout|any)\b/, 'AbortSignal.timeout/any (Safari 16)'],
  [/\bwithResolvers\b/, 'Promise.withResolvers (2024)'],
  [/\btoSorted|toReversed|toSpliced\b/, 'change-array-by-copy (2023)'],
  [/\bURL\.canParse\b/, 'URL.canParse (2023)'],
  [/\brequestIdleCallback\b/, 'requestIdleCallback (not in Safari)'],
  [/\bcrypto\.randomUUID\b/, 'crypto.randomUUID (Safari 15.4)'],
];
const TARGETS = Object.entries(FLOOR).map(([b, v]) => `${b}${v}`);

const problems = [];

const PROVIDERS = ['bamboo', 'conekta', 'kr'];

// 1. Each provider's wasm uses only the floor's proposals.
const flags = WASM_FEATURES.flatMap((f) => [`--enable-${f}`]);
for (const provider of PROVIDERS) {
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/wasm-opt'), [pkg(`pasarela_${provider}_bg.wasm`), '--mvp-features', ...flags, '-o', '/dev/null'], { stdio: 'pipe' });
  } catch (e) {
    problems.push(`${provider} wasm: uses a proposal beyond ${WASM_FEATURES.join(', ')}: ${String(e.stderr).slice(0, 300)}`);
  }
}

// 2. The JS needs no lowering for the floor, and calls none of the newer APIs.
const build = (file, target) => execFileSync(join(ROOT, 'node_modules/.bin/esbuild'),
  [pkg(file), `--target=${target}`, '--log-level=error', ...(file.endsWith('.mjs') ? ['--format=esm'] : [])], { encoding: 'utf8' });
for (const file of ['pasarela.mjs', 'pasarela.js', 'react.mjs', ...PROVIDERS.map((p) => `pasarela_${p}.js`)]) {
  const as = build(file, 'esnext');
  for (const target of TARGETS) {
    if (build(file, target) !== as) problems.push(`${file}: needs lowering for ${target} (syntax newer than the floor)`);
  }
  const text = readFileSync(pkg(file), 'utf8');
  for (const [re, what] of NEWER_APIS) if (re.test(text)) problems.push(`${file}: uses ${what}`);
}

// 3. CSS: newer values have fallbacks; no outline removed outside :focus-visible.
const css = readFileSync(pkg('pasarela.css'), 'utf8');
for (const [, selector, body] of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
  const decls = body.split(';').map((d) => d.trim()).filter(Boolean).map((d) => [d.slice(0, d.indexOf(':')).trim(), d]);
  decls.forEach(([prop, d], i) => {
    if (/color-mix\(/.test(d) && !decls.slice(0, i).some(([p, e]) => p === prop && !/color-mix\(/.test(e))) {
      problems.push(`css: "${selector.trim()}" uses color-mix for ${prop} with no plain fallback before it`);
    }
    if (prop === 'outline' && /^outline:\s*(none|0)\b/.test(d) && !selector.includes(':focus-visible')) {
      problems.push(`css: "${selector.trim()}" removes the outline outside :focus-visible`);
    }
  });
}

if (problems.length) {
  console.error(`browser floor (${TARGETS.join(', ')}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`browser floor ${TARGETS.join(', ')}: wasm features, JS syntax and APIs, CSS fallbacks checked`);
