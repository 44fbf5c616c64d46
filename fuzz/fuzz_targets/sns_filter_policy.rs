//! SNS filter policies: parse in both scopes, then match a body and a set
//! of attributes of each type.
#![no_main]

use std::collections::BTreeMap;

use lakestack_sns::Attribute;
use lakestack_sns::fuzzing::{Scope, parse_filter_policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut attributes = BTreeMap::new();
    attributes.insert("kind".to_owned(), Attribute::string("String", "order"));
    attributes.insert("amount".to_owned(), Attribute::string("Number", "150.5"));
    attributes.insert("tags".to_owned(), Attribute::string("String.Array", r#"["a", 1, null]"#));
    attributes.insert("ip".to_owned(), Attribute::string("String", "10.0.0.1"));
    for scope in [Scope::MessageAttributes, Scope::MessageBody] {
        let Ok(policy) = parse_filter_policy(text, scope) else {
            continue;
        };
        for body in [
            r#"{"kind": "order", "amount": 150.5, "nested": {"list": [1, "x", {"deep": true}]}}"#,
            "not json",
            text,
        ] {
            let _ = policy.matches(body, &attributes);
        }
    }
});
