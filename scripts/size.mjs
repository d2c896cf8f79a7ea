// Prints raw and gzip -9 bytes of every file a page loads from pkg/, and the total against the
// budget. `--strict` exits 1 over budget.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 60 * 1024;
const STRETCH = 45 * 1024;
const dir = new URL('../pkg/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.(wasm|m?js)$/.test(f)).sort();
let raw = 0, gz = 0;
console.log('file'.padEnd(28), 'raw'.padStart(9), 'gzip -9'.padStart(9));
for (const f of files) {
  const b = readFileSync(new URL(f, dir));
  const g = gzipSync(b, { level: 9 }).length;
  raw += b.length; gz += g;
  console.log(f.padEnd(28), String(b.length).padStart(9), String(g).padStart(9));
}
console.log('total'.padEnd(28), String(raw).padStart(9), String(gz).padStart(9));
const verdict = gz <= STRETCH ? 'within stretch' : gz <= BUDGET ? 'within budget' : 'OVER BUDGET';
console.log(`budget ${BUDGET} B (stretch ${STRETCH} B): ${verdict}`);
if (process.argv.includes('--strict') && gz > BUDGET) process.exit(1);
