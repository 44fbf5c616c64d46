//! Trino's IPADDRESS, IPPREFIX and UUID values, held as their canonical text
//! (so they sort, compare, group and print as Trino prints them, but
//! `typeof` says `varchar`): `IPADDRESS '...'` and casts to it are
//! `trino_ipaddress` (IPv4 dotted, IPv6 compressed in lower case as RFC 5952
//! writes it, an IPv4-mapped IPv6 address as IPv4), `IPPREFIX '...'` is
//! `trino_ipprefix` (the network address under its mask), `UUID '...'` is
//! `trino_uuid` (lower case, hyphenated). On them: `contains(network,
//! address)` (`trino_contains`, which is also `contains` of an array),
//! `ip_prefix`, `ip_subnet_min`, `ip_subnet_max`, `ip_subnet_range` and
//! `is_subnet_of`.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BooleanArray, Int64Array, ListBuilder, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use super::udf::{Arg, Fun, Returns, invalid, map_str, strings, trino_error};

/// The function each literal or cast of these types becomes.
pub const CONSTRUCTORS: &[(&str, &str)] = &[
    ("ipaddress", "trino_ipaddress"),
    ("ipprefix", "trino_ipprefix"),
    ("uuid", "trino_uuid"),
];

pub fn udfs() -> Vec<ScalarUDF> {
    let text = || Returns::Fixed(DataType::Utf8);
    let boolean = || Returns::Fixed(DataType::Boolean);
    let range = || Returns::Fixed(DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))));
    vec![
        Fun::new("trino_ipaddress", &[Arg::Str], text(), ipaddress).udf(),
        Fun::new("trino_ipprefix", &[Arg::Str], text(), ipprefix).udf(),
        Fun::new("trino_uuid", &[Arg::Str], text(), uuid).udf(),
        Fun::new("ip_prefix", &[Arg::Str, Arg::Int], text(), ip_prefix).udf(),
        Fun::new("ip_subnet_min", &[Arg::Str], text(), subnet_min).udf(),
        Fun::new("ip_subnet_max", &[Arg::Str], text(), subnet_max).udf(),
        Fun::new("ip_subnet_range", &[Arg::Str], range(), subnet_range).udf(),
        Fun::new("is_subnet_of", &[Arg::Str, Arg::Str], boolean(), is_subnet_of).udf(),
        contains_udf(),
    ]
}

/// An address as 128 bits, and whether it is IPv4 (held IPv4-mapped, as
/// Trino holds it).
fn parse_ip(text: &str) -> Option<(u128, bool)> {
    match text.trim().parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => Some((u128::from(v4.to_ipv6_mapped()), true)),
        IpAddr::V6(v6) => Some((u128::from(v6), v6.to_ipv4_mapped().is_some())),
    }
}

fn show_ip(bits: u128) -> String {
    let v6 = Ipv6Addr::from(bits);
    match v6.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => v6.to_string(),
    }
}

/// How many of the 128 bits a prefix of `len` bits fixes.
fn fixed_bits(len: u32, v4: bool) -> u32 {
    if v4 { 96 + len } else { len }
}

fn mask(fixed: u32) -> u128 {
    if fixed == 0 { 0 } else { u128::MAX << (128 - fixed) }
}

/// `addr/len` as (network bits, fixed bits, IPv4); `None` when malformed.
fn parse_prefix(text: &str) -> Option<(u128, u32, bool)> {
    let (addr, len) = text.trim().split_once('/')?;
    let (bits, v4) = parse_ip(addr)?;
    let len: u32 = len.parse().ok()?;
    if len > if v4 { 32 } else { 128 } {
        return None;
    }
    let fixed = fixed_bits(len, v4);
    Some((bits & mask(fixed), fixed, v4))
}

fn show_prefix(bits: u128, fixed: u32, v4: bool) -> String {
    format!("{}/{}", show_ip(bits), if v4 { fixed - 96 } else { fixed })
}

fn ipaddress(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    map_str(&args[0], |s| match parse_ip(s) {
        Some((bits, _)) => Ok(Some(show_ip(bits))),
        None => Err(trino_error(
            "INVALID_CAST_ARGUMENT",
            format!("Cannot cast value to IPADDRESS: {s}"),
        )),
    })
}

fn ipprefix(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    map_str(&args[0], |s| match parse_prefix(s) {
        Some((bits, fixed, v4)) => Ok(Some(show_prefix(bits, fixed, v4))),
        None => Err(trino_error(
            "INVALID_CAST_ARGUMENT",
            format!("Cannot cast value to IPPREFIX: {s}"),
        )),
    })
}

fn uuid(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    map_str(&args[0], |s| {
        let hex: String = s.chars().filter(|c| *c != '-').collect();
        let dashes_ok = s.len() == 36 && [8, 13, 18, 23].iter().all(|&i| s.as_bytes()[i] == b'-');
        if !dashes_ok || hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(trino_error(
                "INVALID_CAST_ARGUMENT",
                format!("Cannot cast value to UUID: {s}"),
            ));
        }
        Ok(Some(s.to_ascii_lowercase()))
    })
}

fn ip_prefix(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let (addrs, lens) = (strings(&args[0])?, args[1].as_any().downcast_ref::<Int64Array>());
    let Some(lens) = lens else {
        return Err(invalid("ip_prefix takes a prefix length"));
    };
    let mut out = StringBuilder::new();
    for (a, len) in addrs.iter().zip(lens.iter()) {
        let (Some(a), Some(len)) = (a, len) else {
            out.append_null();
            continue;
        };
        let Some((bits, v4)) = parse_ip(a) else {
            return Err(trino_error(
                "INVALID_CAST_ARGUMENT",
                format!("Cannot cast value to IPADDRESS: {a}"),
            ));
        };
        let max = if v4 { 32 } else { 128 };
        if !(0..=max).contains(&len) {
            let family = if v4 { "IPv4" } else { "IPv6" };
            return Err(invalid(format!("{family} subnet size must be in range [0, {max}]")));
        }
        let fixed = fixed_bits(len as u32, v4);
        out.append_value(show_prefix(bits & mask(fixed), fixed, v4));
    }
    Ok(Arc::new(out.finish()))
}

fn prefix_or_fail(text: &str) -> Result<(u128, u32, bool)> {
    parse_prefix(text).ok_or_else(|| {
        trino_error(
            "INVALID_CAST_ARGUMENT",
            format!("Cannot cast value to IPPREFIX: {text}"),
        )
    })
}

fn subnet_min(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    map_str(&args[0], |s| prefix_or_fail(s).map(|(bits, _, _)| Some(show_ip(bits))))
}

fn subnet_max(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    map_str(&args[0], |s| {
        prefix_or_fail(s).map(|(bits, fixed, _)| Some(show_ip(bits | !mask(fixed))))
    })
}

fn subnet_range(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let mut out = ListBuilder::new(StringBuilder::new());
    for s in strings(&args[0])?.iter() {
        match s {
            None => out.append_null(),
            Some(s) => {
                let (bits, fixed, _) = prefix_or_fail(s)?;
                out.values().append_value(show_ip(bits));
                out.values().append_value(show_ip(bits | !mask(fixed)));
                out.append(true);
            }
        }
    }
    Ok(Arc::new(out.finish()))
}

/// Whether `inner` (an address, or a prefix) lies within prefix `outer`.
fn within(outer: (u128, u32, bool), inner: &str) -> Result<bool> {
    let (net, fixed, _) = outer;
    let (bits, inner_fixed) = if inner.contains('/') {
        let (b, f, _) = prefix_or_fail(inner)?;
        (b, f)
    } else {
        match parse_ip(inner) {
            Some((b, _)) => (b, 128),
            None => {
                return Err(trino_error(
                    "INVALID_CAST_ARGUMENT",
                    format!("Cannot cast value to IPADDRESS: {inner}"),
                ));
            }
        }
    };
    Ok(inner_fixed >= fixed && bits & mask(fixed) == net)
}

fn pairs(args: &[ArrayRef], outer: fn(&str) -> Result<(u128, u32, bool)>) -> Result<ArrayRef> {
    let (a, b) = (strings(&args[0])?, strings(&args[1])?);
    let out: BooleanArray = a
        .iter()
        .zip(b.iter())
        .map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) => within(outer(a)?, b).map(Some),
            _ => Ok(None),
        })
        .collect::<Result<_>>()?;
    Ok(Arc::new(out))
}

fn is_subnet_of(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    pairs(args, prefix_or_fail)
}

/// `contains(network, address)`: the network is CIDR text, Trino's error
/// for anything else.
fn ip_contains(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    pairs(args, |network| {
        parse_prefix(network).ok_or_else(|| invalid("Invalid CIDR"))
    })
}

/// Trino's `contains`: of an array and an element (DataFusion's `array_has`,
/// its signature and its code), or of a CIDR network and an address.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Contains {
    array_has: ScalarUDF,
    signature: Signature,
}

fn contains_udf() -> ScalarUDF {
    let array_has = datafusion::functions_nested::array_has::array_has_udf()
        .as_ref()
        .clone();
    let signature = Signature::one_of(
        vec![array_has.signature().type_signature.clone(), TypeSignature::String(2)],
        Volatility::Immutable,
    );
    ScalarUDF::new_from_impl(Contains { array_has, signature })
}

impl ScalarUDFImpl for Contains {
    fn name(&self) -> &str {
        "trino_contains"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let text = matches!(
            args.arg_fields.first().map(|f| f.data_type()),
            Some(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
        );
        if !text {
            return self.array_has.invoke_with_args(args);
        }
        let n = args.number_rows;
        let arrays = args
            .args
            .iter()
            .map(|a| Ok(cast(&a.to_array(n)?, &DataType::Utf8)?))
            .collect::<Result<Vec<ArrayRef>>>()?;
        Ok(ColumnarValue::Array(ip_contains(&arrays, &DataType::Boolean)?))
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    #[test]
    fn addresses_and_prefixes_print_as_trino_prints_them() {
        let ip = |s: &str| parse_ip(s).map(|(b, _)| show_ip(b));
        assert_eq!(ip("10.0.0.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(
            ip("2001:0db8:0:0:0:ff00:0042:8329").as_deref(),
            Some("2001:db8::ff00:42:8329")
        );
        assert_eq!(ip("::ffff:1.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(ip("1.2.3"), None);
        let prefix = |s: &str| parse_prefix(s).map(|(b, f, v4)| show_prefix(b, f, v4));
        assert_eq!(prefix("192.168.255.255/9").as_deref(), Some("192.128.0.0/9"));
        assert_eq!(
            prefix("2001:db8:85a3:1:1:8a2e:370:7334/48").as_deref(),
            Some("2001:db8:85a3::/48")
        );
        assert_eq!(prefix("10.0.0.0/33"), None);
        assert_eq!(show_ip(Ipv4Addr::new(0, 0, 0, 0).to_ipv6_mapped().into()), "0.0.0.0");
    }
}
