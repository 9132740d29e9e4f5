//! Builds a wire value from the C walker's depth-first calls
//! (`kobako_put_*`, declared in mrbgem/src/kobako.h).

use std::slice;

use kobako_wire::{GuestError, Origin, Reply, Value};

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

/// The receiving end of one walk.
#[derive(Default)]
pub struct Sink {
    open: Vec<Frame>,
    done: Option<Value>,
    unsupported: Option<String>,
    error: Option<GuestError>,
    /// The next complete value is the error's details.
    details_next: bool,
}

impl Sink {
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
            return Reply::Error(GuestError::new(
                "TypeError",
                format!(
                    "{what} cannot leave the sandbox: only nil, true, false, Integer, \
                     Float, String, Symbol, Array, Hash and Kobako::Handle cross to the host"
                ),
            ));
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

/// # Safety
/// `sink` must be the `*mut Sink` handed to `kobako_eval_source`.
unsafe fn sink<'a>(sink: *mut Sink) -> &'a mut Sink {
    // SAFETY: guaranteed by the caller.
    unsafe { &mut *sink }
}

/// # Safety
/// `ptr` must be valid for `len` bytes.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { slice::from_raw_parts(ptr, len) }
}

fn text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

#[no_mangle]
unsafe extern "C" fn kobako_put_nil(s: *mut Sink) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.push(Value::Nil);
}

#[no_mangle]
unsafe extern "C" fn kobako_put_bool(s: *mut Sink, value: i32) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.push(Value::Bool(value != 0));
}

#[no_mangle]
unsafe extern "C" fn kobako_put_int(s: *mut Sink, value: i64) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.push(Value::Int(value));
}

#[no_mangle]
unsafe extern "C" fn kobako_put_float(s: *mut Sink, value: f64) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.push(Value::Float(value));
}

#[no_mangle]
unsafe extern "C" fn kobako_put_str(s: *mut Sink, ptr: *const u8, len: usize, kind: i32) {
    // SAFETY: the walker passes a live string's pointer and length.
    let raw = unsafe { bytes(ptr, len) };
    let value = match (kind, std::str::from_utf8(raw)) {
        (0, Ok(utf8)) => Value::Str(utf8.to_owned()),
        (2, _) => Value::Symbol(text(raw)),
        _ => Value::Bytes(raw.to_vec()),
    };
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.push(value);
}

#[no_mangle]
unsafe extern "C" fn kobako_put_array(s: *mut Sink, len: usize) {
    // SAFETY: the C walker passes back the sink it was given.
    let s = unsafe { sink(s) };
    if len == 0 {
        s.push(Value::Array(Vec::new()));
    } else {
        let items = Vec::with_capacity(len.min(RESERVE_AT_MOST));
        s.open.push(Frame::Array { left: len, items });
    }
}

#[no_mangle]
unsafe extern "C" fn kobako_put_hash(s: *mut Sink, len: usize) {
    // SAFETY: the C walker passes back the sink it was given.
    let s = unsafe { sink(s) };
    if len == 0 {
        s.push(Value::Hash(Vec::new()));
    } else {
        let pairs = Vec::with_capacity(len.min(RESERVE_AT_MOST));
        s.open.push(Frame::Hash {
            left: len,
            key: None,
            pairs,
        });
    }
}

#[no_mangle]
unsafe extern "C" fn kobako_put_unsupported(s: *mut Sink, what: *const u8, len: usize) {
    // SAFETY: the C walker passes back the sink it was given, and a live
    // class name.
    let (s, what) = unsafe { (sink(s), bytes(what, len)) };
    if s.unsupported.is_none() {
        s.unsupported = Some(text(what));
    }
    // Keep the structure whole so the walk stays balanced.
    s.push(Value::Nil);
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
            sink(s),
            bytes(klass, klass_len),
            bytes(message, message_len),
        )
    };
    s.error = Some(GuestError::new(text(klass), text(message)));
}

#[no_mangle]
unsafe extern "C" fn kobako_put_backtrace_line(s: *mut Sink, line: *const u8, len: usize) {
    // SAFETY: the C side passes back the sink it was given and a live string.
    let (s, line) = unsafe { (sink(s), bytes(line, len)) };
    if let Some(error) = s.error.as_mut() {
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
    let (s, failure) = unsafe { (sink(s), bytes(failure, len)) };
    let origin = match kind {
        ORIGIN_SERVICE => match kobako_wire::decode(failure) {
            Ok(failure) => Origin::Service(Box::new(failure)),
            Err(_) => return,
        },
        ORIGIN_BYTECODE => Origin::Bytecode,
        _ => return,
    };
    if let Some(error) = s.error.as_mut() {
        error.origin = origin;
    }
}

#[no_mangle]
unsafe extern "C" fn kobako_put_details(s: *mut Sink) {
    // SAFETY: the C side passes back the sink it was given.
    unsafe { sink(s) }.details_next = true;
}

#[no_mangle]
unsafe extern "C" fn kobako_put_handle(s: *mut Sink, id: u64) {
    // SAFETY: the C walker passes back the sink it was given.
    unsafe { sink(s) }.push(Value::Handle(id));
}
