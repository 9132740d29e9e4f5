//! A [`ServiceCall`](crate::ServiceCall) written as MessagePack piece by
//! piece, as the guest walks its arguments: no [`Value`](crate::Value) tree
//! and no `ServiceCall` are built on the way. The bytes are exactly what
//! [`encode`](crate::encode) writes for the same call (the tests below hold
//! the two side by side), so the host decodes them as it always has.

use rmp::encode;

use crate::ext;

/// The MessagePack of one service call, written in order: the target
/// ([`member`](Self::member) or [`handle_target`](Self::handle_target)),
/// the [`method`](Self::method), [`args`](Self::args) followed by that many
/// values, then [`kwargs`](Self::kwargs) followed by that many
/// [`keyword`](Self::keyword)-and-value pairs. A value is one scalar, or an
/// [`array`](Self::array) or [`hash`](Self::hash) followed by its items (a
/// hash's as key, value, key, value...).
///
/// The writer trusts its caller for the order and the counts (the guest's
/// own glue, not guest code, drives it); it only refuses text that is not
/// UTF-8 where the call needs text (see [`malformed`](Self::malformed)).
#[derive(Debug, Default)]
pub struct CallWriter {
    out: Vec<u8>,
    malformed: bool,
}

/// Writing into a `Vec` cannot fail, so rmp's `Result`s carry nothing.
fn written<E>(_: Result<(), E>) {}

impl CallWriter {
    /// Starts a new call, keeping the buffer's capacity.
    pub fn clear(&mut self) {
        self.out.clear();
        self.malformed = false;
    }

    /// The call so far.
    pub fn bytes(&self) -> &[u8] {
        &self.out
    }

    /// Whether a name the call needs as text was not UTF-8 (the call cannot
    /// be sent).
    pub fn malformed(&self) -> bool {
        self.malformed
    }

    /// Lets go of the buffer when it grew past `at_most` bytes.
    pub fn shrink_past(&mut self, at_most: usize) {
        if self.out.capacity() > at_most {
            self.out = Vec::new();
        }
    }

    fn text<'a>(&mut self, raw: &'a [u8]) -> &'a str {
        std::str::from_utf8(raw).unwrap_or_else(|_| {
            self.malformed = true;
            ""
        })
    }

    /// A call on a bound service, `namespace::member`.
    pub fn member(&mut self, namespace: &[u8], member: &[u8]) {
        let (namespace, member) = (self.text(namespace), self.text(member));
        // [target, method, args, kwargs]; the target {"Member" => [ns, member]}
        written(encode::write_array_len(&mut self.out, 4).map(drop));
        written(encode::write_map_len(&mut self.out, 1).map(drop));
        written(encode::write_str(&mut self.out, "Member"));
        written(encode::write_array_len(&mut self.out, 2).map(drop));
        written(encode::write_str(&mut self.out, namespace));
        written(encode::write_str(&mut self.out, member));
    }

    /// A call on the Handle `id`.
    pub fn handle_target(&mut self, id: u64) {
        // [target, method, args, kwargs]; the target {"Handle" => id}
        written(encode::write_array_len(&mut self.out, 4).map(drop));
        written(encode::write_map_len(&mut self.out, 1).map(drop));
        written(encode::write_str(&mut self.out, "Handle"));
        written(encode::write_uint(&mut self.out, id).map(drop));
    }

    /// The method's name.
    pub fn method(&mut self, name: &[u8]) {
        let name = self.text(name);
        written(encode::write_str(&mut self.out, name));
    }

    /// `len` positional arguments follow.
    pub fn args(&mut self, len: u32) {
        self.array(len);
    }

    /// `len` keyword arguments follow, each a [`keyword`](Self::keyword)
    /// and a value.
    pub fn kwargs(&mut self, len: u32) {
        self.array(len);
    }

    /// A keyword argument's name; its value follows.
    pub fn keyword(&mut self, name: &[u8]) {
        let name = self.text(name);
        written(encode::write_array_len(&mut self.out, 2).map(drop));
        written(encode::write_str(&mut self.out, name));
    }

    /// `nil`
    pub fn nil(&mut self) {
        written(encode::write_nil(&mut self.out));
    }

    /// `true` or `false`
    pub fn bool(&mut self, value: bool) {
        written(encode::write_bool(&mut self.out, value));
    }

    /// An Integer.
    pub fn int(&mut self, value: i64) {
        written(encode::write_sint(&mut self.out, value).map(drop));
    }

    /// A Float.
    pub fn float(&mut self, value: f64) {
        written(encode::write_f64(&mut self.out, value));
    }

    /// A UTF-8 String.
    pub fn str(&mut self, text: &str) {
        written(encode::write_str(&mut self.out, text));
    }

    /// A binary String.
    pub fn bytes_value(&mut self, bytes: &[u8]) {
        written(encode::write_bin(&mut self.out, bytes));
    }

    /// A Symbol, by name.
    pub fn symbol(&mut self, name: &str) {
        self.ext(ext::SYMBOL, name.as_bytes());
    }

    /// A Handle passed as a value.
    pub fn handle(&mut self, id: u64) {
        self.ext(ext::HANDLE, &id.to_be_bytes());
    }

    /// An Array of `len` values, which follow.
    pub fn array(&mut self, len: u32) {
        written(encode::write_array_len(&mut self.out, len).map(drop));
    }

    /// A Hash of `len` pairs, which follow.
    pub fn hash(&mut self, len: u32) {
        written(encode::write_map_len(&mut self.out, len).map(drop));
    }

    fn ext(&mut self, tag: i8, payload: &[u8]) {
        // An ext's payload length is a u32; names and ids are far shorter
        // than anything the guest's memory cap lets it build.
        let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        written(encode::write_ext_meta(&mut self.out, len, tag).map(drop));
        self.out.extend_from_slice(payload);
    }
}

#[cfg(test)]
mod tests {
    use super::CallWriter;
    use crate::{encode, CallTarget, ServiceCall, Value};

    /// Writes `value` as the guest's walk would.
    fn walk(w: &mut CallWriter, value: &Value) {
        match value {
            Value::Nil => w.nil(),
            Value::Bool(b) => w.bool(*b),
            Value::Int(i) => w.int(*i),
            Value::Float(f) => w.float(*f),
            Value::Str(s) => w.str(s),
            Value::Bytes(b) => w.bytes_value(b),
            Value::Symbol(s) => w.symbol(s),
            Value::Handle(id) => w.handle(*id),
            Value::Array(items) => {
                w.array(items.len() as u32);
                items.iter().for_each(|item| walk(w, item));
            }
            Value::Hash(pairs) => {
                w.hash(pairs.len() as u32);
                for (k, v) in pairs {
                    walk(w, k);
                    walk(w, v);
                }
            }
        }
    }

    fn written(call: &ServiceCall) -> Vec<u8> {
        let mut w = CallWriter::default();
        match &call.target {
            CallTarget::Member { namespace, member } => {
                w.member(namespace.as_bytes(), member.as_bytes())
            }
            CallTarget::Handle(id) => w.handle_target(*id),
        }
        w.method(call.method.as_bytes());
        w.args(call.args.len() as u32);
        call.args.iter().for_each(|arg| walk(&mut w, arg));
        w.kwargs(call.kwargs.len() as u32);
        for (name, value) in &call.kwargs {
            w.keyword(name.as_bytes());
            walk(&mut w, value);
        }
        assert!(!w.malformed());
        w.bytes().to_vec()
    }

    fn every_kind_of_value() -> Vec<Value> {
        let long = "x".repeat(70_000);
        let mut values = vec![
            Value::Nil,
            Value::Bool(true),
            Value::Bool(false),
            Value::Float(-0.0),
            Value::Float(1.5e300),
            Value::Str(String::new()),
            Value::Str("héllo".into()),
            Value::Str("y".repeat(40)),
            Value::Str("z".repeat(300)),
            Value::Str(long.clone()),
            Value::Bytes(vec![]),
            Value::Bytes(vec![0, 255]),
            Value::Bytes(vec![7; 300]),
            Value::Bytes(vec![7; 70_000]),
            Value::Symbol(String::new()),
            Value::Symbol("a".into()),
            Value::Symbol("ab".into()),
            Value::Symbol("abcd".into()),
            Value::Symbol("abcdefgh".into()),
            Value::Symbol("abcdefghijklmnop".into()),
            Value::Symbol("abc".into()),
            Value::Symbol(long),
            Value::Handle(1),
            Value::Handle(u64::MAX),
            Value::Array(vec![]),
            Value::Array(vec![Value::Int(1); 20]),
            Value::Array(vec![Value::Nil; 70_000]),
            Value::Hash(vec![]),
            Value::Hash(vec![
                (
                    Value::Symbol("k".into()),
                    Value::Array(vec![Value::Hash(vec![])]),
                ),
                (Value::Int(2), Value::Str("v".into())),
            ]),
            Value::Hash(vec![(Value::Int(0), Value::Nil); 20]),
        ];
        for bits in 0..64 {
            for sign in [1i64, -1] {
                let i = sign.wrapping_mul(1i64.wrapping_shl(bits));
                values.extend([
                    Value::Int(i),
                    Value::Int(i.wrapping_sub(1)),
                    Value::Int(i.wrapping_add(1)),
                ]);
            }
        }
        values.extend([Value::Int(i64::MIN), Value::Int(i64::MAX)]);
        values
    }

    #[test]
    fn every_value_is_written_as_encode_writes_it() {
        for value in every_kind_of_value() {
            let call = ServiceCall {
                target: CallTarget::Handle(7),
                method: "m".into(),
                args: vec![value.clone()],
                kwargs: vec![("k".into(), value.clone())],
            };
            assert_eq!(written(&call), encode(&call).unwrap(), "{value:?}");
        }
    }

    #[test]
    fn every_shape_of_call_is_written_as_encode_writes_it() {
        let values = every_kind_of_value();
        for target in [
            CallTarget::Member {
                namespace: "Ns".into(),
                member: "Mémber".into(),
            },
            CallTarget::Handle(1),
            CallTarget::Handle(300),
            CallTarget::Handle(u64::MAX),
        ] {
            for (args, kwargs) in [(0, 0), (1, 0), (0, 1), (20, 17), (values.len(), 3)] {
                let call = ServiceCall {
                    target: target.clone(),
                    method: "a_method?".into(),
                    args: values.iter().take(args).cloned().collect(),
                    kwargs: (0..kwargs)
                        .map(|i| (format!("key{i}"), values[i].clone()))
                        .collect(),
                };
                assert_eq!(written(&call), encode(&call).unwrap());
            }
        }
    }

    #[test]
    fn names_that_are_not_utf8_make_the_call_malformed() {
        for write in [
            |w: &mut CallWriter| w.member(b"\xff", b"M"),
            |w: &mut CallWriter| w.member(b"N", b"\xc3"),
            |w: &mut CallWriter| w.method(b"\xff"),
            |w: &mut CallWriter| w.keyword(b"\xfe"),
        ] {
            let mut w = CallWriter::default();
            write(&mut w);
            assert!(w.malformed());
            w.clear();
            assert!(!w.malformed() && w.bytes().is_empty());
        }
    }
}
