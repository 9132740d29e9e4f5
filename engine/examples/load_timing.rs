//! Where a cold start's time goes in the engine, in a fresh process:
//! loading the artifact (its hash, then Wasmer's deserialization), making
//! the first instance (instantiation, the memory image, snapshot), and the
//! first invocation on it.
//!
//!     cargo run --release -p kobako-engine --example load_timing [ARTIFACTS_DIR]

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(kobako_engine::default_artifacts_dir, PathBuf::from);

    let started = Instant::now();
    let artifact = kobako_engine::Artifact::load(&dir).expect("load");
    let load = started.elapsed();

    let started = Instant::now();
    artifact.warm().expect("an instance");
    let instance = started.elapsed();

    let started = Instant::now();
    let mut sandbox = kobako_engine::Sandbox::new(&artifact);
    sandbox.eval("nil").expect("first eval");
    let first = started.elapsed();

    let started = Instant::now();
    sandbox.eval("nil").expect("second eval");
    let second = started.elapsed();

    println!(
        "load (hash + deserialize) {:.3} ms, first instance {:.3} ms, first eval {:.3} ms, \
         second {:.1} µs",
        load.as_secs_f64() * 1e3,
        instance.as_secs_f64() * 1e3,
        first.as_secs_f64() * 1e3,
        second.as_secs_f64() * 1e6
    );
}
