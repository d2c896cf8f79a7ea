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
