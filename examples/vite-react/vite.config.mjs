// Vite's React plugin; nothing Pasarela-specific: Vite emits the `.wasm` the package finds with
// `new URL('./pasarela_<provider>_bg.wasm', import.meta.url)` (one per provider).
import react from '@vitejs/plugin-react';

export default { base: './', plugins: [react()], build: { target: 'es2022', outDir: 'dist', emptyOutDir: true }, logLevel: 'warn' };
