//! Wire values to Ruby values.

use kobako_engine::Value;
use magnus::value::{Lazy, ReprValue};
use magnus::{prelude::*, IntoValue, RClass, Ruby};

/// `Kobako::Handle`, defined in lib/kobako/handle.rb.
static HANDLE: Lazy<RClass> = Lazy::new(|ruby| crate::errors::kobako_const(ruby, "Handle"));

fn handle_class(ruby: &Ruby) -> RClass {
    ruby.get_inner(&HANDLE)
}

/// Converts a value the guest returned into the host Ruby value it stands for.
pub fn to_ruby(ruby: &Ruby, value: Value) -> Result<magnus::Value, magnus::Error> {
    Ok(match value {
        Value::Nil => ruby.qnil().into_value_with(ruby),
        Value::Bool(b) => b.into_value_with(ruby),
        Value::Int(i) => ruby.integer_from_i64(i).into_value_with(ruby),
        Value::Float(f) => ruby.float_from_f64(f).into_value_with(ruby),
        Value::Str(s) => ruby.str_new(&s).into_value_with(ruby),
        Value::Bytes(b) => ruby.str_from_slice(&b).into_value_with(ruby),
        Value::Symbol(name) => ruby.to_symbol(name).into_value_with(ruby),
        Value::Array(items) => {
            let array = ruby.ary_new_capa(items.len());
            for item in items {
                array.push(to_ruby(ruby, item)?)?;
            }
            array.into_value_with(ruby)
        }
        Value::Handle(id) => handle_class(ruby)
            .new_instance((ruby.integer_from_u64(id),))?
            .into_value_with(ruby),
        Value::Hash(pairs) => {
            let hash = ruby.hash_new();
            for (k, v) in pairs {
                hash.aset(to_ruby(ruby, k)?, to_ruby(ruby, v)?)?;
            }
            hash.into_value_with(ruby)
        }
    })
}

/// A call's keyword arguments as the Hash Ruby passes them in (keys as
/// Symbols).
pub fn kwargs_to_ruby(
    ruby: &Ruby,
    kwargs: Vec<(String, Value)>,
) -> Result<magnus::RHash, magnus::Error> {
    let hash = ruby.hash_new();
    for (k, v) in kwargs {
        hash.aset(ruby.to_symbol(&k), to_ruby(ruby, v)?)?;
    }
    Ok(hash)
}

/// Whether `value` is or contains a Handle (which the dispatcher must turn
/// back into the object it stands for).
pub fn holds_handle(value: &Value) -> bool {
    match value {
        Value::Handle(_) => true,
        Value::Array(items) => items.iter().any(holds_handle),
        Value::Hash(pairs) => pairs
            .iter()
            .any(|(k, v)| holds_handle(k) || holds_handle(v)),
        _ => false,
    }
}

/// Captured output as a Ruby String: UTF-8 when the bytes are, else binary.
pub fn output(ruby: &Ruby, bytes: &[u8]) -> magnus::RString {
    match std::str::from_utf8(bytes) {
        Ok(text) => ruby.str_new(text),
        Err(_) => ruby.str_from_slice(bytes),
    }
}

/// Deep enough for any real data; a guard against runaway recursion.
const MAX_DEPTH: usize = 128;

/// Converts a host Ruby value for the guest. Plain values only: nil, true,
/// false, Integer (signed 64-bit), Float, String, Symbol, Array, Hash.
///
/// # Errors
/// `RangeError` for an Integer beyond 64 bits, `ArgumentError` for nesting
/// deeper than 128 levels, `TypeError` for any other object.
pub fn from_ruby(ruby: &Ruby, value: magnus::Value) -> Result<Value, magnus::Error> {
    convert(ruby, value, 0)
}

fn convert(ruby: &Ruby, value: magnus::Value, depth: usize) -> Result<Value, magnus::Error> {
    use magnus::value::{Qfalse, Qtrue};
    use magnus::{r_hash::ForEach, Error, Float, Integer, RArray, RHash, RString, Symbol};

    if depth > MAX_DEPTH {
        return Err(Error::new(
            ruby.exception_arg_error(),
            format!("cannot pass a value nested deeper than {MAX_DEPTH} levels into the sandbox"),
        ));
    }
    if value.is_nil() {
        return Ok(Value::Nil);
    }
    if Qtrue::from_value(value).is_some() {
        return Ok(Value::Bool(true));
    }
    if Qfalse::from_value(value).is_some() {
        return Ok(Value::Bool(false));
    }
    if let Some(integer) = Integer::from_value(value) {
        return integer.to_i64().map(Value::Int).map_err(|_| {
            Error::new(
                ruby.exception_range_error(),
                "an Integer beyond the signed 64-bit range cannot enter the sandbox",
            )
        });
    }
    if let Some(float) = Float::from_value(value) {
        return Ok(Value::Float(float.to_f64()));
    }
    if let Some(string) = RString::from_value(value) {
        // SAFETY: copied at once, before any Ruby code can run.
        let bytes = unsafe { string.as_slice() }.to_vec();
        let text_encoding = string.is_utf8_compatible_encoding();
        return Ok(match String::from_utf8(bytes) {
            Ok(text) if text_encoding => Value::Str(text),
            Ok(text) => Value::Bytes(text.into_bytes()),
            Err(e) => Value::Bytes(e.into_bytes()),
        });
    }
    if let Some(symbol) = Symbol::from_value(value) {
        return Ok(Value::Symbol(symbol.name()?.into_owned()));
    }
    if let Some(array) = RArray::from_value(value) {
        let mut items = Vec::with_capacity(array.len());
        for index in 0..array.len() {
            let item: magnus::Value = array.entry(isize::try_from(index).unwrap_or(isize::MAX))?;
            items.push(convert(ruby, item, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    if value.is_kind_of(handle_class(ruby)) {
        let id: u64 = value.funcall("id", ())?;
        return Ok(Value::Handle(id));
    }
    if let Some(hash) = RHash::from_value(value) {
        let mut pairs = Vec::with_capacity(hash.len());
        hash.foreach(|k: magnus::Value, v: magnus::Value| {
            pairs.push((convert(ruby, k, depth + 1)?, convert(ruby, v, depth + 1)?));
            Ok(ForEach::Continue)
        })?;
        return Ok(Value::Hash(pairs));
    }
    Err(Error::new(
        ruby.exception_type_error(),
        format!(
            "cannot pass a {} into the sandbox: only nil, true, false, Integer, Float, String, \
             Symbol, Array and Hash cross by value",
            value.class().inspect()
        ),
    ))
}
