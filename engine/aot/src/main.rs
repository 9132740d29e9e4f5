//! `kobako-aot`: compiles the guest module ahead of time for this machine's
//! platform and records the result in `artifacts/manifest.json`.
//!
//! ```text
//! cargo run --release -p kobako-aot -- [--compiler llvm|cranelift] [--target TRIPLE] [--rewrite] [--keep-symbols] [ARTIFACTS_DIR]
//! cargo run --release -p kobako-aot -- --write-instrumented OUT.wasm [ARTIFACTS_DIR]
//! ```
//!
//! `--write-instrumented` writes the guest with its checkpoints rewritten
//! into the `.wasm` (for an engine without Wasmer's middleware); `--rewrite`
//! compiles that rewritten guest instead of instrumenting while compiling,
//! which tests that both ways make the same guest. `--keep-symbols` keeps
//! the symbol table an ELF artifact is otherwise stripped of (for profiling).
//!
//! The default compiler is LLVM when the tool was built with the `llvm`
//! feature, Cranelift otherwise. `--target` cross-compiles for another
//! platform (aarch64-unknown-linux-gnu from x86_64); the LLVM this project
//! assembles from PyPI wheels has only the X86 backend, so a foreign target
//! is compiled by Cranelift. The runtime never links a compiler: it loads
//! the result on Wasmer's headless engine.

mod boot_image;
mod checkpoints;
mod instrument;
mod layout;
mod memory_image;
mod strip;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use std::{env, fs};

use kobako_engine::manifest::{
    blake3_hex, ArtifactEntry, FileEntry, Manifest, MANIFEST_FORMAT, WASMER_VERSION,
};
use kobako_engine::platform;
use wasmer::sys::{
    CompilerConfig, CpuFeature, EngineBuilder, Features, ModuleMiddleware, Target, Triple,
};
use wasmer::Module;

const GUEST_WASM: &str = "kobako.wasm";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kobako-aot: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut compiler: Option<String> = None;
    let mut dir = PathBuf::from("artifacts");
    let mut triple = platform::host_triple().to_owned();
    let mut checkpoints = checkpoints::Checkpoints::default();
    let mut how = Instrumentation::Middleware;
    let mut write_to = None;
    let mut keep = strip::Keep::default();
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--compiler" => compiler = Some(args.next().ok_or("--compiler needs a value")?),
            "--target" => triple = args.next().ok_or("--target needs a triple")?,
            // Only for measuring the instrumentation; never ship such an artifact.
            "--no-checkpoints" => checkpoints.disabled = true,
            // The checkpoints written into the .wasm first, then compiled
            // as they are: what an engine without the middleware runs.
            "--rewrite" => how = Instrumentation::Rewritten,
            // Names for guest functions in `perf`; the runtime never reads them.
            "--keep-symbols" => keep.symbols = true,
            "--write-instrumented" => {
                write_to = Some(PathBuf::from(
                    args.next().ok_or("--write-instrumented needs a file")?,
                ));
            }
            "-h" | "--help" => {
                println!(
                    "usage: kobako-aot [--compiler llvm|cranelift] [--target TRIPLE] [--rewrite] [--keep-symbols] [ARTIFACTS_DIR]\n       kobako-aot --write-instrumented OUT.wasm [ARTIFACTS_DIR]"
                );
                return Ok(());
            }
            other => dir = PathBuf::from(other),
        }
    }
    if let Some(out) = write_to {
        return write_instrumented(&dir, &out);
    }
    let native = triple == platform::host_triple();
    let compiler = compiler.unwrap_or_else(|| {
        if cfg!(feature = "llvm") && native {
            "llvm"
        } else {
            "cranelift"
        }
        .to_owned()
    });
    compile(&dir, &compiler, &triple, checkpoints, how, keep)
}

/// How the checkpoints get into the artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Instrumentation {
    /// Wasmer's middleware adds them while compiling (what ships).
    Middleware,
    /// [`instrument::instrument`] writes them into the `.wasm` first.
    Rewritten,
}

/// Writes the guest of `dir` with its checkpoints written in, to `out`.
fn write_instrumented(dir: &Path, out: &Path) -> Result<(), String> {
    let wasm_path = dir.join(GUEST_WASM);
    let wasm = fs::read(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    let guest = layout::read(&wasm)?;
    let rewritten = instrument::instrument(&boot_image::bake(&wasm, &guest)?)?;
    fs::write(out, rewritten).map_err(|e| format!("{}: {e}", out.display()))
}

fn compile(
    dir: &Path,
    compiler: &str,
    triple: &str,
    checkpoints: checkpoints::Checkpoints,
    how: Instrumentation,
    keep: strip::Keep,
) -> Result<(), String> {
    let wasm_path = dir.join(GUEST_WASM);
    let wasm = fs::read(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    let mut guest = layout::read(&wasm)?;
    let booted = boot_image::bake(&wasm, &guest)?;
    guest.booted = true;
    let detached = memory_image::detach(&booted)?;

    let target = baseline_target(triple)?;
    let features = guest_features();
    let instrumented = !checkpoints.disabled;
    let middleware: Option<Arc<dyn ModuleMiddleware>> = match how {
        Instrumentation::Middleware => Some(Arc::new(checkpoints)),
        Instrumentation::Rewritten => None,
    };
    let (builder, compiler_name) = engine_builder(compiler, middleware)?;
    let engine = wasmer::Engine::from(
        builder
            .set_target(Some(target.clone()))
            .set_features(Some(features)),
    );

    let started = Instant::now();
    let source = match how {
        Instrumentation::Middleware => detached.module,
        Instrumentation::Rewritten => instrument::instrument(&detached.module)?,
    };
    let module = Module::new(&engine, &source).map_err(|e| format!("compile failed: {e}"))?;
    let bytes = module
        .serialize()
        .map_err(|e| format!("serialize failed: {e}"))?;
    let bytes = strip::debug_info(bytes.to_vec(), keep)?;
    let elapsed = started.elapsed();
    let (bytes, image) = memory_image::append(bytes, detached.address, &detached.image);

    let file = format!("kobako.{triple}.wasmu");
    fs::write(dir.join(&file), &bytes).map_err(|e| format!("{file}: {e}"))?;

    let entry = ArtifactEntry {
        file: file.clone(),
        blake3: blake3_hex(&bytes),
        target: triple.to_owned(),
        cpu_features: target
            .cpu_features()
            .iter()
            .map(|f| f.to_string())
            .collect(),
        compiler: compiler_name,
        wasmer: WASMER_VERSION.to_owned(),
        checkpoints: instrumented,
        image,
    };
    let wasm_entry = FileEntry {
        file: GUEST_WASM.to_owned(),
        blake3: blake3_hex(&wasm),
    };
    let mut manifest = match Manifest::read(dir) {
        // Artifacts of other platforms stay only while they match this wasm.
        Ok(old) if old.wasm == wasm_entry => old,
        _ => Manifest {
            format: MANIFEST_FORMAT,
            wasm: wasm_entry,
            guest,
            artifacts: Vec::new(),
        },
    };
    manifest.guest = guest;
    manifest.artifacts.retain(|a| a.target != entry.target);
    manifest.artifacts.push(entry);
    manifest.artifacts.sort_by(|a, b| a.target.cmp(&b.target));
    manifest.write(dir).map_err(|e| e.to_string())?;

    println!(
        "kobako-aot: {file} ({} bytes) compiled by {} in {:.2} s",
        bytes.len(),
        manifest
            .artifact_for(triple)
            .map_or("?", |a| a.compiler.as_str()),
        elapsed.as_secs_f64()
    );
    Ok(())
}

/// The guest uses Wasm exception handling (mruby's setjmp/longjmp) on top of
/// the default feature set.
fn guest_features() -> Features {
    let mut features = Features::default();
    features.exceptions(true);
    features
}

/// The platform `triple` with a conservative CPU baseline, so one artifact
/// runs on any machine of the platform (x86-64-v2 on x86_64; NEON on aarch64).
fn baseline_target(triple: &str) -> Result<Target, String> {
    let parsed: Triple = triple
        .parse()
        .map_err(|e| format!("--target {triple:?}: {e}"))?;
    let wanted: &[CpuFeature] = if triple.starts_with("x86_64-") {
        &[
            CpuFeature::SSE2,
            CpuFeature::SSE3,
            CpuFeature::SSSE3,
            CpuFeature::SSE41,
            CpuFeature::SSE42,
            CpuFeature::POPCNT,
        ]
    } else if triple.starts_with("aarch64-") {
        &[CpuFeature::NEON]
    } else {
        return Err(format!(
            "--target {triple:?}: kobako builds for x86_64 and aarch64 only"
        ));
    };
    let mut features = CpuFeature::set();
    for feature in wanted {
        features.insert(*feature);
    }
    Ok(Target::new(parsed, features))
}

fn engine_builder(
    compiler: &str,
    middleware: Option<Arc<dyn ModuleMiddleware>>,
) -> Result<(EngineBuilder, String), String> {
    match compiler {
        "cranelift" => {
            let mut cranelift = wasmer::sys::Cranelift::new();
            if let Some(middleware) = middleware {
                cranelift.push_middleware(middleware);
            }
            Ok((EngineBuilder::new(cranelift), "cranelift".into()))
        }
        #[cfg(feature = "llvm")]
        "llvm" => {
            let mut llvm = wasmer::sys::LLVM::new();
            // On Linux, emit an ELF shared object: the runtime maps its code
            // without copying, and its unwind info registers as one object,
            // which keeps guest exceptions cheap under libgcc.
            let elf = cfg!(target_os = "linux");
            llvm.experimental_artifact(elf);
            if let Some(middleware) = middleware {
                llvm.push_middleware(middleware);
            }
            let name = if elf { "llvm-22.1-elf" } else { "llvm-22.1" };
            Ok((EngineBuilder::new(llvm), name.into()))
        }
        #[cfg(not(feature = "llvm"))]
        "llvm" => Err("this build has no LLVM: rebuild with --features llvm".into()),
        other => Err(format!("unknown compiler {other:?} (llvm or cranelift)")),
    }
}
