#!/usr/bin/env bash
# Builds pkg/ from scratch: per provider, release wasm → wasm-bindgen (web target) → wasm-opt -Oz;
# then the entry files.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
start=$(date +%s)

# Panic locations keep file paths; shorten them (smaller wasm, and no build machine's paths in it).
remaps="--remap-path-prefix=$HOME/.rustup= --remap-path-prefix=$PWD=pasarela"
for registry in "$HOME"/.cargo/registry/src/*/; do remaps="$remaps --remap-path-prefix=${registry%/}="; done
export RUSTFLAGS="${RUSTFLAGS:-} $remaps"
rm -rf pkg && mkdir pkg
# One wasm per provider, each with only its own adapter (Cargo features): a page loads the one of
# its provider (js/pasarela.mjs), 4–6 KB gzip less than one wasm with all three (README, "Size
# and speed"). Only this crate is rebuilt per feature; its dependencies are compiled once.
for provider in bamboo conekta kr; do
  cargo build --release --target wasm32-unknown-unknown --lib --no-default-features --features "$provider"
  glue=pkg/pasarela_$provider.js wasm=pkg/pasarela_${provider}_bg.wasm
  wasm-bindgen target/wasm32-unknown-unknown/release/pasarela.wasm --out-dir pkg --out-name "pasarela_$provider" --target web --no-typescript
  node scripts/shorten-names.mjs "$glue" "$wasm"
  node scripts/trim-glue.mjs "$glue"
  # binaryen from npm (pinned in package.json), not Debian's 108: 108 points wasm-bindgen's
  # exported externref table at the function table (the page then fails at start with a
  # Table.set TypeError), and optimising before wasm-bindgen instead can break wasm-bindgen's
  # closure table. The features are those rustc enables by default for wasm32-unknown-unknown.
  # First, --merge-similar-functions folds monomorphised copies that differ only in constants,
  # and --flatten --rereloop restructure the control flow of Rust's async state machines
  # (0.4 KB gzip; a second round after the first -Oz, 0.07 KB more). --low-memory-unused folds constants into load and store offsets (0.4 KB gzip):
  # true of this layout, which scripts/low-memory.mjs checks first. Last, the functions are laid
  # out by the names scripts/order-functions.mjs gives them: by signature, then size (0.26-0.41
  # KB gzip; 0.05-0.1 KB of it by plain Rust names). A function called from one place is inlined
  # there only when it is at most 20 bytes (binaryen inlines every such function by default):
  # large functions merged into their callers compress worse (0.4-0.8 KB gzip; 15-100 bytes all
  # gained 0.25-0.5 KB on Bamboo's wasm, 20 the most on all three).
  node scripts/low-memory.mjs "$wasm"
  node scripts/order-functions.mjs "$wasm"
  node_modules/.bin/wasm-opt --merge-similar-functions --flatten --rereloop -Oz --flatten --rereloop -Oz -Oz --converge --low-memory-unused \
    --one-caller-inline-max-function-size=20 --reorder-functions-by-name \
    --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-multivalue \
    --strip-debug --strip-producers --strip-target-features --strip-toolchain-annotations \
    "$wasm" -o "$wasm"
  node scripts/trim-glue.mjs "$wasm"
  # Each glue minified on its own, down to what the entry imports of it (wasm-bindgen's async
  # `init` and its deprecated-call handling shaken out); the entry imports the one of its
  # checkout's provider.
  echo "export { initSync, WasmCheckout } from './pasarela_$provider.js';" > pkg/uses.mjs
  node_modules/.bin/esbuild pkg/uses.mjs --bundle --format=esm --minify --target=es2022 --log-level=warning \
    --allow-overwrite --outfile="$glue"
  rm pkg/uses.mjs
done
for f in pasarela.mjs pasarela.js pasarela.d.ts react.mjs react.d.ts pasarela.css pasarela_extra.mjs pasarela_extra.css package.json; do
  sed "s/__VERSION__/$version/g" "js/$f" > "pkg/$f"
done
# The minified entry (each provider's glue stays its own module, imported on demand), and the
# minified script-tag loader. The .d.ts keeps the documentation.
node_modules/.bin/esbuild pkg/pasarela.mjs --bundle --format=esm --minify --target=es2022 \
  --external:./pasarela_bamboo.js --external:./pasarela_conekta.js --external:./pasarela_kr.js \
  --external:./pasarela_extra.mjs --log-level=warning --allow-overwrite --outfile=pkg/pasarela.mjs
# What only some payments need (the voucher view, the in-page authentication dialog) and its
# stylesheet: their own files, imported by the entry after `ready` (README, "Size and speed").
node_modules/.bin/esbuild pkg/pasarela_extra.mjs --minify --format=esm --target=es2022 --log-level=warning --allow-overwrite --outfile=pkg/pasarela_extra.mjs
node_modules/.bin/esbuild pkg/pasarela_extra.css --minify --log-level=warning --allow-overwrite --outfile=pkg/pasarela_extra.css
# pasarela/react stays its own module importing ./pasarela.mjs (one wasm instance per page).
node_modules/.bin/esbuild pkg/react.mjs --minify --format=esm --target=es2022 --log-level=warning --allow-overwrite --outfile=pkg/react.mjs
node_modules/.bin/esbuild pkg/pasarela.js --minify --target=es2022 --log-level=warning --allow-overwrite --outfile=pkg/pasarela.js
# The stylesheet minified too (js/pasarela.css keeps the comments): -0.3 KB gzip.
node_modules/.bin/esbuild pkg/pasarela.css --minify --log-level=warning --allow-overwrite --outfile=pkg/pasarela.css
# The package's own README (for storefront engineers; this workspace's README is for contributors).
cp js/README.md js/LICENSE pkg/
echo "pkg/ built (v$version) in $(( $(date +%s) - start ))s"
