//! Pins the extension to the compiled guest it is built with: the BLAKE3
//! hash of this platform's `.wasmu`, from `artifacts/manifest.json`, is
//! compiled in, so a swapped artifact is refused even with a manifest
//! swapped to match it. An artifact without checkpoints (nothing could stop
//! it) fails the build.
//!
//! `KOBAKO_PIN_ARTIFACTS_DIR` pins another artifacts directory's manifest
//! instead (benchmark/compare builds an extension for a Cranelift artifact
//! that way); the extension then loads only that directory's artifact.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rerun-if-env-changed=KOBAKO_PIN_ARTIFACTS_DIR");
    let artifacts = std::env::var_os("KOBAKO_PIN_ARTIFACTS_DIR")
        .map_or_else(|| manifest_dir.join("../../artifacts"), PathBuf::from);
    let manifest_path = artifacts.join("manifest.json");
    println!("cargo:rerun-if-changed={}", manifest_path.display());
    let target = std::env::var("TARGET").unwrap();
    let text = std::fs::read_to_string(&manifest_path)
        .unwrap_or_else(|e| panic!("kobako: cannot read {}: {e}", manifest_path.display()));
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("kobako: {} is not JSON: {e}", manifest_path.display()));
    let entry = manifest["artifacts"]
        .as_array()
        .and_then(|all| all.iter().find(|a| a["target"] == target.as_str()))
        .unwrap_or_else(|| panic!("kobako: artifacts/manifest.json has no artifact for {target}"));
    assert!(
        entry["checkpoints"] == true,
        "kobako: the {target} artifact was compiled without checkpoints; rebuild it with kobako-aot"
    );
    let hash = entry["blake3"]
        .as_str()
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("kobako: the {target} artifact has no BLAKE3 hash"));
    println!("cargo:rustc-env=KOBAKO_ARTIFACT_BLAKE3={hash}");
}
