//! The guest's whole view of the outside world: seven WASI preview1 imports,
//! written by hand so the surface stays exactly this small.
//!
//! | import | behaviour |
//! | --- | --- |
//! | `fd_write` | fd 1 and 2 append to the invocation's captured output; any other fd is `EBADF` |
//! | `fd_seek` / `fd_close` | refused: fd 1 and 2 are pipes (`ESPIPE`) that stay open (`EBADF` otherwise) |
//! | `clock_time_get` | real time and monotonic time; nothing else |
//! | `environ_sizes_get` / `environ_get` | an empty environment |
//! | `proc_exit` | ends the invocation with a trap |
//!
//! There is no file system, no network, no arguments, no randomness source
//! beyond what the guest computes itself.

use std::time::{SystemTime, UNIX_EPOCH};

use wasmer::{
    imports, Function, FunctionEnv, FunctionEnvMut, Imports, MemoryView, RuntimeError, Store,
};

use crate::host::{self, HostEnv};

/// WASI errno values used here.
mod errno {
    pub const SUCCESS: i32 = 0;
    pub const BADF: i32 = 8;
    pub const FAULT: i32 = 21;
    pub const INVAL: i32 = 28;
    pub const NOTSUP: i32 = 58;
    pub const SPIPE: i32 = 70;
}

const STDOUT: i32 = 1;
const STDERR: i32 = 2;

/// The guest called `proc_exit`; it ends the invocation as a trap.
#[derive(Debug, thiserror::Error)]
#[error("the guest called proc_exit({0})")]
pub(crate) struct ProcExit(pub(crate) i32);

pub(crate) fn imports(store: &mut Store, env: &FunctionEnv<HostEnv>) -> Imports {
    imports! {
        "wasi_snapshot_preview1" => {
            "fd_write" => Function::new_typed_with_env(store, env, fd_write),
            "fd_seek" => Function::new_typed(store, fd_seek),
            "fd_close" => Function::new_typed(store, fd_close),
            "clock_time_get" => Function::new_typed_with_env(store, env, clock_time_get),
            "environ_sizes_get" => Function::new_typed_with_env(store, env, environ_sizes_get),
            "environ_get" => Function::new_typed_with_env(store, env, environ_get),
            "proc_exit" => Function::new_typed(store, proc_exit),
        }
    }
}

fn view<'a>(env: &'a FunctionEnvMut<'_, HostEnv>) -> Option<MemoryView<'a>> {
    env.data().memory.as_ref().map(|m| m.view(env))
}

fn read_u32(view: &MemoryView<'_>, at: u64) -> Option<u32> {
    let mut word = [0u8; 4];
    view.read(at, &mut word).ok()?;
    Some(u32::from_le_bytes(word))
}

/// Most iovecs one `fd_write` may pass (POSIX's usual `IOV_MAX`).
const MAX_IOVS: u32 = 1024;

/// Appends to the captured stream. Only what fits under the stream's cap is
/// copied out of guest memory; the rest is checked to lie in memory and
/// then dropped, so a flood past the cap costs the host nothing. Returns
/// to the guest through [`host::checkpoint`], which stops it at its
/// deadline, interrupt or fuel budget.
fn fd_write(
    mut env: FunctionEnvMut<'_, HostEnv>,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
) -> Result<i32, RuntimeError> {
    if fd != STDOUT && fd != STDERR {
        return Ok(errno::BADF);
    }
    let (Ok(iovs), Ok(iovs_len), Ok(nwritten)) = (
        u32::try_from(iovs),
        u32::try_from(iovs_len),
        u32::try_from(nwritten),
    ) else {
        return Ok(errno::INVAL);
    };
    if iovs_len > MAX_IOVS {
        return Ok(errno::INVAL);
    }
    let copied = {
        let (data, store) = env.data_and_store_mut();
        let HostEnv {
            memory,
            stdout,
            stderr,
            ..
        } = data;
        let Some(memory) = memory.as_ref() else {
            return Ok(errno::FAULT);
        };
        let view = memory.view(&store);
        let sink = if fd == STDOUT { stdout } else { stderr };
        let (mut written, mut copied) = (0u64, 0u64);
        for i in 0..u64::from(iovs_len) {
            let at = u64::from(iovs) + i * 8;
            let (Some(ptr), Some(len)) = (read_u32(&view, at), read_u32(&view, at + 4)) else {
                return Ok(errno::FAULT);
            };
            let (ptr, len) = (u64::from(ptr), u64::from(len));
            if ptr + len > view.data_size() {
                return Ok(errno::FAULT);
            }
            match sink.append_from(len, |buf| view.read(ptr, buf).is_ok()) {
                Some(n) => copied += n,
                None => return Ok(errno::FAULT),
            }
            written += len;
        }
        let Ok(written) = u32::try_from(written) else {
            return Ok(errno::INVAL);
        };
        if view
            .write(u64::from(nwritten), &written.to_le_bytes())
            .is_err()
        {
            return Ok(errno::FAULT);
        }
        copied
    };
    host::checkpoint(&mut env, 1 + copied / host::BYTES_PER_CHECKPOINT)?;
    Ok(errno::SUCCESS)
}

// libc's stdio links these for its stdout/stderr streams; the guest's own
// code never seeks or closes, so they only have to fail cleanly.
fn fd_seek(fd: i32, _offset: i64, _whence: i32, _new_offset: i32) -> i32 {
    if fd == STDOUT || fd == STDERR {
        errno::SPIPE
    } else {
        errno::BADF
    }
}

fn fd_close(fd: i32) -> i32 {
    if fd == STDOUT || fd == STDERR {
        errno::NOTSUP
    } else {
        errno::BADF
    }
}

const CLOCK_REALTIME: i32 = 0;
const CLOCK_MONOTONIC: i32 = 1;

fn clock_time_get(
    mut env: FunctionEnvMut<'_, HostEnv>,
    clock: i32,
    _precision: i64,
    out: i32,
) -> Result<i32, RuntimeError> {
    host::checkpoint(&mut env, 0)?;
    Ok(read_clock(&env, clock, out))
}

fn read_clock(env: &FunctionEnvMut<'_, HostEnv>, clock: i32, out: i32) -> i32 {
    let nanos = match clock {
        CLOCK_REALTIME => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        CLOCK_MONOTONIC => {
            u64::try_from(env.data().started.elapsed().as_nanos()).unwrap_or(u64::MAX)
        }
        _ => return errno::INVAL,
    };
    let Ok(out) = u32::try_from(out) else {
        return errno::INVAL;
    };
    let Some(view) = view(env) else {
        return errno::FAULT;
    };
    match view.write(u64::from(out), &nanos.to_le_bytes()) {
        Ok(()) => errno::SUCCESS,
        Err(_) => errno::FAULT,
    }
}

fn environ_sizes_get(env: FunctionEnvMut<'_, HostEnv>, count: i32, size: i32) -> i32 {
    let (Ok(count), Ok(size)) = (u32::try_from(count), u32::try_from(size)) else {
        return errno::INVAL;
    };
    let Some(view) = view(&env) else {
        return errno::FAULT;
    };
    let zero = 0u32.to_le_bytes();
    if view.write(u64::from(count), &zero).is_err() || view.write(u64::from(size), &zero).is_err() {
        return errno::FAULT;
    }
    errno::SUCCESS
}

fn environ_get(_env: FunctionEnvMut<'_, HostEnv>, _environ: i32, _buf: i32) -> i32 {
    // The environment is empty: there is nothing to write.
    errno::SUCCESS
}

fn proc_exit(code: i32) -> Result<(), RuntimeError> {
    Err(RuntimeError::user(Box::new(ProcExit(code))))
}
