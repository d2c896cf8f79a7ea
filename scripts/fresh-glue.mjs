// For the build-step tests: wasm-bindgen's untouched output for the release wasm, in a temporary
// directory (`p.js`, `p_bg.wasm`), handed to `use` and removed afterwards. Needs the release
// wasm in target/ (`scripts/build.sh`) and wasm-bindgen on the PATH.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

export async function withFreshGlue(use) {
  const dir = mkdtempSync(join(tmpdir(), 'glue-'));
  try {
    execFileSync('wasm-bindgen', [join(ROOT, 'target/wasm32-unknown-unknown/release/pasarela.wasm'), '--out-dir', dir,
      '--out-name', 'p', '--target', 'web', '--no-typescript']);
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
