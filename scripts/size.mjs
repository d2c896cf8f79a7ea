// Prints raw and gzip -9 bytes of every file a page loads from pkg/ (wasm, JS and CSS), and, for
// each way a page uses the package and each provider (a page loads its provider's wasm and glue
// only), two totals: "up front", what the page loads before the provider's form is usable
// (against 64 KiB), and "total", everything the page can load, with the part fetched on demand
// after `ready` (the voucher view and the in-page authentication dialog, and their stylesheet;
// against 80 KiB). `--strict` exits 1 when any page is over either budget.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// The issue's measure is `gzip -9`: the gzip command when there is one (Debian has it), else
// zlib at level 9 (about 1.5 KB more on the wasm: a different deflate implementation).
const gzip9 = (path, bytes) => {
  try {
    return execFileSync('gzip', ['-9', '-c', '-n', path], { maxBuffer: 1 << 26 }).length;
  } catch {
    return gzipSync(bytes, { level: 9 }).length;
  }
};

const BUDGET = 64 * 1024;
const TOTAL_BUDGET = 80 * 1024;
/** What a page fetches on demand, after `ready` (js/pasarela.mjs, `extra`). */
const ON_DEMAND = ['pasarela_extra.mjs', 'pasarela_extra.css'];
const STRETCH = 45 * 1024;
const PROVIDERS = ['bamboo', 'conekta', 'kr'];
/** What each kind of page loads: every page the entry, its provider's glue and wasm, the stylesheet. */
const KINDS = {
  'bundled app': [],
  'React app': ['react.mjs'],
  'script tag': ['pasarela.js'],
};
const PAGES = Object.fromEntries(Object.entries(KINDS).flatMap(([kind, extra]) => PROVIDERS.map((p) =>
  [`${kind}, ${p}`, ['pasarela.mjs', `pasarela_${p}.js`, `pasarela_${p}_bg.wasm`, 'pasarela.css', ...extra]])));

const dir = new URL('../pkg/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.(wasm|m?js|css)$/.test(f)).sort();
const gz = new Map();
let rawAll = 0, gzAll = 0;
console.log('file'.padEnd(46), 'raw'.padStart(9), 'gzip -9'.padStart(9));
for (const f of files) {
  const path = new URL(f, dir);
  const b = readFileSync(path);
  const g = gzip9(path.pathname, b);
  gz.set(f, g);
  rawAll += b.length; gzAll += g;
  console.log(f.padEnd(46), String(b.length).padStart(9), String(g).padStart(9));
}
console.log('all files'.padEnd(46), String(rawAll).padStart(9), String(gzAll).padStart(9), '(no page loads all)');
let over = false, largest = 0, largestTotal = 0;
const sum = (files) => files.reduce((n, f) => n + gz.get(f), 0);
console.log('page'.padEnd(40), 'up front'.padStart(9), 'total'.padStart(9));
for (const [page, needs] of Object.entries(PAGES)) {
  const missing = [...needs, ...ON_DEMAND].filter((f) => !gz.has(f));
  if (missing.length) throw new Error(`size: pkg/ lacks ${missing.join(', ')} (npm run build)`);
  const upFront = sum(needs);
  const total = upFront + sum(ON_DEMAND);
  const verdict = upFront > BUDGET ? 'UP FRONT OVER BUDGET'
    : total > TOTAL_BUDGET ? 'TOTAL OVER BUDGET'
    : upFront <= STRETCH ? 'within stretch' : 'within budget';
  over ||= upFront > BUDGET || total > TOTAL_BUDGET;
  largest = Math.max(largest, upFront);
  largestTotal = Math.max(largestTotal, total);
  console.log(`page: ${page}`.padEnd(40), String(upFront).padStart(9), String(total).padStart(9), verdict);
}
console.log(`largest page: up front ${largest} B (budget ${BUDGET} B, stretch ${STRETCH} B), total ${largestTotal} B (budget ${TOTAL_BUDGET} B)`);

// Panic sites in Pasarela's own code, found by the source file a panic location names. Each
// costs its message, its location and the call (README, "Size and speed": `expect`s and
// divisions by values not known to be non-zero, 0.2 KB gzip in all). Expected are only those the
// compiler adds itself: an `async fn` polled after completion, RefCell borrows (src/cell.rs). A
// new one fails --strict: `unwrap_throw`, `NonZero*` divisors or a fallback say the same thing.
const EXPECTED_PANICS = ['src/cell.rs', 'src/checkout/attempt.rs', 'src/checkout/mod.rs', 'src/checkout/saved_cards.rs',
  'src/merchant_client.rs', 'src/providers/kr.rs', 'src/web/script.rs', 'src/web/time.rs'];
const ownSources = (d) => readdirSync(new URL(`../${d}/`, import.meta.url), { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? ownSources(`${d}/${e.name}`) : e.name.endsWith('.rs') ? [`${d}/${e.name}`] : []));
const sources = ownSources('src');
let unexpected = [];
for (const p of PROVIDERS) {
  const wasm = readFileSync(new URL(`pasarela_${p}_bg.wasm`, dir));
  // A dependency's path ends the same way (`gloo-net-0.7.0/src/error.rs`): ours has no `/` before it.
  const named = sources.filter((f) => {
    for (let at = wasm.indexOf(f); at >= 0; at = wasm.indexOf(f, at + 1)) if (wasm[at - 1] !== 0x2f) return true;
    return false;
  });
  const extra = named.filter((f) => !EXPECTED_PANICS.includes(f));
  unexpected = unexpected.concat(extra.map((f) => `${p}: ${f}`));
  console.log(`panic locations of ours in ${p}'s wasm: ${named.length} files${extra.length ? ` (unexpected: ${extra.join(', ')})` : ''}`);
}
if (process.argv.includes('--strict') && (over || unexpected.length)) process.exit(1);
