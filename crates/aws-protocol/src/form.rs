//! Reading an awsQuery form's members into typed requests. A form carries
//! every value as text and an empty list as an empty string, while
//! in-process calls send the same members as JSON; these `deserialize_with`
//! helpers read both (`#[serde(default, deserialize_with = "form::flag")]`).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// An integer member, as a number or as the text of one.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not an integer"))),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("'{s}' is not an integer"))),
        Some(other) => Err(serde::de::Error::custom(format!("{other} is not an integer"))),
    }
}

/// A boolean member, as a JSON boolean or `true`/`false` text.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(serde::de::Error::custom(format!("{other} is not a boolean"))),
    }
}

/// A list member, absent as `None`; the empty string is how a form writes
/// an empty list, and a list of one written without an index is still that
/// one item.
pub fn optional_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<Vec<T>>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(Some(Vec::new())),
        Some(v @ Value::Array(_)) => serde_json::from_value(v).map(Some).map_err(serde::de::Error::custom),
        Some(v) => serde_json::from_value(v)
            .map(|x| Some(vec![x]))
            .map_err(serde::de::Error::custom),
    }
}

/// [`optional_list`], absent as empty.
pub fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    optional_list(d).map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Members {
        #[serde(deserialize_with = "super::int")]
        n: Option<i64>,
        #[serde(deserialize_with = "super::flag")]
        f: Option<bool>,
        #[serde(deserialize_with = "super::list")]
        l: Vec<String>,
        #[serde(deserialize_with = "super::optional_list")]
        o: Option<Vec<String>>,
    }

    #[test]
    fn text_and_json_read_alike() {
        let from_form: Members = serde_json::from_value(json!({"n": " 42", "f": "TRUE", "l": "", "o": "one"})).unwrap();
        assert_eq!(
            from_form,
            Members {
                n: Some(42),
                f: Some(true),
                l: vec![],
                o: Some(vec!["one".into()])
            }
        );
        let from_json: Members = serde_json::from_value(json!({"n": 42, "f": false, "l": ["a", "b"]})).unwrap();
        assert_eq!((from_json.f, from_json.l.len(), from_json.o), (Some(false), 2, None));
        assert!(serde_json::from_value::<Members>(json!({"f": "yes"})).is_err());
        assert!(serde_json::from_value::<Members>(json!({"n": "1.5"})).is_err());
    }
}
