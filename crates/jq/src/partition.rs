//! Turns a query's result into Firehose partition keys (`!{partitionKeyFromQuery:name}`).
//!
//! The query must produce exactly one JSON object; each of its values must be a
//! string, number or boolean and becomes the key's text: strings as they are (no
//! quotes), numbers as jq prints them, booleans as `true`/`false`. Null (which includes
//! a missing field and NaN, printed as null) and the empty string are errors, as are
//! arrays and objects, and more than [`MAX_PARTITION_KEYS`] keys. Records failing these
//! rules go to Firehose's error output, as AWS sends records whose keys it cannot
//! extract.

use crate::error::PartitionError;
use crate::limits::MAX_PARTITION_KEYS;
use crate::value::{Val, format_number};

pub(crate) fn partition_keys(outputs: Vec<Val>) -> Result<Vec<(String, String)>, PartitionError> {
    let count = outputs.len();
    let mut outputs = outputs.into_iter();
    let object = match (outputs.next(), count) {
        (None, _) => return Err(PartitionError::NoOutput),
        (Some(Val::Obj(object)), 1) => object,
        (Some(other), 1) => return Err(PartitionError::NotAnObject(other.kind())),
        (Some(_), n) => return Err(PartitionError::MultipleOutputs(n)),
    };
    if object.len() > MAX_PARTITION_KEYS {
        return Err(PartitionError::TooManyKeys(object.len()));
    }
    let mut keys = Vec::with_capacity(object.len());
    for (key, value) in object.iter() {
        let text = match value {
            Val::Str(s) if !s.is_empty() => s.to_string(),
            Val::Num(x) if !x.is_nan() => format_number(*x),
            Val::Bool(b) => b.to_string(),
            Val::Null | Val::Str(_) | Val::Num(_) => {
                return Err(PartitionError::NullOrEmptyValue { key: key.to_string() });
            }
            Val::Arr(_) | Val::Obj(_) => {
                return Err(PartitionError::NotAScalar {
                    key: key.to_string(),
                    kind: value.kind(),
                });
            }
        };
        keys.push((key.to_string(), text));
    }
    Ok(keys)
}
