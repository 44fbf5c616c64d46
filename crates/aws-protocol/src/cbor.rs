//! CBOR (RFC 8949) bodies of awsJson 1.1 services, as the Java SDKs send
//! them to Kinesis (`application/x-amz-cbor-1.1`). A request is decoded to
//! the JSON value the same request would have had over JSON (byte strings
//! become base64, as JSON writes blobs), so a service reads both with one
//! set of types; an answer is encoded back with the service's blob and
//! timestamp members in their CBOR forms.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Number, Value};

use crate::spec::CborShapes;

/// Deeper nesting than any AWS shape is refused, so a hostile body cannot
/// exhaust the stack.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CborError(pub String);

impl std::fmt::Display for CborError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Decodes one CBOR data item that must fill `input`.
pub fn decode(input: &[u8]) -> Result<Value, CborError> {
    let mut r = Reader { input, pos: 0 };
    let v = r.item(0)?;
    if r.pos != input.len() {
        return Err(CborError(format!("{} bytes after the CBOR item", input.len() - r.pos)));
    }
    Ok(v)
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

/// An item's head: major type and argument, or `None` for an indefinite length.
enum Len {
    Definite(u64),
    Indefinite,
}

impl Reader<'_> {
    fn err<T>(&self, what: &str) -> Result<T, CborError> {
        Err(CborError(format!("{what} at byte {}", self.pos)))
    }

    fn byte(&mut self) -> Result<u8, CborError> {
        let b = *self
            .input
            .get(self.pos)
            .ok_or_else(|| CborError("truncated CBOR".into()))?;
        self.pos += 1;
        Ok(b)
    }

    fn bytes(&mut self, n: u64) -> Result<&[u8], CborError> {
        let n = usize::try_from(n).map_err(|_| CborError("length too large".into()))?;
        if self.input.len() - self.pos < n {
            return self.err("truncated CBOR");
        }
        let s = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn uint(&mut self, n: usize) -> Result<u64, CborError> {
        let b = self.bytes(n as u64)?;
        Ok(b.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x)))
    }

    fn head(&mut self) -> Result<(u8, u8, Len), CborError> {
        let b = self.byte()?;
        let (major, info) = (b >> 5, b & 0x1f);
        let len = match info {
            0..=23 => Len::Definite(u64::from(info)),
            24 => Len::Definite(self.uint(1)?),
            25 => Len::Definite(self.uint(2)?),
            26 => Len::Definite(self.uint(4)?),
            27 => Len::Definite(self.uint(8)?),
            31 if matches!(major, 2..=5 | 7) => Len::Indefinite,
            _ => return self.err("reserved additional information"),
        };
        Ok((major, info, len))
    }

    /// Bounds a claimed element count by what the input could hold, so a
    /// forged length never reserves memory.
    fn count(&self, n: u64) -> Result<usize, CborError> {
        if n > (self.input.len() - self.pos) as u64 {
            return self.err("length beyond the body");
        }
        Ok(n as usize)
    }

    fn at_break(&mut self) -> Result<bool, CborError> {
        if self.input.get(self.pos) == Some(&0xff) {
            self.pos += 1;
            return Ok(true);
        }
        Ok(false)
    }

    fn string_bytes(&mut self, major: u8, len: Len) -> Result<Vec<u8>, CborError> {
        match len {
            Len::Definite(n) => Ok(self.bytes(n)?.to_vec()),
            Len::Indefinite => {
                let mut out = Vec::new();
                while !self.at_break()? {
                    let (m, _, l) = self.head()?;
                    match (m == major, l) {
                        (true, Len::Definite(n)) => out.extend_from_slice(self.bytes(n)?),
                        _ => return self.err("bad chunk of an indefinite string"),
                    }
                }
                Ok(out)
            }
        }
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        if depth > MAX_DEPTH {
            return self.err("CBOR nested too deeply");
        }
        let (major, info, len) = self.head()?;
        match major {
            0 => match len {
                Len::Definite(n) => Ok(Value::from(n)),
                Len::Indefinite => self.err("indefinite integer"),
            },
            1 => match len {
                Len::Definite(n) => Ok(match i64::try_from(n) {
                    Ok(n) => Value::from(-1 - n),
                    Err(_) => Value::from(-1.0 - n as f64),
                }),
                Len::Indefinite => self.err("indefinite integer"),
            },
            2 => Ok(Value::String(STANDARD.encode(self.string_bytes(2, len)?))),
            3 => String::from_utf8(self.string_bytes(3, len)?)
                .map(Value::String)
                .map_err(|_| CborError("text string is not UTF-8".into())),
            4 => {
                let mut out = Vec::new();
                match len {
                    Len::Definite(n) => {
                        for _ in 0..self.count(n)? {
                            out.push(self.item(depth + 1)?);
                        }
                    }
                    Len::Indefinite => {
                        while !self.at_break()? {
                            out.push(self.item(depth + 1)?);
                        }
                    }
                }
                Ok(Value::Array(out))
            }
            5 => {
                let mut out = Map::new();
                let mut entry = |r: &mut Self| -> Result<(), CborError> {
                    let Value::String(k) = r.item(depth + 1)? else {
                        return r.err("map key is not a text string");
                    };
                    let v = r.item(depth + 1)?;
                    out.insert(k, v);
                    Ok(())
                };
                match len {
                    Len::Definite(n) => {
                        for _ in 0..self.count(n)? {
                            entry(self)?;
                        }
                    }
                    Len::Indefinite => {
                        while !self.at_break()? {
                            entry(self)?;
                        }
                    }
                }
                Ok(Value::Object(out))
            }
            // Tags (1: epoch time, the only one AWS sends) keep their content.
            6 => self.item(depth + 1),
            _ => match (info, len) {
                (20, _) => Ok(Value::Bool(false)),
                (21, _) => Ok(Value::Bool(true)),
                (22 | 23, _) => Ok(Value::Null),
                (25, Len::Definite(h)) => Ok(float(f64::from(half(h as u16)))),
                (26, Len::Definite(b)) => Ok(float(f64::from(f32::from_bits(b as u32)))),
                (27, Len::Definite(b)) => Ok(float(f64::from_bits(b))),
                _ => self.err("unsupported simple value"),
            },
        }
    }
}

fn float(f: f64) -> Value {
    Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
}

/// IEEE 754 half precision to single.
fn half(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let mant = f32::from(h & 0x3ff);
    sign * match exp {
        0 => mant * 2f32.powi(-24),
        31 if mant == 0.0 => f32::INFINITY,
        31 => f32::NAN,
        e => (1.0 + mant / 1024.0) * 2f32.powi(e - 15),
    }
}

/// Encodes a JSON value as CBOR; string members named in `shapes.blobs`
/// that hold base64 become byte strings, numbers named in
/// `shapes.timestamps` carry tag 1.
pub fn encode(v: &Value, shapes: CborShapes) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, v, None, shapes);
    out
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

fn write(out: &mut Vec<u8>, v: &Value, member: Option<&str>, shapes: CborShapes) {
    let is = |list: &[&str]| member.is_some_and(|m| list.contains(&m));
    match v {
        Value::Null => out.push(0xf6),
        Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Value::Number(n) => {
            if is(shapes.timestamps) {
                head(out, 6, 1);
            }
            if let Some(u) = n.as_u64() {
                head(out, 0, u);
            } else if let Some(i) = n.as_i64() {
                head(out, 1, (-1 - i) as u64);
            } else {
                out.push(0xfb);
                out.extend_from_slice(&n.as_f64().unwrap_or(0.0).to_be_bytes());
            }
        }
        Value::String(s) => match is(shapes.blobs).then(|| STANDARD.decode(s).ok()).flatten() {
            Some(bytes) => {
                head(out, 2, bytes.len() as u64);
                out.extend_from_slice(&bytes);
            }
            None => {
                head(out, 3, s.len() as u64);
                out.extend_from_slice(s.as_bytes());
            }
        },
        Value::Array(a) => {
            head(out, 4, a.len() as u64);
            for x in a {
                // Elements of a blob list are blobs too.
                write(out, x, member, shapes);
            }
        }
        Value::Object(m) => {
            head(out, 5, m.len() as u64);
            for (k, x) in m {
                head(out, 3, k.len() as u64);
                out.extend_from_slice(k.as_bytes());
                write(out, x, Some(k), shapes);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SHAPES: CborShapes = CborShapes {
        blobs: &["Data"],
        timestamps: &["ApproximateArrivalTimestamp"],
    };

    #[test]
    fn round_trips_through_the_json_form() {
        let v = json!({
            "StreamName": "s", "Data": "aGVsbG8=", "N": 500, "Neg": -3,
            "F": 1.5, "B": true, "Z": null, "L": [1, "x"],
            "ApproximateArrivalTimestamp": 1700000000.5
        });
        let bytes = encode(&v, SHAPES);
        // "Data" went out as a 5-byte byte string.
        let needle = [0x44, 0x61, 0x74, 0x61, 0x45, b'h', b'e', b'l', b'l', b'o'];
        assert!(bytes.windows(needle.len()).any(|w| w == needle));
        assert_eq!(decode(&bytes).unwrap(), v);
    }

    #[test]
    fn reads_what_other_encoders_write() {
        // {"a": [1, 2.5 as f16], "b": h'0102'} with an indefinite array.
        let bytes = [
            0xa2, 0x61, b'a', 0x9f, 0x01, 0xf9, 0x41, 0x00, 0xff, 0x61, b'b', 0x42, 1, 2,
        ];
        assert_eq!(decode(&bytes).unwrap(), json!({"a": [1, 2.5], "b": "AQI="}));
        // Tag 1 around an integer epoch.
        assert_eq!(
            decode(&[0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00]).unwrap(),
            json!(1700000000)
        );
    }

    #[test]
    fn hostile_input_is_refused() {
        assert!(decode(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(decode(&vec![0x81; 10_000]).is_err());
        assert!(decode(&[0x62, b'a']).is_err());
        assert!(decode(&[0x01, 0x01]).is_err());
        assert!(decode(&[0xa1, 0x01, 0x01]).is_err());
    }

    /// A cheap stand-in for the fuzz target (fuzz/fuzz_targets/kit_wire.rs)
    /// that runs with the unit tests: random and mutated bodies decode or
    /// fail, never panic, and what decodes survives a round trip.
    #[test]
    fn random_bodies_never_panic() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let valid = encode(
            &json!({"a": [1, -2, 2.5, "x", null, true], "Data": "AAEC", "m": {"k": {}}}),
            SHAPES,
        );
        for _ in 0..20_000 {
            let mut body = if next() % 2 == 0 {
                valid.clone()
            } else {
                (0..next() % 64).map(|_| next() as u8).collect()
            };
            if !body.is_empty() {
                let i = next() as usize % body.len();
                body[i] = next() as u8;
            }
            if let Ok(v) = decode(&body) {
                assert_eq!(decode(&encode(&v, CborShapes::NONE)).as_ref(), Ok(&v));
            }
        }
    }
}
