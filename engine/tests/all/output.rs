use kobako_engine::Value;

#[test]
fn stdout_and_stderr_are_captured_per_invocation() {
    let mut sandbox = crate::sandbox();
    let v = sandbox
        .eval("puts 'hi'; print 1, 2; p :x; warn 'careful'; 7")
        .unwrap();
    assert_eq!(v, Value::Int(7));
    assert_eq!(sandbox.stdout(), b"hi\n12:x\n");
    assert_eq!(sandbox.stderr(), b"careful\n");
    sandbox.eval("nil").unwrap();
    assert_eq!(sandbox.stdout(), b"");
    assert_eq!(sandbox.stderr(), b"");
}

#[test]
fn output_survives_an_error() {
    let mut sandbox = crate::sandbox();
    assert!(sandbox.eval("print 'partial'; raise 'x'").is_err());
    assert_eq!(sandbox.stdout(), b"partial");
}
