//! Ruby values on the wire.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// MessagePack extension type codes for the Ruby types MessagePack lacks.
pub mod ext {
    /// A Symbol; the payload is its name.
    pub const SYMBOL: i8 = 1;
    /// A capability Handle; the payload is its id, 8 bytes big-endian.
    pub const HANDLE: i8 = 2;
}

/// A plain Ruby value, the only kind that crosses the boundary by value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `nil`
    Nil,
    /// `true` or `false`
    Bool(bool),
    /// An Integer in the signed 64-bit range.
    Int(i64),
    /// A Float, NaN and infinities included.
    Float(f64),
    /// A UTF-8 String.
    Str(String),
    /// A binary (ASCII-8BIT) String.
    Bytes(Vec<u8>),
    /// A Symbol, by name.
    Symbol(String),
    /// An Array.
    Array(Vec<Value>),
    /// A Hash, in insertion order.
    Hash(Vec<(Value, Value)>),
    /// An opaque reference to a host object, valid for one invocation.
    Handle(u64),
}

/// The shape rmp-serde writes and reads as a MessagePack extension.
#[derive(Serialize, Deserialize)]
#[serde(rename = "_ExtStruct")]
struct Ext((i8, Payload));

/// An extension's payload, written as MessagePack `bin`.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct Payload(#[serde(with = "crate::bytes")] Vec<u8>);

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Nil => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(text) => s.serialize_str(text),
            Value::Bytes(bytes) => s.serialize_bytes(bytes),
            Value::Symbol(name) => {
                Ext((ext::SYMBOL, Payload(name.as_bytes().to_vec()))).serialize(s)
            }
            Value::Handle(id) => {
                let payload = Payload(id.to_be_bytes().to_vec());
                Ext((ext::HANDLE, payload)).serialize(s)
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Hash(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

/// Containers announce their length; never trust it for more than this many
/// pre-allocated slots.
const PREALLOCATE_AT_MOST: usize = 4096;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a kobako wire value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        i64::try_from(u)
            .map(Value::Int)
            .map_err(|_| E::custom("integer beyond the signed 64-bit range"))
    }

    fn visit_f32<E>(self, f: f32) -> Result<Value, E> {
        Ok(Value::Float(f64::from(f)))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }

    fn visit_bytes<E>(self, b: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(b.to_vec()))
    }

    fn visit_byte_buf<E>(self, b: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(b))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let hint = seq.size_hint().unwrap_or(0).min(PREALLOCATE_AT_MOST);
        let mut items = Vec::with_capacity(hint);
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let hint = map.size_hint().unwrap_or(0).min(PREALLOCATE_AT_MOST);
        let mut pairs = Vec::with_capacity(hint);
        while let Some(pair) = map.next_entry()? {
            pairs.push(pair);
        }
        Ok(Value::Hash(pairs))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let (tag, Payload(payload)) = <(i8, Payload)>::deserialize(d)?;
        match tag {
            ext::SYMBOL => String::from_utf8(payload)
                .map(Value::Symbol)
                .map_err(|_| de::Error::custom("symbol name is not UTF-8")),
            ext::HANDLE => <[u8; 8]>::try_from(payload.as_slice())
                .map(|id| Value::Handle(u64::from_be_bytes(id)))
                .map_err(|_| de::Error::custom("a handle id is 8 bytes")),
            other => Err(de::Error::custom(format_args!(
                "unknown extension type {other}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Value;
    use crate::{decode, encode};

    fn round_trip(v: Value) {
        let bytes = encode(&v).unwrap();
        let back: Value = decode(&bytes).unwrap();
        match (&v, &back) {
            (Value::Float(a), Value::Float(b)) if a.is_nan() => assert!(b.is_nan()),
            (Value::Float(a), Value::Float(b)) => assert_eq!(a.to_bits(), b.to_bits()),
            _ => assert_eq!(v, back),
        }
    }

    #[test]
    fn scalars_round_trip() {
        for v in [
            Value::Nil,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(i64::MIN),
            Value::Int(i64::MAX),
            Value::Int(-1),
            Value::Float(-0.0),
            Value::Float(f64::NAN),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(1.5),
            Value::Str("héllo".into()),
            Value::Bytes(vec![0, 255, 0]),
            Value::Symbol("sym".into()),
            Value::Handle(0),
            Value::Handle(u64::MAX),
        ] {
            round_trip(v);
        }
    }

    #[test]
    fn strings_and_symbols_stay_distinct() {
        let s: Value = decode(&encode(&Value::Str("a".into())).unwrap()).unwrap();
        let y: Value = decode(&encode(&Value::Symbol("a".into())).unwrap()).unwrap();
        let b: Value = decode(&encode(&Value::Bytes(b"a".to_vec())).unwrap()).unwrap();
        assert_eq!(s, Value::Str("a".into()));
        assert_eq!(y, Value::Symbol("a".into()));
        assert_eq!(b, Value::Bytes(b"a".to_vec()));
    }

    #[test]
    fn containers_keep_order_and_any_key() {
        round_trip(Value::Hash(vec![
            (Value::Symbol("b".into()), Value::Int(1)),
            (
                Value::Int(2),
                Value::Array(vec![Value::Nil, Value::Str("x".into())]),
            ),
            (Value::Array(vec![]), Value::Hash(vec![])),
        ]));
    }

    #[test]
    fn unknown_extension_is_refused() {
        // fixext1, type 99, payload 0
        assert!(decode::<Value>(&[0xd4, 99, 0]).is_err());
    }

    #[test]
    fn integers_beyond_i64_are_refused() {
        // uint64 max
        let bytes = [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(decode::<Value>(&bytes).is_err());
    }

    #[test]
    fn absurd_lengths_do_not_preallocate() {
        // array32 claiming 2^32-1 elements, with none present
        assert!(decode::<Value>(&[0xdd, 0xff, 0xff, 0xff, 0xff]).is_err());
    }
}
