// Emulated Lyra KR (placeholder until issue 3 lands the krypton-client emulator and API).
export function createKr() {
  return { handle: async () => false, reset() {}, state: () => ({}), setOrigin() {} };
}
