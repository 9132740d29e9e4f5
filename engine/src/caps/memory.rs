//! The memory cap: Tunables whose guest memories refuse to grow past the
//! running invocation's budget, and remember that they refused.
//!
//! Tunables belong to the engine, which every sandbox of a process shares,
//! while budgets belong to sandboxes. So the budget reaches the memory the
//! way a sandbox's instance is created: [`instantiating_with`] names it for
//! the duration of `Instance::new` on this thread, and the Tunables attach it
//! to the memory they create.

use std::cell::RefCell;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use wasmer::sys::vm::{
    LinearMemory, MemoryError, MemoryStyle, VMMemory, VMMemoryDefinition, VMTable,
    VMTableDefinition,
};
use wasmer::sys::{BaseTunables, Tunables};
use wasmer::{AsStoreMut, Memory, MemoryType, Pages, TableType};

use wasmer::sys::vm::TableStyle;

const WASM_PAGE: u64 = 64 * 1024;

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
    fn allows(&self, pages: u64) -> bool {
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

    /// Moves the end to `end` if `budget` allows its pages, growing
    /// `memory` only past the pages it already has. Refusals are recorded
    /// in the budget (the memory cap fired).
    pub(crate) fn claim(
        &mut self,
        end: u64,
        budget: &MemoryBudget,
        memory: &Memory,
        store: &mut impl AsStoreMut,
    ) -> bool {
        let pages = end.div_ceil(WASM_PAGE);
        if end > self.end && !budget.allows(pages) {
            return false;
        }
        let have = u64::from(memory.view(store).size().0);
        if pages > have {
            let Ok(delta) = u32::try_from(pages - have) else {
                return false;
            };
            if memory.grow(store, Pages(delta)).is_err() {
                return false;
            }
        }
        self.end = end;
        self.high = self.high.max(end);
        true
    }
}

thread_local! {
    static INSTANTIATING: RefCell<Option<Arc<MemoryBudget>>> = const { RefCell::new(None) };
}

/// Runs `f` (an `Instance::new`) so that the memories it creates are
/// capped by `budget`.
pub(crate) fn instantiating_with<R>(budget: &Arc<MemoryBudget>, f: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            INSTANTIATING.with_borrow_mut(|b| *b = None);
        }
    }
    INSTANTIATING.with_borrow_mut(|b| *b = Some(budget.clone()));
    let _reset = Reset;
    f()
}

fn capped(memory: VMMemory) -> VMMemory {
    match INSTANTIATING.with_borrow(Clone::clone) {
        Some(budget) => VMMemory(Box::new(CappedMemory {
            inner: memory.0,
            budget,
        })),
        None => memory,
    }
}

/// Base tunables, with every memory made during [`instantiating_with`]
/// capped by that budget.
#[derive(Clone, Default)]
pub(crate) struct CappedTunables {
    base: BaseTunables,
}

impl Tunables for CappedTunables {
    fn memory_style(&self, memory: &MemoryType) -> MemoryStyle {
        self.base.memory_style(memory)
    }

    fn table_style(&self, table: &TableType) -> TableStyle {
        self.base.table_style(table)
    }

    fn create_host_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
    ) -> Result<VMMemory, MemoryError> {
        self.base.create_host_memory(ty, style).map(capped)
    }

    unsafe fn create_vm_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
        vm_definition_location: NonNull<VMMemoryDefinition>,
    ) -> Result<VMMemory, MemoryError> {
        // SAFETY: forwarded unchanged; the caller upholds the base
        // implementation's contract for `vm_definition_location`.
        unsafe {
            self.base
                .create_vm_memory(ty, style, vm_definition_location)
        }
        .map(capped)
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        self.base.create_host_table(ty, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        // SAFETY: forwarded unchanged; the caller upholds the base
        // implementation's contract for `vm_definition_location`.
        unsafe { self.base.create_vm_table(ty, style, vm_definition_location) }
    }
}

/// A linear memory that asks its budget before growing.
#[derive(Debug)]
struct CappedMemory {
    inner: Box<dyn LinearMemory + Send + Sync>,
    budget: Arc<MemoryBudget>,
}

impl LinearMemory for CappedMemory {
    fn ty(&self) -> MemoryType {
        self.inner.ty()
    }

    fn size(&self) -> Pages {
        self.inner.size()
    }

    fn style(&self) -> MemoryStyle {
        self.inner.style()
    }

    fn grow(&mut self, delta: Pages) -> Result<Pages, MemoryError> {
        let wanted = u64::from(self.inner.size().0) + u64::from(delta.0);
        if !self.budget.allows(wanted) {
            return Err(MemoryError::Generic("memory_limit reached".into()));
        }
        self.inner.grow(delta)
    }

    fn grow_at_least(&mut self, min_size: u64) -> Result<(), MemoryError> {
        if !self.budget.allows(min_size.div_ceil(WASM_PAGE)) {
            return Err(MemoryError::Generic("memory_limit reached".into()));
        }
        self.inner.grow_at_least(min_size)
    }

    fn reset(&mut self) -> Result<(), MemoryError> {
        self.inner.reset()
    }

    fn vmmemory(&self) -> NonNull<VMMemoryDefinition> {
        self.inner.vmmemory()
    }

    fn try_clone(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        let inner = self.inner.try_clone()?;
        Ok(Box::new(CappedMemory {
            inner,
            budget: self.budget.clone(),
        }))
    }

    fn copy(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        let inner = self.inner.copy()?;
        Ok(Box::new(CappedMemory {
            inner,
            budget: self.budget.clone(),
        }))
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
