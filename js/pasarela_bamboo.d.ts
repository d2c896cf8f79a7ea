// Each provider's glue has the same shape (js/pasarela_wasm.d.ts).
export * from './pasarela_wasm';
