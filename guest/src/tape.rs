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
/// Only the guest's own JSON parser makes these (a host value is at most 64 bits).
const DECIMAL_INTEGER: u32 = 11;

/// Depth-first items of some values. Strings point into the values, which
/// must outlive the tape.
#[derive(Default)]
pub struct Tape(Vec<TapeItem>);

/// A value too large for the tape's 32-bit lengths.
#[derive(Debug)]
pub struct TooLarge;

impl Tape {
    /// Empties the tape, keeping its capacity for the next value unless a
    /// large value grew it past [`crate::KEEP_AT_MOST`].
    pub fn clear(&mut self) {
        crate::let_go_if_large(&mut self.0);
    }

    fn item(&mut self, kind: u32, len: usize, ptr: *const u8) -> Result<&mut TapeItem, TooLarge> {
        self.0.push(TapeItem {
            kind,
            len: u32::try_from(len).map_err(|_| TooLarge)?,
            integer: 0,
            number: 0.0,
            ptr,
        });
        Ok(self.0.last_mut().expect("just pushed"))
    }

    pub fn nil(&mut self) -> Result<(), TooLarge> {
        self.item(NIL, 0, ptr::null()).map(drop)
    }

    pub fn bool(&mut self, value: bool) -> Result<(), TooLarge> {
        self.item(if value { TRUE } else { FALSE }, 0, ptr::null())
            .map(drop)
    }

    pub fn int(&mut self, value: i64) -> Result<(), TooLarge> {
        self.item(INT, 0, ptr::null())?.integer = value;
        Ok(())
    }

    pub fn float(&mut self, value: f64) -> Result<(), TooLarge> {
        self.item(FLOAT, 0, ptr::null())?.number = value;
        Ok(())
    }

    /// A UTF-8 string; its bytes must outlive the tape.
    pub fn str(&mut self, value: &str) -> Result<(), TooLarge> {
        self.item(STR, value.len(), value.as_ptr()).map(drop)
    }

    pub fn symbol(&mut self, name: &str) -> Result<(), TooLarge> {
        self.item(SYMBOL, name.len(), name.as_ptr()).map(drop)
    }

    /// An Integer written in decimal digits (with an optional sign), of any
    /// size; the digits must outlive the tape.
    pub fn decimal_integer(&mut self, digits: &str) -> Result<(), TooLarge> {
        self.item(DECIMAL_INTEGER, digits.len(), digits.as_ptr())
            .map(drop)
    }

    /// Announces an Array of `len` elements, which follow.
    pub fn array(&mut self, len: usize) -> Result<(), TooLarge> {
        self.item(ARRAY, len, ptr::null()).map(drop)
    }

    /// Announces a Hash of `len` pairs, which follow (key, value, ...).
    pub fn hash(&mut self, len: usize) -> Result<(), TooLarge> {
        self.item(HASH, len, ptr::null()).map(drop)
    }

    pub fn push(&mut self, value: &Value) -> Result<(), TooLarge> {
        match value {
            Value::Nil => self.nil(),
            Value::Bool(b) => self.bool(*b),
            Value::Int(i) => self.int(*i),
            Value::Float(f) => self.float(*f),
            Value::Str(s) => self.str(s),
            Value::Bytes(b) => self.item(BYTES, b.len(), b.as_ptr()).map(drop),
            Value::Symbol(s) => self.symbol(s),
            Value::Handle(id) => {
                self.item(HANDLE, 0, ptr::null())?.integer =
                    i64::try_from(*id).map_err(|_| TooLarge)?;
                Ok(())
            }
            Value::Array(items) => {
                self.array(items.len())?;
                items.iter().try_for_each(|v| self.push(v))
            }
            Value::Hash(pairs) => {
                self.hash(pairs.len())?;
                pairs.iter().try_for_each(|(k, v)| {
                    self.push(k)?;
                    self.push(v)
                })
            }
        }
    }

    pub fn as_ptr(&self) -> *const TapeItem {
        self.0.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}
