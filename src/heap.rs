//! The wasm's memory allocator: power-of-two size classes, one free list per class.
//!
//! Rust's default allocator on wasm32 (dlmalloc) is about 7 KB of the module, a tenth of
//! Pasarela's own code (README, "Size and speed"). A checkout allocates little and in repeating patterns (a
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
/// bounds-check panic message: README "Size and speed"); classes never exceed the address width anyway.
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
        let Some(size) = 1usize.checked_shl(class) else { return core::ptr::null_mut() };
        // Checked: near the top of a 32-bit address space `next + size - 1` wraps, and a wrapped
        // address would hand out a live block a second time.
        let fits = |next: usize, end: usize| {
            let aligned = next.checked_add(size - 1)? & !(size - 1);
            (aligned.checked_add(size)? <= end).then_some(aligned)
        };
        let aligned = match fits(self.next, self.end) {
            Some(a) => a,
            None => {
                // Ask for enough to align and hold the block wherever the new memory starts.
                let Some((start, len)) = grow(size.saturating_mul(2)) else { return core::ptr::null_mut() };
                let Some(end) = start.checked_add(len) else { return core::ptr::null_mut() };
                if start != self.end {
                    self.cut(self.end); // what is left of the old memory goes to the free lists
                    self.next = start;
                }
                self.end = end;
                match fits(self.next, self.end) {
                    Some(a) => a,
                    None => return core::ptr::null_mut(),
                }
            }
        };
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

// The allocator below is single-threaded: a wasm built with threads would race on it.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!("src/heap.rs is a single-threaded allocator: build the wasm without the `atomics` feature");

/// A [`GlobalAlloc`](core::alloc::GlobalAlloc) over a [`Heap`], with `grow` supplying memory: the
/// wasm's pages in the build, a test buffer in the native tests (which call these very entry
/// points, `realloc` included).
pub struct SizeClasses {
    heap: core::cell::UnsafeCell<Heap>,
    grow: fn(usize) -> Option<(usize, usize)>,
}

// SAFETY: wasm32-unknown-unknown without the `atomics` feature runs one thread (the
// `compile_error!` above refuses a threaded build); the native tests use one instance per thread.
unsafe impl Sync for SizeClasses {}

impl SizeClasses {
    pub const fn new(grow: fn(usize) -> Option<(usize, usize)>) -> Self {
        Self { heap: core::cell::UnsafeCell::new(Heap::new()), grow }
    }
}

unsafe impl core::alloc::GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        match Heap::class_of(layout.size(), layout.align()) {
            Some(class) => unsafe { (*self.heap.get()).alloc(class, self.grow) },
            None => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: core::alloc::Layout) {
        if let Some(class) = Heap::class_of(layout.size(), layout.align()) {
            unsafe { (*self.heap.get()).free(ptr, class) };
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: core::alloc::Layout, new_size: usize) -> *mut u8 {
        let old = Heap::class_of(layout.size(), layout.align());
        if old.is_some() && old == Heap::class_of(new_size, layout.align()) {
            return ptr; // still fits its block
        }
        let new = unsafe { self.alloc(core::alloc::Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !new.is_null() {
            unsafe {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    const PAGE: usize = 64 * 1024;

    /// More wasm memory: at least `bytes`, in whole pages.
    fn grow(bytes: usize) -> Option<(usize, usize)> {
        let pages = bytes.div_ceil(PAGE);
        let before = core::arch::wasm32::memory_grow(0, pages);
        (before != usize::MAX).then(|| (before * PAGE, pages * PAGE))
    }

    #[global_allocator]
    static ALLOCATOR: super::SizeClasses = super::SizeClasses::new(grow);
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

    /// The native test buffer behind `SizeClasses`: 64 MiB handed out in 64 KiB steps.
    mod arena {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        static BASE: AtomicUsize = AtomicUsize::new(0);
        static USED: AtomicUsize = AtomicUsize::new(0);
        pub const CAP: usize = 64 << 20;

        pub fn grow(bytes: usize) -> Option<(usize, usize)> {
            if BASE.load(SeqCst) == 0 {
                let buf: &'static mut [u128] = Vec::leak(vec![0u128; CAP / 16]);
                BASE.store(buf.as_mut_ptr() as usize, SeqCst);
            }
            let len = bytes.div_ceil(65536) * 65536;
            let used = USED.load(SeqCst);
            (used + len <= CAP).then(|| {
                USED.store(used + len, SeqCst);
                (BASE.load(SeqCst) + used, len)
            })
        }

        pub fn used() -> usize {
            USED.load(SeqCst)
        }
    }

    #[test]
    fn the_global_allocator_entry_points_keep_blocks_apart_aligned_and_intact() {
        use core::alloc::{GlobalAlloc, Layout};
        let a = SizeClasses::new(arena::grow);
        // (address, layout, the byte its contents were filled with)
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let fill = |p: *mut u8, n: usize, b: u8| unsafe { core::ptr::write_bytes(p, b, n) };
        let intact = |p: *mut u8, n: usize, b: u8| unsafe { std::slice::from_raw_parts(p, n).iter().all(|&x| x == b) };
        let mut peak_after_first_cycle = 0;
        for cycle in 0..6 {
            for step in 0..3000 {
                let r = next();
                let size = [0, 1, 7, 16, 33, 100, 513, 4000, 65_537, 200_000][(r % 10) as usize];
                let align = 1usize << ((r >> 8) % 8); // 1 to 128
                match (r >> 16) % 4 {
                    0 if !live.is_empty() => {
                        let (p, l, b) = live.swap_remove((r >> 20) as usize % live.len());
                        assert!(intact(p, l.size(), b), "contents survive until freed");
                        unsafe { a.dealloc(p, l) };
                    }
                    1 if !live.is_empty() => {
                        let i = (r >> 20) as usize % live.len();
                        let (p, l, b) = live[i];
                        let new_size = size.max(1);
                        let q = unsafe { a.realloc(p, l, new_size) };
                        assert!(!q.is_null());
                        assert_eq!(q as usize % l.align(), 0, "realloc keeps the alignment");
                        assert!(intact(q, l.size().min(new_size), b), "realloc keeps the contents");
                        let nl = Layout::from_size_align(new_size, l.align()).unwrap();
                        fill(q, new_size, b);
                        live[i] = (q, nl, b);
                    }
                    _ => {
                        let l = Layout::from_size_align(size.max(1), align).unwrap();
                        let p = unsafe { a.alloc(l) };
                        assert!(!p.is_null(), "cycle {cycle} step {step}");
                        assert_eq!(p as usize % align, 0, "aligned");
                        let b = (r >> 40) as u8;
                        fill(p, l.size(), b);
                        live.push((p, l, b));
                    }
                }
            }
            // No two live blocks overlap.
            let mut spans: Vec<(usize, usize)> =
                live.iter().map(|(p, l, _)| (*p as usize, *p as usize + l.size())).collect();
            spans.sort_unstable();
            assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "cycle {cycle}: overlap");
            for (p, l, b) in live.drain(..) {
                assert!(intact(p, l.size(), b));
                unsafe { a.dealloc(p, l) };
            }
            if cycle == 0 {
                peak_after_first_cycle = arena::used();
            }
        }
        // The same pattern again reuses freed blocks: memory stays within twice the first cycle's.
        assert!(arena::used() <= 2 * peak_after_first_cycle, "{} > 2 × {}", arena::used(), peak_after_first_cycle);
    }

    #[test]
    fn near_the_top_of_the_address_space_allocation_fails_instead_of_wrapping() {
        let mut h = Heap::new();
        h.next = usize::MAX - 100;
        h.end = usize::MAX;
        let p = unsafe { h.alloc(10, |_| None) }; // a 1 KiB block cannot fit: no wrap, null
        assert!(p.is_null());
        let p = unsafe { h.alloc(10, |_| Some((usize::MAX - 4096, 8192))) }; // start + len overflows
        assert!(p.is_null());
    }
}
