//! What is particular to the wasmtime backend: where it finds the guest.

use kobako_engine::{default_artifacts_dir, Artifact, Error};

#[test]
fn a_directory_without_the_checkpointed_guest_is_refused() {
    let dir = std::env::temp_dir().join(format!("kobako-no-guest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        default_artifacts_dir().join("manifest.json"),
        dir.join("manifest.json"),
    )
    .unwrap();
    let refused = Artifact::load(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    match refused {
        Err(Error::Artifact(message)) => {
            assert!(message.contains("kobako.checkpointed.wasm"), "{message}");
        }
        Err(other) => panic!("expected an artifact error, got {other}"),
        Ok(_) => panic!("loaded a guest from an empty directory"),
    }
}
