//! A cache hint: ask for a value's memory before it is needed.
//!
//! With thousands of LIVEs, each event's detector is a few cache misses away, and the misses of
//! one event wait on each other. Asking for the detector of an event a few places ahead in the
//! batch lets those misses overlap the work on the events before it. This is the one place in
//! the workspace allowed `unsafe`: the intrinsic is marked unsafe only for its target feature,
//! which every x86_64 CPU has; a prefetch never dereferences, never faults, never changes a value.

#![allow(unsafe_code)]

/// Asks the CPU to bring every cache line of `value` into L1; a no-op off x86_64.
#[inline]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = (value as *const T).cast::<i8>();
        for offset in (0..std::mem::size_of::<T>()).step_by(64) {
            // SAFETY: SSE is part of the x86_64 baseline, and a prefetch of an address inside a
            // live reference neither reads it into the program nor can fault.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset)) }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
