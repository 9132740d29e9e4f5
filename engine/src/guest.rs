//! The guest ABI: one instance of the guest module and the exports the host
//! drives (`_initialize`, `kobako_boot`, `kobako_buffer`, `kobako_invoke`,
//! `kobako_shutdown`, the fuel and stack globals), on either backend.

use kobako_wire::{Reply, Request};

use crate::backend::{Code, Export, GuestCx, GuestGlobal, Instance};
use crate::caps::CapFired;
use crate::host::HostEnv;
use crate::{Error, Limits};

/// A live guest instance inside its own store.
pub(crate) struct Guest {
    pub(crate) instance: Instance,
}

/// Caps for the module's own fixed work (constructors, the interpreter's
/// boot and teardown): none but what stops everything.
fn uncapped() -> Limits {
    Limits {
        timeout: None,
        fuel: None,
        memory_limit: None,
        ..Limits::default()
    }
}

impl Guest {
    /// Instantiates the module and, unless its memory image was booted at
    /// build time (`booted`), runs its constructors.
    pub(crate) fn instantiate(code: &Code, host: HostEnv, booted: bool) -> Result<Self, Error> {
        let mut guest = Guest {
            instance: Instance::new(code, host)?,
        };
        if !booted {
            guest.begin_fixed_work();
            guest.call(Export::Initialize, 0)?;
        }
        Ok(guest)
    }

    /// Boots the interpreter (the module's own fixed work: no caps).
    pub(crate) fn boot(&mut self) -> Result<(), Error> {
        self.begin_fixed_work();
        match self.call(Export::Boot, 0)? {
            0 => Ok(()),
            _ => Err(Error::Trap("the interpreter could not boot".into())),
        }
    }

    /// Closes the interpreter, still inside the invocation's caps: only
    /// the timeout and interrupts apply, as to the boot that went before.
    pub(crate) fn shutdown(&mut self) -> Result<(), Error> {
        self.call(Export::Shutdown, 0).map(drop)
    }

    fn begin_fixed_work(&mut self) {
        let grant = self.instance.env().meter.begin(&uncapped());
        self.set_fuel(grant);
    }

    fn set_fuel(&mut self, grant: u64) {
        let grant = i64::try_from(grant).unwrap_or(i64::MAX);
        self.instance.set_global(GuestGlobal::Fuel, grant);
    }

    /// Runs `request` under `limits` and returns the guest's reply.
    pub(crate) fn invoke(&mut self, limits: &Limits, request: &Request) -> Result<Reply, Error> {
        let request = kobako_wire::encode(request).map_err(|e| Error::Trap(e.to_string()))?;
        let len = u32::try_from(request.len())
            .map_err(|_| Error::Trap("request larger than 4 GiB".into()))?;
        // The request is the invocation's first allocation: its caps apply.
        let grant = self.instance.env().meter.begin(limits);
        let ptr = self.call(Export::Buffer, len)?;
        if !crate::guest_memory::write(self.instance.memory(), ptr, &request) {
            return Err(Error::Trap(
                "cannot write the request: outside guest memory".into(),
            ));
        }
        self.set_fuel(grant);
        let packed = self.call(Export::Invoke, len)?;
        let (ptr, len) = (packed >> 32, packed & 0xffff_ffff);
        let bytes = crate::guest_memory::range(self.instance.memory(), ptr, len)
            .ok_or_else(|| Error::Trap("the guest's reply lies outside its memory".into()))?;
        kobako_wire::decode(bytes).map_err(|e| Error::Trap(e.to_string()))
    }

    /// Calls an export. A refused memory growth is the memory cap firing,
    /// whether the call then trapped or the guest rescued its NoMemoryError
    /// and carried on.
    fn call(&mut self, export: Export, arg: u32) -> Result<u64, Error> {
        let outcome = self.instance.call(export, arg);
        self.instance.env().meter.check_memory()?;
        outcome
    }

    /// The fuel global's current value.
    pub(crate) fn fuel_left(&mut self) -> i64 {
        self.instance.global(GuestGlobal::Fuel)
    }
}

impl From<CapFired> for Error {
    fn from(fired: CapFired) -> Self {
        match fired {
            CapFired::Timeout(_) => Error::Timeout(fired.to_string()),
            CapFired::Fuel(_) => Error::Fuel(fired.to_string()),
            CapFired::Memory(_) => Error::MemoryLimit(fired.to_string()),
            CapFired::Interrupted => Error::Interrupted,
        }
    }
}
