//! Reads the facts the runtime relies on from the guest module.
//!
//! - Where writable data starts. wasm-ld lays out static memory as: shadow
//!   stack, `.rodata`, `.data`, `.bss`, heap; it emits `.rodata` and
//!   `.data` as one active segment each, and nothing for `.bss`. So the
//!   highest segment starts the writable data. If a tool merged the
//!   segments, that start is simply lower: the runtime then compares more
//!   memory per restore, never less than it must.
//! - Whether guest code can keep a caught exception alive while it runs
//!   (and so while it calls the host). The guest's compilers use exception
//!   references in one shape only, a landing pad that rethrows at once:
//!   `block (result exnref) … try_table (catch_all_ref 0) … end … end
//!   throw_ref`. The exception goes from the catch straight back to a
//!   throw, no guest instruction runs in between, so it never outlives a
//!   host call. Anything else that makes a reference (a catch clause
//!   aiming elsewhere, an exnref local, a `throw_ref` of something else,
//!   legacy `rethrow`/`delegate`) counts as keeping one.

use kobako_engine::manifest::GuestFacts;
use wasmer::sys::wasmparser::{Catch, DataKind, FunctionBody, Operator, Parser, Payload, ValType};

/// The facts of the guest module `wasm`.
pub fn read(wasm: &[u8]) -> Result<GuestFacts, String> {
    let mut keeps_exceptions = false;
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::CodeSectionEntry(body) = payload.map_err(|e| e.to_string())? {
            keeps_exceptions |= function_keeps_exceptions(&body)?;
        }
    }
    let writable_from = data_segments(wasm)?
        .into_iter()
        .map(|(offset, _)| offset)
        .max()
        .ok_or("the guest has no data segments")?;
    Ok(GuestFacts {
        writable_from,
        keeps_exceptions,
        // As written by the linker; `boot_image::bake` makes it true.
        booted: false,
    })
}

/// The module's active data segments: where each goes, and its bytes.
pub(crate) fn data_segments(wasm: &[u8]) -> Result<Vec<(u64, &[u8])>, String> {
    let mut segments = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::DataSection(reader) = payload.map_err(|e| e.to_string())? {
            for data in reader {
                let data = data.map_err(|e| e.to_string())?;
                if let DataKind::Active { offset_expr, .. } = data.kind {
                    segments.push((constant_offset(&offset_expr)?, data.data));
                }
            }
        }
    }
    Ok(segments)
}

/// The value of a constant `i32.const` expression, as an unsigned address.
pub(crate) fn constant_offset(
    expr: &wasmer::sys::wasmparser::ConstExpr<'_>,
) -> Result<u64, String> {
    match expr
        .get_operators_reader()
        .read()
        .map_err(|e| e.to_string())?
    {
        Operator::I32Const { value } => Ok(u64::from(value as u32)),
        other => Err(format!("a data segment at a computed offset: {other:?}")),
    }
}

/// Whether one function can hold an exception reference past the
/// rethrowing landing pad described in the module docs.
fn function_keeps_exceptions(body: &FunctionBody<'_>) -> Result<bool, String> {
    let err = |e: wasmer::sys::wasmparser::BinaryReaderError| e.to_string();
    for local in body.get_locals_reader().map_err(err)? {
        let (_, ty) = local.map_err(err)?;
        if ty == ValType::EXNREF {
            return Ok(true);
        }
    }
    // Open control frames: whether each is a plain block, and whether a
    // catch clause that yields a reference lands at its end.
    let mut frames: Vec<(bool, bool)> = vec![(true, false)];
    let mut rethrow_next = false;
    let mut ops = body.get_operators_reader().map_err(err)?;
    while !ops.eof() {
        let op = ops.read().map_err(err)?;
        if std::mem::take(&mut rethrow_next) {
            if matches!(op, Operator::ThrowRef) {
                continue;
            }
            return Ok(true);
        }
        match op {
            Operator::Block { .. } => frames.push((true, false)),
            Operator::Loop { .. } | Operator::If { .. } | Operator::Try { .. } => {
                frames.push((false, false))
            }
            Operator::TryTable { try_table } => {
                for catch in &try_table.catches {
                    if let Catch::OneRef { label, .. } | Catch::AllRef { label } = catch {
                        // Labels count outwards from the try_table itself.
                        let at = frames.len().checked_sub(1 + *label as usize);
                        match at.and_then(|i| frames.get_mut(i)) {
                            Some(frame) if frame.0 => frame.1 = true,
                            _ => return Ok(true),
                        }
                    }
                }
                frames.push((false, false));
            }
            Operator::End => {
                let (_, caught) = frames.pop().ok_or("unbalanced control frames")?;
                rethrow_next = caught;
            }
            Operator::ThrowRef | Operator::Rethrow { .. } | Operator::Delegate { .. } => {
                return Ok(true)
            }
            _ => {}
        }
    }
    Ok(rethrow_next)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with one `() -> ()` function whose body (after its empty
    /// locals) is `code`.
    fn module_with(code: &[u8]) -> Vec<u8> {
        let mut body = vec![0x00]; // no locals
        body.extend_from_slice(code);
        let mut entry = vec![0x01, u8::try_from(body.len()).unwrap()];
        entry.extend(body);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([0x01, 0x04, 0x01, 0x60, 0x00, 0x00]); // type () -> ()
        wasm.extend([0x03, 0x02, 0x01, 0x00]); // one function of type 0
        wasm.extend([0x0a, u8::try_from(entry.len()).unwrap()]);
        wasm.extend(entry);
        wasm
    }

    fn keeps(code: &[u8]) -> bool {
        let wasm = module_with(code);
        for payload in Parser::new(0).parse_all(&wasm) {
            if let Payload::CodeSectionEntry(body) = payload.unwrap() {
                return function_keeps_exceptions(&body).unwrap();
            }
        }
        panic!("no function")
    }

    const BLOCK_EXNREF: [u8; 2] = [0x02, 0x69];
    const TRY_CATCH_ALL_REF_0: [u8; 5] = [0x1f, 0x40, 0x01, 0x03, 0x00];

    #[test]
    fn a_landing_pad_that_rethrows_at_once_keeps_nothing() {
        let code = [
            &BLOCK_EXNREF[..],
            &TRY_CATCH_ALL_REF_0,
            &[0x0b, 0x00, 0x0b, 0x0a, 0x0b],
        ]
        .concat();
        assert!(!keeps(&code));
    }

    #[test]
    fn a_caught_reference_that_is_not_rethrown_at_once_is_kept() {
        // … end drop end: the reference outlives the catch.
        let code = [
            &BLOCK_EXNREF[..],
            &TRY_CATCH_ALL_REF_0,
            &[0x0b, 0x00, 0x0b, 0x1a, 0x0b],
        ]
        .concat();
        assert!(keeps(&code));
    }

    #[test]
    fn a_throw_ref_of_anything_else_is_kept() {
        // ref.null exn; throw_ref
        assert!(keeps(&[0xd0, 0x69, 0x0a, 0x0b]));
    }

    #[test]
    fn plain_code_keeps_nothing() {
        assert!(!keeps(&[0x01, 0x0b])); // nop
    }
}
