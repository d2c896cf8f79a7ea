// Prints raw and gzip -9 bytes of every file a page loads from pkg/ (wasm, JS and CSS), and, for
// each way a page uses the package and each provider (a page loads its provider's wasm and glue
// only), the total of the files that page loads against the 64 KiB budget. `--strict` exits 1
// when any page is over budget.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// The measure is `gzip -9`: the gzip command when there is one (Debian has it), else
// zlib at level 9 (about 1.5 KB more on the wasm: a different deflate implementation).
const gzip9 = (path, bytes) => {
  try {
    return execFileSync('gzip', ['-9', '-c', '-n', path], { maxBuffer: 1 << 26 }).length;
  } catch {
    return gzipSync(bytes, { level: 9 }).length;
  }
};

const BUDGET = 64 * 1024;
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
let over = false, largest = 0;
for (const [page, needs] of Object.entries(PAGES)) {
  const missing = needs.filter((f) => !gz.has(f));
  if (missing.length) throw new Error(`size: pkg/ lacks ${missing.join(', ')} (npm run build)`);
  const total = needs.reduce((n, f) => n + gz.get(f), 0);
  const verdict = total <= STRETCH ? 'within stretch' : total <= BUDGET ? 'within budget' : 'OVER BUDGET';
  over ||= total > BUDGET;
  largest = Math.max(largest, total);
  console.log(`page: ${page}`.padEnd(56), String(total).padStart(9), verdict);
}
console.log(`largest page ${largest} B; budget ${BUDGET} B per page (stretch ${STRETCH} B)`);
if (process.argv.includes('--strict') && over) process.exit(1);
