//! The memory cap: the budget every growth of a guest memory is checked
//! against, and remembers refusing. Each backend asks it from the engine's
//! own growth hook (Wasmer's Tunables, wasmtime's ResourceLimiter), so the
//! guest's `memory.grow` and the host's growth for `claim_heap` are
//! refused alike.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub(crate) const WASM_PAGE: u64 = 64 * 1024;

/// How far one sandbox's memory may grow during the current invocation.
#[derive(Debug)]
pub(crate) struct MemoryBudget {
    max_pages: AtomicU64,
    limit_bytes: AtomicU64,
    exceeded: AtomicBool,
}

impl Default for MemoryBudget {
    fn default() -> Self {
        MemoryBudget {
            max_pages: AtomicU64::new(u64::MAX),
            limit_bytes: AtomicU64::new(u64::MAX),
            exceeded: AtomicBool::new(false),
        }
    }
}

impl MemoryBudget {
    /// A new invocation: growth is counted from `current_pages`.
    pub(crate) fn begin(&self, current_pages: u64, limit_bytes: Option<u64>) {
        let max = limit_bytes.map_or(u64::MAX, |l| current_pages.saturating_add(l / WASM_PAGE));
        self.max_pages.store(max, Ordering::Release);
        self.limit_bytes
            .store(limit_bytes.unwrap_or(u64::MAX), Ordering::Release);
        self.exceeded.store(false, Ordering::Release);
    }

    /// Whether the memory may have `pages` pages; a refusal is recorded.
    pub(crate) fn allows(&self, pages: u64) -> bool {
        if pages <= self.max_pages.load(Ordering::Acquire) {
            return true;
        }
        self.exceeded.store(true, Ordering::Release);
        false
    }

    /// The limit in bytes, if a growth was refused during this invocation.
    pub(crate) fn exceeded(&self) -> Option<u64> {
        self.exceeded
            .load(Ordering::Acquire)
            .then(|| self.limit_bytes.load(Ordering::Acquire))
    }
}

/// Where the guest's heap ends, as the host granted it (`kobako.claim_heap`).
///
/// The memory cap counts this end, not the memory's size: after a restore
/// the memory keeps the pages earlier invocations grew (Wasm memory cannot
/// shrink), and reusing them is growth all the same for the invocation
/// that claims them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Heap {
    /// The heap's end in bytes.
    pub(crate) end: u64,
    /// The highest end granted since the last restore: memory past the
    /// restored heap that an invocation may have written, up to here.
    pub(crate) high: u64,
}

impl Heap {
    /// The heap of a fresh instance: it ends where the memory does.
    pub(crate) fn at(end: u64) -> Self {
        Heap { end, high: end }
    }

    /// The heap's end in whole pages, as the memory budget counts.
    pub(crate) fn pages(&self) -> u64 {
        self.end.div_ceil(WASM_PAGE)
    }

    /// The pages the memory must have for the heap to end at `end`, if
    /// `budget` allows them (a refusal is recorded in the budget: the
    /// memory cap fired). Shrinking is always allowed.
    pub(crate) fn admits(&self, end: u64, budget: &MemoryBudget) -> Option<u64> {
        let pages = end.div_ceil(WASM_PAGE);
        (end <= self.end || budget.allows(pages)).then_some(pages)
    }

    /// The heap now ends at `end` (the memory has the pages for it).
    pub(crate) fn set_end(&mut self, end: u64) {
        self.end = end;
        self.high = self.high.max(end);
    }
}

#[cfg(test)]
mod tests {
    use super::MemoryBudget;

    #[test]
    fn growth_is_counted_from_the_size_at_entry() {
        let budget = MemoryBudget::default();
        budget.begin(100, Some(1 << 20)); // 16 pages of growth
        assert!(budget.allows(116));
        assert_eq!(budget.exceeded(), None);
        assert!(!budget.allows(117));
        assert_eq!(budget.exceeded(), Some(1 << 20));
        budget.begin(117, Some(1 << 20));
        assert_eq!(budget.exceeded(), None, "a new invocation starts clean");
        assert!(budget.allows(133));
    }

    #[test]
    fn no_limit_allows_anything() {
        let budget = MemoryBudget::default();
        budget.begin(10, None);
        assert!(budget.allows(65_536));
    }
}
