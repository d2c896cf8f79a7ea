// The part of wasm-bindgen's generated glue (`pasarela_<provider>.js`, one per provider, made by scripts/build.sh and
// imported by pkg/pasarela.mjs on demand) that the entry uses: what `tsc` checks `pasarela.mjs` against
// (tests/types/tsconfig.js.json). Its Rust side is src/boundary.rs.
export function initSync(init: { module: WebAssembly.Module }): { memory: WebAssembly.Memory };
export class WasmCheckout {
  static create(options: unknown, container: Element | undefined, emit: (event: string, payload: unknown) => void): WasmCheckout;
  readonly host: HTMLElement;
  readonly state: import('./pasarela').CheckoutState;
  pay(options: unknown): Promise<import('./pasarela').PaymentResult>;
  setProfiles(profiles: unknown): void;
  enroll(options: unknown): Promise<import('./pasarela').CheckoutEvents['token']>;
  destroy(): void;
  free(): void;
}
