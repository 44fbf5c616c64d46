//! The kit's request decoders: CBOR bodies, awsQuery forms, restJson1
//! routes. The first byte picks the decoder; the rest is its input. Each
//! must answer Ok or Err, never panic, and a decoded CBOR value must encode
//! and decode back to itself.
#![no_main]

use http::Method;
use lakestack_aws_protocol::{CborShapes, Route, cbor, query, rest};
use libfuzzer_sys::fuzz_target;

const ROUTES: &[Route] = &[
    Route {
        method: Method::POST,
        path: "/2015-03-31/functions/{FunctionName}/invocations",
        operation: "Invoke",
    },
    Route {
        method: Method::GET,
        path: "/tags/{ARN+}",
        operation: "ListTags",
    },
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else { return };
    match pick % 3 {
        0 => {
            if let Ok(v) = cbor::decode(input) {
                let again = cbor::encode(&v, CborShapes::NONE);
                assert_eq!(cbor::decode(&again).ok(), Some(v));
            }
        }
        1 => {
            let _ = query::parse_form(input);
        }
        _ => {
            if let Ok(path) = std::str::from_utf8(input) {
                let _ = rest::route(ROUTES, &Method::GET, path);
                let _ = rest::route(ROUTES, &Method::POST, path);
            }
        }
    }
});
