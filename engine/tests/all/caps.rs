use std::thread;
use std::time::{Duration, Instant};

use kobako_engine::{Error, Limits, Sandbox, Value};

fn sandbox(limits: Limits) -> Sandbox {
    Sandbox::with_limits(crate::artifact(), limits)
}

fn timeout(ms: u64) -> Limits {
    Limits {
        timeout: Some(Duration::from_millis(ms)),
        ..Limits::default()
    }
}

fn assert_reusable(sandbox: &mut Sandbox) {
    assert_eq!(sandbox.eval("[1, 2].sum").unwrap(), Value::Int(3));
}

#[test]
fn timeout_stops_tight_loops_promptly() {
    for script in [
        "loop {}",
        "while true; end",
        "def f = f2\ndef f2 = 1\nwhile true; f; end",
    ] {
        let mut sandbox = sandbox(timeout(50));
        let started = Instant::now();
        let result = sandbox.eval(script);
        let elapsed = started.elapsed();
        match result {
            Err(Error::Timeout(message)) => assert!(message.contains("timeout"), "{message}"),
            other => panic!("{script}: expected a timeout, got {other:?}"),
        }
        assert!(
            elapsed >= Duration::from_millis(50),
            "{script}: stopped early, {elapsed:?}"
        );
        // SPEC: lag at most ~10 ms; leave room for a loaded CI machine.
        assert!(
            elapsed < Duration::from_millis(100),
            "{script}: stopped late, {elapsed:?}"
        );
        assert_reusable(&mut sandbox);
    }
}

#[test]
fn timeout_does_not_fire_under_the_limit() {
    let mut sandbox = sandbox(timeout(2000));
    let v = sandbox
        .eval("x = 0; i = 0; while i < 100_000; x ^= i; i += 1; end; x")
        .unwrap();
    assert_eq!(v, Value::Int(0));
}

#[test]
fn no_timeout_means_none() {
    let mut sandbox = sandbox(Limits {
        timeout: None,
        ..Limits::default()
    });
    let v = sandbox
        .eval("i = 0; while i < 3_000_000; i += 1; end; i")
        .unwrap();
    assert_eq!(v, Value::Int(3_000_000));
}

#[test]
fn a_timeout_past_what_the_clock_holds_is_no_cap_not_a_panic() {
    let mut sandbox = sandbox(Limits {
        timeout: Some(Duration::MAX),
        ..Limits::default()
    });
    assert_eq!(sandbox.eval("1 + 1").unwrap(), Value::Int(2));
}

#[test]
fn fuel_is_deterministic_and_exact() {
    let script = "a = []; 300.times { |i| a << i * 2 }; a.sum";
    let fresh_run = || {
        let mut sandbox = sandbox(Limits::default());
        assert_eq!(sandbox.eval(script).unwrap(), Value::Int(89_700));
        sandbox.fuel_used()
    };
    let used = fresh_run();
    assert_eq!(
        fresh_run(),
        used,
        "the same script in a fresh sandbox uses the same fuel"
    );
    assert!(used > 300, "{used}");

    let mut enough = sandbox(Limits {
        fuel: Some(used),
        ..Limits::default()
    });
    assert_eq!(enough.eval(script).unwrap(), Value::Int(89_700));
    let mut short = sandbox(Limits {
        fuel: Some(used - 1),
        ..Limits::default()
    });
    match short.eval(script) {
        Err(Error::Fuel(message)) => assert!(message.contains("fuel"), "{message}"),
        other => panic!("expected the fuel cap, got {other:?}"),
    }
    assert_reusable(&mut short);
}

#[test]
fn fuel_stops_an_endless_loop() {
    let mut sandbox = sandbox(Limits {
        fuel: Some(1_000_000),
        timeout: None,
        ..Limits::default()
    });
    assert!(matches!(sandbox.eval("loop {}"), Err(Error::Fuel(m)) if m.contains("fuel")));
    assert_reusable(&mut sandbox);
}

fn memory(bytes: Option<u64>) -> Limits {
    Limits {
        memory_limit: bytes,
        ..Limits::default()
    }
}

#[test]
fn memory_limit_fires_past_the_budget() {
    let mut sandbox = sandbox(memory(Some(1 << 20)));
    match sandbox.eval("a = []; 40.times { a << 'x' * 100_000 }; a.size") {
        Err(Error::MemoryLimit(message)) => assert!(message.contains("memory_limit"), "{message}"),
        other => panic!("expected the memory cap, got {other:?}"),
    }
    assert_reusable(&mut sandbox);
}

#[test]
fn memory_limit_fires_even_when_the_guest_rescues() {
    let mut sandbox = sandbox(memory(Some(1 << 20)));
    let script =
        "begin; a = []; 40.times { a << 'x' * 100_000 }; rescue NoMemoryError; :rescued; end";
    assert!(matches!(sandbox.eval(script), Err(Error::MemoryLimit(_))));
}

#[test]
fn memory_under_the_limit_passes_and_reuse_does_not_accumulate() {
    let mut sandbox = sandbox(memory(Some(1 << 20)));
    for _ in 0..30 {
        assert_eq!(
            sandbox.eval("('x' * 300_000).size").unwrap(),
            Value::Int(300_000)
        );
    }
}

#[test]
fn no_memory_limit_means_none() {
    let mut sandbox = sandbox(memory(None));
    assert_eq!(
        sandbox.eval("('x' * (8 << 20)).size").unwrap(),
        Value::Int(8 << 20)
    );
}

#[test]
fn output_is_clipped_at_exactly_the_limit() {
    let mut sandbox = sandbox(Limits {
        stdout_limit: 5,
        stderr_limit: 3,
        ..Limits::default()
    });
    assert_eq!(
        sandbox
            .eval("print 'hello world'; warn 'abcdef'; 1")
            .unwrap(),
        Value::Int(1)
    );
    assert_eq!(sandbox.stdout(), b"hello");
    assert_eq!(sandbox.stderr(), b"abc");
    assert!(sandbox.stdout_truncated() && sandbox.stderr_truncated());
    sandbox.eval("print 'hello'").unwrap();
    assert_eq!(sandbox.stdout(), b"hello");
    assert!(
        !sandbox.stdout_truncated(),
        "exactly the limit is not truncated"
    );
    assert!(!sandbox.stderr_truncated(), "reset per invocation");
}

#[test]
fn an_interrupt_from_another_thread_stops_the_guest() {
    let mut sandbox = sandbox(Limits {
        timeout: None,
        ..Limits::default()
    });
    let handle = sandbox.interrupt_handle();
    let stopper = thread::spawn(move || {
        thread::sleep(Duration::from_millis(30));
        handle.interrupt();
    });
    let started = Instant::now();
    assert!(matches!(sandbox.eval("loop {}"), Err(Error::Interrupted)));
    assert!(started.elapsed() < Duration::from_millis(500));
    stopper.join().unwrap();
    assert_reusable(&mut sandbox);
}

#[test]
fn sandboxes_on_different_threads_are_independent() {
    // Timing (that they overlap) is checked by the Ruby suite, which runs
    // serially; here other tests share the cores.
    let workers: Vec<_> = (0..4_i64)
        .map(|n| {
            thread::spawn(move || {
                let mut sandbox = Sandbox::new(crate::artifact());
                let v = sandbox.eval(format!(
                    "i = 0; while i < 200_000; i += 1; end; puts {n}; i + {n}"
                ));
                (v.unwrap(), sandbox.stdout().to_vec())
            })
        })
        .collect();
    for (n, worker) in workers.into_iter().enumerate() {
        let (value, stdout) = worker.join().unwrap();
        assert_eq!(value, Value::Int(200_000 + n as i64));
        assert_eq!(stdout, format!("{n}\n").into_bytes());
    }
}
