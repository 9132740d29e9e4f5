use kobako_engine::{Error, Value};

fn eval(source: &str) -> Result<Value, Error> {
    crate::sandbox().eval(source)
}

fn guest_error(source: &str) -> kobako_wire_error::GuestErrorView {
    match eval(source) {
        Err(Error::Sandbox(e)) => kobako_wire_error::GuestErrorView {
            klass: e.klass,
            message: e.message,
            backtrace: e.backtrace,
        },
        other => panic!("expected a sandbox error from {source:?}, got {other:?}"),
    }
}

mod kobako_wire_error {
    pub struct GuestErrorView {
        pub klass: String,
        pub message: String,
        pub backtrace: Vec<String>,
    }
}

fn str(s: &str) -> Value {
    Value::Str(s.into())
}

#[test]
fn plain_values_come_back() {
    assert_eq!(eval("nil").unwrap(), Value::Nil);
    assert_eq!(eval("true").unwrap(), Value::Bool(true));
    assert_eq!(eval("false").unwrap(), Value::Bool(false));
    assert_eq!(
        eval("2**62 + (2**62 - 1) + 2**62 * -2").unwrap(),
        Value::Int(-1)
    );
    assert_eq!(eval("9223372036854775807").unwrap(), Value::Int(i64::MAX));
    assert_eq!(
        eval("-9223372036854775807 - 1").unwrap(),
        Value::Int(i64::MIN)
    );
    assert_eq!(eval("1.5").unwrap(), Value::Float(1.5));
    assert_eq!(eval("'héllo'").unwrap(), str("héllo"));
    assert_eq!(eval("'héllo'.size").unwrap(), Value::Int(5));
    assert_eq!(eval(":sym").unwrap(), Value::Symbol("sym".into()));
    assert_eq!(eval("\"\\xff\\x00\"").unwrap(), Value::Bytes(vec![0xff, 0]));
}

#[test]
fn floats_keep_their_special_values() {
    let Value::Float(nan) = eval("0.0 / 0.0").unwrap() else {
        panic!()
    };
    assert!(nan.is_nan());
    assert_eq!(eval("1.0 / 0").unwrap(), Value::Float(f64::INFINITY));
    assert_eq!(eval("-1.0 / 0").unwrap(), Value::Float(f64::NEG_INFINITY));
    let Value::Float(negative_zero) = eval("-0.0").unwrap() else {
        panic!()
    };
    assert!(negative_zero == 0.0 && negative_zero.is_sign_negative());
}

#[test]
fn containers_nest_and_keep_order() {
    assert_eq!(
        eval("[1, [2, 'x'], {b: 1, 'a' => [nil]}]").unwrap(),
        Value::Array(vec![
            Value::Int(1),
            Value::Array(vec![Value::Int(2), str("x")]),
            Value::Hash(vec![
                (Value::Symbol("b".into()), Value::Int(1)),
                (str("a"), Value::Array(vec![Value::Nil])),
            ]),
        ])
    );
}

#[test]
fn uncaught_exceptions_become_sandbox_errors() {
    let e = guest_error("def boom\n  1 / 0\nend\nboom");
    assert_eq!(e.klass, "ZeroDivisionError");
    assert_eq!(e.message, "divided by 0");
    assert!(!e.backtrace.is_empty(), "a backtrace");
    let e = guest_error("raise ArgumentError, 'bad'");
    assert_eq!(
        (e.klass.as_str(), e.message.as_str()),
        ("ArgumentError", "bad")
    );
}

#[test]
fn rescue_works_inside_the_guest() {
    assert_eq!(
        eval("begin; raise 'x'; rescue => e; e.message; end").unwrap(),
        str("x")
    );
    assert_eq!(
        eval("Integer('zz') rescue :fallback").unwrap(),
        Value::Symbol("fallback".into())
    );
    assert_eq!(
        eval("catch(:done) { 10.times { |i| throw :done, i if i == 3 }; :never }").unwrap(),
        Value::Int(3)
    );
}

#[test]
fn syntax_errors_are_sandbox_errors() {
    let e = guest_error("1 +");
    assert_eq!(e.klass, "SyntaxError");
    assert!(e.message.contains("line 1"), "{}", e.message);
}

#[test]
fn values_without_a_wire_form_are_refused_by_class() {
    let e = guest_error("-> { 1 }");
    assert!(e.message.contains("Proc"), "{}", e.message);
    let e = guest_error("[1, Object.new]");
    assert!(e.message.contains("Object"), "{}", e.message);
    let e = guest_error("2**70");
    assert!(e.message.contains("64-bit"), "{}", e.message);
    let e = guest_error("a = []; a << a; a");
    assert!(e.message.contains("nesting"), "{}", e.message);
}

#[test]
fn each_invocation_starts_fresh() {
    let mut sandbox = crate::sandbox();
    sandbox.eval("$g = 1; class Foo; end; X = 2").unwrap();
    assert_eq!(
        sandbox
            .eval("[$g, Object.const_defined?(:Foo), Object.const_defined?(:X)]")
            .unwrap(),
        Value::Array(vec![Value::Nil, Value::Bool(false), Value::Bool(false)])
    );
}

#[test]
fn the_sandbox_is_usable_after_every_kind_of_failure() {
    let mut sandbox = crate::sandbox();
    for bad in ["raise 'x'", "1 +", "-> {}", "def f; f; end; f", "exit"] {
        let _ = sandbox.eval(bad);
        assert_eq!(
            sandbox.eval("40 + 2").unwrap(),
            Value::Int(42),
            "after {bad:?}"
        );
    }
}

#[test]
fn integer_overflow_does_not_wrap() {
    assert_eq!(
        eval("9223372036854775807 + 1 > 0").unwrap(),
        Value::Bool(true)
    );
}
