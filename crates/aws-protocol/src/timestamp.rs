//! The timestamp forms AWS protocols use. Domain types keep milliseconds
//! since the epoch; the edge reads and writes epoch seconds (awsJson,
//! restJson1 by default) or ISO 8601 (awsQuery XML).

use serde::{Deserialize, Deserializer, Serializer};

/// Epoch seconds with the milliseconds as a fraction, as awsJson writes a
/// timestamp (`1700000000.123`).
pub fn epoch_seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// Milliseconds since the epoch of epoch seconds as awsJson reads a
/// timestamp (`1700000000.123`, or a whole number), to the nearest one.
pub fn millis_from_epoch_seconds(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}

/// `2024-01-02T03:04:05.678Z`, the form of awsQuery and of restJson1
/// members marked `date-time`.
pub fn iso8601(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

/// The proleptic Gregorian date of a day number counted from 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `#[serde(with = "as_epoch_seconds")]` on a field of milliseconds writes
/// it as awsJson's epoch seconds and reads it from them.
pub mod as_epoch_seconds {
    use super::*;

    pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(epoch_seconds(*ms))
    }

    /// The same for an optional field (pair it with `skip_serializing_if`).
    pub fn option<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match ms {
            Some(ms) => s.serialize_f64(epoch_seconds(*ms)),
            None => s.serialize_none(),
        }
    }

    /// Reads epoch seconds, whole or fractional, as milliseconds. A value
    /// that is not a number fails as an `f64` member would, so the
    /// message a client gets is serde's usual one.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        f64::deserialize(d).map(millis_from_epoch_seconds)
    }

    /// The same for an optional field (`null` is absent); pair it with
    /// `default` so that a missing member is too.
    pub fn deserialize_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.map(millis_from_epoch_seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(epoch_seconds(1_700_000_000_123), 1_700_000_000.123);
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_825_600_007), "2000-02-29T12:00:00.007Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59.999Z");
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Input {
        #[serde(with = "as_epoch_seconds")]
        at: i64,
        #[serde(default, deserialize_with = "as_epoch_seconds::deserialize_option")]
        seen: Option<i64>,
    }

    #[test]
    fn inputs_read_epoch_seconds_as_milliseconds() {
        assert_eq!(millis_from_epoch_seconds(1_700_000_000.123), 1_700_000_000_123);
        assert_eq!(millis_from_epoch_seconds(1.0006), 1001);
        assert_eq!(millis_from_epoch_seconds(-0.0014), -1);
        let read = |json: &str| serde_json::from_str::<Input>(json).map_err(|e| e.to_string());
        assert_eq!(
            read(r#"{"at": 1700000000.5, "seen": 1700000000}"#),
            Ok(Input {
                at: 1_700_000_000_500,
                seen: Some(1_700_000_000_000)
            })
        );
        assert_eq!(read(r#"{"at": 0, "seen": null}"#), Ok(Input { at: 0, seen: None }));
        assert_eq!(read(r#"{"at": 0}"#), Ok(Input { at: 0, seen: None }));
        assert_eq!(
            read(r#"{"at": 0, "seen": "yesterday"}"#),
            Err("invalid type: string \"yesterday\", expected f64 at line 1 column 29".into())
        );
    }

    /// An input that kept `f64` seconds, beside one that reads milliseconds,
    /// in the shape of a Glue input (other members kept, all optional).
    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default)]
    struct Seconds {
        seen: Option<f64>,
        #[serde(flatten)]
        _rest: serde_json::Map<String, serde_json::Value>,
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default)]
    struct Millis {
        #[serde(deserialize_with = "as_epoch_seconds::deserialize_option")]
        seen: Option<i64>,
        #[serde(flatten)]
        _rest: serde_json::Map<String, serde_json::Value>,
    }

    #[test]
    fn reading_milliseconds_refuses_what_seconds_refused_in_the_same_words() {
        for json in [
            r#"{"seen": "2024-01-01"}"#,
            r#"{"x": 1, "seen": true}"#,
            r#"{"seen": [1]}"#,
            r#"{"seen": 1e999}"#,
        ] {
            let seconds = serde_json::from_str::<Seconds>(json).unwrap_err().to_string();
            let millis = serde_json::from_str::<Millis>(json).unwrap_err().to_string();
            assert_eq!(seconds, millis, "{json}");
        }
        let ok = serde_json::from_str::<Millis>(r#"{"seen": 1.5, "x": 1}"#).unwrap();
        assert_eq!(ok.seen, Some(1500));
    }
}
