#!/usr/bin/env bash
# Where the wasm's bytes go, by crate, after the same optimisation as `npm run build` but with the
# name section kept. Needs twiggy (`cargo install twiggy`); run `npm run build` first.
#   scripts/size-breakdown.sh          bytes per crate (post-opt, raw)
#   scripts/size-breakdown.sh top 40   the 40 largest functions and data segments
set -euo pipefail
cd "$(dirname "$0")/.."
command -v twiggy >/dev/null || { echo "size-breakdown: needs twiggy (cargo install twiggy)" >&2; exit 2; }
out=target/size-breakdown
mkdir -p "$out"
wasm-bindgen target/wasm32-unknown-unknown/release/pasarela.wasm --out-dir "$out" --out-name p \
  --target web --no-typescript --keep-debug
node_modules/.bin/wasm-opt --merge-similar-functions --flatten --rereloop -Oz --flatten --rereloop -Oz -Oz -g --converge --low-memory-unused --one-caller-inline-max-function-size=20 --reorder-functions-by-name --enable-reference-types --enable-bulk-memory \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue \
  "$out/p_bg.wasm" -o "$out/named.wasm"
if [ "${1:-}" = top ]; then
  twiggy top -n "${2:-40}" "$out/named.wasm"
  exit
fi
twiggy top -n 1000000 -f csv "$out/named.wasm" > "$out/top.csv"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").slice(1);
const by = new Map();
for (const line of rows) {
  const m = line.match(/^"?(.*?)"?,(\d+),/);
  if (!m || /function names|name section/.test(m[1])) continue;
  // wasm-bindgen names export shims after the export; they inline much of the code they call.
  const crate = /^wasmcheckout_/.test(m[1]) ? "pasarela (export shims)"
    : (m[1].match(/([a-z_][a-z_0-9]*)(?:\[[0-9a-f]+\])?::/) || [, m[1].startsWith("data segment") ? "(data)" : "(other)"])[1];
  by.set(crate, (by.get(crate) || 0) + Number(m[2]));
}
const total = [...by.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(String(v).padStart(8), (100 * v / total).toFixed(1).padStart(5) + "%", k);
console.log(String(total).padStart(8), "  total (raw, with the name section excluded)");
' "$out/top.csv"
