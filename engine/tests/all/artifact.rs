use std::fs;
use std::path::PathBuf;

use kobako_engine::manifest::{Manifest, MANIFEST_FILE};
use kobako_engine::{default_artifacts_dir, platform, Artifact, Error};

/// A private copy of the artifacts directory that a test may damage.
fn scratch_copy(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kobako-test-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let src = default_artifacts_dir();
    let manifest = Manifest::read(&src).unwrap();
    fs::copy(src.join(MANIFEST_FILE), dir.join(MANIFEST_FILE)).unwrap();
    for entry in &manifest.artifacts {
        fs::copy(src.join(&entry.file), dir.join(&entry.file)).unwrap();
    }
    dir
}

fn refusal(dir: &std::path::Path) -> String {
    match Artifact::load(dir) {
        Err(Error::Artifact(message)) => message,
        Err(other) => panic!("expected an artifact error, got {other}"),
        Ok(_) => panic!("a damaged artifact was loaded"),
    }
}

#[test]
fn loads_and_runs() {
    let mut sandbox = crate::sandbox();
    assert_eq!(sandbox.eval("1 + 2").unwrap(), kobako_engine::Value::Int(3));
}

#[test]
fn the_manifest_describes_this_platform() {
    let manifest = Manifest::read(&default_artifacts_dir()).unwrap();
    let entry = manifest
        .artifact_for(platform::host_triple())
        .expect("an artifact for this platform");
    assert_eq!(entry.wasmer, kobako_engine::manifest::WASMER_VERSION);
    let wasm = fs::read(default_artifacts_dir().join(&manifest.wasm.file)).unwrap();
    assert_eq!(
        kobako_engine::manifest::blake3_hex(&wasm),
        manifest.wasm.blake3
    );
}

#[test]
fn a_corrupted_artifact_is_refused_before_loading() {
    let dir = scratch_copy("corrupt");
    let manifest = Manifest::read(&dir).unwrap();
    let file = dir.join(&manifest.artifact_for(platform::host_triple()).unwrap().file);
    let mut bytes = fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    fs::write(&file, bytes).unwrap();
    assert!(refusal(&dir).contains("checksum"));
    fs::remove_dir_all(dir).unwrap();
}

/// How `require "kobako"` loads: another thread finishes the load while
/// the one that began it hashes a share of the file from its end.
#[test]
fn a_load_helped_from_another_thread_runs() {
    let (pending, help) = Artifact::begin_load_pinned(&default_artifacts_dir(), None).unwrap();
    let helper = std::thread::spawn(move || help.help());
    let artifact = pending.finish().unwrap();
    helper.join().unwrap();
    let mut sandbox = kobako_engine::Sandbox::new(&artifact);
    assert_eq!(
        sandbox.eval("6 * 7").unwrap(),
        kobako_engine::Value::Int(42)
    );
}

/// A damaged byte is found whichever thread hashes it: near the end (the
/// helper's share) or near the start (the loader's).
#[test]
fn a_corruption_in_either_share_is_refused() {
    for (name, at) in [("tail", 95), ("head", 5)] {
        let dir = scratch_copy(name);
        let manifest = Manifest::read(&dir).unwrap();
        let file = dir.join(&manifest.artifact_for(platform::host_triple()).unwrap().file);
        let mut bytes = fs::read(&file).unwrap();
        let position = bytes.len() * at / 100;
        bytes[position] ^= 0x80;
        fs::write(&file, bytes).unwrap();
        let (pending, help) = Artifact::begin_load_pinned(&dir, None).unwrap();
        help.help();
        match pending.finish() {
            Err(Error::Artifact(message)) => assert!(message.contains("checksum"), "{message}"),
            Err(other) => panic!("expected an artifact error, got {other}"),
            Ok(_) => panic!("a damaged artifact ({name}) was loaded"),
        }
        fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn a_truncated_artifact_is_refused() {
    let dir = scratch_copy("truncated");
    let manifest = Manifest::read(&dir).unwrap();
    let file = dir.join(&manifest.artifact_for(platform::host_triple()).unwrap().file);
    let bytes = fs::read(&file).unwrap();
    fs::write(&file, &bytes[..bytes.len() / 3]).unwrap();
    assert!(refusal(&dir).contains("checksum"));
    fs::remove_dir_all(dir).unwrap();
}

/// Moves a manifest's memory image somewhere it must not be, given the
/// artifact file's length.
type Misplace = fn(&mut kobako_engine::manifest::MemoryImage, u64);

/// Where the manifest places the memory image is checked against the
/// (verified) file and the module before any instance maps it.
#[test]
fn a_misplaced_memory_image_is_refused() {
    let dir = scratch_copy("image");
    let triple = platform::host_triple();
    let shipped = Manifest::read(&dir)
        .unwrap()
        .artifact_for(triple)
        .unwrap()
        .clone();
    let file_len = fs::metadata(dir.join(&shipped.file)).unwrap().len();
    let cases: [(&str, Misplace); 6] = [
        ("page-aligned", |image, _| image.address += 8),
        ("page-aligned", |image, _| image.file_offset += 8),
        ("overlaps the compiled module", |image, _| {
            image.module_length += 4096 * 2
        }),
        ("past the end of the file", |image, len| image.length = len),
        ("outside the guest's initial memory", |image, _| {
            image.address = 1 << 32
        }),
        // The image ends on its last byte that is not zero.
        ("followed by data", |image, _| image.length -= 1),
    ];
    for (why, misplace) in cases {
        let mut manifest = Manifest::read(&dir).unwrap();
        let entry = manifest
            .artifacts
            .iter_mut()
            .find(|a| a.target == triple)
            .unwrap();
        entry.image = shipped.image;
        misplace(&mut entry.image, file_len);
        manifest.write(&dir).unwrap();
        let message = refusal(&dir);
        assert!(message.contains(why), "{why}: {message}");
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_artifact_from_another_wasmer_is_refused() {
    let dir = scratch_copy("version");
    let mut manifest = Manifest::read(&dir).unwrap();
    for entry in &mut manifest.artifacts {
        entry.wasmer = "0.0.1".into();
    }
    manifest.write(&dir).unwrap();
    assert!(refusal(&dir).contains("Wasmer 0.0.1"));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_missing_manifest_is_refused() {
    let dir = scratch_copy("nomanifest");
    fs::remove_file(dir.join(MANIFEST_FILE)).unwrap();
    assert!(refusal(&dir).contains("manifest.json"));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_artifact_without_checkpoints_is_refused() {
    let dir = scratch_copy("uninstrumented");
    let mut manifest = Manifest::read(&dir).unwrap();
    for entry in &mut manifest.artifacts {
        entry.checkpoints = false;
    }
    manifest.write(&dir).unwrap();
    assert!(refusal(&dir).contains("without checkpoints"));
    fs::remove_dir_all(dir).unwrap();
}
