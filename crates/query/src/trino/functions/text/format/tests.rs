use super::FormatArg::{Bool, Date, Decimal, Double, Int, Null, Real, Str, Time, Timestamp, TimestampTz};
use super::*;

fn s(value: &str) -> FormatArg {
    Str(value.to_owned())
}

fn dec(unscaled: i128, scale: u8) -> FormatArg {
    Decimal { unscaled, scale }
}

fn ok(fmt: &str, args: &[FormatArg]) -> String {
    match format(fmt, args) {
        Ok(text) => text,
        Err(error) => panic!("format({fmt:?}) failed: {error}"),
    }
}

/// The part of Trino's message after `Invalid format string: <fmt> `.
fn err(fmt: &str, args: &[FormatArg]) -> String {
    match format(fmt, args) {
        Err(FunctionError::InvalidArgument(message)) => {
            let prefix = format!("Invalid format string: {fmt} ");
            message.strip_prefix(&prefix).unwrap_or(&message).to_owned()
        }
        other => panic!("format({fmt:?}) gave {other:?}"),
    }
}

fn unsupported(fmt: &str, args: &[FormatArg]) -> bool {
    matches!(format(fmt, args), Err(FunctionError::NotSupported(_)))
}

const NANOS_PER_SECOND: u64 = 1_000_000_000;

#[test]
fn format_matches_trino_tests() {
    let abcd = [s("a"), s("b"), s("c"), s("d")];
    assert_eq!(ok("%s%%", &[s("123")]), "123%");
    assert_eq!(ok("%.4f", &[Double(std::f64::consts::PI)]), "3.1416");
    assert_eq!(ok("%.5f", &[Double(std::f64::consts::PI)]), "3.14159");
    assert_eq!(ok("%03d", &[Int(8)]), "008");
    assert_eq!(ok("%-7s,%7s", &[s("hello"), s("world")]), "hello  ,  world");
    assert_eq!(ok("%b %B %b", &[Bool(true), Bool(false), Null]), "true FALSE false");
    assert_eq!(ok("%s %s %s", &[Bool(true), Bool(false), Null]), "true false null");
    assert_eq!(ok("%S %S %S", &[Bool(true), Bool(false), Null]), "TRUE FALSE NULL");
    assert_eq!(ok("%4$s %3$s %2$s %1$s %4$s %3$s %2$s %1$s", &abcd), "d c b a d c b a");
    assert_eq!(ok("%s %s %<s %<s", &abcd), "a b b b");
    assert_eq!(ok("%2$s %s %<s %s", &abcd), "b a a b");
    assert_eq!(ok("%2$s %3$s %1$s", &abcd), "b c a");
    assert_eq!(ok("%s %s", &[Int(2), Int(3), Int(4)]), "2 3");
    assert_eq!(ok("%d", &[Int(32123)]), "32123");
    assert_eq!(ok("%d", &[Int(1234567890123)]), "1234567890123");
    assert_eq!(ok("%,.2f", &[Double(1234567.89)]), "1,234,567.89");
    assert_eq!(ok("%1$s %1$f %1$.2f", &[dec(912345678, 8)]), "9.12345678 9.123457 9.12");
    assert_eq!(ok("%1$d %1$x %1$X %1$o", &[Int(1234)]), "1234 4d2 4D2 2322");
    assert_eq!(ok("%s", &[s("test ")]), "test ");
}

#[test]
fn format_temporal_values_match_trino_tests() {
    let date = Date { epoch_day: 11556 };
    assert_eq!(
        ok("%1$s %1$tF %1$tY-%1$tm-%1$td", &[date]),
        "2001-08-22 2001-08-22 2001-08-22"
    );
    assert_eq!(
        ok("%1$tA, %1$tB %1$te, %1$tY", &[Date { epoch_day: 13333 }]),
        "Tuesday, July 4, 2006"
    );
    let time = Time {
        nano_of_day: (16 * 3600 + 17 * 60 + 13) * NANOS_PER_SECOND,
    };
    assert_eq!(ok("%1$s %1$tT %1$tr", &[time]), "16:17:13 16:17:13 04:17:13 PM");
    let minute = Timestamp {
        epoch_second: -14197380,
        nano: 0,
    };
    assert_eq!(
        ok("%1$s %1$tF %1$tT", &[minute]),
        "1969-07-20T16:17 1969-07-20 16:17:00"
    );
    let second = Timestamp {
        epoch_second: -14197377,
        nano: 0,
    };
    assert_eq!(
        ok("%1$s %1$tF %1$tT", &[second]),
        "1969-07-20T16:17:03 1969-07-20 16:17:03"
    );
    let utc = TimestampTz {
        epoch_second: -14182980,
        nano: 0,
        offset_seconds: 0,
        zone: Some("UTC".to_owned()),
    };
    assert_eq!(
        ok("%1$s %1$tc", &[utc]),
        "1969-07-20T20:17Z[UTC] Sun Jul 20 20:17:00 UTC 1969"
    );
    let new_york = TimestampTz {
        epoch_second: -14182980,
        nano: 0,
        offset_seconds: -4 * 3600,
        zone: Some("America/New_York".to_owned()),
    };
    assert_eq!(
        ok("%s", std::slice::from_ref(&new_york)),
        "1969-07-20T16:17-04:00[America/New_York]"
    );
    assert!(unsupported("%tc", &[new_york]));
}

#[test]
fn format_errors_match_trino_tests() {
    assert_eq!(err("%.4d", &[Int(8)]), "(IllegalFormatPrecision: 4)");
    assert_eq!(err("%-02d", &[Int(8)]), "(IllegalFormatFlags: Flags = '-0')");
    assert_eq!(err("%--2d", &[Int(8)]), "(DuplicateFormatFlags: Flags = '-')");
    assert_eq!(
        err("%+s", &[Int(8)]),
        "(FormatFlagsConversionMismatch: Conversion = s, Flags = +)"
    );
    assert_eq!(err("%-s", &[Int(8)]), "(MissingFormatWidth: %-s)");
    assert_eq!(err("%5n", &[Int(8)]), "(IllegalFormatWidth: 5)");
    assert_eq!(
        err("%s %d", &[Int(8)]),
        "(MissingFormatArgument: Format specifier '%d')"
    );
    assert_eq!(
        err("%d", &[dec(8, 0)]),
        "(IllegalFormatConversion: d != java.math.BigDecimal)"
    );
    assert_eq!(
        err("%tT", &[s("16:17:13.000-05:00")]),
        "(IllegalFormatConversion: T != java.lang.String)"
    );
    assert_eq!(
        format("%.4d", &[Int(8)]),
        Err(FunctionError::InvalidArgument(
            "Invalid format string: %.4d (IllegalFormatPrecision: 4)".to_owned()
        ))
    );
}

#[test]
fn format_syntax_errors() {
    assert_eq!(err("%", &[]), "(UnknownFormatConversion: Conversion = '%')");
    assert_eq!(err("abc%", &[]), "(UnknownFormatConversion: Conversion = '%')");
    assert_eq!(err("%q", &[]), "(UnknownFormatConversion: Conversion = 'q')");
    assert_eq!(err("%5q", &[]), "(UnknownFormatConversion: Conversion = 'q')");
    assert_eq!(err("%F", &[]), "(UnknownFormatConversion: Conversion = 'F')");
    assert_eq!(err("%.f", &[]), "(UnknownFormatConversion: Conversion = '.')");
    assert_eq!(err("%-", &[]), "(UnknownFormatConversion: Conversion = '-')");
    assert_eq!(err("%t", &[]), "(UnknownFormatConversion: Conversion = 't')");
    assert_eq!(err("%tq", &[]), "(UnknownFormatConversion: Conversion = 'tq')");
    assert_eq!(err("%Tq", &[]), "(UnknownFormatConversion: Conversion = 'tq')");
    assert_eq!(err("%.2n", &[]), "(IllegalFormatPrecision: 2)");
    assert_eq!(err("%-5n", &[]), "(IllegalFormatWidth: 5)");
    assert_eq!(err("%-n", &[]), "(IllegalFormatFlags: Flags = '-')");
    assert_eq!(err("%+%", &[]), "(IllegalFormatFlags: Flags = '+')");
    assert_eq!(err("%-%", &[]), "(MissingFormatWidth: %-%)");
    assert_eq!(
        err("%0$s", &[s("a")]),
        "(IllegalFormatArgumentIndex: Illegal format argument index = 0)"
    );
    assert_eq!(
        err("%99999999999$s", &[s("a")]),
        "(IllegalFormatArgumentIndex: Format argument index: (not representable as int))"
    );
    assert_eq!(err("%99999999999s", &[s("a")]), "(IllegalFormatWidth: -2147483648)");
    assert_eq!(
        err("%.99999999999f", &[Double(1.0)]),
        "(IllegalFormatPrecision: -2147483648)"
    );
}

#[test]
fn format_flag_and_conversion_checks() {
    assert_eq!(err("%-05X", &[Int(1)]), "(IllegalFormatFlags: Flags = '-^0')");
    assert_eq!(err("%+ d", &[Int(1)]), "(IllegalFormatFlags: Flags = '+ ')");
    assert_eq!(err("%0d", &[Int(1)]), "(MissingFormatWidth: %0d)");
    assert_eq!(err("%1$-s", &[Int(1)]), "(MissingFormatWidth: %-1$s)");
    assert_eq!(err("%.2d", &[Int(1)]), "(IllegalFormatPrecision: 2)");
    assert_eq!(
        err("%#d", &[Int(1)]),
        "(FormatFlagsConversionMismatch: Conversion = d, Flags = #)"
    );
    assert_eq!(
        err("%,x", &[Int(1)]),
        "(FormatFlagsConversionMismatch: Conversion = x, Flags = ,)"
    );
    assert_eq!(
        err("%,s", &[Int(1)]),
        "(FormatFlagsConversionMismatch: Conversion = s, Flags = ,)"
    );
    assert_eq!(
        err("%#b", &[Int(1)]),
        "(FormatFlagsConversionMismatch: Conversion = b, Flags = #)"
    );
    assert_eq!(
        err("%,e", &[Double(1.0)]),
        "(FormatFlagsConversionMismatch: Conversion = e, Flags = ,)"
    );
    assert_eq!(
        err("%#g", &[Double(1.0)]),
        "(FormatFlagsConversionMismatch: Conversion = g, Flags = #)"
    );
    assert_eq!(
        err("%(a", &[Double(1.0)]),
        "(FormatFlagsConversionMismatch: Conversion = a, Flags = ()"
    );
    assert_eq!(err("%.2c", &[Null]), "(IllegalFormatPrecision: 2)");
    assert_eq!(err("%-c", &[Null]), "(MissingFormatWidth: %-c)");
    assert_eq!(err("%.2tF", &[Null]), "(IllegalFormatPrecision: 2)");
    assert_eq!(
        err("%#tF", &[Null]),
        "(FormatFlagsConversionMismatch: Conversion = F, Flags = #)"
    );
    assert_eq!(err("%-tF", &[Null]), "(MissingFormatWidth: %-tF)");
    // The whole format string is checked before any argument is formatted.
    assert_eq!(err("%d %-s", &[Double(1.0)]), "(MissingFormatWidth: %-s)");
}

#[test]
fn format_argument_errors() {
    assert_eq!(err("%<s", &[s("a")]), "(MissingFormatArgument: Format specifier '%<s')");
    assert_eq!(
        err("%2$s", &[s("a")]),
        "(MissingFormatArgument: Format specifier '%2$s')"
    );
    assert_eq!(
        err("%d", &[Double(1.0)]),
        "(IllegalFormatConversion: d != java.lang.Double)"
    );
    assert_eq!(
        err("%d", &[Bool(true)]),
        "(IllegalFormatConversion: d != java.lang.Boolean)"
    );
    assert_eq!(err("%f", &[Int(1)]), "(IllegalFormatConversion: f != java.lang.Long)");
    assert_eq!(err("%e", &[s("x")]), "(IllegalFormatConversion: e != java.lang.String)");
    assert_eq!(
        err("%f", &[Date { epoch_day: 0 }]),
        "(IllegalFormatConversion: f != java.time.LocalDate)"
    );
    assert_eq!(err("%c", &[Int(65)]), "(IllegalFormatConversion: c != java.lang.Long)");
    assert_eq!(
        err("%A", &[dec(1, 0)]),
        "(IllegalFormatConversion: a != java.math.BigDecimal)"
    );
    assert_eq!(
        err("%+x", &[Int(5)]),
        "(FormatFlagsConversionMismatch: Conversion = x, Flags = +)"
    );
    assert_eq!(
        err("%(o", &[Int(5)]),
        "(FormatFlagsConversionMismatch: Conversion = o, Flags = ()"
    );
    assert_eq!(
        err("%#s", &[s("x")]),
        "(FormatFlagsConversionMismatch: Conversion = s, Flags = #)"
    );
    assert_eq!(
        err("%tF", &[Double(1.0)]),
        "(IllegalFormatConversion: F != java.lang.Double)"
    );
}

#[test]
fn format_nulls() {
    assert_eq!(
        ok("%s|%S|%5s|%b|%h|%c|%C", &[Null, Null, Null, Null, Null, Null, Null]),
        "null|NULL| null|false|null|null|NULL"
    );
    // Java's print(String) applies the precision to "null" too.
    assert_eq!(
        ok(
            "%d|%X|%+x|%08.2f|%e|%tF|%TF",
            &[Null, Null, Null, Null, Null, Null, Null]
        ),
        "null|NULL|null|      nu|null|null|NULL"
    );
}

#[test]
fn format_strings_and_booleans() {
    assert_eq!(ok("%.2s", &[s("hello")]), "he");
    assert_eq!(ok("%.3S", &[s("abcdef")]), "ABC");
    assert_eq!(ok("%-6S|", &[s("ab")]), "AB    |");
    assert_eq!(ok("%S", &[s("straße")]), "STRASSE");
    // Width and precision count UTF-16 units, like Java.
    assert_eq!(ok("%3s", &[s("😀")]), " 😀");
    assert_eq!(ok("%.1s", &[s("😀x")]), "?");
    assert_eq!(
        ok("%b|%b|%.2b|%5b", &[Int(0), s(""), Bool(true), Bool(false)]),
        "true|true|tr|false"
    );
    assert_eq!(ok("%s|%s", &[Int(-5), Int(i64::MAX)]), "-5|9223372036854775807");
    assert_eq!(ok("100%% %n%-5%|%5%", &[]), "100% \n%    |    %");
}

#[test]
fn format_integers() {
    assert_eq!(
        ok("%10d|%-6d|% d|%+d", &[Int(42), Int(42), Int(42), Int(42)]),
        "        42|42    | 42|+42"
    );
    assert_eq!(
        ok("%(d|%(5d|%0(6d", &[Int(-42), Int(-42), Int(-42)]),
        "(42)| (42)|(0042)"
    );
    assert_eq!(
        ok("%,d|%,d|%,010d", &[Int(1234567), Int(-1234), Int(1234)]),
        "1,234,567|-1,234|000001,234"
    );
    assert_eq!(
        ok("%d|%,d", &[Int(i64::MIN), Int(i64::MIN)]),
        "-9223372036854775808|-9,223,372,036,854,775,808"
    );
    assert_eq!(
        ok("%x|%X|%o", &[Int(-1), Int(-1), Int(-1)]),
        "ffffffffffffffff|FFFFFFFFFFFFFFFF|1777777777777777777777"
    );
    assert_eq!(
        ok("%#x|%#X|%08x|%#010x", &[Int(255), Int(255), Int(255), Int(255)]),
        "0xff|0XFF|000000ff|0x000000ff"
    );
    assert_eq!(ok("%o|%#o|%-6x|", &[Int(8), Int(8), Int(255)]), "10|010|ff    |");
}

#[test]
fn format_fixed_point_rounds_half_up_on_the_shortest_decimal() {
    // Java rounds the digits Double.toString would print, so 0.15 and 1.005 round up.
    assert_eq!(
        ok("%.1f|%.2f|%.2f", &[Double(0.15), Double(1.005), Double(0.125)]),
        "0.2|1.01|0.13"
    );
    assert_eq!(
        ok(
            "%.0f|%.0f|%.0f|%.0f",
            &[Double(0.5), Double(1.5), Double(2.5), Double(9.5)]
        ),
        "1|2|3|10"
    );
    assert_eq!(
        ok("%.0f|%f|%.1f", &[Double(-0.4), Double(-0.0), Double(9.96)]),
        "-0|-0.000000|10.0"
    );
    assert_eq!(ok("%.3f|%f", &[Double(1e-10), Double(123.0)]), "0.000|123.000000");
    assert_eq!(ok("%f", &[Double(1e20)]), "100000000000000000000.000000");
    assert_eq!(ok("%#.0f|%.0f", &[Double(3.0), Double(0.4)]), "3.|0");
}

#[test]
fn format_fixed_point_padding_and_signs() {
    assert_eq!(
        ok("%10.3f|%-10.2f|", &[Double(-1.23456), Double(1.23456)]),
        "    -1.235|1.23      |"
    );
    assert_eq!(
        ok(
            "%010.2f|%(.2f|%+.2f|% .2f",
            &[Double(-1.23456), Double(-1.23456), Double(1.23456), Double(1.23456)]
        ),
        "-000001.23|(1.23)|+1.23| 1.23"
    );
}

#[test]
fn format_scientific() {
    assert_eq!(
        ok("%e|%e|%E", &[Double(12.3456), Double(0.0), Double(1e-10)]),
        "1.234560e+01|0.000000e+00|1.000000E-10"
    );
    assert_eq!(
        ok(
            "%.0e|%#.0e|%e|%.2e",
            &[Double(15.0), Double(15.0), Double(1e100), Double(9.999)]
        ),
        "2e+01|2.e+01|1.000000e+100|1.00e+01"
    );
    assert_eq!(
        ok("%12.2e|%012.2e", &[Double(-1234.5), Double(-1234.5)]),
        "   -1.23e+03|-0001.23e+03"
    );
    // JDK 21's Formatter starts from the Double.toString decimal, 4.9E-324 for MIN_VALUE.
    assert_eq!(
        ok("%s|%.3e|%.1e", &[Double(5e-324), Double(5e-324), Double(-1e-323)]),
        "4.9E-324|4.900e-324|-9.9e-324"
    );
}

#[test]
fn format_general() {
    let values = [
        Double(0.0001),
        Double(123456.0),
        Double(1234567.0),
        Double(0.00001),
        Double(0.0),
        Double(100.0),
    ];
    assert_eq!(
        ok("%g|%g|%g|%g|%g|%g", &values),
        "0.000100000|123456|1.23457e+06|1.00000e-05|0.00000|100.000"
    );
    assert_eq!(
        ok(
            "%.3g|%G|%.0g|%,g|%g",
            &[
                Double(1.23456),
                Double(1e-10),
                Double(123.0),
                Double(123456.0),
                Double(999999.5)
            ]
        ),
        "1.23|1.00000E-10|1e+02|123,456|1.00000e+06"
    );
}

#[test]
fn format_hexadecimal_floats() {
    assert_eq!(
        ok(
            "%a|%a|%a|%A|%a",
            &[Double(1.0), Double(0.5), Double(0.0), Double(255.5), Double(-1.0)]
        ),
        "0x1.0p0|0x1.0p-1|0x0.0p0|0X1.FFP7|-0x1.0p0"
    );
    // Precision rounds the significand half-even; subnormals print normalised.
    assert_eq!(
        ok("%.2a|%.1a|%.1a", &[Double(1.0), Double(1.03125), Double(1.09375)]),
        "0x1.00p0|0x1.0p0|0x1.2p0"
    );
    let half_min = f64::MIN_POSITIVE / 2.0;
    assert_eq!(
        ok("%a|%.1a|%.1a", &[Double(half_min), Double(half_min), Double(f64::MAX)]),
        "0x0.8p-1022|0x1.0p-1023|0x1.0p1024"
    );
    assert_eq!(
        ok("%010a|%a|%a", &[Double(1.0), Double(f64::NAN), Double(f64::INFINITY)]),
        "0x0001.0p0|NaN|Infinity"
    );
    assert_eq!(ok("%a", &[Real(0.1)]), "0x1.99999ap-4");
}

#[test]
fn format_nan_and_infinity() {
    let args = [
        Double(f64::NAN),
        Double(f64::INFINITY),
        Double(f64::NEG_INFINITY),
        Double(f64::NEG_INFINITY),
        Double(f64::NAN),
    ];
    assert_eq!(
        ok("%f|%+e|%08g|%(f|%6E", &args),
        "NaN|+Infinity|-Infinity|(Infinity)|   NAN"
    );
}

#[test]
fn format_to_string_of_doubles_and_reals() {
    let cases = [
        (1e7, "1.0E7"),
        (1234567.0, "1234567.0"),
        (9999999.0, "9999999.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (1.234e-5, "1.234E-5"),
        (-0.0, "-0.0"),
        (1e21, "1.0E21"),
        (123.456, "123.456"),
        (100.0, "100.0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (f64::MAX, "1.7976931348623157E308"),
        (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
        (f64::NAN, "NaN"),
        (f64::NEG_INFINITY, "-Infinity"),
    ];
    for (value, expected) in cases {
        assert_eq!(ok("%s", &[Double(value)]), expected, "{value}");
    }
    assert_eq!(
        ok("%s|%s|%s", &[Real(0.1), Real(1.0e10), Real(16777216.0)]),
        "0.1|1.0E10|1.6777216E7"
    );
    // A REAL is widened to double before %f, exposing its binary value.
    assert_eq!(ok("%.10f", &[Real(0.1)]), "0.1000000015");
}

#[test]
fn format_decimals_as_big_decimal() {
    let strings = [
        dec(1, 7),
        dec(0, 10),
        dec(-12345, 2),
        dec(5, 0),
        dec(0, 2),
        dec(1, 6),
        dec(15, 8),
        dec(-15, 8),
    ];
    assert_eq!(
        ok("%s|%s|%s|%s|%s|%s|%s|%s", &strings),
        "1E-7|0E-10|-123.45|5|0.00|0.000001|1.5E-7|-1.5E-7"
    );
    // A zero keeps its scale as exponent in %e, and %g only treats a scale-0 zero as zero.
    assert_eq!(
        ok("%e|%e|%g|%g", &[dec(0, 2), dec(0, 0), dec(0, 2), dec(0, 0)]),
        "0.000000e-02|0.000000e+00|0.00000e-02|0.00000"
    );
    assert_eq!(
        ok("%.2e|%.1e|%g", &[dec(12345, 2), dec(125, 2), dec(12345, 2)]),
        "1.23e+02|1.3e+00|123.450"
    );
    let fixed = [
        dec(-5, 1),
        dec(-5, 1),
        dec(995, 3),
        dec(999, 2),
        dec(123, 0),
        dec(123456789, 2),
    ];
    assert_eq!(
        ok("%.1f|%.0f|%.2f|%.1f|%#.0f|%,.3f", &fixed),
        "-0.5|-1|1.00|10.0|123.|1,234,567.890"
    );
    let wide = dec(-99999999999999999999999999999999999999, 0);
    assert_eq!(ok("%,d", &[Int(0)]), "0");
    assert_eq!(ok("%.3e", &[wide]), "-1.000e+38");
}

#[test]
fn format_hash_codes() {
    let args = [
        s("hello"),
        Int(1),
        Int(-1),
        Bool(true),
        Bool(true),
        Double(1.0),
        dec(12345, 2),
        s("America/New_York"),
    ];
    assert_eq!(
        ok("%h|%h|%h|%h|%H|%h|%h|%h", &args),
        "5e918d2|1|0|4cf|4CF|3ff00000|5d6e9|b5e7d24f"
    );
    let time = Time {
        nano_of_day: (16 * 3600 + 17 * 60 + 13) * NANOS_PER_SECOND,
    };
    let minute = Timestamp {
        epoch_second: -14197380,
        nano: 0,
    };
    assert_eq!(
        ok("%h|%h|%h", &[Date { epoch_day: 11556 }, time, minute]),
        "3e8a16|8f232f53|887b6484"
    );
}

#[test]
fn format_date_fields() {
    let date = Date { epoch_day: 11556 };
    let args = vec![date; 9];
    assert_eq!(
        ok("%ta %tb %th %tB %tC %ty %tj %tD %te", &args),
        "Wed Aug Aug August 20 01 234 08/22/01 22"
    );
    assert_eq!(
        ok("%1$TA %1$TB|%1$-12tF|%1$12tF", &args[..1]),
        "WEDNESDAY AUGUST|2001-08-22  |  2001-08-22"
    );
    for (fmt, field) in [
        ("%tH", 'H'),
        ("%tc", 'H'),
        ("%tZ", 'Z'),
        ("%tQ", 'Q'),
        ("%tz", 'z'),
        ("%tN", 'N'),
    ] {
        let expected = format!("(IllegalFormatConversion: {field} != java.time.LocalDate)");
        assert_eq!(err(fmt, &args[..1]), expected, "{fmt}");
    }
}

#[test]
fn format_dates_outside_four_digit_years() {
    assert_eq!(ok("%1$s %1$tY", &[Date { epoch_day: 3789391 }]), "+12345-01-01 12345");
    assert_eq!(
        ok("%1$s %1$tY %1$tC %1$ty", &[Date { epoch_day: -721354 }]),
        "-0005-01-01 0006 00 06"
    );
    assert_eq!(ok("%s", &[Date { epoch_day: -717701 }]), "0005-01-01");
}

#[test]
fn format_time_fields() {
    let time = Time {
        nano_of_day: (5 * 60 + 9) * NANOS_PER_SECOND + 500_000_000,
    };
    let args = vec![time; 11];
    assert_eq!(
        ok("%tH %tk %tI %tl %tM %tS %tL %tN %tp %Tp %tR", &args),
        "00 0 12 12 05 09 500 500000000 am AM 00:05"
    );
    assert_eq!(ok("%s", &args[..1]), "00:05:09.500");
    assert_eq!(
        ok(
            "%s|%s|%s",
            &[
                Time { nano_of_day: 1 },
                Time { nano_of_day: 1000 },
                Time { nano_of_day: 0 }
            ]
        ),
        "00:00:00.000000001|00:00:00.000001|00:00"
    );
    assert_eq!(
        err("%tY", &args[..1]),
        "(IllegalFormatConversion: Y != java.time.LocalTime)"
    );
    assert_eq!(
        err("%tF", &args[..1]),
        "(IllegalFormatConversion: Y != java.time.LocalTime)"
    );
    assert_eq!(
        err("%tD", &args[..1]),
        "(IllegalFormatConversion: m != java.time.LocalTime)"
    );
    assert_eq!(
        err("%tc", &args[..1]),
        "(IllegalFormatConversion: a != java.time.LocalTime)"
    );
}

#[test]
fn format_timestamp_fields() {
    let local = [Timestamp {
        epoch_second: -14197380,
        nano: 0,
    }];
    assert_eq!(ok("%1$tk %1$tl %1$tp %1$Tr", &local), "16 4 pm 04:17:00 PM");
    assert_eq!(
        err("%tc", &local),
        "(IllegalFormatConversion: Z != java.time.LocalDateTime)"
    );
    assert_eq!(
        err("%tz", &local),
        "(IllegalFormatConversion: z != java.time.LocalDateTime)"
    );
    assert_eq!(
        err("%ts", &local),
        "(IllegalFormatConversion: s != java.time.LocalDateTime)"
    );
    let offset = [TimestampTz {
        epoch_second: 1,
        nano: 500_000_000,
        offset_seconds: 19800,
        zone: None,
    }];
    assert_eq!(
        ok("%1$s|%1$tz|%1$tZ|%1$ts|%1$tQ", &offset),
        "1970-01-01T05:30:01.500+05:30|+0530|+05:30|1|1500"
    );
    assert_eq!(ok("%tc", &offset), "Thu Jan 01 05:30:01 +05:30 1970");
    let west = [TimestampTz {
        epoch_second: 0,
        nano: 0,
        offset_seconds: -4 * 3600,
        zone: None,
    }];
    assert_eq!(ok("%1$s|%1$tz|%1$tZ", &west), "1969-12-31T20:00-04:00|-0400|-04:00");
    let zero = [TimestampTz {
        epoch_second: 0,
        nano: 0,
        offset_seconds: 0,
        zone: None,
    }];
    assert_eq!(ok("%1$s|%1$tZ", &zero), "1970-01-01T00:00Z|Z");
}

#[test]
fn format_bigint_as_epoch_millis() {
    assert_eq!(
        ok("%tF|%tc", &[Int(0), Int(0)]),
        "1970-01-01|Thu Jan 01 00:00:00 UTC 1970"
    );
    // Calendar divides millis by 1000 with truncation, unlike java.time's floor.
    let before_epoch = vec![Int(-1500); 4];
    assert_eq!(ok("%ts|%tQ|%tT|%tL", &before_epoch), "-1|-1500|23:59:58|500");
    assert_eq!(ok("%tF", &[Int(-12_219_292_800_000)]), "1582-10-15");
    assert!(unsupported("%tF", &[Int(-12_219_292_800_001)]));
}

#[test]
fn format_refuses_huge_padding() {
    assert!(unsupported("%20000000s", &[s("x")]));
    assert!(unsupported("%.20000000f", &[Double(1.0)]));
    assert_eq!(ok("%.20000000s", &[s("x")]), "x");
}
