use std::sync::{Arc, Mutex};

use kobako_engine::{
    CallTarget, Callbacks, Error, Sandbox, ServiceCall, ServiceOutcome, ServiceReply, Value,
};

/// A stand-in host: `KV::Lookup` answers a few methods, hands out Handle 7
/// (a greeter), and records every call.
#[derive(Clone, Default)]
struct FakeHost {
    calls: Arc<Mutex<Vec<ServiceCall>>>,
}

impl Callbacks for FakeHost {
    fn call_service(&mut self, call: ServiceCall) -> ServiceOutcome {
        self.calls.lock().unwrap().push(call.clone());
        let str = |s: &str| Value::Str(s.into());
        let reply = match (&call.target, call.method.as_str()) {
            (CallTarget::Member { .. }, "call") => match call.args.first() {
                Some(Value::Str(key)) => ServiceReply::Value(str(&format!("value of {key}"))),
                _ => ServiceReply::Value(Value::Nil),
            },
            (CallTarget::Member { .. }, "find") => {
                let get = |k: &str| {
                    call.kwargs
                        .iter()
                        .find(|(n, _)| n == k)
                        .map(|(_, v)| v.clone())
                };
                match (get("region"), get("name")) {
                    (Some(Value::Str(r)), Some(Value::Str(n))) => {
                        ServiceReply::Value(str(&format!("{r}/{n}")))
                    }
                    _ => ServiceReply::Value(Value::Nil),
                }
            }
            (CallTarget::Member { .. }, "greeter") => ServiceReply::Value(Value::Handle(7)),
            (CallTarget::Member { .. }, "echo") => ServiceReply::Value(call.args[0].clone()),
            (CallTarget::Member { .. }, "boom") => {
                ServiceReply::error("KeyError", "key not found: x")
            }
            (CallTarget::Handle(7), "greet") => ServiceReply::Value(str("hello")),
            (CallTarget::Handle(_), _) => ServiceReply::disconnected("stale handle"),
            _ => ServiceReply::error("NoMethodError", "undefined method"),
        };
        ServiceOutcome::Reply(reply)
    }
}

fn sandbox() -> (Sandbox, FakeHost) {
    let host = FakeHost::default();
    let mut sandbox = crate::sandbox();
    sandbox.bind("KV", "Lookup").unwrap();
    sandbox.bind("Geo", "Find").unwrap();
    sandbox.set_callbacks(Box::new(host.clone()));
    (sandbox, host)
}

#[test]
fn a_service_call_reaches_the_host_and_returns_its_value() {
    let (mut sandbox, host) = sandbox();
    assert_eq!(
        sandbox.eval("KV::Lookup.call('user_42')").unwrap(),
        Value::Str("value of user_42".into())
    );
    let calls = host.calls.lock().unwrap();
    assert_eq!(
        calls[0].target,
        CallTarget::Member {
            namespace: "KV".into(),
            member: "Lookup".into()
        }
    );
    assert_eq!(calls[0].method, "call");
}

#[test]
fn keyword_arguments_arrive_by_name() {
    let (mut sandbox, _) = sandbox();
    let v = sandbox
        .eval("Geo::Find.find(name: 'alice', region: 'us')")
        .unwrap();
    assert_eq!(v, Value::Str("us/alice".into()));
}

#[test]
fn a_host_error_is_rescuable_in_the_guest() {
    let (mut sandbox, _) = sandbox();
    let v = sandbox
        .eval("begin; KV::Lookup.boom; rescue Kobako::ServiceError => e; [e.class.to_s, e.message, e.klass]; end")
        .unwrap();
    let strs = |xs: &[&str]| Value::Array(xs.iter().map(|s| Value::Str((*s).into())).collect());
    assert_eq!(
        v,
        strs(&["Kobako::ServiceError", "key not found: x", "KeyError"])
    );
}

#[test]
fn an_unrescued_host_error_ends_the_invocation_as_a_service_error() {
    let (mut sandbox, _) = sandbox();
    match sandbox.eval("KV::Lookup.boom") {
        Err(Error::Service(e)) => {
            assert_eq!(e.klass, "KeyError", "the host exception's class");
            assert_eq!(e.message, "key not found: x");
        }
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[test]
fn a_service_error_the_guest_raises_itself_is_the_guests() {
    let (mut sandbox, _) = sandbox();
    let forged = r#"e = Kobako::ServiceError.new("fake")
        e.instance_variable_set(:@__kobako_details, {"klass" => "KeyError"})
        raise e"#;
    match sandbox.eval(forged) {
        Err(Error::Sandbox(e)) => assert_eq!(e.klass, "Kobako::ServiceError"),
        other => panic!("expected a sandbox error, got {other:?}"),
    }
    match sandbox.eval("begin; KV::Lookup.boom; rescue => e; raise e.exception('changed'); end") {
        Err(Error::Service(e)) => assert_eq!(
            (e.klass.as_str(), e.message.as_str()),
            ("KeyError", "key not found: x")
        ),
        other => panic!("expected the host's failure, got {other:?}"),
    }
}

#[test]
fn handles_are_proxies_and_travel_back_as_themselves() {
    let (mut sandbox, host) = sandbox();
    assert_eq!(
        sandbox.eval("KV::Lookup.greeter.greet").unwrap(),
        Value::Str("hello".into())
    );
    assert_eq!(
        sandbox.eval("KV::Lookup.echo(KV::Lookup.greeter)").unwrap(),
        Value::Handle(7)
    );
    let calls = host.calls.lock().unwrap();
    assert_eq!(calls.last().unwrap().args, vec![Value::Handle(7)]);
}

#[test]
fn the_guest_cannot_make_a_handle() {
    let (mut sandbox, _) = sandbox();
    for make in ["Kobako::Handle.new(7)", "Kobako::Handle.allocate"] {
        let v = sandbox
            .eval(format!(
                "begin; {make}; rescue NoMethodError; :refused; end"
            ))
            .unwrap();
        assert_eq!(v, Value::Symbol("refused".into()), "{make}");
    }
}

#[test]
fn a_handle_the_host_does_not_know_is_disconnected() {
    let (mut sandbox, _) = sandbox();
    sandbox
        .preload_code(
            b"Poke = ->(h) { begin; h.greet; rescue Kobako::ServiceError::Disconnected => e; e.message; end }",
            "Poke",
        )
        .unwrap();
    let v = sandbox
        .run("Poke", vec![Value::Handle(999)], vec![])
        .unwrap();
    assert_eq!(v, Value::Str("stale handle".into()));
}

#[test]
fn a_guest_value_without_a_wire_form_is_a_type_error_at_the_call_site() {
    let (mut sandbox, host) = sandbox();
    let v = sandbox
        .eval("begin; KV::Lookup.call(Object.new); rescue TypeError => e; e.message; end")
        .unwrap();
    let Value::Str(message) = v else {
        panic!("{v:?}")
    };
    assert!(message.contains("Object"), "{message}");
    assert!(
        host.calls.lock().unwrap().is_empty(),
        "nothing reached the host"
    );
}

#[test]
fn binding_is_sealed_by_the_first_invocation() {
    let (mut sandbox, _) = sandbox();
    sandbox.eval("1").unwrap();
    assert!(matches!(sandbox.bind("Late", "Member"), Err(Error::Sealed)));
}

#[test]
fn a_stop_ends_the_invocation() {
    struct Stopper;
    impl Callbacks for Stopper {
        fn call_service(&mut self, _: ServiceCall) -> ServiceOutcome {
            ServiceOutcome::Stop
        }
    }
    let mut sandbox = crate::sandbox();
    sandbox.bind("S", "M").unwrap();
    sandbox.set_callbacks(Box::new(Stopper));
    assert!(matches!(
        sandbox.eval("begin; S::M.x; rescue Exception; :swallowed; end"),
        Err(Error::Interrupted)
    ));
    assert_eq!(sandbox.eval("1").unwrap(), Value::Int(1));
}
