#!/usr/bin/env bash
# Installs whatever is missing for building and testing Pasarela, and nothing that is already
# there at the right version (a second run takes about a second).
#   scripts/setup.sh               everything: build tools, Chromium + ChromeDriver, npm packages
#   scripts/setup.sh --build-only  only what `npm run build` needs (no browser)
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=0
[ "${1:-}" = "--build-only" ] && build_only=1
log() { echo "[setup] $*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. The wasm32 target of the machine's Rust toolchain.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 1b. clippy, which `npm test` runs on the wasm library (clippy.toml's rules as errors).
if ! cargo clippy --version >/dev/null 2>&1; then
  log "adding the clippy component"
  rustup component add clippy
fi

# 2. wasm-bindgen-cli at exactly the version Cargo.lock resolved (Cargo.toml pins it with '=').
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (found '${have:-none}'; takes a few minutes)"
  # No --locked: the registry lacks a newer dependency the CLI's own lockfile wants.
  cargo install wasm-bindgen-cli --version "$want"
fi

# 3. Debian packages for the tests (wasm-opt comes from npm, below): Chromium and ChromeDriver;
#    Firefox ESR (driven over WebDriver BiDi by puppeteer-core); WebKitGTK's WebKitWebDriver and
#    MiniBrowser, with Xvfb for the display MiniBrowser needs (tests/engines/).
pkgs=()
if [ "$build_only" = 0 ]; then
  command -v chromium >/dev/null || pkgs+=(chromium)
  command -v chromedriver >/dev/null || pkgs+=(chromium-driver)
  command -v firefox-esr >/dev/null || pkgs+=(firefox-esr)
  command -v WebKitWebDriver >/dev/null || pkgs+=(webkit2gtk-driver)
  command -v xvfb-run >/dev/null || pkgs+=(xvfb xauth)
  # The merchant service's tests run against a real PostgreSQL too (scripts/postgres.sh).
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || pkgs+=(postgresql)
  # The direct-path browser tests put a TLS front (a throwaway self-signed certificate) before it.
  command -v openssl >/dev/null || pkgs+=(openssl)
fi
if [ "${#pkgs[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "apt-get install ${pkgs[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

# 4. npm packages at the lockfile's versions: binaryen (wasm-opt) and esbuild (the JS bundle) for
#    the build, playwright-core for the tests (it only drives /usr/bin/chromium; it downloads no
#    browser), typescript for the type tests of the package's `.d.ts`, vite and webpack for the
#    example storefronts (examples/), react, react-dom and Vite's React plugin for
#    `pasarela/react` (its example, its server-rendering test and its types), puppeteer-core
#    and selenium-webdriver for Firefox and WebKitGTK (neither downloads a browser).
want_binaryen=$(node -p "require('./package.json').devDependencies.binaryen")
have_binaryen=$(node -p "try { require('./node_modules/binaryen/package.json').version } catch { '' }")
if [ "$have_binaryen" != "$want_binaryen" ] || [ ! -f node_modules/playwright-core/package.json ] \
  || [ ! -x node_modules/.bin/esbuild ] || [ ! -x node_modules/.bin/tsc ] \
  || [ ! -x node_modules/.bin/vite ] || [ ! -x node_modules/.bin/webpack ] \
  || [ ! -f node_modules/react-dom/package.json ] || [ ! -f node_modules/@vitejs/plugin-react/package.json ] \
  || [ ! -f node_modules/puppeteer-core/package.json ] || [ ! -f node_modules/selenium-webdriver/package.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund
fi
log "ready"
