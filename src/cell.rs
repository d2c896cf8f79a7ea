//! `RefCell` borrows under one panic location.
//!
//! `RefCell::borrow` and `borrow_mut` are `#[track_caller]`: each call site stores its own
//! source location (16 bytes of data, plus its file name) for a panic message nobody reads,
//! since a panic here is reported as `internal`. Borrowing through [`Borrows`] puts one location
//! in the package instead of one per call (README, "Size and speed").

use std::cell::{Ref, RefCell, RefMut};

/// `read()` and `write()`: `RefCell::borrow` and `borrow_mut` without a location per caller.
pub trait Borrows<T> {
    fn read(&self) -> Ref<'_, T>;
    fn write(&self) -> RefMut<'_, T>;
}

impl<T> Borrows<T> for RefCell<T> {
    #[inline]
    fn read(&self) -> Ref<'_, T> {
        self.borrow()
    }

    #[inline]
    fn write(&self) -> RefMut<'_, T> {
        self.borrow_mut()
    }
}

/// A value made on first use and kept for the page's life: `thread_local!` without its
/// destruction checks. On the wasm, which has one thread, a `thread_local!` read goes through
/// `LocalKey::with`, whose "accessed during or after destruction" panic keeps its own error type,
/// its `Debug` formatting and two messages in the package; none of that can happen to a static
/// (README, "Size and speed").
pub struct PageGlobal<T> {
    value: std::cell::UnsafeCell<Option<T>>,
    make: fn() -> T,
}

impl<T> PageGlobal<T> {
    /// A global that `make` fills on first use.
    pub const fn new(make: fn() -> T) -> Self {
        Self { value: std::cell::UnsafeCell::new(None), make }
    }

    /// The value, made by the first call.
    pub fn get(&self) -> &T {
        let slot = self.value.get();
        // SAFETY: one thread (see the `Sync` impl), and the value is written once, before any
        // reference to it is handed out; `make` is a plain constructor that does not come back here.
        unsafe {
            if (*slot).is_none() {
                *slot = Some((self.make)());
            }
            (*slot).as_ref().unwrap_unchecked()
        }
    }
}

// SAFETY: only where there is one thread (wasm32 without the atomics feature: no thread can
// share it); a threaded build does not compile instead of sharing a `JsValue` across threads.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<T> Sync for PageGlobal<T> {}
