//! Where a cold start's time goes in the engine, in a fresh process:
//! hashing the artifact, loading it (the hash again, then Wasmer's
//! deserialization), and the first invocation (instantiation, boot or
//! image, snapshot, the run itself).
//!
//!     cargo run --release -p kobako-engine --example load_timing [ARTIFACTS_DIR]

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(kobako_engine::default_artifacts_dir, PathBuf::from);
    let manifest = kobako_engine::manifest::Manifest::read(&dir).expect("manifest");
    let triple = kobako_engine::platform::host_triple();
    let entry = manifest
        .artifact_for(triple)
        .expect("an artifact for this platform");

    let started = Instant::now();
    kobako_engine::manifest::blake3_file(&dir.join(&entry.file)).expect("hash");
    let hash = started.elapsed();

    let started = Instant::now();
    let artifact = kobako_engine::Artifact::load(&dir).expect("load");
    let load = started.elapsed();

    let started = Instant::now();
    let mut sandbox = kobako_engine::Sandbox::new(&artifact);
    sandbox.eval("nil").expect("first eval");
    let first = started.elapsed();

    let started = Instant::now();
    sandbox.eval("nil").expect("second eval");
    let second = started.elapsed();

    println!(
        "hash {:.3} ms, load (hash + deserialize) {:.3} ms, first eval {:.3} ms, second {:.1} µs",
        hash.as_secs_f64() * 1e3,
        load.as_secs_f64() * 1e3,
        first.as_secs_f64() * 1e3,
        second.as_secs_f64() * 1e6
    );
}
