//! # Pasarela
//!
//! One browser checkout component for three Latin-American card tokenizers — Bamboo Payment's
//! PWCheckout, Conekta's checkout component and Lyra's KR form — behind one JS API.
//!
//! Where things live:
//! - [`domain`]: the pure core (options, payment state, merchant protocol, profiles, errors).
//! - `providers`: one module per provider behind the `Provider` trait (wasm only).
//! - `web`: thin web-sys wrappers (script loading, timers, randomness).
//! - `merchant_client`: the gloo-net transport for the merchant protocol.
//! - `views`: the Leptos views (profile list).
//! - `checkout`: the controller that runs a payment; `boundary`: what JavaScript sees.
//! - `heap`: the wasm's allocator; `text`: strings without `core::fmt` (both for size, README "Size and speed").

// Char predicates (`|c| c == '.'`) instead of char patterns, on purpose: see `text` (README, "Size and speed").
#![allow(clippy::manual_pattern_char_comparison)]
// `clippy.toml` keeps `core::fmt` out of the wasm; the native unit tests may format freely.
#![cfg_attr(test, allow(clippy::disallowed_macros, clippy::disallowed_methods))]
// A one-provider build (scripts/build.sh) leaves what only the other adapters use unused.
#![cfg_attr(not(all(feature = "bamboo", feature = "conekta", feature = "kr")), allow(dead_code, unused_imports))]

pub mod cell;
pub mod domain;
pub mod heap;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod boundary;
#[cfg(target_arch = "wasm32")]
mod checkout;
#[cfg(target_arch = "wasm32")]
mod merchant_client;
#[cfg(target_arch = "wasm32")]
pub mod providers;
#[cfg(target_arch = "wasm32")]
mod views;
#[cfg(target_arch = "wasm32")]
pub mod web;
