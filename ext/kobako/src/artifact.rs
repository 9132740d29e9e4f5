//! The artifact of this process: loaded once, by the first sandbox or, when
//! `lib/kobako.rb` asks for it at require time, on a background thread
//! while Ruby loads the rest of the library, so a cold start does not pay
//! for the artifact's checks and load on top of Ruby's own work. That
//! thread then also makes the first instance ready in the artifact's pool,
//! so the first invocation finds it there (`benchmark/cold_start`).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::thread::JoinHandle;

use kobako_engine::{Artifact, Error as EngineError};
use magnus::{Error, Ruby};

use crate::errors;

enum State {
    Empty,
    /// A background load started by process `pid`: after a `fork` the
    /// thread exists only in the parent.
    Loading {
        pid: u32,
        thread: JoinHandle<Result<Artifact, EngineError>>,
    },
    Ready(Artifact),
}

static STATE: Mutex<State> = Mutex::new(State::Empty);

fn state() -> MutexGuard<'static, State> {
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn load(dir: &Path) -> Result<Artifact, EngineError> {
    Artifact::load_pinned(dir, Some(env!("KOBAKO_ARTIFACT_BLAKE3")))
}

/// The background thread's work: the artifact, and an instance ready for
/// the first invocation. An instance that cannot be made is left to that
/// invocation, which reports why.
fn load_and_warm(dir: &Path) -> Result<Artifact, EngineError> {
    let artifact = load(dir)?;
    let _ = artifact.warm();
    Ok(artifact)
}

/// Starts loading the artifact in `dir` on a background thread, unless a load has started or finished already. If
/// the thread cannot start, the first sandbox loads it as usual.
pub fn prepare(dir: String) {
    let mut state = state();
    if !matches!(*state, State::Empty) {
        return;
    }
    // Not on that thread: a fork (a preforking server) while it was inside
    // Wasmer's one-time setup would leave the child waiting for it.
    kobako_engine::prepare_process();
    let spawned = std::thread::Builder::new()
        .name("kobako-prepare".into())
        .spawn(move || load_and_warm(Path::new(&dir)));
    if let Ok(thread) = spawned {
        *state = State::Loading {
            pid: std::process::id(),
            thread,
        };
    }
}

/// The process's artifact: the one loaded in the background (waiting for
/// it if needed), else loaded from `dir` now. A failed load is raised and
/// tried again by the next caller.
pub fn get(ruby: &Ruby, dir: &Path) -> Result<Artifact, Error> {
    let mut state = state();
    let loaded = match std::mem::replace(&mut *state, State::Empty) {
        State::Ready(artifact) => Ok(artifact),
        State::Loading { pid, thread } if pid == std::process::id() => {
            thread.join().unwrap_or_else(|_| {
                Err(EngineError::Artifact(
                    "the thread loading the artifact panicked".into(),
                ))
            })
        }
        State::Loading { thread, .. } => {
            // Forked while the parent was loading: that thread is not in
            // this process, and joining its handle would wait forever.
            std::mem::forget(thread);
            load(dir)
        }
        State::Empty => load(dir),
    };
    let artifact = loaded.map_err(|e| errors::raise(ruby, e))?;
    *state = State::Ready(artifact.clone());
    Ok(artifact)
}
