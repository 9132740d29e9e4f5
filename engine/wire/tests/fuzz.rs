//! Property tests: everything the host decodes from guest bytes (the
//! guest's replies, its service calls, the failures it reports back) ends
//! in a value or a clean error, never a panic, a stack overflow or an
//! allocation the input does not pay for.
//!
//! Short by default; longer on demand:
//! `PROPTEST_CASES=200000 cargo test --release -p kobako-wire --test fuzz`.

use kobako_wire::{
    decode, encode, Action, CallTarget, GuestError, Origin, Reply, Request, ServiceCall,
    ServiceFailure, ServiceReply, Snippet, Value,
};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Nil),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        ".{0,12}".prop_map(Value::Str),
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(Value::Bytes),
        "[a-z_]{0,8}".prop_map(Value::Symbol),
        any::<u64>().prop_map(Value::Handle),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((inner.clone(), inner), 0..6).prop_map(Value::Hash),
        ]
    })
}

/// Valid messages of every kind the host decodes, encoded.
fn valid_message() -> impl Strategy<Value = Vec<u8>> {
    let failure = (
        ".{0,8}",
        ".{0,16}",
        proptest::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(klass, message, seal)| {
            let mut f = match ServiceReply::error(klass, message) {
                ServiceReply::Failure(f) => f,
                ServiceReply::Value(_) => unreachable!(),
            };
            f.seal = seal;
            f
        });
    prop_oneof![
        value().prop_map(|v| encode(&Reply::Value(v)).unwrap()),
        (".{0,8}", ".{0,16}", failure.clone()).prop_map(|(klass, message, f)| {
            let mut e = GuestError::new(klass, message);
            e.origin = Origin::Service(Box::new(f));
            encode(&Reply::Error(e)).unwrap()
        }),
        (value(), "[A-Z][a-z]{0,6}").prop_map(|(v, method)| {
            encode(&ServiceCall {
                target: CallTarget::Member {
                    namespace: "Ns".into(),
                    member: method.clone(),
                },
                method,
                args: vec![v.clone()],
                kwargs: vec![("k".into(), v)],
            })
            .unwrap()
        }),
        failure.prop_map(|f| encode(&ServiceReply::Failure(f)).unwrap()),
        value().prop_map(|v| encode(&Request {
            services: Vec::new(),
            snippets: vec![Snippet {
                bytecode: vec![1, 2, 3]
            }],
            action: Action::Run {
                target: "T".into(),
                args: vec![v],
                kwargs: Vec::new(),
            },
        })
        .unwrap()),
    ]
}

/// Decodes `bytes` as every message type; any outcome but a panic is fine.
fn decode_all(bytes: &[u8]) {
    let _ = decode::<Reply>(bytes);
    let _ = decode::<ServiceCall>(bytes);
    let _ = decode::<ServiceReply>(bytes);
    let _ = decode::<ServiceFailure>(bytes);
    let _ = decode::<Request>(bytes);
    let _ = decode::<Value>(bytes);
}

proptest! {
    #[test]
    fn arbitrary_bytes_decode_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        decode_all(&bytes);
    }

    #[test]
    fn mutated_valid_messages_decode_cleanly(
        message in valid_message(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = message;
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        decode_all(&bytes);
        let end = cut.index(bytes.len() + 1);
        decode_all(&bytes[..end]);
    }

    #[test]
    fn valid_values_round_trip(v in value()) {
        let back: Value = decode(&encode(&v).unwrap()).unwrap();
        // NaN is the one value not equal to itself.
        prop_assert_eq!(format!("{back:?}"), format!("{v:?}"));
    }
}

/// A container announcing four billion elements in a few bytes must fail
/// without reserving for them.
#[test]
fn huge_announced_lengths_allocate_nothing() {
    for header in [
        vec![0xdd, 0xff, 0xff, 0xff, 0xff],       // array 32
        vec![0xdf, 0xff, 0xff, 0xff, 0xff],       // map 32
        vec![0xc6, 0xff, 0xff, 0xff, 0xff, 0x00], // bin 32
        vec![0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], // str 32
    ] {
        decode_all(&header);
        assert!(decode::<Value>(&header).is_err());
    }
}

/// Nesting far deeper than any limit is an error, not a stack overflow.
#[test]
fn absurd_nesting_is_an_error() {
    let mut bytes = vec![0x91; 200_000]; // fixarray of one, nested
    bytes.push(0xc0);
    decode_all(&bytes);
    assert!(decode::<Value>(&bytes).is_err());
}
