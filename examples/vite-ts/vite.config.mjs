// Nothing Pasarela-specific: Vite emits the `.wasm` the package finds with
// `new URL('./pasarela_<provider>_bg.wasm', import.meta.url)` (one per provider). es2022 for top-level await.
export default { base: './', build: { target: 'es2022', outDir: 'dist', emptyOutDir: true }, logLevel: 'warn' };
