//! The Ruby binding of `kobako-engine`: `Kobako::Native::Sandbox` and the
//! mapping of engine errors onto the Ruby exception tree. Everything with
//! behaviour lives in the engine (Rust) or in `lib/` (Ruby); this crate only
//! converts.

mod artifact;
mod callbacks;
mod direct_call;
mod errors;
mod gvl;
mod lock;
mod names;
mod reflection;
mod sandbox;
mod value;

use magnus::{Error, Ruby};

#[magnus::init(name = "kobako")]
fn init(ruby: &Ruby) -> Result<(), Error> {
    errors::init(ruby)?;
    sandbox::init(ruby)?;
    reflection::init(ruby)?;
    Ok(())
}
