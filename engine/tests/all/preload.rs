use kobako_engine::{Error, Sandbox, Value};

fn sym(s: &str) -> Value {
    Value::Symbol(s.into())
}

#[test]
fn run_calls_a_preloaded_entrypoint_with_args_and_kwargs() {
    let mut sandbox = crate::sandbox();
    sandbox
        .preload_code(b"Adder = ->(a, b) { a + b }", "Adder")
        .unwrap();
    sandbox
        .preload_code(
            b"Greet = ->(name:, greeting: 'hi') { \"#{greeting} #{name}\" }",
            "Greet",
        )
        .unwrap();
    assert_eq!(
        sandbox
            .run("Adder", vec![Value::Int(2), Value::Int(3)], vec![])
            .unwrap(),
        Value::Int(5)
    );
    let kwargs = vec![("name".to_owned(), Value::Str("ana".into()))];
    assert_eq!(
        sandbox.run("Greet", vec![], kwargs).unwrap(),
        Value::Str("hi ana".into())
    );
}

#[test]
fn snippets_replay_in_order_into_every_fresh_state() {
    let mut sandbox = crate::sandbox();
    sandbox
        .preload_code(b"module Util; def self.double(x) = x * 2; end", "Util")
        .unwrap();
    sandbox
        .preload_code(b"Quad = ->(x) { Util.double(Util.double(x)) }", "Quad")
        .unwrap();
    assert_eq!(
        sandbox.run("Quad", vec![Value::Int(3)], vec![]).unwrap(),
        Value::Int(12)
    );
    sandbox
        .eval("Util.singleton_class.send(:undef_method, :double)")
        .unwrap();
    assert_eq!(
        sandbox.eval("Util.double(5)").unwrap(),
        Value::Int(10),
        "replayed afresh"
    );
}

#[test]
fn a_syntax_error_is_reported_at_preload() {
    let mut sandbox = crate::sandbox();
    match sandbox.preload_code(b"Broken = ->(", "Broken") {
        Err(Error::Sandbox(e)) => assert_eq!(e.klass, "SyntaxError"),
        other => panic!("expected a syntax error, got {other:?}"),
    }
    assert!(!sandbox.sealed(), "a failed preload does not seal");
}

#[test]
fn the_first_invocation_seals() {
    let mut sandbox = crate::sandbox();
    let _ = sandbox.eval("raise 'even a failing one'");
    assert!(matches!(
        sandbox.preload_code(b"X = 1", "X"),
        Err(Error::Sealed)
    ));
    assert!(matches!(sandbox.preload_binary(vec![]), Err(Error::Sealed)));
}

#[test]
fn a_missing_entrypoint_lists_what_the_snippets_defined() {
    let mut sandbox = crate::sandbox();
    sandbox
        .preload_code(b"Alpha = ->() { 1 }\nBeta = 2", "Snippets")
        .unwrap();
    match sandbox.run("Gamma", vec![], vec![]) {
        Err(Error::Sandbox(e)) => {
            assert_eq!(e.message, "undefined entrypoint: Gamma");
            let available = e
                .details
                .iter()
                .find(|(k, _)| k == "available")
                .map(|(_, v)| v.clone());
            assert_eq!(
                available,
                Some(Value::Array(vec![sym("Alpha"), sym("Beta")]))
            );
        }
        other => panic!("expected a missing entrypoint, got {other:?}"),
    }
    match sandbox.run("Beta", vec![], vec![]) {
        Err(Error::Sandbox(e)) => assert!(
            e.message.contains("does not respond to :call"),
            "{}",
            e.message
        ),
        other => panic!("expected a non-callable entrypoint, got {other:?}"),
    }
}

#[test]
fn compiled_bytecode_preloads_as_a_binary() {
    let mut compiler = crate::sandbox();
    let debug = compiler
        .compile(b"Triple = ->(x) { x * 3 }", "triple.rb", true)
        .unwrap();
    let stripped = compiler
        .compile(b"Triple = ->(x) { x * 3 }", "triple.rb", false)
        .unwrap();
    assert!(debug.starts_with(b"RITE0300"), "{:?}", &debug[..8]);
    assert!(stripped.len() < debug.len(), "no debug info is smaller");
    for bytecode in [debug, stripped] {
        let mut sandbox = crate::sandbox();
        sandbox.preload_binary(bytecode).unwrap();
        assert_eq!(
            sandbox.run("Triple", vec![Value::Int(4)], vec![]).unwrap(),
            Value::Int(12)
        );
    }
}

#[test]
fn bad_bytecode_fails_the_first_invocation_clearly() {
    let good = crate::sandbox().compile(b"Ok = 1", "ok.rb", false).unwrap();
    let mut wrong_version = good.clone();
    wrong_version[4..8].copy_from_slice(b"0200");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"garbage bytes that are not RITE".to_vec(), "RITE"),
        (good[..good.len() / 2].to_vec(), "truncated"),
        (good[..6].to_vec(), "truncated"),
        (wrong_version, "version"),
    ];
    for (bytes, says) in cases {
        let mut sandbox = crate::sandbox();
        sandbox.preload_binary(bytes).unwrap();
        match sandbox.eval("1") {
            Err(Error::Bytecode(message)) => assert!(message.contains(says), "{message}"),
            other => panic!("expected a bytecode error saying {says}, got {other:?}"),
        }
    }
}

#[test]
fn values_cross_into_the_guest_exactly() {
    let mut sandbox = crate::sandbox();
    sandbox
        .preload_code(b"Echo = ->(*args, **kw) { [args, kw] }", "Echo")
        .unwrap();
    let args = vec![
        Value::Nil,
        Value::Bool(true),
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Float(-0.0),
        Value::Float(f64::INFINITY),
        Value::Str("héllo".into()),
        Value::Bytes(vec![0xff, 0x00, 0xfe]),
        sym("sym"),
        Value::Array(vec![Value::Int(1), Value::Array(vec![])]),
        Value::Hash(vec![
            (Value::Int(1), Value::Str("one".into())),
            (sym("k"), Value::Nil),
        ]),
    ];
    let kwargs = vec![("a".to_owned(), Value::Int(1))];
    let back = sandbox.run("Echo", args.clone(), kwargs).unwrap();
    let expected = Value::Array(vec![
        Value::Array(args),
        Value::Hash(vec![(sym("a"), Value::Int(1))]),
    ]);
    assert_eq!(format!("{back:?}"), format!("{expected:?}"));
}

#[test]
fn a_sandbox_made_only_to_compile_is_not_sealed() {
    let mut sandbox = Sandbox::new(crate::artifact());
    sandbox.compile(b"1", "x.rb", true).unwrap();
    assert!(!sandbox.sealed());
}
