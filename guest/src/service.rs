//! Guest calls to host services (`Kobako::Proxy#method_missing`, mrbgem/src/services.c).
//!
//! The C side walks a call straight into its MessagePack ([`CallSink`]):
//! the target and method through the `kobako_call_*` functions below, the
//! arguments through the value walker (`kobako_put_*`).

use std::cell::RefCell;

use kobako_wire::{CallWriter, FailureKind, ServiceReply, Value};

use crate::sink::{self, bytes, text, unsupported_message, Receiver, Sink, STR_SYMBOL, STR_UTF8};
use crate::tape::{Tape, TapeItem};

/// A service call as it is walked: its MessagePack, and the first value met
/// that has no wire form.
#[derive(Default)]
pub struct CallSink {
    writer: CallWriter,
    unsupported: Option<String>,
}

impl Receiver for CallSink {
    fn nil(&mut self) {
        self.writer.nil();
    }

    fn bool(&mut self, value: bool) {
        self.writer.bool(value);
    }

    fn int(&mut self, value: i64) {
        self.writer.int(value);
    }

    fn float(&mut self, value: f64) {
        self.writer.float(value);
    }

    fn str(&mut self, raw: &[u8], kind: i32) {
        match (kind, std::str::from_utf8(raw)) {
            (STR_UTF8, Ok(utf8)) => self.writer.str(utf8),
            (STR_SYMBOL, _) => self.writer.symbol(&String::from_utf8_lossy(raw)),
            _ => self.writer.bytes_value(raw),
        }
    }

    fn array(&mut self, len: usize) {
        self.writer.array(wire_len(len));
    }

    fn hash(&mut self, len: usize) {
        self.writer.hash(wire_len(len));
    }

    fn handle(&mut self, id: u64) {
        self.writer.handle(id);
    }

    fn unsupported(&mut self, what: &[u8]) {
        if self.unsupported.is_none() {
            self.unsupported = Some(text(what));
        }
        self.writer.nil();
    }
}

/// A container's length on the wire. mruby's Arrays and Hashes are far
/// shorter than 2^32 in a 32-bit guest's memory, so this never saturates.
fn wire_len(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The call in progress: the sink the C side walks the request into, and
/// what the host answered, kept until the next call.
struct Call {
    sink: Sink,
    tape: Tape,
    answer: Option<Value>,
    klass: String,
    message: String,
    /// The host's sealed failure, encoded, for the exception to carry.
    failure: Vec<u8>,
    /// The host's encoded reply, its buffer reused by every call of an
    /// invocation.
    reply: Vec<u8>,
}

impl Default for Call {
    fn default() -> Self {
        Call {
            sink: Sink::Call(CallSink::default()),
            tape: Tape::default(),
            answer: None,
            klass: String::new(),
            message: String::new(),
            failure: Vec::new(),
            reply: Vec::new(),
        }
    }
}

thread_local! {
    static CALL: RefCell<Call> = RefCell::new(Call::default());
}

const CALL_VALUE: i32 = 0;
const CALL_ERROR: i32 = 1;
const CALL_DISCONNECTED: i32 = 2;
const CALL_TYPE_ERROR: i32 = 3;

/// The sink a call is walked into.
///
/// # Safety
/// `s` is what `kobako_call_begin` returned, and nothing else borrows it.
unsafe fn call_sink<'a>(s: *mut Sink) -> Option<&'a mut CallSink> {
    // SAFETY: guaranteed by the caller.
    match unsafe { sink::sink(s) } {
        Sink::Call(call) => Some(call),
        Sink::Value(_) => None,
    }
}

/// The next call's sink, emptied (its buffer's capacity is kept).
#[no_mangle]
extern "C" fn kobako_call_begin() -> *mut Sink {
    CALL.with(|call| {
        let mut call = call.borrow_mut();
        match &mut call.sink {
            Sink::Call(sink) => {
                sink.writer.clear();
                sink.unsupported = None;
            }
            other => *other = Sink::Call(CallSink::default()),
        }
        &raw mut call.sink
    })
}

/// The call goes to the bound service `namespace::member`.
///
/// # Safety
/// `s` is what `kobako_call_begin` returned; the names are live bytes.
#[no_mangle]
unsafe extern "C" fn kobako_call_member(
    s: *mut Sink,
    namespace: *const u8,
    namespace_len: usize,
    member: *const u8,
    member_len: usize,
) {
    // SAFETY: guaranteed by the caller.
    let (s, namespace, member) = unsafe {
        (
            call_sink(s),
            bytes(namespace, namespace_len),
            bytes(member, member_len),
        )
    };
    if let Some(s) = s {
        s.writer.member(namespace, member);
    }
}

/// The call goes to the Handle `id`.
///
/// # Safety
/// `s` is what `kobako_call_begin` returned.
#[no_mangle]
unsafe extern "C" fn kobako_call_handle(s: *mut Sink, id: u64) {
    // SAFETY: guaranteed by the caller.
    if let Some(s) = unsafe { call_sink(s) } {
        s.writer.handle_target(id);
    }
}

/// The method's name; then `argc` positional arguments are walked.
///
/// # Safety
/// `s` is what `kobako_call_begin` returned; `name` is live bytes.
#[no_mangle]
unsafe extern "C" fn kobako_call_method(s: *mut Sink, name: *const u8, len: usize, argc: usize) {
    // SAFETY: guaranteed by the caller.
    let (s, name) = unsafe { (call_sink(s), bytes(name, len)) };
    if let Some(s) = s {
        s.writer.method(name);
        s.writer.args(wire_len(argc));
    }
}

/// `count` keyword arguments follow, each a `kobako_call_keyword` and a
/// walked value.
///
/// # Safety
/// `s` is what `kobako_call_begin` returned.
#[no_mangle]
unsafe extern "C" fn kobako_call_kwargs(s: *mut Sink, count: usize) {
    // SAFETY: guaranteed by the caller.
    if let Some(s) = unsafe { call_sink(s) } {
        s.writer.kwargs(wire_len(count));
    }
}

/// A keyword argument's name (a Symbol's or String's bytes).
///
/// # Safety
/// `s` is what `kobako_call_begin` returned; `name` is live bytes.
#[no_mangle]
unsafe extern "C" fn kobako_call_keyword(s: *mut Sink, name: *const u8, len: usize) {
    // SAFETY: guaranteed by the caller.
    let (s, name) = unsafe { (call_sink(s), bytes(name, len)) };
    if let Some(s) = s {
        s.writer.keyword(name);
    }
}

/// Sends the walked request to the host and lays out its answer.
///
/// # Safety
/// `sink` is what `kobako_call_begin` returned; the out-pointers are valid.
#[no_mangle]
unsafe extern "C" fn kobako_call_send(
    _sink: *mut Sink,
    items: *mut *const TapeItem,
    count: *mut usize,
    klass: *mut *const u8,
    klass_len: *mut usize,
    message: *mut *const u8,
    message_len: *mut usize,
    failure: *mut *const u8,
    failure_len: *mut usize,
) -> i32 {
    CALL.with_borrow_mut(|call| {
        let status = call.exchange();
        // SAFETY: the C caller passes valid out-pointers; what they point to
        // stays alive in CALL until the next call.
        unsafe {
            *items = call.tape.as_ptr();
            *count = call.tape.len();
            *klass = call.klass.as_ptr();
            *klass_len = call.klass.len();
            *message = call.message.as_ptr();
            *message_len = call.message.len();
            *failure = call.failure.as_ptr();
            *failure_len = call.failure.len();
        }
        status
    })
}

impl Call {
    fn fail(&mut self, status: i32, klass: &str, message: String) -> i32 {
        self.klass = klass.to_owned();
        self.message = message;
        status
    }

    fn exchange(&mut self) -> i32 {
        self.tape.clear();
        self.answer = None;
        self.failure = Vec::new();
        let Sink::Call(sink) = &mut self.sink else {
            return self.fail(
                CALL_TYPE_ERROR,
                "TypeError",
                "malformed service call".into(),
            );
        };
        if let Some(what) = sink.unsupported.take() {
            return self.fail(CALL_TYPE_ERROR, "TypeError", unsupported_message(&what));
        }
        if sink.writer.malformed() {
            return self.fail(
                CALL_TYPE_ERROR,
                "TypeError",
                "malformed service call".into(),
            );
        }
        let reply = crate::host_call(sink.writer.bytes(), &mut self.reply);
        sink.writer.shrink_past(crate::KEEP_AT_MOST);
        let reply = match reply {
            Ok(reply) => reply,
            Err(e) => return self.fail(CALL_ERROR, "Kobako::WireError", e),
        };
        match reply {
            ServiceReply::Value(value) => {
                if self.tape.push(&value).is_err() {
                    return self.fail(CALL_ERROR, "ArgumentError", "reply too large".into());
                }
                self.answer = Some(value);
                CALL_VALUE
            }
            ServiceReply::Failure(failure) => {
                let status = match failure.kind {
                    FailureKind::Error => CALL_ERROR,
                    FailureKind::Disconnected => CALL_DISCONNECTED,
                };
                self.failure = kobako_wire::encode(&failure).unwrap_or_default();
                self.fail(status, &failure.klass, failure.message)
            }
        }
    }
}
