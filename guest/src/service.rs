//! Guest calls to host services (`Kobako::Proxy#method_missing`, mrbgem/src/services.c).

use std::cell::RefCell;

use kobako_wire::{CallTarget, FailureKind, Reply, ServiceCall, ServiceReply, Value};

use crate::sink::Sink;
use crate::tape::{Tape, TapeItem};

/// The call in progress: the sink the C side walks the request into, and
/// what the host answered, kept until the next call.
#[derive(Default)]
struct Call {
    sink: Sink,
    tape: Tape,
    answer: Option<Value>,
    klass: String,
    message: String,
    /// The host's sealed failure, encoded, for the exception to carry.
    failure: Vec<u8>,
    /// The encoded request and the host's encoded reply, reused by every
    /// call of an invocation.
    request: Vec<u8>,
    reply: Vec<u8>,
}

thread_local! {
    static CALL: RefCell<Call> = RefCell::new(Call::default());
}

const CALL_VALUE: i32 = 0;
const CALL_ERROR: i32 = 1;
const CALL_DISCONNECTED: i32 = 2;
const CALL_TYPE_ERROR: i32 = 3;

/// A fresh sink for the next call's request.
#[no_mangle]
extern "C" fn kobako_call_begin() -> *mut Sink {
    CALL.with(|call| {
        let mut call = call.borrow_mut();
        call.sink = Sink::default();
        &raw mut call.sink
    })
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
        let request = match std::mem::take(&mut self.sink).finish() {
            Reply::Value(v) => v,
            Reply::Error(e) => return self.fail(CALL_TYPE_ERROR, "TypeError", e.message),
            Reply::Bytecode(_) => {
                return self.fail(CALL_TYPE_ERROR, "TypeError", "bad call".into())
            }
        };
        let Some(call) = service_call(request) else {
            return self.fail(
                CALL_TYPE_ERROR,
                "TypeError",
                "malformed service call".into(),
            );
        };
        let reply = match crate::host_call(&call, &mut self.request, &mut self.reply) {
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

/// `[target, name, args, kwargs]` as walked by `Proxy#method_missing`.
fn service_call(request: Value) -> Option<ServiceCall> {
    let Value::Array(parts) = request else {
        return None;
    };
    let [target, Value::Str(method), Value::Array(args), Value::Hash(kwargs)] =
        <[Value; 4]>::try_from(parts).ok()?
    else {
        return None;
    };
    let target = match target {
        Value::Array(names) => match <[Value; 2]>::try_from(names).ok()? {
            [Value::Str(namespace), Value::Str(member)] => CallTarget::Member { namespace, member },
            _ => return None,
        },
        Value::Handle(id) => CallTarget::Handle(id),
        _ => return None,
    };
    let kwargs = kwargs
        .into_iter()
        .map(|(k, v)| match k {
            Value::Symbol(k) | Value::Str(k) => Some((k, v)),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(ServiceCall {
        target,
        method,
        args,
        kwargs,
    })
}
