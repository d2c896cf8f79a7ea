// Emulated Conekta (placeholder until issue 3 lands the component emulator and API).
export function createConekta() {
  return { handle: async () => false, reset() {}, state: () => ({}), setOrigin() {} };
}
