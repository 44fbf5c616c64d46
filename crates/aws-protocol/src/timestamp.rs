//! The timestamp forms AWS protocols use. Domain types keep milliseconds
//! since the epoch; the edge writes epoch seconds (awsJson, restJson1 by
//! default) or ISO 8601 (awsQuery XML).

use serde::Serializer;

/// Epoch seconds with the milliseconds as a fraction, as awsJson writes a
/// timestamp (`1700000000.123`).
pub fn epoch_seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
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

/// `#[serde(serialize_with = "epoch_seconds::serialize")]` on a field of
/// milliseconds writes it as awsJson's epoch seconds.
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
}
