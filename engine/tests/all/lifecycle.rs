//! Boot once, restore per invocation: what the guest sees and what the
//! host keeps. `bin/test` runs these (and every other test) with
//! `KOBAKO_VERIFY_RESTORE=1`, which compares all of guest memory with the
//! snapshot after each restore.

use kobako_engine::{Artifact, Error, Lifecycle, Limits, Sandbox, Value};

/// The test artifact with a pool of its own, so counts are not shared with
/// tests running in parallel.
fn own_pool(lifecycle: Lifecycle) -> Artifact {
    crate::artifact().with_lifecycle(lifecycle)
}

fn unlimited() -> Limits {
    Limits {
        memory_limit: None,
        ..Limits::default()
    }
}

const LEAVE_TRACES: &str = r#"
  $leak = "global"
  LEAK = :constant
  class String; def shout = upcase + "!"; end
  "abc" =~ /b/
  @ivar = 1
  "left"
"#;

const LOOK_FOR_TRACES: &str = r#"
  [$leak, Object.const_defined?(:LEAK), "a".respond_to?(:shout), $~, @ivar, global_variables.include?(:$leak)]
"#;

/// What [`LOOK_FOR_TRACES`] answers in a fresh interpreter.
fn no_traces() -> Value {
    Value::Array(vec![
        Value::Nil,
        Value::Bool(false),
        Value::Bool(false),
        Value::Nil,
        Value::Nil,
        Value::Bool(false),
    ])
}

#[test]
fn nothing_an_invocation_does_is_seen_by_the_next_under_either_lifecycle() {
    for lifecycle in [Lifecycle::Restore, Lifecycle::Reboot] {
        let artifact = own_pool(lifecycle);
        let mut sandbox = Sandbox::new(&artifact);
        assert_eq!(
            sandbox.eval(LEAVE_TRACES).unwrap(),
            Value::Str("left".into())
        );
        let clean = sandbox.eval(LOOK_FOR_TRACES).unwrap();
        assert_eq!(clean, no_traces(), "{lifecycle:?}");
    }
}

#[test]
fn another_sandbox_on_the_same_instance_sees_nothing_either() {
    let artifact = own_pool(Lifecycle::Restore);
    let mut first = Sandbox::new(&artifact);
    first.bind("Only", "First").unwrap();
    first.eval(LEAVE_TRACES).unwrap();
    assert_eq!(artifact.idle_instances().0, 1);
    let mut second = Sandbox::new(&artifact);
    assert_eq!(
        second.eval("Object.const_defined?(:Only)").unwrap(),
        Value::Bool(false),
        "bindings are per sandbox"
    );
    assert_eq!(second.eval(LOOK_FOR_TRACES).unwrap(), no_traces());
    assert_eq!(
        artifact.idle_instances().0,
        1,
        "the same instance served both"
    );
}

#[test]
fn memory_one_invocation_grew_is_reused_by_the_next_not_grown_again() {
    let artifact = own_pool(Lifecycle::Restore);
    let mut sandbox = Sandbox::with_limits(&artifact, unlimited());
    let grow = r#"s = "x" * (8 << 20); s.size"#;
    assert_eq!(sandbox.eval(grow).unwrap(), Value::Int(8 << 20));
    let (_, after_one) = artifact.idle_instances();
    for _ in 0..20 {
        sandbox.eval(grow).unwrap();
    }
    let (idle, after_many) = artifact.idle_instances();
    assert_eq!(idle, 1);
    assert_eq!(
        after_many, after_one,
        "twenty more 8 MiB invocations grew the memory from {after_one} to {after_many} bytes"
    );
}

#[test]
fn the_memory_cap_counts_reused_pages_as_growth() {
    let artifact = own_pool(Lifecycle::Restore);
    let mut big = Sandbox::with_limits(&artifact, unlimited());
    big.eval(r#""x" * (16 << 20); nil"#).unwrap();
    // The pooled instance now has 16 MiB more memory than it booted with;
    // a sandbox capped at 1 MiB must not get it for free.
    let mut small = Sandbox::new(&artifact);
    match small.eval(r#""x" * (4 << 20); nil"#) {
        Err(Error::MemoryLimit(_)) => {}
        other => panic!("expected the memory cap, got {other:?}"),
    }
    assert_eq!(
        small.eval(r#""x" * (512 << 10); 1"#).unwrap(),
        Value::Int(1)
    );
}

#[test]
fn a_trap_drops_the_instance_and_the_next_invocation_gets_a_fresh_one() {
    let artifact = own_pool(Lifecycle::Restore);
    let mut sandbox = Sandbox::new(&artifact);
    sandbox.eval("1").unwrap();
    assert_eq!(artifact.idle_instances().0, 1);
    let fuel = Limits {
        fuel: Some(1_000),
        ..Limits::default()
    };
    let mut looping = Sandbox::with_limits(&artifact, fuel);
    assert!(matches!(looping.eval("loop {}"), Err(Error::Fuel(_))));
    assert_eq!(
        artifact.idle_instances().0,
        0,
        "the trapped instance is gone"
    );
    assert_eq!(sandbox.eval("$x ||= 41; $x + 1").unwrap(), Value::Int(42));
}

/// A trapped instance is never restored: whatever it wrote stays in its
/// memory until the store is dropped. Its pages of the artifact's memory
/// image are its own copies (a private mapping), so an instance made after
/// it, mapped from the same file, starts from the image as built.
#[test]
fn what_a_trapped_invocation_wrote_is_not_in_the_next_instance() {
    let artifact = own_pool(Lifecycle::Restore);
    let fuel = Limits {
        fuel: Some(200_000),
        ..Limits::default()
    };
    let mut trapping = Sandbox::with_limits(&artifact, fuel);
    let traces_then_loop = format!("{LEAVE_TRACES}\nloop {{}}");
    assert!(matches!(
        trapping.eval(&traces_then_loop),
        Err(Error::Fuel(_))
    ));
    assert_eq!(
        artifact.idle_instances().0,
        0,
        "the trapped instance is gone"
    );

    let mut next = Sandbox::new(&artifact);
    assert_eq!(next.eval(LOOK_FOR_TRACES).unwrap(), no_traces());
}

#[test]
fn both_lifecycles_answer_alike() {
    let scripts = [
        "[1, 2.5, 'three', :four, nil, {a: [true]}]",
        "def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2); fib(15)",
        "begin; raise ArgumentError, 'no'; rescue => e; [e.class.name, e.message]; end",
        "puts 'out'; $stderr.print 'err'; 3",
        "'héllo' =~ /l+/; [$~[0], $~.begin(0)]",
    ];
    let mut restore = Sandbox::new(&own_pool(Lifecycle::Restore));
    let mut reboot = Sandbox::new(&own_pool(Lifecycle::Reboot));
    let mut first_fuel = Vec::new();
    for round in 0..3 {
        for (i, script) in scripts.iter().enumerate() {
            let a = restore.eval(script).unwrap();
            let b = reboot.eval(script).unwrap();
            assert_eq!(a, b, "{script}");
            assert_eq!(restore.stdout(), reboot.stdout(), "{script}");
            assert_eq!(restore.stderr(), reboot.stderr(), "{script}");
            // A restored interpreter is the same every time, so is the
            // work a script does in it (a rebooted one reuses a heap the
            // last invocation left behind, which can change it slightly).
            if round == 0 {
                first_fuel.push(restore.fuel_used());
            }
            assert_eq!(restore.fuel_used(), first_fuel[i], "{script}");
        }
    }
}
