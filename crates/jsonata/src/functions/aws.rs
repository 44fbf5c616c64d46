//! The functions AWS Step Functions adds to JSONata: `$partition`,
//! `$range`, `$hash`, `$random` (with an optional seed), `$uuid` and
//! `$parse`. They are bound only when [`crate::Options::aws`] asks.

use std::fmt::Write as _;

use sha2::Digest as _;

use super::{Args, arg, err, num};
use crate::error::Result;
use crate::eval::{Env, Evaluator, MAX_ITEMS, too_large};
use crate::value::Value;

/// `$partition(array, size)`: the array in chunks of `size` (the last may
/// be shorter); undefined for a size that is not a positive integer.
pub fn partition(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Value::Array(a) = arg(args, 0) else {
        return Ok(Value::Undefined);
    };
    let Some(size) = num(args, 1).filter(|n| *n >= 1.0 && n.fract() == 0.0) else {
        return Ok(Value::Undefined);
    };
    let size = size.min(a.items.len().max(1) as f64) as usize;
    Ok(Value::array(
        a.items.chunks(size.max(1)).map(|c| Value::array(c.to_vec())).collect(),
    ))
}

/// `$range(start, end, step)`: from `start` by `step` until `end` is
/// reached or passed; undefined for a step that is zero or points away.
pub fn range(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let (Some(start), Some(end), Some(step)) = (num(args, 0), num(args, 1), num(args, 2)) else {
        return Ok(Value::Undefined);
    };
    if step == 0.0 || (end - start) * step < 0.0 {
        return Ok(Value::Undefined);
    }
    let count = ((end - start) / step).floor() + 1.0;
    if count > MAX_ITEMS as f64 {
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
                format!("The hashing algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512; got {other}"),
            ));
        }
    };
    Ok(Value::string(digest))
}

/// `$random([seed])`: in [0, 1); the same seed gives the same number.
pub fn random(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    match num(args, 0) {
        Some(seed) => {
            // A generator of its own, so a seeded call repeats whatever came before.
            let mut x = (seed.trunc() as i64 as u64) ^ 0x9E37_79B9_7F4A_7C15;
            x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 31);
            let saved = ev.rng;
            ev.rng = x | 1;
            let n = super::collections::next_random(ev);
            ev.rng = saved;
            Ok(Value::Number(n))
        }
        None => Ok(Value::Number(super::collections::next_random(ev))),
    }
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

/// `$parse(text)`: the JSON value a string holds.
pub fn parse(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(text) = arg(args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| err("D3030", format!("Unable to parse the JSON string: {e}")))?;
    Ok(crate::json::from_json(&v))
}
