// webpack 5 turns each `new URL('./pasarela_<provider>_bg.wasm', import.meta.url)` into an asset by itself;
// `publicPath: 'auto'` finds it beside the bundle. Top-level await is on by default.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: './src/index.js',
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), filename: 'main.js', publicPath: 'auto', clean: true, module: true },
  experiments: { outputModule: true },
  stats: 'errors-warnings',
  performance: { hints: false },
};
