//! The functions AWS Step Functions adds to JSONata: `$partition`,
//! `$range`, `$hash`, `$random` (with an optional seed), `$uuid` and
//! `$parse`. They are bound only when [`crate::Options::aws`] asks.

use std::fmt::Write as _;

use sha2::Digest as _;

use super::{Args, arg, err, num};
use crate::error::Result;
use crate::eval::{Env, Evaluator, too_large};
use crate::value::Value;

/// A number argument as AWS's engine takes it: rounded toward zero.
fn whole(args: Args<'_>, i: usize) -> Option<f64> {
    num(args, i).map(f64::trunc)
}

/// `$partition(array, size)`: the array in chunks of `size` (the last may
/// be shorter); undefined for an empty array or a size of zero, an error
/// for a negative one, as AWS answers.
pub fn partition(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let a = match arg(args, 0) {
        Value::Array(a) => a,
        Value::Undefined => return Ok(Value::Undefined),
        _ => {
            return Err(err(
                "T0412",
                "Argument 1 of function \"partition\" must be an array of undefined",
            ));
        }
    };
    let Some(size) = whole(args, 1) else {
        return Ok(Value::Undefined);
    };
    if size < 0.0 {
        return Err(err("D3137", "Second argument must be zero or greater"));
    }
    if size == 0.0 || a.items.is_empty() {
        return Ok(Value::Undefined);
    }
    let size = size.min(a.items.len() as f64) as usize;
    Ok(Value::array(
        a.items.chunks(size).map(|c| Value::array(c.to_vec())).collect(),
    ))
}

/// The most `$range` builds: AWS refuses one more element with its memory
/// limit error.
const MAX_RANGE: f64 = 360_145.0;

/// `$range(start, end, step)`: from `start` by `step` until `end` is
/// reached or passed; undefined without a step, or for a step that is zero
/// or points away.
pub fn range(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let (Some(start), Some(end), Some(step)) = (whole(args, 0), whole(args, 1), whole(args, 2)) else {
        return Ok(Value::Undefined);
    };
    if step == 0.0 || (end - start) * step < 0.0 {
        return Ok(Value::Undefined);
    }
    let count = ((end - start) / step).floor() + 1.0;
    if count > MAX_RANGE {
        return Err(too_large());
    }
    Ok(Value::sequence(
        (0..count as usize)
            .map(|i| Value::Number(start + step * i as f64))
            .collect(),
    ))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `$hash(value, algorithm)`: the lowercase hex digest of the string's
/// UTF-8 bytes with MD5, SHA-1, SHA-256, SHA-384 or SHA-512.
pub fn hash(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let (Some(value), Some(algorithm)) = (arg(args, 0).as_str(), arg(args, 1).as_str()) else {
        return Ok(Value::Undefined);
    };
    let data = value.as_bytes();
    let digest = match algorithm {
        "MD5" => hex(&md5::Md5::digest(data)),
        "SHA-1" => hex(&sha1::Sha1::digest(data)),
        "SHA-256" => hex(&sha2::Sha256::digest(data)),
        "SHA-384" => hex(&sha2::Sha384::digest(data)),
        "SHA-512" => hex(&sha2::Sha512::digest(data)),
        other => {
            return Err(err(
                "D3137",
                format!("Hash algorithm '{other}' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5"),
            ));
        }
    };
    Ok(Value::string(digest))
}

/// `$random([seed])`: in [0, 1). With a seed, the first double of Java's
/// `java.util.Random` seeded with it (rounded toward zero), which is what
/// AWS's engine answers: `$random(42)` is 0.7275636800328681.
pub fn random(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    match whole(args, 0) {
        Some(seed) => Ok(Value::Number(java_random_double(seed as i64))),
        None => Ok(Value::Number(super::collections::next_random(ev))),
    }
}

/// `new java.util.Random(seed).nextDouble()`: a 48-bit linear congruential
/// generator, two draws of 26 and 27 bits making a 53-bit fraction.
fn java_random_double(seed: i64) -> f64 {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;
    let mut state = (seed as u64 ^ MULTIPLIER) & MASK;
    let mut next = |bits: u32| {
        state = (state.wrapping_mul(MULTIPLIER).wrapping_add(0xB)) & MASK;
        state >> (48 - bits)
    };
    let high = next(26);
    let low = next(27);
    ((high << 27) + low) as f64 / (1u64 << 53) as f64
}

/// `$uuid()`: a version 4 UUID.
pub fn uuid(ev: &mut Evaluator<'_>, _: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(8) {
        let n = (super::collections::next_random(ev) * (1u64 << 53) as f64) as u64;
        chunk.copy_from_slice(&n.to_le_bytes()[..chunk.len()]);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex(&bytes);
    Ok(Value::string(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )))
}

/// `$parse(text)`: the JSON value a string holds. AWS refuses what a
/// lenient reader would take (duplicate keys, numbers past a double, a
/// second document) with one message.
pub fn parse(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(text) = arg(args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let invalid = || err("D3137", "Invalid JSON");
    serde_json::from_str::<UniqueKeys>(text).map_err(|_| invalid())?;
    let v: serde_json::Value = serde_json::from_str(text).map_err(|_| invalid())?;
    Ok(crate::json::from_json(&v))
}

/// A JSON document whose objects repeat no key (checked, not kept).
struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }

    fn visit_unit<E>(self) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<UniqueKeys, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<UniqueKeys, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(k) = map.next_key::<String>()? {
            if !seen.insert(k) {
                return Err(serde::de::Error::custom("duplicate key"));
            }
            map.next_value::<UniqueKeys>()?;
        }
        Ok(UniqueKeys)
    }
}
