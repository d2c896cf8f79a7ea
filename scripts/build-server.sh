#!/usr/bin/env bash
# Builds the merchant service (server/, binary target/server/pasarela-server) with the workspace's
# `server` profile (Cargo.toml: speed, and a panic confined to its request).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --quiet -p pasarela-server --profile server
