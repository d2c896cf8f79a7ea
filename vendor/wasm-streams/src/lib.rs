//! The part of `wasm-streams` 0.5 that `server_fn`'s browser client compiles against:
//! `ReadableStream::{from_stream, from_raw, into_raw, into_stream}`. Pasarela calls no server
//! function, so none of this runs; if something did call it, a Rust stream becomes an empty web
//! stream and a web stream an empty Rust stream (nothing is sent or read), never a panic.

use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use wasm_bindgen::JsValue;

/// A web `ReadableStream`.
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

impl ReadableStream {
    /// Wraps a web stream.
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self { raw }
    }

    /// An empty web stream in place of `stream` (see the crate docs).
    pub fn from_stream<St>(stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        drop(stream);
        let raw = web_sys::ReadableStream::new().unwrap_or_else(|_| JsValue::UNDEFINED.into());
        Self { raw }
    }

    /// The web stream.
    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// An empty Rust stream in place of the web stream (see the crate docs).
    pub fn into_stream(self) -> IntoStream {
        IntoStream
    }
}

/// The stream [`ReadableStream::into_stream`] gives: it ends at once.
pub struct IntoStream;

impl Stream for IntoStream {
    type Item = Result<JsValue, JsValue>;

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(None)
    }
}
