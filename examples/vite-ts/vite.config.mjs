// Nothing Pasarela-specific: Vite emits the `.wasm` the package finds with
// `new URL('./pasarela_wasm_bg.wasm', import.meta.url)`. es2022 for top-level await.
export default { base: './', build: { target: 'es2022', outDir: 'dist', emptyOutDir: true }, logLevel: 'warn' };
