//! Receives the C walker's depth-first calls (`kobako_put_*`, declared in
//! mrbgem/src/kobako.h): into a wire value for a reply ([`ValueSink`]), or
//! straight into a service call's MessagePack ([`CallSink`]).

use std::slice;

use kobako_wire::{GuestError, Origin, Reply, Value};

use crate::service::CallSink;

/// What one walk goes into; the C side holds it as `void *sink`.
pub enum Sink {
    /// A result or an error for the reply.
    Value(ValueSink),
    /// A service call's arguments.
    Call(CallSink),
}

impl Default for Sink {
    fn default() -> Self {
        Sink::Value(ValueSink::default())
    }
}

impl Sink {
    /// The reply this walk produced.
    pub fn finish(self) -> Reply {
        match self {
            Sink::Value(sink) => sink.finish(),
            Sink::Call(_) => Reply::Error(GuestError::new(
                "Kobako::WireError",
                "a service call's walk has no reply",
            )),
        }
    }

    fn receiver(&mut self) -> &mut dyn Receiver {
        match self {
            Sink::Value(sink) => sink,
            Sink::Call(sink) => sink,
        }
    }
}

/// The values the walker sends, in depth-first order: a container's length
/// first, then its items (a hash's as key, value, key, value...).
pub trait Receiver {
    /// `nil`
    fn nil(&mut self);
    /// `true` or `false`
    fn bool(&mut self, value: bool);
    /// An Integer in the signed 64-bit range.
    fn int(&mut self, value: i64);
    /// A Float.
    fn float(&mut self, value: f64);
    /// A String or Symbol's bytes, `kind` as [`kobako_put_str`] says.
    fn str(&mut self, raw: &[u8], kind: i32);
    /// An Array of `len` items.
    fn array(&mut self, len: usize);
    /// A Hash of `len` pairs.
    fn hash(&mut self, len: usize);
    /// A Handle.
    fn handle(&mut self, id: u64);
    /// A value with no wire form (`what` says which); it stands in the
    /// structure as nil, so the walk stays balanced, and the walk fails.
    fn unsupported(&mut self, what: &[u8]);
}

/// How `kobako_put_str` marks its bytes.
pub const STR_UTF8: i32 = 0;
/// A Symbol's name.
pub const STR_SYMBOL: i32 = 2;

/// Why a walk with a value of no wire form fails.
pub fn unsupported_message(what: &str) -> String {
    format!(
        "{what} cannot leave the sandbox: only nil, true, false, Integer, \
         Float, String, Symbol, Array, Hash and Kobako::Handle cross to the host"
    )
}

/// Containers announce their length; never reserve more than this up front.
const RESERVE_AT_MOST: usize = 1024;

enum Frame {
    Array {
        left: usize,
        items: Vec<Value>,
    },
    Hash {
        left: usize,
        key: Option<Value>,
        pairs: Vec<(Value, Value)>,
    },
}

/// A walk built into a wire value.
#[derive(Default)]
pub struct ValueSink {
    open: Vec<Frame>,
    done: Option<Value>,
    unsupported: Option<String>,
    error: Option<GuestError>,
    /// The next complete value is the error's details.
    details_next: bool,
}

impl ValueSink {
    fn push(&mut self, mut value: Value) {
        loop {
            let Some(frame) = self.open.last_mut() else {
                if std::mem::take(&mut self.details_next) {
                    if let (Some(error), Value::Hash(pairs)) = (self.error.as_mut(), value) {
                        error.details = pairs
                            .into_iter()
                            .filter_map(|(k, v)| match k {
                                Value::Str(k) | Value::Symbol(k) => Some((k, v)),
                                _ => None,
                            })
                            .collect();
                    }
                    return;
                }
                self.done = Some(value);
                return;
            };
            let complete = match frame {
                Frame::Array { left, items } => {
                    items.push(value);
                    *left -= 1;
                    *left == 0
                }
                Frame::Hash { left, key, pairs } => {
                    match key.take() {
                        None => *key = Some(value),
                        Some(k) => {
                            pairs.push((k, value));
                            *left -= 1;
                        }
                    }
                    *left == 0
                }
            };
            if !complete {
                return;
            }
            value = match self.open.pop() {
                Some(Frame::Array { items, .. }) => Value::Array(items),
                Some(Frame::Hash { pairs, .. }) => Value::Hash(pairs),
                None => return,
            };
        }
    }

    /// The reply this walk produced.
    pub fn finish(self) -> Reply {
        if let Some(error) = self.error {
            return Reply::Error(error);
        }
        if let Some(what) = self.unsupported {
            return Reply::Error(GuestError::new("TypeError", unsupported_message(&what)));
        }
        match self.done {
            Some(value) if self.open.is_empty() => Reply::Value(value),
            _ => Reply::Error(GuestError::new(
                "Kobako::WireError",
                "the result walk ended early",
            )),
        }
    }
}

impl Receiver for ValueSink {
    fn nil(&mut self) {
        self.push(Value::Nil);
    }

    fn bool(&mut self, value: bool) {
        self.push(Value::Bool(value));
    }

    fn int(&mut self, value: i64) {
        self.push(Value::Int(value));
    }

    fn float(&mut self, value: f64) {
        self.push(Value::Float(value));
    }

    fn str(&mut self, raw: &[u8], kind: i32) {
        let value = match (kind, std::str::from_utf8(raw)) {
            (STR_UTF8, Ok(utf8)) => Value::Str(utf8.to_owned()),
            (STR_SYMBOL, _) => Value::Symbol(text(raw)),
            _ => Value::Bytes(raw.to_vec()),
        };
        self.push(value);
    }

    fn array(&mut self, len: usize) {
        if len == 0 {
            self.push(Value::Array(Vec::new()));
        } else {
            let items = Vec::with_capacity(len.min(RESERVE_AT_MOST));
            self.open.push(Frame::Array { left: len, items });
        }
    }

    fn hash(&mut self, len: usize) {
        if len == 0 {
            self.push(Value::Hash(Vec::new()));
        } else {
            let pairs = Vec::with_capacity(len.min(RESERVE_AT_MOST));
            self.open.push(Frame::Hash {
                left: len,
                key: None,
                pairs,
            });
        }
    }

    fn handle(&mut self, id: u64) {
        self.push(Value::Handle(id));
    }

    fn unsupported(&mut self, what: &[u8]) {
        if self.unsupported.is_none() {
            self.unsupported = Some(text(what));
        }
        self.push(Value::Nil);
    }
}

/// # Safety
/// `sink` must be a `*mut Sink` the Rust side handed to C (for a reply or
/// by `kobako_call_begin`), alive, and not otherwise borrowed.
pub(crate) unsafe fn sink<'a>(sink: *mut Sink) -> &'a mut Sink {
    // SAFETY: guaranteed by the caller.
    unsafe { &mut *sink }
}

/// The sink for a reply's value and error, if `s` is one.
///
/// # Safety
/// As [`sink`].
unsafe fn value_sink<'a>(s: *mut Sink) -> Option<&'a mut ValueSink> {
    // SAFETY: guaranteed by the caller.
    match unsafe { sink(s) } {
        Sink::Value(sink) => Some(sink),
        Sink::Call(_) => None,
    }
}

/// # Safety
/// `ptr` must be valid for `len` bytes.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { slice::from_raw_parts(ptr, len) }
}

pub(crate) fn text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

#[no_mangle]
unsafe extern "C" fn kobako_put_nil(s: *mut Sink) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.receiver().nil();
}

#[no_mangle]
unsafe extern "C" fn kobako_put_bool(s: *mut Sink, value: i32) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.receiver().bool(value != 0);
}

#[no_mangle]
unsafe extern "C" fn kobako_put_int(s: *mut Sink, value: i64) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.receiver().int(value);
}

#[no_mangle]
unsafe extern "C" fn kobako_put_float(s: *mut Sink, value: f64) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.receiver().float(value);
}

/// `kind`: [`STR_UTF8`] for a String the walker found to be UTF-8 (checked
/// again here), [`STR_SYMBOL`] for a Symbol's name, anything else for
/// binary.
#[no_mangle]
unsafe extern "C" fn kobako_put_str(s: *mut Sink, ptr: *const u8, len: usize, kind: i32) {
    // SAFETY: the walker passes back the sink it was given, and a live
    // string's pointer and length.
    let (s, raw) = unsafe { (sink(s), bytes(ptr, len)) };
    s.receiver().str(raw, kind);
}

#[no_mangle]
unsafe extern "C" fn kobako_put_array(s: *mut Sink, len: usize) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.receiver().array(len);
}

#[no_mangle]
unsafe extern "C" fn kobako_put_hash(s: *mut Sink, len: usize) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.receiver().hash(len);
}

#[no_mangle]
unsafe extern "C" fn kobako_put_unsupported(s: *mut Sink, what: *const u8, len: usize) {
    // SAFETY: the C walker passes back the sink it was given, and a live
    // class name.
    let (s, what) = unsafe { (sink(s), bytes(what, len)) };
    s.receiver().unsupported(what);
}

#[no_mangle]
unsafe extern "C" fn kobako_put_handle(s: *mut Sink, id: u64) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.receiver().handle(id);
}

#[no_mangle]
unsafe extern "C" fn kobako_put_error(
    s: *mut Sink,
    klass: *const u8,
    klass_len: usize,
    message: *const u8,
    message_len: usize,
) {
    // SAFETY: the C side passes back the sink it was given and live strings.
    let (s, klass, message) = unsafe {
        (
            value_sink(s),
            bytes(klass, klass_len),
            bytes(message, message_len),
        )
    };
    if let Some(s) = s {
        s.error = Some(GuestError::new(text(klass), text(message)));
    }
}

#[no_mangle]
unsafe extern "C" fn kobako_put_backtrace_line(s: *mut Sink, line: *const u8, len: usize) {
    // SAFETY: the C side passes back the sink it was given and a live string.
    let (s, line) = unsafe { (value_sink(s), bytes(line, len)) };
    if let Some(error) = s.and_then(|s| s.error.as_mut()) {
        error.backtrace.push(text(line));
    }
}

/// Where the reported error came from: `ORIGIN_SERVICE` with the sealed
/// failure the glue kept on the exception, or `ORIGIN_BYTECODE`.
#[no_mangle]
unsafe extern "C" fn kobako_put_origin(s: *mut Sink, kind: i32, failure: *const u8, len: usize) {
    const ORIGIN_SERVICE: i32 = 1;
    const ORIGIN_BYTECODE: i32 = 2;
    // SAFETY: the C side passes back the sink it was given and live bytes.
    let (s, failure) = unsafe { (value_sink(s), bytes(failure, len)) };
    let origin = match kind {
        ORIGIN_SERVICE => match kobako_wire::decode(failure) {
            Ok(failure) => Origin::Service(Box::new(failure)),
            Err(_) => return,
        },
        ORIGIN_BYTECODE => Origin::Bytecode,
        _ => return,
    };
    if let Some(error) = s.and_then(|s| s.error.as_mut()) {
        error.origin = origin;
    }
}

#[no_mangle]
unsafe extern "C" fn kobako_put_details(s: *mut Sink) {
    // SAFETY: the C side passes back the sink it was given.
    if let Some(s) = unsafe { value_sink(s) } {
        s.details_next = true;
    }
}
