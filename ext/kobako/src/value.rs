//! Wire values to Ruby values.

use kobako_engine::Value;
use magnus::{IntoValue, Ruby};

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
        Value::Hash(pairs) => {
            let hash = ruby.hash_new();
            for (k, v) in pairs {
                hash.aset(to_ruby(ruby, k)?, to_ruby(ruby, v)?)?;
            }
            hash.into_value_with(ruby)
        }
    })
}

/// Captured output as a Ruby String: UTF-8 when the bytes are, else binary.
pub fn output(ruby: &Ruby, bytes: &[u8]) -> magnus::RString {
    match std::str::from_utf8(bytes) {
        Ok(text) => ruby.str_new(text),
        Err(_) => ruby.str_from_slice(bytes),
    }
}
