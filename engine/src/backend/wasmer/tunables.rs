//! The memory cap on Wasmer: Tunables whose guest memories ask the running
//! invocation's [`MemoryBudget`] before they grow.
//!
//! Tunables belong to the engine, which every sandbox of a process shares,
//! while budgets belong to sandboxes. So the budget reaches the memory the
//! way a sandbox's instance is created: [`instantiating_with`] names it for
//! the duration of `Instance::new` on this thread, and the Tunables attach it
//! to the memory they create.

use std::cell::RefCell;
use std::ptr::NonNull;
use std::sync::Arc;

use wasmer::sys::vm::{
    LinearMemory, MemoryError, MemoryStyle, TableStyle, VMMemory, VMMemoryDefinition, VMTable,
    VMTableDefinition,
};
use wasmer::sys::{BaseTunables, Tunables};
use wasmer::{MemoryType, Pages, TableType};

use crate::caps::memory::{MemoryBudget, WASM_PAGE};

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
