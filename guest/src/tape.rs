//! Flattens host values for the C side to build (mrbgem/src/tape.c).

use std::ptr;

use kobako_wire::Value;

#[repr(C)]
pub struct TapeItem {
    kind: u32,
    len: u32,
    integer: i64,
    number: f64,
    ptr: *const u8,
}

const NIL: u32 = 0;
const TRUE: u32 = 1;
const FALSE: u32 = 2;
const INT: u32 = 3;
const FLOAT: u32 = 4;
const STR: u32 = 5;
const BYTES: u32 = 6;
const SYMBOL: u32 = 7;
const ARRAY: u32 = 8;
const HASH: u32 = 9;
const HANDLE: u32 = 10;

/// Depth-first items of some values. Strings point into the values, which
/// must outlive the tape.
#[derive(Default)]
pub struct Tape(Vec<TapeItem>);

/// A value too large for the tape's 32-bit lengths.
#[derive(Debug)]
pub struct TooLarge;

impl Tape {
    pub fn push(&mut self, value: &Value) -> Result<(), TooLarge> {
        let item = |kind, len: usize, ptr| -> Result<TapeItem, TooLarge> {
            Ok(TapeItem {
                kind,
                len: u32::try_from(len).map_err(|_| TooLarge)?,
                integer: 0,
                number: 0.0,
                ptr,
            })
        };
        match value {
            Value::Nil => self.0.push(item(NIL, 0, ptr::null())?),
            Value::Bool(true) => self.0.push(item(TRUE, 0, ptr::null())?),
            Value::Bool(false) => self.0.push(item(FALSE, 0, ptr::null())?),
            Value::Int(i) => self.0.push(TapeItem {
                integer: *i,
                ..item(INT, 0, ptr::null())?
            }),
            Value::Float(f) => self.0.push(TapeItem {
                number: *f,
                ..item(FLOAT, 0, ptr::null())?
            }),
            Value::Str(s) => self.0.push(item(STR, s.len(), s.as_ptr())?),
            Value::Bytes(b) => self.0.push(item(BYTES, b.len(), b.as_ptr())?),
            Value::Symbol(s) => self.0.push(item(SYMBOL, s.len(), s.as_ptr())?),
            Value::Handle(id) => self.0.push(TapeItem {
                integer: i64::try_from(*id).map_err(|_| TooLarge)?,
                ..item(HANDLE, 0, ptr::null())?
            }),
            Value::Array(items) => {
                self.0.push(item(ARRAY, items.len(), ptr::null())?);
                for v in items {
                    self.push(v)?;
                }
            }
            Value::Hash(pairs) => {
                self.0.push(item(HASH, pairs.len(), ptr::null())?);
                for (k, v) in pairs {
                    self.push(k)?;
                    self.push(v)?;
                }
            }
        }
        Ok(())
    }

    pub fn as_ptr(&self) -> *const TapeItem {
        self.0.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}
