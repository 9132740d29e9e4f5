//! The artifact of this process: loaded once, by the first sandbox or, when
//! `lib/kobako.rb` asks for it at require time, on a background thread
//! while Ruby loads the rest of the library, so a cold start does not pay
//! for the artifact's checks and load on top of Ruby's own work. That
//! thread then also makes the first instance ready in the artifact's pool,
//! so the first invocation finds it there (`benchmark/cold_start`).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::thread::JoinHandle;

use kobako_engine::{Artifact, Error as EngineError, PendingLoad};
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

/// The artifact this extension was built with (`build.rs`): no other is
/// loaded, whatever a manifest beside it says.
const PINNED: &str = env!("KOBAKO_ARTIFACT_BLAKE3");

fn load(dir: &Path) -> Result<Artifact, EngineError> {
    Artifact::load_pinned(dir, Some(PINNED))
}

/// The background thread's work: the artifact, and an instance ready for
/// the first invocation. An instance that cannot be made is left to that
/// invocation, which reports why.
fn finish_and_warm(pending: PendingLoad) -> Result<Artifact, EngineError> {
    let artifact = pending.finish()?;
    let _ = artifact.warm();
    Ok(artifact)
}

/// Starts loading the artifact in `dir` on a background thread, unless a
/// load has started or finished already, and helps it: this thread hashes a
/// share of the artifact file before it returns to Ruby (which then loads
/// the rest of the library while the load goes on). If the load cannot
/// begin or the thread cannot start, the first sandbox loads it as usual
/// (and reports why it cannot).
pub fn prepare(dir: String) {
    let mut state = state();
    if !matches!(*state, State::Empty) {
        return;
    }
    // Not on that thread: a fork (a preforking server) while it was inside
    // Wasmer's one-time setup would leave the child waiting for it.
    kobako_engine::prepare_process();
    let Ok((pending, help)) = Artifact::begin_load_pinned(Path::new(&dir), Some(PINNED)) else {
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("kobako-prepare".into())
        .spawn(move || finish_and_warm(pending));
    if let Ok(thread) = spawned {
        *state = State::Loading {
            pid: std::process::id(),
            thread,
        };
        drop(state);
        help.help();
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
