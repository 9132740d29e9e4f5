//! The guest's whole view of the outside world: seven WASI preview1 imports,
//! written by hand so the surface stays exactly this small (each backend
//! registers them under `wasi_snapshot_preview1`).
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

use crate::backend::{GuestCx, Stop};
use crate::guest_memory;
use crate::host;

/// WASI errno values used here.
mod errno {
    pub const SUCCESS: i32 = 0;
    pub const BADF: i32 = 8;
    pub const FAULT: i32 = 21;
    pub const INVAL: i32 = 28;
    pub const NOTSUP: i32 = 58;
    pub const SPIPE: i32 = 70;
}

/// The module the imports live in.
pub(crate) const MODULE: &str = "wasi_snapshot_preview1";

const STDOUT: i32 = 1;
const STDERR: i32 = 2;

/// Most iovecs one `fd_write` may pass (POSIX's usual `IOV_MAX`).
const MAX_IOVS: u32 = 1024;

/// Appends to the captured stream. Only what fits under the stream's cap is
/// copied out of guest memory; the rest is checked to lie in memory and
/// then dropped, so a flood past the cap costs the host nothing. Returns
/// to the guest through [`host::checkpoint`], which stops it at its
/// deadline, interrupt or fuel budget.
pub(crate) fn fd_write(
    cx: &mut impl GuestCx,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
) -> Result<i32, Stop> {
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
    let (env, memory) = cx.env_and_memory();
    let sink = if fd == STDOUT {
        &mut env.stdout
    } else {
        &mut env.stderr
    };
    let (mut written, mut copied) = (0u64, 0u64);
    for i in 0..u64::from(iovs_len) {
        let at = u64::from(iovs) + i * 8;
        let (Some(ptr), Some(len)) = (
            guest_memory::read_u32(memory, at),
            guest_memory::read_u32(memory, at + 4),
        ) else {
            return Ok(errno::FAULT);
        };
        let Some(data) = guest_memory::range(memory, u64::from(ptr), u64::from(len)) else {
            return Ok(errno::FAULT);
        };
        copied += sink.write(data) as u64;
        written += u64::from(len);
    }
    let Ok(written) = u32::try_from(written) else {
        return Ok(errno::INVAL);
    };
    if !guest_memory::write(memory, u64::from(nwritten), &written.to_le_bytes()) {
        return Ok(errno::FAULT);
    }
    host::checkpoint(cx, 1 + copied / host::BYTES_PER_CHECKPOINT)?;
    Ok(errno::SUCCESS)
}

// libc's stdio links these for its stdout/stderr streams; the guest's own
// code never seeks or closes, so they only have to fail cleanly.
pub(crate) fn fd_seek(fd: i32, _offset: i64, _whence: i32, _new_offset: i32) -> i32 {
    if fd == STDOUT || fd == STDERR {
        errno::SPIPE
    } else {
        errno::BADF
    }
}

pub(crate) fn fd_close(fd: i32) -> i32 {
    if fd == STDOUT || fd == STDERR {
        errno::NOTSUP
    } else {
        errno::BADF
    }
}

const CLOCK_REALTIME: i32 = 0;
const CLOCK_MONOTONIC: i32 = 1;

pub(crate) fn clock_time_get(
    cx: &mut impl GuestCx,
    clock: i32,
    _precision: i64,
    out: i32,
) -> Result<i32, Stop> {
    host::checkpoint(cx, 0)?;
    let nanos = match clock {
        CLOCK_REALTIME => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        CLOCK_MONOTONIC => u64::try_from(cx.env().started.elapsed().as_nanos()).unwrap_or(u64::MAX),
        _ => return Ok(errno::INVAL),
    };
    let Ok(out) = u32::try_from(out) else {
        return Ok(errno::INVAL);
    };
    Ok(store(cx.memory(), out, &nanos.to_le_bytes()))
}

pub(crate) fn environ_sizes_get(cx: &mut impl GuestCx, count: i32, size: i32) -> i32 {
    let (Ok(count), Ok(size)) = (u32::try_from(count), u32::try_from(size)) else {
        return errno::INVAL;
    };
    let zero = 0u32.to_le_bytes();
    match store(cx.memory(), count, &zero) {
        errno::SUCCESS => store(cx.memory(), size, &zero),
        failed => failed,
    }
}

pub(crate) fn environ_get(_environ: i32, _buf: i32) -> i32 {
    // The environment is empty: there is nothing to write.
    errno::SUCCESS
}

pub(crate) fn proc_exit(code: i32) -> Result<(), Stop> {
    Err(Stop::Exit(code))
}

/// Writes `bytes` at the guest address `at`.
fn store(memory: &mut [u8], at: u32, bytes: &[u8]) -> i32 {
    if guest_memory::write(memory, u64::from(at), bytes) {
        errno::SUCCESS
    } else {
        errno::FAULT
    }
}
