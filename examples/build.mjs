// Builds the example storefronts against the built package, as a storefront's own build would
// after `npm install pasarela`: each example gets `node_modules/pasarela` (here a link to pkg/,
// as `npm install ../pkg` makes) and runs its bundler. The sandbox serves each `dist/` at
// `/examples/<name>/`; tests/e2e/examples.test.mjs pays through each.
//
// Usage: node examples/build.mjs [name ...]   (default: all)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const bin = (name) => join(ROOT, 'node_modules/.bin', name);
const pkg = join(ROOT, 'pkg');

const BUILDS = {
  'vite-ts': (dir) => {
    execFileSync(bin('tsc'), ['-p', dir], { stdio: 'inherit' });
    execFileSync(bin('vite'), ['build', dir, '--config', join(dir, 'vite.config.mjs')], { stdio: 'inherit' });
  },
  'vite-react': (dir) => {
    execFileSync(bin('vite'), ['build', dir, '--config', join(dir, 'vite.config.mjs')], { stdio: 'inherit' });
  },
  webpack: (dir) => {
    execFileSync(bin('webpack'), ['--config', join(dir, 'webpack.config.mjs')], { cwd: dir, stdio: 'inherit' });
    copyFileSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
    copyFileSync(join(pkg, 'pasarela.css'), join(dir, 'dist/pasarela.css'));
  },
  esbuild: (dir) => {
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    execFileSync(bin('esbuild'), [join(dir, 'src/main.ts'), '--bundle', '--format=esm', '--target=es2022',
      `--outdir=${join(dir, 'dist')}`, '--log-level=warning'], { stdio: 'inherit' });
    copyFileSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
    for (const p of ['bamboo', 'conekta', 'kr']) copyFileSync(join(pkg, `pasarela_${p}_bg.wasm`), join(dir, `dist/pasarela_${p}_bg.wasm`));
    // The on-demand part's stylesheet, found as the wasm is (`new URL(…, import.meta.url)`).
    copyFileSync(join(pkg, 'pasarela_extra.css'), join(dir, 'dist/pasarela_extra.css'));
  },
};

if (!existsSync(join(pkg, 'pasarela.mjs'))) throw new Error('examples: build pkg/ first (npm run build)');
for (const name of process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BUILDS)) {
  const dir = join(ROOT, 'examples', name);
  const modules = join(dir, 'node_modules');
  rmSync(modules, { recursive: true, force: true });
  mkdirSync(modules);
  symlinkSync(pkg, join(modules, 'pasarela'), 'dir');
  const start = Date.now();
  BUILDS[name](dir);
  console.log(`examples/${name}: built in ${Date.now() - start} ms`);
}
