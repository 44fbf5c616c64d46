//! Trino's varbinary functions: `to_utf8`/`from_utf8`, hex and base64.
//! Trino prints hex in upper case and pads base64, unlike DataFusion's
//! `encode`.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use datafusion::arrow::array::{Array, ArrayRef, BinaryArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;

use super::udf::{Arg, Fun, Returns, invalid, strings};

pub fn udfs() -> Vec<ScalarUDF> {
    let text = || Returns::Fixed(DataType::Utf8);
    let bytes = || Returns::Fixed(DataType::Binary);
    vec![
        Fun::new("to_utf8", &[Arg::Str], bytes(), to_utf8).udf(),
        Fun::new("from_utf8", &[Arg::Bin], text(), from_utf8).udf(),
        Fun::new("to_hex", &[Arg::Any], text(), to_hex).udf(),
        Fun::new("from_hex", &[Arg::Str], bytes(), from_hex).udf(),
        Fun::new("to_base64", &[Arg::Bin], text(), to_base64).udf(),
        Fun::new("from_base64", &[Arg::Str], bytes(), from_base64).udf(),
    ]
}

fn binaries(a: &ArrayRef) -> Result<ArrayRef> {
    Ok(cast(a, &DataType::Binary)?)
}

fn to_utf8(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    binaries(&args[0])
}

fn from_utf8(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let b = args[0]
        .as_any()
        .downcast_ref::<BinaryArray>()
        .expect("coerced to Binary");
    // Trino replaces invalid UTF-8 with U+FFFD rather than failing.
    let out: StringArray = b
        .iter()
        .map(|v| v.map(|v| String::from_utf8_lossy(v).into_owned()))
        .collect();
    Ok(Arc::new(out))
}

fn to_hex(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let a = &args[0];
    if a.data_type().is_integer() {
        let n = cast(a, &DataType::Int64)?;
        let n = n
            .as_any()
            .downcast_ref::<datafusion::arrow::array::Int64Array>()
            .expect("cast to Int64");
        let out: StringArray = n.iter().map(|v| v.map(|v| format!("{v:X}"))).collect();
        return Ok(Arc::new(out));
    }
    let b = binaries(a)?;
    let b = b.as_any().downcast_ref::<BinaryArray>().expect("cast to Binary");
    let out: StringArray = b
        .iter()
        .map(|v| v.map(|v| v.iter().map(|x| format!("{x:02X}")).collect::<String>()))
        .collect();
    Ok(Arc::new(out))
}

fn from_hex(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let s = strings(&args[0])?;
    let decode = |h: &str| -> Result<Vec<u8>> {
        if !h.len().is_multiple_of(2) {
            return Err(invalid("invalid input length"));
        }
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).map_err(|_| invalid(format!("invalid hex character: {h}"))))
            .collect()
    };
    let out: BinaryArray = s.iter().map(|v| v.map(decode).transpose()).collect::<Result<_>>()?;
    Ok(Arc::new(out))
}

fn to_base64(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let b = args[0]
        .as_any()
        .downcast_ref::<BinaryArray>()
        .expect("coerced to Binary");
    let out: StringArray = b.iter().map(|v| v.map(|v| STANDARD.encode(v))).collect();
    Ok(Arc::new(out))
}

/// Trino decodes base64 with or without its `=` padding (`from_base64('aaaaaa')`).
const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        // Java's decoder drops the bits a short last group leaves over.
        .with_decode_allow_trailing_bits(true),
);

fn from_base64(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let s = strings(&args[0])?;
    let out: BinaryArray = s
        .iter()
        .map(|v| {
            v.map(|v| {
                LENIENT
                    .decode(v)
                    .map_err(|e| invalid(format!("Illegal base64 input: {e}")))
            })
            .transpose()
        })
        .collect::<Result<_>>()?;
    Ok(Arc::new(out))
}
