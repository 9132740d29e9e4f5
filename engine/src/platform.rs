//! The platform names artifacts are keyed by, and what the runtime asks
//! of the operating system on every invocation.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The target triple of this build, as artifacts are named and recorded.
pub fn host_triple() -> &'static str {
    if cfg!(all(
        target_arch = "x86_64",
        target_os = "linux",
        target_env = "gnu"
    )) {
        "x86_64-unknown-linux-gnu"
    } else if cfg!(all(
        target_arch = "aarch64",
        target_os = "linux",
        target_env = "gnu"
    )) {
        "aarch64-unknown-linux-gnu"
    } else if cfg!(all(target_arch = "aarch64", target_os = "macos")) {
        "aarch64-apple-darwin"
    } else if cfg!(all(target_arch = "x86_64", target_os = "macos")) {
        "x86_64-apple-darwin"
    } else {
        "unsupported"
    }
}

/// Whether this machine's CPU has `feature` (named as Wasmer names it).
pub fn host_has_cpu_feature(feature: &str) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        match feature {
            "sse2" => std::is_x86_feature_detected!("sse2"),
            "sse3" => std::is_x86_feature_detected!("sse3"),
            "ssse3" => std::is_x86_feature_detected!("ssse3"),
            "sse4.1" => std::is_x86_feature_detected!("sse4.1"),
            "sse4.2" => std::is_x86_feature_detected!("sse4.2"),
            "popcnt" => std::is_x86_feature_detected!("popcnt"),
            "avx" => std::is_x86_feature_detected!("avx"),
            "bmi" => std::is_x86_feature_detected!("bmi1"),
            "bmi2" => std::is_x86_feature_detected!("bmi2"),
            "avx2" => std::is_x86_feature_detected!("avx2"),
            "fma" => std::is_x86_feature_detected!("fma"),
            "lzcnt" => std::is_x86_feature_detected!("lzcnt"),
            _ => false,
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        matches!(feature, "neon")
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let _ = feature;
        false
    }
}

/// This process's id, without a system call each time (glibc no longer
/// caches `getpid`, and the pool and the sandbox lock ask on every
/// invocation, to notice that they now live in a forked child). A child
/// made by `fork` learns its own id from a handler `fork` runs in it.
pub fn process_id() -> u32 {
    // 0 until the fork handler is registered; never blocks, so a fork in
    // the middle of the registration leaves a child that reads its id with
    // a system call, not one that waits forever.
    static PID: AtomicU32 = AtomicU32::new(0);
    static REGISTERING: AtomicBool = AtomicBool::new(false);

    extern "C" fn forked_child() {
        PID.store(std::process::id(), Ordering::Release);
    }

    match PID.load(Ordering::Acquire) {
        0 => {
            let pid = std::process::id();
            if !REGISTERING.swap(true, Ordering::AcqRel) {
                // SAFETY: registers a plain function as the child handler
                // (no prepare or parent handler); it only calls getpid
                // (async-signal-safe) and stores an atomic. On failure (no
                // memory) the id is simply read every time.
                if unsafe { libc::pthread_atfork(None, None, Some(forked_child)) } == 0 {
                    PID.store(pid, Ordering::Release);
                }
            }
            pid
        }
        pid => pid,
    }
}
