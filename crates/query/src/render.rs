//! Values as Athena prints them in result CSVs and `VarCharValue`s, which is
//! Trino's text form: `2024-01-01 12:00:00.000`, doubles as Java prints
//! them (`1.5`, `1.0E10`), arrays `[a, b]`, rows `{a=1, b=x}`, maps `{k=v}`.

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float32Array, Float64Array, MapArray, StructArray,
};
use datafusion::arrow::datatypes::{
    DataType, IntervalDayTimeType, IntervalMonthDayNanoType, IntervalUnit, IntervalYearMonthType, TimeUnit,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use lakestack_compat::java_double::{double_to_string, float_to_string};

const OPTIONS: FormatOptions<'static> = FormatOptions::new()
    .with_null("")
    .with_date_format(Some("%Y-%m-%d"))
    .with_timestamp_format(Some("%Y-%m-%d %H:%M:%S%.3f"))
    // Trino prints the zone's name (`UTC`), not chrono's offset.
    .with_timestamp_tz_format(Some("%Y-%m-%d %H:%M:%S%.3f"))
    .with_time_format(Some("%H:%M:%S%.3f"));

/// `timestamp(9) with time zone`: nanoseconds shown.
const NANOS: FormatOptions<'static> = OPTIONS.with_timestamp_tz_format(Some("%Y-%m-%d %H:%M:%S%.9f"));

/// One value as text; `None` for NULL.
pub fn value(array: &ArrayRef, row: usize) -> Option<String> {
    // A NullArray has no null buffer: its rows answer is_null false.
    if array.is_null(row) || array.data_type().is_null() {
        return None;
    }
    Some(match array.data_type() {
        DataType::Float64 => double_to_string(array.as_any().downcast_ref::<Float64Array>()?.value(row)),
        // Trino's REAL prints through Float.toString: the float's own shortest digits.
        DataType::Float32 => float_to_string(array.as_any().downcast_ref::<Float32Array>()?.value(row)),
        DataType::Boolean => array.as_any().downcast_ref::<BooleanArray>()?.value(row).to_string(),
        // Zoned timestamps show milliseconds, as a timestamp(3) with time zone
        // does; one that holds finer digits (`from_unixtime_nanos`) shows all
        // nine. DataFusion keeps most timestamps in nanoseconds, so the unit
        // alone cannot say which precision Trino would print.
        DataType::Timestamp(TimeUnit::Nanosecond, Some(zone))
            if array
                .as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>()
                .value(row)
                % 1_000_000
                != 0 =>
        {
            let f = ArrayFormatter::try_new(array.as_ref(), &NANOS).ok()?;
            format!("{} {zone}", f.value(row))
        }
        DataType::Timestamp(_, Some(zone)) => {
            let f = ArrayFormatter::try_new(array.as_ref(), &OPTIONS).ok()?;
            format!("{} {zone}", f.value(row))
        }
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _) => {
            let inner = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                DataType::LargeList(_) => array.as_list::<i64>().value(row),
                _ => array.as_fixed_size_list().value(row),
            };
            let items: Vec<String> = (0..inner.len())
                .map(|i| value(&inner, i).unwrap_or_else(|| "null".into()))
                .collect();
            format!("[{}]", items.join(", "))
        }
        DataType::Struct(fields) => {
            let s: &StructArray = array.as_struct();
            let items: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    format!(
                        "{}={}",
                        f.name(),
                        value(s.column(i), row).unwrap_or_else(|| "null".into())
                    )
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        DataType::Map(_, _) => {
            let m: &MapArray = array.as_map();
            let entries = m.value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            let items: Vec<String> = (0..entries.len())
                .map(|i| {
                    format!(
                        "{}={}",
                        value(keys, i).unwrap_or_else(|| "null".into()),
                        value(values, i).unwrap_or_else(|| "null".into())
                    )
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = array.as_primitive::<IntervalMonthDayNanoType>().value(row);
            interval(v.months, v.days, v.nanoseconds)
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            interval(array.as_primitive::<IntervalYearMonthType>().value(row), 0, 0)
        }
        DataType::Interval(IntervalUnit::DayTime) => {
            let v = array.as_primitive::<IntervalDayTimeType>().value(row);
            interval(0, v.days, i64::from(v.milliseconds) * 1_000_000)
        }
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => {
            // Trino prints varbinary as space-separated hex bytes.
            let f = ArrayFormatter::try_new(array.as_ref(), &OPTIONS).ok()?;
            let hex = f.value(row).to_string();
            hex.as_bytes()
                .chunks(2)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => {
            let f = ArrayFormatter::try_new(array.as_ref(), &OPTIONS).ok()?;
            f.value(row).to_string()
        }
    })
}

/// An interval as Trino prints its two interval types: `INTERVAL YEAR TO
/// MONTH` as `Y-M` (`3-5`), `INTERVAL DAY TO SECOND` as `D HH:MM:SS.mmm`
/// (`2 03:00:00.000`), each normalised from its total (months; milliseconds).
/// One that mixes months with days or time has no Trino type: both parts show.
fn interval(months: i32, days: i32, nanos: i64) -> String {
    let day_time = || {
        let total = i128::from(days) * 86_400_000 + i128::from(nanos) / 1_000_000;
        let sign = if total < 0 { "-" } else { "" };
        let t = total.unsigned_abs();
        let (d, rest) = (t / 86_400_000, t % 86_400_000);
        let (h, m, s, ms) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000);
        format!("{sign}{d} {h:02}:{m:02}:{s:02}.{ms:03}")
    };
    let year_month = || {
        let sign = if months < 0 { "-" } else { "" };
        let m = months.unsigned_abs();
        format!("{sign}{}-{}", m / 12, m % 12)
    };
    match (months, days, nanos) {
        (_, 0, 0) if months != 0 => year_month(),
        (0, _, _) => day_time(),
        _ => format!("{} {}", year_month(), day_time()),
    }
}

/// One CSV field as Athena writes it: every value double-quoted, NULL empty.
pub fn csv_field(out: &mut String, v: Option<&str>) {
    if let Some(v) = v {
        out.push('"');
        if v.contains('"') {
            out.push_str(&v.replace('"', "\"\""));
        } else {
            out.push_str(v);
        }
        out.push('"');
    }
}

/// Whether `value` prints this type with the plain formatter (its last arm).
fn plain(t: &DataType) -> bool {
    !matches!(
        t,
        DataType::Float64
            | DataType::Float32
            | DataType::Boolean
            | DataType::Timestamp(_, Some(_))
            | DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(_, _)
            | DataType::Struct(_)
            | DataType::Map(_, _)
            | DataType::Interval(_)
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
            | DataType::FixedSizeBinary(_)
    )
}

/// Appends `rows` rows of `columns` to `out` as Athena's CSV records. Each
/// column's formatter is built once per batch: one per value cost more than
/// the query itself for results of many rows.
pub fn csv_rows(out: &mut String, columns: &[ArrayRef], rows: usize) {
    use std::fmt::Write as _;
    let formatters: Vec<Option<ArrayFormatter<'_>>> = columns
        .iter()
        .map(|c| {
            plain(c.data_type())
                .then(|| ArrayFormatter::try_new(c.as_ref(), &OPTIONS).ok())
                .flatten()
        })
        .collect();
    let mut scratch = String::new();
    for row in 0..rows {
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if column.is_null(row) {
                continue;
            }
            match &formatters[i] {
                Some(f) => {
                    scratch.clear();
                    // Writing to a String cannot fail.
                    let _ = write!(scratch, "{}", f.value(row));
                    csv_field(out, Some(&scratch));
                }
                None => csv_field(out, value(column, row).as_deref()),
            }
        }
        out.push('\n');
    }
}

/// Splits one record off the front of Athena's CSV; returns the fields and the
/// bytes consumed, or None if `s` holds no complete record.
///
/// The grammar is only what [`csv_rows`] writes: every value quoted, NULL an
/// empty unquoted field, `\n` ending a record; anything else is no record.
/// (The crawler's tokenizer in `lakestack-catalog` reads another grammar, the
/// lenient one of Glue's CSV classifier: any delimiter and quote, unquoted
/// text, `\r` line breaks, blank lines skipped.)
pub fn parse_record(s: &str) -> Option<(Vec<Option<String>>, usize)> {
    let b = s.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        if i >= b.len() {
            return None;
        }
        if b[i] == b'"' {
            let mut v = String::new();
            let mut j = i + 1;
            loop {
                let next = s[j..].find('"')? + j;
                v.push_str(&s[j..next]);
                if b.get(next + 1) == Some(&b'"') {
                    v.push('"');
                    j = next + 2;
                } else {
                    i = next + 1;
                    break;
                }
            }
            fields.push(Some(v));
        } else {
            fields.push(None);
        }
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'\n') => return Some((fields, i + 1)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Int32Array, ListArray, StringArray, TimestampMillisecondArray};
    use datafusion::arrow::datatypes::{Field, Fields, Int32Type};

    use super::*;

    #[test]
    fn doubles_and_reals_print_as_java_does() {
        // Double.toString and Float.toString themselves are tested in lakestack_compat::java_double.
        let doubles: ArrayRef = Arc::new(Float64Array::from(vec![1e10, 0.0001, 2.0]));
        let reals: ArrayRef = Arc::new(Float32Array::from(vec![1.1e10, 0.0001, 2.0]));
        let show = |a: &ArrayRef| {
            (0..a.len())
                .map(|r| value(a, r).unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert_eq!(show(&doubles), ["1.0E10", "1.0E-4", "2.0"]);
        assert_eq!(show(&reals), ["1.1E10", "1.0E-4", "2.0"]);
    }

    #[test]
    fn nested_and_temporal_values() {
        let ts: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![Some(1_704_110_400_123), None]));
        assert_eq!(value(&ts, 0).as_deref(), Some("2024-01-01 12:00:00.123"));
        assert_eq!(value(&ts, 1), None);
        let list: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![
            Some(1),
            None,
            Some(3),
        ])]));
        assert_eq!(value(&list, 0).as_deref(), Some("[1, null, 3]"));
        let st: ArrayRef = Arc::new(StructArray::new(
            Fields::from(vec![
                Field::new("a", DataType::Int32, true),
                Field::new("b", DataType::Utf8, true),
            ]),
            vec![
                Arc::new(Int32Array::from(vec![1])),
                Arc::new(StringArray::from(vec!["x"])),
            ],
            None,
        ));
        assert_eq!(value(&st, 0).as_deref(), Some("{a=1, b=x}"));
    }

    #[test]
    fn rows_print_as_value_and_csv_field_would() {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(vec![Some(1), None])),
            Arc::new(StringArray::from(vec![Some("say \"hi\""), Some("")])),
            Arc::new(Float64Array::from(vec![Some(1e10), Some(2.0)])),
            Arc::new(TimestampMillisecondArray::from(vec![Some(1_704_110_400_123), None])),
        ];
        let mut out = String::new();
        csv_rows(&mut out, &columns, 2);
        assert_eq!(
            out,
            "\"1\",\"say \"\"hi\"\"\",\"1.0E10\",\"2024-01-01 12:00:00.123\"\n,\"\",\"2.0\",\n"
        );
    }

    #[test]
    fn csv_round_trip() {
        let mut line = String::new();
        csv_field(&mut line, Some("a \"quoted\", value\nwith newline"));
        line.push(',');
        csv_field(&mut line, None);
        line.push(',');
        csv_field(&mut line, Some(""));
        line.push('\n');
        let (fields, used) = parse_record(&line).unwrap();
        assert_eq!(used, line.len());
        assert_eq!(
            fields,
            vec![
                Some("a \"quoted\", value\nwith newline".into()),
                None,
                Some(String::new())
            ]
        );
        assert_eq!(parse_record("\"unterminated"), None);
    }
}
