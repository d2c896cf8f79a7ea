// Prints raw and gzip -9 bytes of every file a page loads from pkg/ (wasm, JS and CSS), and the
// total against the 64 KiB budget. `--strict` exits 1 over budget.
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
const dir = new URL('../pkg/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.(wasm|m?js|css)$/.test(f)).sort();
let raw = 0, gz = 0;
console.log('file'.padEnd(28), 'raw'.padStart(9), 'gzip -9'.padStart(9));
for (const f of files) {
  const path = new URL(f, dir);
  const b = readFileSync(path);
  const g = gzip9(path.pathname, b);
  raw += b.length; gz += g;
  console.log(f.padEnd(28), String(b.length).padStart(9), String(g).padStart(9));
}
console.log('total'.padEnd(28), String(raw).padStart(9), String(gz).padStart(9));
const verdict = gz <= STRETCH ? 'within stretch' : gz <= BUDGET ? 'within budget' : 'OVER BUDGET';
console.log(`budget ${BUDGET} B (stretch ${STRETCH} B): ${verdict}`);
if (process.argv.includes('--strict') && gz > BUDGET) process.exit(1);
