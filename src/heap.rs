//! The wasm's memory allocator: power-of-two size classes, one free list per class.
//!
//! Rust's default allocator on wasm32 (dlmalloc) is about 7 KB of the module, a tenth of
//! Pasarela's own code (issue #6). A checkout allocates little and in repeating patterns (a
//! checkout's strings, a list's rows, the same again for the next checkout), which is the case
//! size classes serve well: allocation and freeing are O(1), a freed block is reused by the next
//! request of its class, and memory stays flat over many create/destroy cycles (checked by the
//! leak test and `npm run bench`). The price is up to 2× internal waste per block and no
//! coalescing, which does not matter at this footprint.
//!
//! Every block of class `c` is `2^c` bytes and aligned to `2^c`, so any alignment up to the
//! block size holds. Fresh blocks are cut from the end of the heap; the alignment padding before
//! a large block is cut into smaller aligned blocks that go to their classes' free lists, so no
//! byte is lost to alignment.

/// The smallest class: 16 bytes (two words for the free list, and 16-byte alignment).
const MIN_CLASS: u32 = 4;
const CLASSES: usize = usize::BITS as usize;

/// The allocator's state; `grow` supplies fresh memory (pages of the wasm memory, or a test
/// buffer) as `(start, len)`.
pub struct Heap {
    /// The first free block of each class (0: none); a free block starts with the next one's address.
    free: [usize; CLASSES],
    /// Where the next fresh block is cut, and the end of the memory obtained so far.
    next: usize,
    end: usize,
}

/// A class's free-list slot. Masked, so the index needs no bounds check (and the package no
/// bounds-check panic message: issue #6); classes never exceed the address width anyway.
fn slot(class: u32) -> usize {
    class as usize & (CLASSES - 1)
}

impl Heap {
    pub const fn new() -> Self {
        Self { free: [0; CLASSES], next: 0, end: 0 }
    }

    /// The class of a block of `size` bytes aligned to `align` (`None` past the address space).
    pub fn class_of(size: usize, align: usize) -> Option<u32> {
        let n = size.max(align).max(1 << MIN_CLASS).checked_next_power_of_two()?;
        Some(n.trailing_zeros())
    }

    /// A block of class `class`, or null when memory cannot grow.
    ///
    /// # Safety
    /// `grow` must hand out memory that is writable, unused and at least 16-byte aligned.
    pub unsafe fn alloc(&mut self, class: u32, grow: impl FnOnce(usize) -> Option<(usize, usize)>) -> *mut u8 {
        let head = self.free[slot(class)];
        if head != 0 {
            self.free[slot(class)] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        let size = 1usize << class;
        let aligned = (self.next + size - 1) & !(size - 1);
        if aligned.checked_add(size).is_none_or(|end| end > self.end) {
            // Ask for enough to align and hold the block wherever the new memory starts.
            let Some((start, len)) = grow(size.saturating_mul(2)) else { return core::ptr::null_mut() };
            if start != self.end {
                self.cut(self.end); // what is left of the old memory goes to the free lists
                self.next = start;
            }
            self.end = start + len;
        }
        let aligned = (self.next + size - 1) & !(size - 1);
        self.cut(aligned);
        self.next = aligned + size;
        aligned as *mut u8
    }

    /// Frees the memory from `self.next` up to `to` into the free lists, in the largest aligned
    /// blocks that fit (the gap is a multiple of 16 bytes).
    fn cut(&mut self, to: usize) {
        while self.next + (1 << MIN_CLASS) <= to {
            let mut class = self.next.trailing_zeros().min(usize::BITS - 1);
            while self.next + (1 << class) > to {
                class -= 1;
            }
            unsafe { self.free(self.next as *mut u8, class) };
            self.next += 1 << class;
        }
    }

    /// Returns a block to its class's free list.
    ///
    /// # Safety
    /// `ptr` must be a block of class `class` from this heap, not already free.
    pub unsafe fn free(&mut self, ptr: *mut u8, class: u32) {
        unsafe { *(ptr as *mut usize) = self.free[slot(class)] };
        self.free[slot(class)] = ptr as usize;
    }
}

impl Default for Heap {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::Heap;
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    const PAGE: usize = 64 * 1024;

    /// The global allocator of the wasm build.
    pub struct SizeClasses(UnsafeCell<Heap>);

    // SAFETY: wasm32-unknown-unknown without the `atomics` feature runs one thread; nothing here
    // is reached from another.
    unsafe impl Sync for SizeClasses {}

    /// More wasm memory: at least `bytes`, in whole pages.
    fn grow(bytes: usize) -> Option<(usize, usize)> {
        let pages = bytes.div_ceil(PAGE);
        let before = core::arch::wasm32::memory_grow(0, pages);
        (before != usize::MAX).then(|| (before * PAGE, pages * PAGE))
    }

    unsafe impl GlobalAlloc for SizeClasses {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            match Heap::class_of(layout.size(), layout.align()) {
                Some(class) => unsafe { (*self.0.get()).alloc(class, grow) },
                None => core::ptr::null_mut(),
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if let Some(class) = Heap::class_of(layout.size(), layout.align()) {
                unsafe { (*self.0.get()).free(ptr, class) };
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let old = Heap::class_of(layout.size(), layout.align());
            if old.is_some() && old == Heap::class_of(new_size, layout.align()) {
                return ptr; // still fits its block
            }
            let new = unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
            if !new.is_null() {
                unsafe {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
            }
            new
        }
    }

    #[global_allocator]
    static ALLOCATOR: SizeClasses = SizeClasses(UnsafeCell::new(Heap::new()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A heap over a test buffer that grows in 64 KiB steps, like wasm memory.
    struct Arena {
        buf: Vec<u128>,
        used: usize,
        heap: Heap,
    }

    impl Arena {
        fn new() -> Self {
            Self { buf: vec![0; 1 << 22], used: 0, heap: Heap::new() }
        }
        fn alloc(&mut self, size: usize, align: usize) -> usize {
            let base = self.buf.as_mut_ptr() as usize;
            let cap = self.buf.len() * 16;
            let used = &mut self.used;
            let grow = |bytes: usize| {
                let len = bytes.div_ceil(65536) * 65536;
                (*used + len <= cap).then(|| {
                    let start = base + *used;
                    *used += len;
                    (start, len)
                })
            };
            let class = Heap::class_of(size, align).unwrap();
            let p = unsafe { self.heap.alloc(class, grow) } as usize;
            assert_ne!(p, 0);
            assert_eq!(p % align, 0, "aligned");
            assert!(p >= base && p + size <= base + self.used, "inside the memory handed out");
            p
        }
        fn free(&mut self, p: usize, size: usize, align: usize) {
            unsafe { self.heap.free(p as *mut u8, Heap::class_of(size, align).unwrap()) };
        }
    }

    #[test]
    fn classes_are_powers_of_two_from_16_bytes() {
        assert_eq!(Heap::class_of(0, 1), Some(4));
        assert_eq!(Heap::class_of(16, 8), Some(4));
        assert_eq!(Heap::class_of(17, 8), Some(5));
        assert_eq!(Heap::class_of(24, 64), Some(6));
        assert_eq!(Heap::class_of(usize::MAX, 1), None);
    }

    #[test]
    fn live_blocks_never_overlap_and_freed_ones_are_reused() {
        let mut a = Arena::new();
        let mut live: Vec<(usize, usize, usize)> = Vec::new();
        let mut seed = 7u64;
        for round in 0..4000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = (seed >> 33) as usize;
            if r % 3 == 0 && !live.is_empty() {
                let (p, size, align) = live.swap_remove(r % live.len());
                a.free(p, size, align);
            } else {
                let size = [1, 8, 24, 100, 700, 5000, 20_000][r % 7];
                let align = [1, 8, 16, 64][(r / 7) % 4];
                let p = a.alloc(size, align);
                for &(q, qs, _) in &live {
                    assert!(p + size <= q || q + qs <= p, "round {round}: overlap");
                }
                live.push((p, size, align));
            }
        }
        // The same pattern again only reuses freed blocks: the memory does not grow.
        for (p, size, align) in live.drain(..) {
            a.free(p, size, align);
        }
        let used = a.used;
        let blocks: Vec<_> = (0..200).map(|i| a.alloc([24, 100, 5000][i % 3], 8)).collect();
        for (i, p) in blocks.into_iter().enumerate() {
            a.free(p, [24, 100, 5000][i % 3], 8);
        }
        assert_eq!(a.used, used);
    }

    #[test]
    fn alignment_padding_is_not_lost() {
        let mut a = Arena::new();
        let small = a.alloc(16, 8);
        let big = a.alloc(4096, 8); // aligned to 4096: the gap before it is cut into free blocks
        assert_eq!(big % 4096, 0);
        let free_bytes: usize = (0..CLASSES)
            .map(|c| {
                let (mut n, mut p) = (0, a.heap.free[c]);
                while p != 0 {
                    n += 1 << c;
                    p = unsafe { *(p as *const usize) };
                }
                n
            })
            .sum();
        assert_eq!(free_bytes, big - (small + 16), "every byte of the gap is on a free list");
        // And a block of the gap serves the next request of its class.
        let used = a.used;
        let p = a.alloc(32, 8);
        assert!(p > small && p < big, "a block from the gap");
        assert_eq!(a.used, used);
    }
}
