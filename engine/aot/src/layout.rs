//! Reads the guest's memory layout from its data segments.
//!
//! wasm-ld lays out static memory as: shadow stack, `.rodata`, `.data`,
//! `.bss`, heap; it emits `.rodata` and `.data` as one active segment each,
//! and nothing for `.bss`. So the highest segment starts the writable data.
//! If a tool merged the segments, that start is simply lower: the runtime
//! then compares more memory per restore, never less than it must.

use kobako_engine::manifest::GuestLayout;
use wasmer::sys::wasmparser::{DataKind, Operator, Parser, Payload};

/// The layout of the guest module `wasm`.
pub fn read(wasm: &[u8]) -> Result<GuestLayout, String> {
    let mut highest: Option<u64> = None;
    for payload in Parser::new(0).parse_all(wasm) {
        let Payload::DataSection(reader) = payload.map_err(|e| e.to_string())? else {
            continue;
        };
        for data in reader {
            let data = data.map_err(|e| e.to_string())?;
            let DataKind::Active { offset_expr, .. } = data.kind else {
                continue;
            };
            let mut ops = offset_expr.get_operators_reader();
            let offset = match ops.read().map_err(|e| e.to_string())? {
                Operator::I32Const { value } => u64::from(value as u32),
                other => return Err(format!("a data segment at a computed offset: {other:?}")),
            };
            highest = Some(highest.map_or(offset, |h| h.max(offset)));
        }
    }
    let writable_from = highest.ok_or("the guest has no data segments")?;
    Ok(GuestLayout { writable_from })
}
