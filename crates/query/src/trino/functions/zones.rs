//! Time zones kept on timestamps, as Trino's `timestamp with time zone`
//! keeps them: `x AT TIME ZONE z` and `at_timezone(x, z)` show the same
//! instant in zone `z` (a timestamp without zone is read in the session
//! zone, UTC, as Athena's is); `with_timezone(x, z)` reads a timestamp
//! without zone as local time in `z`; `timezone(x)` names the zone.
//!
//! Arrow keeps the zone in the column's type, not in each value, so the zone
//! must be a constant (a literal); Trino also takes a column of zones.
//! Results render in their zone (`2022-11-01 02:08:07.321
//! America/Los_Angeles`, `... +01:00`) through `render`.

use std::str::FromStr;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, TimeUnit};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    At,
    With,
    Name,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Zoned {
    kind: Kind,
    signature: Signature,
}

pub fn udfs() -> Vec<ScalarUDF> {
    [(Kind::At, 2), (Kind::With, 2), (Kind::Name, 1)]
        .into_iter()
        .map(|(kind, arity)| {
            ScalarUDF::new_from_impl(Zoned {
                kind,
                signature: Signature::any(arity, Volatility::Immutable),
            })
        })
        .collect()
}

/// The zone as Arrow and Trino name it: an IANA id in its canonical
/// spelling (Trino takes any case), `UTC`, or an offset `+hh:mm`.
pub fn canonical_zone(text: &str) -> Option<String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("z") {
        return Some("UTC".into());
    }
    if let Some(rest) = t.strip_prefix(['+', '-']) {
        let (h, m) = rest.split_once(':').unwrap_or((rest, "00"));
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        if h > 14 || m > 59 || h * 60 + m > 14 * 60 {
            return None;
        }
        if h == 0 && m == 0 {
            return Some("UTC".into());
        }
        return Some(format!("{}{h:02}:{m:02}", &t[..1]));
    }
    chrono_tz::Tz::from_str(t)
        .ok()
        .or_else(|| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .copied()
                .find(|z| z.name().eq_ignore_ascii_case(t))
        })
        .map(|z| z.name().to_owned())
}

/// The timestamp unit of an argument; strings and dates read as milliseconds.
fn unit_of(t: &DataType) -> Option<TimeUnit> {
    match t {
        DataType::Timestamp(u, _) => Some(*u),
        DataType::Date32 | DataType::Date64 | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            Some(TimeUnit::Millisecond)
        }
        DataType::Null => Some(TimeUnit::Millisecond),
        _ => None,
    }
}

impl Zoned {
    fn zone_argument(&self, value: Option<&ScalarValue>) -> Result<String> {
        let name = self.name();
        let Some(value) = value else {
            return plan_err!("NOT_SUPPORTED: the zone of {name} must be a constant here");
        };
        let text = match value {
            ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => s,
            _ => return plan_err!("NOT_SUPPORTED: the zone of {name} must be a constant here"),
        };
        match canonical_zone(text) {
            Some(z) => Ok(z),
            None => plan_err!("INVALID_FUNCTION_ARGUMENT: Time zone not supported: {text}"),
        }
    }
}

impl ScalarUDFImpl for Zoned {
    fn name(&self) -> &str {
        match self.kind {
            Kind::At => "at_timezone",
            Kind::With => "with_timezone",
            Kind::Name => "timezone",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        plan_err!("{} computes its type from its arguments", self.name())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let given = args.arg_fields[0].data_type();
        let Some(unit) = unit_of(given) else {
            return plan_err!(
                "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {}",
                super::type_name::trino_name(given),
                self.name()
            );
        };
        let out = match self.kind {
            Kind::Name => DataType::Utf8,
            Kind::At | Kind::With => {
                let zone = self.zone_argument(args.scalar_arguments.get(1).copied().flatten())?;
                DataType::Timestamp(unit, Some(zone.into()))
            }
        };
        Ok(Arc::new(Field::new(self.name(), out, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let x = args.args[0].to_array(n)?;
        let out_type = args.return_field.data_type().clone();
        let unit = unit_of(x.data_type()).unwrap_or(TimeUnit::Millisecond);
        let naive = DataType::Timestamp(unit, None);
        let utc = DataType::Timestamp(unit, Some("UTC".into()));
        let out: ArrayRef = match self.kind {
            Kind::Name => {
                let zone = match x.data_type() {
                    DataType::Timestamp(_, Some(z)) => z.to_string(),
                    _ => "UTC".to_owned(),
                };
                Arc::new(
                    (0..n)
                        .map(|i| x.is_valid(i).then(|| zone.clone()))
                        .collect::<StringArray>(),
                )
            }
            // The same instant under another zone: for a zoned value the
            // cast only relabels; a value without zone is first a UTC one.
            Kind::At => match x.data_type() {
                DataType::Timestamp(_, Some(_)) => cast(&x, &out_type)?,
                _ => cast(&cast(&cast(&x, &naive)?, &utc)?, &out_type)?,
            },
            // Arrow reads a timestamp without zone as local time in the zone
            // it is cast to, which is what with_timezone means.
            Kind::With => match x.data_type() {
                DataType::Timestamp(_, Some(_)) => {
                    return exec_err!("FUNCTION_NOT_FOUND: with_timezone takes a timestamp without time zone");
                }
                _ => cast(&cast(&x, &naive)?, &out_type)?,
            },
        };
        Ok(ColumnarValue::Array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_zone;

    #[test]
    fn zones_are_spelled_as_trino_shows_them() {
        assert_eq!(
            canonical_zone("america/los_angeles").as_deref(),
            Some("America/Los_Angeles")
        );
        assert_eq!(canonical_zone("Asia/Tokyo").as_deref(), Some("Asia/Tokyo"));
        assert_eq!(canonical_zone("utc").as_deref(), Some("UTC"));
        assert_eq!(canonical_zone("+1:00").as_deref(), Some("+01:00"));
        assert_eq!(canonical_zone("-08:30").as_deref(), Some("-08:30"));
        assert_eq!(canonical_zone("+00:00").as_deref(), Some("UTC"));
        assert_eq!(canonical_zone("+15:00"), None);
        assert_eq!(canonical_zone("Mars/Olympus_Mons"), None);
    }
}
