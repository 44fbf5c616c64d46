//! Numbers as jsonata-js 2.0.6 renders, parses, rounds and formats them.
//!
//! jsonata leans on JavaScript's own number primitives (`Number.prototype.toString`,
//! `toPrecision`, `toFixed`, `Math.round`, `Number()`), and what AWS users see is shaped by
//! those primitives' quirks. So this module first reproduces the primitives exactly, then builds
//! jsonata's functions on them, taking the same steps as jsonata-js, quirks included: a picture
//! string that jsonata-js formats oddly is formatted the same odd way here.
//!
//! `$formatNumber` works on UTF-16 code units, as JavaScript strings do, so that pictures and
//! decimal-format properties outside the Basic Multilingual Plane behave as they do in jsonata-js.

use std::collections::HashSet;

use crate::error::{Error, Result};

/// Longest string (in UTF-16 code units) `$formatNumber` builds. Only oversized decimal-format
/// properties (a zero-digit or grouping-separator repeated many times) get near it; JavaScript
/// would throw its `RangeError: Invalid string length` much later, after gigabytes.
const MAX_FORMATTED_UNITS: usize = 1 << 24;

// ---------------------------------------------------------------------------------------------
// Decimal digits of a double
// ---------------------------------------------------------------------------------------------

/// A positive decimal `0.d1 d2 ... dk × 10^point`: digits as values 0..=9, no trailing zeros.
#[derive(Debug, Clone, PartialEq)]
struct Decimal {
    digits: Vec<u8>,
    point: i32,
}

impl Decimal {
    /// Reads what Rust's `{:e}` formatting writes for a positive finite number (`1.25e-7`).
    fn from_scientific(text: &str) -> Self {
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        trim_trailing_zeros(&mut digits);
        Decimal {
            digits,
            point: exponent.saturating_add(1),
        }
    }

    /// The shortest digits that read back as `x` (positive, finite), which is what
    /// ECMAScript's Number::toString picks; Rust's `{:e}` picks the same digits.
    fn shortest(x: f64) -> Self {
        Self::from_scientific(&format!("{x:e}"))
    }

    /// Every digit of `x` (positive, finite): a double's exact expansion has at most 767
    /// significant digits, so 800 lose nothing.
    fn exact(x: f64) -> Self {
        Self::from_scientific(&format!("{x:.800e}"))
    }

    /// Number of digits after the decimal point.
    fn fraction_len(&self) -> i64 {
        len_i64(&self.digits) - i64::from(self.point)
    }

    /// Drops the last digit (a 5 standing exactly half way) and rounds up, as JavaScript breaks
    /// the ties that Rust's formatting breaks to even.
    fn round_up_dropping_last(&self) -> Self {
        let mut digits = self.digits.clone();
        digits.pop();
        let mut point = self.point;
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                point = point.saturating_add(1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
        trim_trailing_zeros(&mut digits);
        Decimal { digits, point }
    }

    /// The value again, correctly rounded to a double (as JavaScript's `Number(string)` reads).
    fn to_f64(&self) -> f64 {
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        format!("0.{digits}e{}", self.point).parse().unwrap_or(f64::NAN)
    }
}

fn trim_trailing_zeros(digits: &mut Vec<u8>) {
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
}

fn len_i64<T>(items: &[T]) -> i64 {
    i64::try_from(items.len()).unwrap_or(i64::MAX)
}

/// `x.toPrecision(p)`'s digits for a positive finite `x`: the nearest `p`-digit decimal, ties
/// upward.
fn to_precision_digits(x: f64, p: usize) -> Decimal {
    let nearest = Decimal::from_scientific(&format!("{:.*e}", p.saturating_sub(1), x));
    // An exact tie is exactly p+1 digits ending in 5, which is then also the correctly rounded
    // p+1-digit form: only then is the (slow) exact expansion worth looking at.
    let longer = Decimal::from_scientific(&format!("{:.*e}", p, x));
    if longer.digits.len() == p + 1 && longer.digits.last() == Some(&5) && Decimal::exact(x) == longer {
        return longer.round_up_dropping_last();
    }
    nearest
}

// ---------------------------------------------------------------------------------------------
// JavaScript's number primitives
// ---------------------------------------------------------------------------------------------

/// JS `Number.prototype.toString()` (radix 10), i.e. ECMAScript Number::toString: the shortest
/// round-trip digits, positional between `1e-7` and `1e21` exclusive, otherwise `1.5e-7` /
/// `1e+21`. Needed as it is for JSON output of numbers.
pub fn js_number_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_owned();
    }
    if n == 0.0 {
        return "0".to_owned();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    format!("{sign}{}", js_layout(&Decimal::shortest(n.abs())))
}

/// Number::toString's choice of positional or exponential form (ECMA-262 6.1.6.1.20).
fn js_layout(d: &Decimal) -> String {
    let digits: String = d.digits.iter().map(|x| char::from(b'0' + x)).collect();
    let k = len_i64(&d.digits);
    let n = i64::from(d.point);
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat(usize::try_from(n - k).unwrap_or(0)))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-n).unwrap_or(0)))
    } else {
        let e = n - 1;
        let sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{sign}{}", e.abs())
        }
    }
}

/// JS `Number(n.toPrecision(15))`: jsonata's `$string` (and so `&` and `$join`) applies it to
/// every number it renders, nested ones in arrays and objects included, to hide floating-point
/// noise (`0.1 + 0.2` renders `0.3`).
pub fn round_to_15_digits(n: f64) -> f64 {
    if !n.is_finite() || n == 0.0 {
        return n;
    }
    let shortest = Decimal::shortest(n.abs());
    if shortest.digits.len() <= 15 {
        // A double's exact value lies within half an ulp of its shortest digits, which is less
        // than half a unit of the 15th digit, so those digits are already the 15-digit rounding.
        return n;
    }
    let rounded = to_precision_digits(n.abs(), 15).to_f64();
    if n < 0.0 { -rounded } else { rounded }
}

/// How jsonata renders a number as a string (`$string`, `&`, `$join`): rounded to 15
/// significant digits, then written as JavaScript writes numbers.
///
/// jsonata raises D3001 instead of rendering NaN or an infinity; the caller must check
/// `n.is_finite()` first (this returns JavaScript's `NaN` / `Infinity` for them).
pub fn number_to_string(n: f64) -> String {
    js_number_string(round_to_15_digits(n))
}

/// JS `x.toFixed(digits)`: ties away from zero on the exact value, JavaScript's `toString` from
/// 1e21 up, and a RangeError beyond 100 digits.
fn js_to_fixed(x: f64, digits: usize) -> Result<String> {
    if digits > 100 {
        return Err(Error::new(
            "RangeError",
            "toFixed() digits argument must be between 0 and 100",
        ));
    }
    if !x.is_finite() || x.abs() >= 1e21 {
        return Ok(js_number_string(x));
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let x = x.abs();
    let mut text = format!("{x:.digits$}");
    let longer = format!("{:.*}", digits + 1, x);
    if longer.ends_with('5') {
        let exact = Decimal::exact(x);
        let tie =
            exact.fraction_len() == i64::try_from(digits + 1).unwrap_or(i64::MAX) && exact.digits.last() == Some(&5);
        if tie {
            text = fixed_layout(&exact.round_up_dropping_last(), digits);
        }
    }
    Ok(format!("{sign}{text}"))
}

/// Writes `d` with exactly `fraction` digits after the point (it has no more than that).
fn fixed_layout(d: &Decimal, fraction: usize) -> String {
    let digit_at = |place: i64| -> char {
        let index = i64::from(d.point) + place;
        let digit = usize::try_from(index)
            .ok()
            .and_then(|i| d.digits.get(i))
            .copied()
            .unwrap_or(0);
        char::from(b'0' + digit)
    };
    let mut text: String = if d.point <= 0 {
        "0".to_owned()
    } else {
        (-i64::from(d.point)..0).map(digit_at).collect()
    };
    if fraction > 0 {
        text.push('.');
        text.extend((0..i64::try_from(fraction).unwrap_or(0)).map(digit_at));
    }
    text
}

/// JS `Math.round`: half-way cases go towards +Infinity.
fn js_math_round(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let floor = x.floor();
    // Exact: below 2^52 the fraction is representable, above it x is an integer.
    if x - floor >= 0.5 { floor + 1.0 } else { floor }
}

/// JS `Number.prototype.toString(radix)` for an integral value, as V8 writes it: digits below
/// the 53 bits a double holds come out as zeros.
fn js_radix_string(value: f64, radix: u32) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if radix == 10 || !value.is_finite() {
        return js_number_string(value);
    }
    let base = f64::from(radix);
    let mut integer = value.abs().floor();
    let mut reversed = Vec::new();
    while binary_exponent(integer / base) > 0 {
        integer /= base;
        reversed.push(b'0');
    }
    loop {
        let remainder = integer % base;
        // remainder is an integer in 0..radix, as integer is integral and below 2^53 * radix.
        let index = if (0.0..36.0).contains(&remainder) {
            remainder as usize
        } else {
            0
        };
        reversed.push(DIGITS[index]);
        integer = (integer - remainder) / base;
        if integer <= 0.0 {
            break;
        }
    }
    if value < 0.0 {
        reversed.push(b'-');
    }
    reversed.iter().rev().map(|&b| char::from(b)).collect()
}

/// V8's `Double::Exponent()`: `x = significand × 2^exponent` with a 53-bit integral significand.
fn binary_exponent(x: f64) -> i32 {
    let biased = i32::try_from((x.to_bits() >> 52) & 0x7ff).unwrap_or(0);
    if biased == 0 { -1074 } else { biased - 1075 }
}

// ---------------------------------------------------------------------------------------------
// $round, $formatBase, $number
// ---------------------------------------------------------------------------------------------

/// `$round(number, precision)`: round half to even at `precision` decimal places (negative:
/// tens, hundreds...). As jsonata does, the decimal point is shifted through the number's decimal
/// string (its exponent) rather than by multiplying, so `$round(4.525, 2)` sees 452.5 and gives
/// 4.52. `-0` comes back as `0`.
///
/// jsonata's precision is any number; it is an integer here, so the caller must handle a
/// non-integral one (jsonata-js gives NaN for it, e.g. `$round(4.49, 1.5)`). A precision so
/// large that the shifted value overflows also gives NaN, as in jsonata-js.
pub fn round(value: f64, precision: i64) -> f64 {
    let shifted = if precision == 0 {
        value
    } else {
        shift_decimal_point(value, precision)
    };
    let mut result = js_math_round(shifted);
    if (result - shifted).abs() == 0.5 && (result % 2.0).abs() == 1.0 {
        // Math.round went up from a half; half to even wants the even neighbour below.
        result -= 1.0;
    }
    if precision != 0 {
        result = shift_decimal_point(result, precision.saturating_neg());
    }
    if result == 0.0 { 0.0 } else { result }
}

/// jsonata's `+(mantissa + 'e' + (exponent + by))` on `x.toString()`: the shortest decimal of
/// `x` times 10^by, correctly rounded. NaN and the infinities give NaN (`"Infinitye2"`).
fn shift_decimal_point(x: f64, by: i64) -> f64 {
    if !x.is_finite() {
        return f64::NAN;
    }
    if x == 0.0 {
        return 0.0;
    }
    let d = Decimal::shortest(x.abs());
    // With at most 17 digits, anything past 10^±2000 is already 0 or Infinity.
    let exponent = i64::from(d.point).saturating_add(by).clamp(-2000, 2000);
    let shifted = Decimal {
        digits: d.digits,
        point: i32::try_from(exponent).unwrap_or(0),
    }
    .to_f64();
    if x < 0.0 { -shifted } else { shifted }
}

/// `$formatBase(number, radix?)`: the number rounded (half to even) to an integer, written in
/// base `radix` (rounded likewise; 2..=36, default 10) as JavaScript writes it: `-1100100`,
/// `2s`, and in base 10 JavaScript's own form (`1e+21`).
pub fn format_base(value: f64, radix: Option<f64>) -> Result<String> {
    let value = round(value, 0);
    let radix = radix.map_or(10.0, |r| round(r, 0));
    if radix.is_nan() {
        return Err(Error::new("RangeError", "toString() radix must be between 2 and 36"));
    }
    if !(2.0..=36.0).contains(&radix) {
        return Err(Error::new(
            "D3100",
            format!(
                "The radix of the formatBase function must be between 2 and 36.  It was given {}",
                js_number_string(radix)
            ),
        ));
    }
    // Integral and within 2..=36 after the checks above.
    Ok(js_radix_string(value, radix as u32))
}

/// `$number(string)`: what jsonata 2.0.6 casts.
///
/// * JSON-like decimals, `^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$` (leading zeros allowed, no
///   whitespace, no `+`, no `.5` or `5.`), when finite (`"10e500"` is refused).
/// * Otherwise strings its regex `^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$` lets
///   through (the alternation binds loosely: a hex prefix at the start, an octal literal
///   anywhere, a binary one at the end) go to JavaScript's `Number()`, which trims whitespace
///   and reads `0x1F`, `0o17`, `0b101` alone. So `"0x12"` is 18, `" 0o17 "` is 15, and what
///   `Number()` refuses (`"0x1g"`, `"a 0o7"`) is `Some(NaN)`, which jsonata-js returns as is.
///   A very long hex literal can also give `Some(inf)`.
///
/// `None` when jsonata raises D3030 ("Unable to cast value to a number").
pub fn parse_number(s: &str) -> Option<f64> {
    if is_json_decimal(s)
        && let Ok(v) = s.parse::<f64>()
        && v.is_finite()
    {
        return Some(v);
    }
    if matches_prefixed_literal_regex(s) {
        return Some(js_number_of_prefixed(s));
    }
    None
}

/// `^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$`
fn is_json_decimal(s: &str) -> bool {
    fn digits(b: &[u8]) -> usize {
        b.iter().take_while(|c| c.is_ascii_digit()).count()
    }
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let int = digits(&b[i..]);
    if int == 0 {
        return false;
    }
    i += int;
    if b.get(i) == Some(&b'.') {
        let frac = digits(&b[i + 1..]);
        if frac == 0 {
            return false;
        }
        i += 1 + frac;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = digits(&b[i..]);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

/// jsonata's `/^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/.test(s)`, alternation and all.
fn matches_prefixed_literal_regex(s: &str) -> bool {
    let b = s.as_bytes();
    let hex_at_start = b.len() >= 3 && b[0] == b'0' && matches!(b[1], b'x' | b'X') && b[2].is_ascii_hexdigit();
    let octal_anywhere = b
        .windows(3)
        .any(|w| w[0] == b'0' && matches!(w[1], b'o' | b'O') && (b'0'..=b'7').contains(&w[2]));
    let head = s.trim_end_matches(['0', '1']);
    let binary_at_end = head.len() < s.len() && (head.ends_with("0b") || head.ends_with("0B"));
    hex_at_start || octal_anywhere || binary_at_end
}

/// JS `Number(s)` for the strings that reach it: only a whole (trimmed) `0x`/`0o`/`0b` literal
/// is a number then, since a decimal literal cannot contain `x`, `o` or `b`.
fn js_number_of_prefixed(s: &str) -> f64 {
    let t = s.trim_matches(is_js_whitespace).as_bytes();
    let (bits, digits) = match t {
        [b'0', b'x' | b'X', rest @ ..] => (4, rest),
        [b'0', b'o' | b'O', rest @ ..] => (3, rest),
        [b'0', b'b' | b'B', rest @ ..] => (1, rest),
        _ => return f64::NAN,
    };
    let radix = 1u32 << bits;
    let values: Option<Vec<u64>> = digits
        .iter()
        .map(|&c| char::from(c).to_digit(radix).map(u64::from))
        .collect();
    match values {
        Some(values) if !values.is_empty() => power_of_two_radix_to_f64(&values, bits),
        _ => f64::NAN,
    }
}

/// The correctly rounded (half to even) double of an integer given as digits of `bits` bits each.
fn power_of_two_radix_to_f64(values: &[u64], bits: u32) -> f64 {
    let mut mantissa: u64 = 0;
    let mut dropped_bits: i64 = 0;
    let mut sticky = false;
    for &v in values {
        if mantissa >> (64 - bits) == 0 {
            mantissa = (mantissa << bits) | v;
        } else {
            dropped_bits = dropped_bits.saturating_add(i64::from(bits));
            sticky |= v != 0;
        }
    }
    let width = 64 - mantissa.leading_zeros();
    let mut exponent = dropped_bits;
    if width > 53 {
        let drop = width - 53;
        let low = mantissa & ((1u64 << drop) - 1);
        let half = 1u64 << (drop - 1);
        mantissa >>= drop;
        if low > half || (low == half && (sticky || mantissa & 1 == 1)) {
            mantissa += 1;
        }
        exponent = exponent.saturating_add(i64::from(drop));
    }
    if mantissa == 0 {
        return 0.0;
    }
    if exponent > 1100 {
        return f64::INFINITY;
    }
    // mantissa is at most 2^53, so exact; the power of two only moves the exponent.
    mantissa as f64 * 2f64.powi(i32::try_from(exponent).unwrap_or(0))
}

/// ECMAScript's StrWhiteSpaceChar: WhiteSpace and LineTerminator (not U+0085, unlike Rust).
pub(crate) fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{D}'
            | ' '
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
}

// ---------------------------------------------------------------------------------------------
// $formatNumber
// ---------------------------------------------------------------------------------------------

/// The decimal-format properties `$formatNumber`'s third argument may override, with XPath's
/// defaults. Each is a string, and jsonata-js lets any string through, empty or several
/// characters long (`{"per-mille": "pm"}`), so these do too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalFormat {
    pub decimal_separator: String,
    pub grouping_separator: String,
    pub exponent_separator: String,
    pub infinity: String,
    pub minus_sign: String,
    pub nan: String,
    pub percent: String,
    pub per_mille: String,
    pub zero_digit: String,
    pub digit: String,
    pub pattern_separator: String,
}

impl Default for DecimalFormat {
    fn default() -> Self {
        Self {
            decimal_separator: ".".to_owned(),
            grouping_separator: ",".to_owned(),
            exponent_separator: "e".to_owned(),
            infinity: "Infinity".to_owned(),
            minus_sign: "-".to_owned(),
            nan: "NaN".to_owned(),
            percent: "%".to_owned(),
            per_mille: "\u{2030}".to_owned(),
            zero_digit: "0".to_owned(),
            digit: "#".to_owned(),
            pattern_separator: ";".to_owned(),
        }
    }
}

impl DecimalFormat {
    /// Overrides one property by its XPath name (`"zero-digit"`). jsonata-js copies every key of
    /// the options object and reads only these, so an unknown name is ignored, not refused; this
    /// never fails today.
    pub fn set(&mut self, property: &str, value: &str) -> Result<()> {
        let slot = match property {
            "decimal-separator" => &mut self.decimal_separator,
            "grouping-separator" => &mut self.grouping_separator,
            "exponent-separator" => &mut self.exponent_separator,
            "infinity" => &mut self.infinity,
            "minus-sign" => &mut self.minus_sign,
            "NaN" => &mut self.nan,
            "percent" => &mut self.percent,
            "per-mille" => &mut self.per_mille,
            "zero-digit" => &mut self.zero_digit,
            "digit" => &mut self.digit,
            "pattern-separator" => &mut self.pattern_separator,
            _ => return Ok(()),
        };
        value.clone_into(slot);
        Ok(())
    }
}

/// `$formatNumber(number, picture, options?)`: XPath 3.1 `fn:format-number` as jsonata-js
/// implements it (sub-pictures, grouping, exponent, percent and per-mille), with its errors
/// D3080..D3093.
///
/// jsonata only has finite numbers; NaN and the infinities are formatted here without hanging,
/// but not as XPath would.
pub fn format_number(value: f64, picture: &str, format: &DecimalFormat) -> Result<String> {
    let symbols = Symbols::new(format);
    let picture: Vec<u16> = picture.encode_utf16().collect();
    let sub_pictures = js_split_at_most(&picture, &symbols.pattern, 3);
    if sub_pictures.len() > 2 {
        return Err(picture_error("D3080"));
    }
    let parts = sub_pictures
        .iter()
        .map(|s| Parts::split(s, &symbols))
        .collect::<Result<Vec<_>>>()?;
    for p in &parts {
        p.validate(&symbols)?;
    }
    let mut pictures: Vec<SubPicture> = parts.iter().map(|p| SubPicture::analyse(p, &symbols)).collect();
    if let [positive] = pictures.as_slice() {
        let mut negative = positive.clone();
        negative.prefix = [symbols.minus.as_slice(), &positive.prefix].concat();
        pictures.push(negative);
    }
    let chosen = if value >= 0.0 {
        pictures.first()
    } else {
        pictures.get(1)
    };
    // Only an empty picture split on an empty pattern-separator leaves none; jsonata-js then
    // reads a property of `undefined`.
    let pic =
        chosen.ok_or_else(|| Error::new("TypeError", "Cannot read properties of undefined (reading 'picture')"))?;
    let units = render(value, pic, &symbols)?;
    Ok(String::from_utf16_lossy(&units))
}

/// The decimal-format properties as UTF-16, and the digit family they imply.
struct Symbols {
    decimal: Vec<u16>,
    grouping: Vec<u16>,
    exponent: Vec<u16>,
    minus: Vec<u16>,
    percent: Vec<u16>,
    per_mille: Vec<u16>,
    zero: Vec<u16>,
    digit: Vec<u16>,
    pattern: Vec<u16>,
    /// The ten code units from the zero-digit's first one up, wrapping as `String.fromCharCode`
    /// does; none when the zero-digit is empty (jsonata-js's loop then runs to `NaN + 10`).
    family: Vec<u16>,
}

impl Symbols {
    fn new(f: &DecimalFormat) -> Self {
        let utf16 = |s: &str| -> Vec<u16> { s.encode_utf16().collect() };
        let zero = utf16(&f.zero_digit);
        let family = zero
            .first()
            .map(|&z| (0..10).map(|i| z.wrapping_add(i)).collect())
            .unwrap_or_default();
        Self {
            decimal: utf16(&f.decimal_separator),
            grouping: utf16(&f.grouping_separator),
            exponent: utf16(&f.exponent_separator),
            minus: utf16(&f.minus_sign),
            percent: utf16(&f.percent),
            per_mille: utf16(&f.per_mille),
            zero,
            digit: utf16(&f.digit),
            pattern: utf16(&f.pattern_separator),
            family,
        }
    }

    fn is_family(&self, c: u16) -> bool {
        self.family.contains(&c)
    }

    /// A mandatory or optional digit position in the picture.
    fn is_placeholder(&self, c: u16) -> bool {
        self.is_family(c) || is_unit(&self.digit, c)
    }

    /// jsonata-js's "active characters": compared one code unit at a time against each
    /// property, so a property longer than one unit never makes anything active.
    fn is_active(&self, c: u16) -> bool {
        self.is_family(c)
            || [
                &self.decimal,
                &self.exponent,
                &self.grouping,
                &self.digit,
                &self.pattern,
            ]
            .iter()
            .any(|p| is_unit(p, c))
    }

    fn count_family(&self, s: &[u16]) -> usize {
        s.iter().filter(|&&c| self.is_family(c)).count()
    }

    fn count_placeholders(&self, s: &[u16]) -> usize {
        s.iter().filter(|&&c| self.is_placeholder(c)).count()
    }
}

/// Whether the one-character JavaScript string `c` equals `property`.
fn is_unit(property: &[u16], c: u16) -> bool {
    property == [c]
}

/// A sub-picture cut up as jsonata-js cuts it (F&O 4.7.3), its slips included: the fractional
/// part of a picture without a decimal separator is its suffix, and the exponent position found
/// in the sub-picture is used as an index into the active part.
struct Parts<'a> {
    subpicture: &'a [u16],
    prefix: &'a [u16],
    suffix: &'a [u16],
    active: &'a [u16],
    mantissa: &'a [u16],
    exponent: Option<&'a [u16]>,
    integer: &'a [u16],
    fractional: &'a [u16],
}

impl<'a> Parts<'a> {
    fn split(sub: &'a [u16], sy: &Symbols) -> Result<Self> {
        let starts_active = |c: u16| sy.is_active(c) && !is_unit(&sy.exponent, c);
        // jsonata 2.0.6 finds no prefix at all (`undefined`) in a sub-picture without an active
        // character, and fails on its length before any picture check can run.
        let prefix_len = sub
            .iter()
            .position(|&c| starts_active(c))
            .ok_or_else(|| Error::new("TypeError", "Cannot read properties of undefined (reading 'length')"))?;
        let suffix_start = sub.iter().rposition(|&c| starts_active(c)).map_or(sub.len(), |i| i + 1);
        let prefix = &sub[..prefix_len];
        let suffix = &sub[suffix_start..];
        let active = js_substring(sub, prefix.len(), sub.len() - suffix.len());
        let (mantissa, exponent) = match index_of(sub, &sy.exponent, prefix.len()) {
            Some(at) if at <= sub.len() - suffix.len() => (
                js_substring(active, 0, at),
                Some(js_substring(active, at + 1, active.len())),
            ),
            _ => (active, None),
        };
        let (integer, fractional) = match index_of(mantissa, &sy.decimal, 0) {
            Some(at) => (&mantissa[..at], js_substring(mantissa, at + 1, mantissa.len())),
            None => (mantissa, suffix),
        };
        Ok(Parts {
            subpicture: sub,
            prefix,
            suffix,
            active,
            mantissa,
            exponent,
            integer,
            fractional,
        })
    }

    /// F&O 4.7.3's rules in jsonata-js's order; when several are broken, the last one checked
    /// is the one reported.
    fn validate(&self, sy: &Symbols) -> Result<()> {
        let sub = self.subpicture;
        let mut error = None;
        let decimal_at = index_of(sub, &sy.decimal, 0);
        if decimal_at != last_index_of(sub, &sy.decimal) {
            error = Some("D3081");
        }
        if index_of(sub, &sy.percent, 0) != last_index_of(sub, &sy.percent) {
            error = Some("D3082");
        }
        if index_of(sub, &sy.per_mille, 0) != last_index_of(sub, &sy.per_mille) {
            error = Some("D3083");
        }
        if contains(sub, &sy.percent) && contains(sub, &sy.per_mille) {
            error = Some("D3084");
        }
        if !self.mantissa.iter().any(|&c| sy.is_placeholder(c)) {
            error = Some("D3085");
        }
        if self.active.iter().any(|&c| !sy.is_active(c)) {
            error = Some("D3086");
        }
        match decimal_at {
            Some(at) => {
                let at = i64::try_from(at).unwrap_or(i64::MAX);
                if char_at(sub, at - 1) == sy.grouping || char_at(sub, at + 1) == sy.grouping {
                    error = Some("D3087");
                }
            }
            None => {
                if char_at(self.integer, len_i64(self.integer) - 1) == sy.grouping {
                    error = Some("D3088");
                }
            }
        }
        if contains(sub, &[sy.grouping.as_slice(), &sy.grouping].concat()) {
            error = Some("D3089");
        }
        if let Some(at) = index_of(self.integer, &sy.digit, 0)
            && sy.count_family(&self.integer[..at]) > 0
        {
            error = Some("D3090");
        }
        if let Some(at) = last_index_of(self.fractional, &sy.digit)
            && sy.count_family(&self.fractional[at..]) > 0
        {
            error = Some("D3091");
        }
        if let Some(exponent) = self.exponent {
            if !exponent.is_empty() && (contains(sub, &sy.percent) || contains(sub, &sy.per_mille)) {
                error = Some("D3092");
            }
            if exponent.is_empty() || exponent.iter().any(|&c| !sy.is_family(c)) {
                error = Some("D3093");
            }
        }
        error.map_or(Ok(()), |code| Err(picture_error(code)))
    }
}

/// What rendering needs to know of a sub-picture (F&O 4.7.4), as jsonata-js works it out.
#[derive(Debug, Clone)]
struct SubPicture {
    integer_grouping: Vec<usize>,
    regular_grouping: usize,
    min_integer: usize,
    scaling: usize,
    prefix: Vec<u16>,
    fractional_grouping: Vec<usize>,
    min_fraction: usize,
    max_fraction: usize,
    min_exponent: usize,
    suffix: Vec<u16>,
    picture: Vec<u16>,
}

impl SubPicture {
    fn analyse(parts: &Parts<'_>, sy: &Symbols) -> Self {
        let integer_grouping = grouping_positions(parts.integer, false, parts.integer, sy);
        let regular_grouping = regular_interval(&integer_grouping);
        let fractional_grouping = grouping_positions(parts.fractional, true, parts.integer, sy);
        let mut min_integer = sy.count_family(parts.integer);
        let scaling = min_integer;
        let mut min_fraction = sy.count_family(parts.fractional);
        let mut max_fraction = sy.count_placeholders(parts.fractional);
        let has_exponent = parts.exponent.is_some();
        if min_integer == 0 && max_fraction == 0 {
            if has_exponent {
                min_fraction = 1;
                max_fraction = 1;
            } else {
                min_integer = 1;
            }
        }
        if has_exponent && min_integer == 0 && contains(parts.integer, &sy.digit) {
            min_integer = 1;
        }
        if min_integer == 0 && min_fraction == 0 {
            min_fraction = 1;
        }
        let min_exponent = parts.exponent.map_or(0, |e| sy.count_family(e));
        SubPicture {
            integer_grouping,
            regular_grouping,
            min_integer,
            scaling,
            prefix: parts.prefix.to_vec(),
            fractional_grouping,
            min_fraction,
            max_fraction,
            min_exponent,
            suffix: parts.suffix.to_vec(),
            picture: parts.subpicture.to_vec(),
        }
    }
}

/// For each grouping separator, the digit positions to its right (integer part) or left
/// (fractional part). Like jsonata-js, the search for each separator after the first runs
/// over the integer part, whichever part is being measured.
fn grouping_positions(part: &[u16], to_left: bool, integer: &[u16], sy: &Symbols) -> Vec<usize> {
    let mut positions = Vec::new();
    if sy.grouping.is_empty() {
        // Refused as D3089 before this is reached; searching for "" would never end.
        return positions;
    }
    // Placeholders before each index, so that a picture with many separators stays linear.
    let mut before = Vec::with_capacity(part.len() + 1);
    before.push(0usize);
    for &c in part {
        before.push(before.last().copied().unwrap_or(0) + usize::from(sy.is_placeholder(c)));
    }
    let total = before.last().copied().unwrap_or(0);
    let mut at = index_of(part, &sy.grouping, 0);
    while let Some(g) = at {
        let left = before.get(g).or(before.last()).copied().unwrap_or(0);
        positions.push(if to_left { left } else { total - left });
        at = index_of(integer, &sy.grouping, g + 1);
    }
    positions
}

/// The interval of regularly spaced separators (every multiple of it present), else 0.
fn regular_interval(positions: &[usize]) -> usize {
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let Some((&first, rest)) = positions.split_first() else {
        return 0;
    };
    let factor = rest.iter().fold(first, |a, &b| gcd(a, b));
    let present: HashSet<usize> = positions.iter().copied().collect();
    let regular = (1..=positions.len()).all(|i| present.contains(&i.saturating_mul(factor)));
    if regular { factor } else { 0 }
}

/// F&O 4.7.5 as jsonata-js formats: its numbered bullets in order.
fn render(value: f64, pic: &SubPicture, sy: &Symbols) -> Result<Vec<u16>> {
    let adjusted = if contains(&pic.picture, &sy.percent) {
        value * 100.0
    } else if contains(&pic.picture, &sy.per_mille) {
        value * 1000.0
    } else {
        value
    };
    let (mantissa, exponent) = if pic.min_exponent == 0 {
        (adjusted, None)
    } else {
        let (m, e) = scale_mantissa(adjusted, pic.scaling)?;
        (m, Some(e))
    };
    let rounded = round(mantissa, i64::try_from(pic.max_fraction).unwrap_or(i64::MAX));
    let mut s = digit_string(rounded, pic.max_fraction, sy)?;
    match s.iter().position(|&c| c == u16::from(b'.')) {
        Some(dot) => {
            let replacement = substitute(&sy.decimal, &s[..dot], &s[dot..=dot], &s[dot + 1..]);
            s.splice(dot..=dot, replacement);
        }
        None => s.extend_from_slice(&sy.decimal),
    }
    s = strip_zero_digits(&s, &sy.zero).to_vec();
    s = pad_with_zero_digits(s, pic, sy)?;
    s = insert_grouping(s, pic, sy)?;
    let decimal_at = index_of_i64(&s, &sy.decimal);
    if !contains(&pic.picture, &sy.decimal) || decimal_at == len_i64(&s) - 1 {
        s.pop();
    }
    if let Some(exponent) = exponent {
        let mut digits = digit_string(f64::from(exponent), 0, sy)?;
        let pad = pic.min_exponent.saturating_sub(digits.len());
        ensure_fits(s.len(), pad.saturating_mul(sy.zero.len()))?;
        digits.splice(0..0, sy.zero.repeat(pad));
        s.extend_from_slice(&sy.exponent);
        if exponent < 0 {
            s.extend_from_slice(&sy.minus);
        }
        s.extend_from_slice(&digits);
    }
    ensure_fits(s.len(), pic.prefix.len() + pic.suffix.len())?;
    Ok([pic.prefix.as_slice(), &s, &pic.suffix].concat())
}

/// Bullet 5: brings the mantissa within `10^(scaling-1) ..= 10^scaling` by tens, counting them.
///
/// jsonata 2.0.6 compares the signed mantissa, so for 0 or a negative number it multiplies by
/// ten forever (later versions compare its absolute value). Hanging is no answer, so this
/// reports what a time-boxed jsonata reports for an endless loop.
fn scale_mantissa(adjusted: f64, scaling: usize) -> Result<(f64, i32)> {
    let never_ends = || Error::new("U1001", "Expression evaluation timeout: Check for infinite loop");
    let scaling = i32::try_from(scaling.min(1000)).unwrap_or(1000);
    let max = power_of_ten(scaling);
    let min = power_of_ten(scaling - 1);
    let mut mantissa = adjusted;
    let mut exponent = 0i32;
    if mantissa <= 0.0 {
        return Err(never_ends());
    }
    // Each loop ends within about 650 steps, when the mantissa reaches its bound or Infinity.
    while mantissa < min {
        mantissa *= 10.0;
        exponent -= 1;
    }
    while mantissa > max {
        if mantissa.is_infinite() {
            return Err(never_ends());
        }
        mantissa /= 10.0;
        exponent += 1;
    }
    Ok((mantissa, exponent))
}

/// `Math.pow(10, n)`, correctly rounded.
fn power_of_ten(n: i32) -> f64 {
    format!("1e{n}").parse().unwrap_or(f64::NAN)
}

/// jsonata-js's `makeString`: `Math.abs(value).toFixed(dp)` with ASCII digits swapped for the
/// picture's digit family (and dropped when the family is empty, as `Array.join` drops
/// `undefined`).
fn digit_string(value: f64, dp: usize, sy: &Symbols) -> Result<Vec<u16>> {
    let text = js_to_fixed(value.abs(), dp)?;
    let swap = sy.zero.as_slice() != [u16::from(b'0')];
    Ok(text
        .encode_utf16()
        .filter_map(|c| {
            if swap && (0x30..=0x39).contains(&c) {
                sy.family.get(usize::from(c - 0x30)).copied()
            } else {
                Some(c)
            }
        })
        .collect())
}

/// `String.prototype.replace`'s `$` patterns for a string search (no capture groups).
fn substitute(replacement: &[u16], before: &[u16], matched: &[u16], after: &[u16]) -> Vec<u16> {
    let dollar = u16::from(b'$');
    let mut out = Vec::with_capacity(replacement.len());
    let mut i = 0;
    while i < replacement.len() {
        let next = replacement.get(i + 1).copied();
        if replacement[i] == dollar && next.is_some() {
            match next.map(|c| u8::try_from(c).unwrap_or(0)) {
                Some(b'$') => out.push(dollar),
                Some(b'&') => out.extend_from_slice(matched),
                Some(b'`') => out.extend_from_slice(before),
                Some(b'\'') => out.extend_from_slice(after),
                _ => {
                    out.push(dollar);
                    i += 1;
                    continue;
                }
            }
            i += 2;
        } else {
            out.push(replacement[i]);
            i += 1;
        }
    }
    out
}

/// Drops zero-digits from both ends (a zero-digit longer than one unit never matches one).
fn strip_zero_digits<'s>(s: &'s [u16], zero: &[u16]) -> &'s [u16] {
    let start = s.iter().position(|&c| !is_unit(zero, c)).unwrap_or(s.len());
    let end = s.iter().rposition(|&c| !is_unit(zero, c)).map_or(start, |i| i + 1);
    &s[start..end.max(start)]
}

/// Bullets 8 and 9: zero-digits up to the minimum integer and fraction sizes.
fn pad_with_zero_digits(s: Vec<u16>, pic: &SubPicture, sy: &Symbols) -> Result<Vec<u16>> {
    let decimal_at = index_of_i64(&s, &sy.decimal);
    let min_integer = i64::try_from(pic.min_integer).unwrap_or(i64::MAX);
    let min_fraction = i64::try_from(pic.min_fraction).unwrap_or(i64::MAX);
    let left = usize::try_from(min_integer.saturating_sub(decimal_at)).unwrap_or(0);
    let right = usize::try_from(min_fraction.saturating_sub(len_i64(&s) - decimal_at - 1)).unwrap_or(0);
    ensure_fits(s.len(), left.saturating_add(right).saturating_mul(sy.zero.len()))?;
    Ok([sy.zero.repeat(left), s, sy.zero.repeat(right)].concat())
}

/// Bullets 10 and 11: grouping separators, inserted at the places and in the order jsonata-js
/// inserts them (JavaScript `slice` semantics for places off either end).
fn insert_grouping(s: Vec<u16>, pic: &SubPicture, sy: &Symbols) -> Result<Vec<u16>> {
    let sep = &sy.grouping;
    let mut decimal_at = index_of_i64(&s, &sy.decimal);
    let mut text = Splicer::new(s);
    if pic.regular_grouping > 0 {
        let interval = i64::try_from(pic.regular_grouping).unwrap_or(i64::MAX);
        let groups = (decimal_at - 1).div_euclid(interval);
        ensure_fits(
            text.len(),
            usize::try_from(groups).unwrap_or(0).saturating_mul(sep.len()),
        )?;
        for group in 1..=groups {
            text.insert_js(decimal_at - group * interval, sep);
        }
    } else {
        let count = pic.integer_grouping.len();
        ensure_fits(text.len(), count.saturating_mul(sep.len()))?;
        for &pos in &pic.integer_grouping {
            text.insert_js(decimal_at.saturating_sub(i64::try_from(pos).unwrap_or(i64::MAX)), sep);
            decimal_at += 1;
        }
    }
    let mut s = text.into_vec();
    if !pic.fractional_grouping.is_empty() {
        let decimal_at = index_of_i64(&s, &sy.decimal);
        let count = pic.fractional_grouping.len();
        ensure_fits(s.len(), count.saturating_mul(sep.len()))?;
        let mut text = Splicer::new(s);
        for &pos in &pic.fractional_grouping {
            text.insert_js(
                i64::try_from(pos).unwrap_or(i64::MAX).saturating_add(decimal_at + 1),
                sep,
            );
        }
        s = text.into_vec();
    }
    Ok(s)
}

fn ensure_fits(current: usize, extra: usize) -> Result<()> {
    if current.saturating_add(extra) > MAX_FORMATTED_UNITS {
        return Err(Error::new("RangeError", "Invalid string length"));
    }
    Ok(())
}

/// A string taking many insertions at nearby places without moving its whole tail each time
/// (a gap buffer): jsonata-js's grouping inserts one separator per group.
struct Splicer {
    before: Vec<u16>,
    /// The text after the gap, last unit first.
    after_reversed: Vec<u16>,
}

impl Splicer {
    fn new(s: Vec<u16>) -> Self {
        Self {
            before: s,
            after_reversed: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.before.len() + self.after_reversed.len()
    }

    /// `[s.slice(0, at), insert, s.slice(at)].join('')`: a negative `at` counts from the end.
    fn insert_js(&mut self, at: i64, insert: &[u16]) {
        let len = len_i64(&self.before) + len_i64(&self.after_reversed);
        let at = if at < 0 { (len + at).max(0) } else { at.min(len) };
        let at = usize::try_from(at).unwrap_or(0);
        while self.before.len() > at
            && let Some(c) = self.before.pop()
        {
            self.after_reversed.push(c);
        }
        while self.before.len() < at
            && let Some(c) = self.after_reversed.pop()
        {
            self.before.push(c);
        }
        self.before.extend_from_slice(insert);
    }

    fn into_vec(mut self) -> Vec<u16> {
        self.before.extend(self.after_reversed.iter().rev());
        self.before
    }
}

/// A picture error as `$formatNumber` reports it.
pub fn picture_error(code: &'static str) -> Error {
    let message = match code {
        "D3080" => "The picture string must only contain a maximum of two sub-pictures",
        "D3081" => "The sub-picture must not contain more than one instance of the 'decimal-separator' character",
        "D3082" => "The sub-picture must not contain more than one instance of the 'percent' character",
        "D3083" => "The sub-picture must not contain more than one instance of the 'per-mille' character",
        "D3084" => "The sub-picture must not contain both a 'percent' and a 'per-mille' character",
        "D3085" => {
            "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'"
        }
        "D3086" => {
            "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character"
        }
        "D3087" => {
            "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character"
        }
        "D3088" => "The sub-picture must not contain a 'grouping-separator' at the end of the integer part",
        "D3089" => "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character",
        "D3090" => {
            "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'"
        }
        "D3091" => {
            "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'"
        }
        "D3092" => {
            "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'"
        }
        _ => {
            "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'"
        }
    };
    Error::new(code, message)
}

// JavaScript string operations on UTF-16 code units, with JavaScript's answers for empty
// needles and out-of-range indexes (which jsonata-js's picture checks run into).

/// `hay.indexOf(needle, from)`.
fn index_of(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
    let from = from.min(hay.len());
    if needle.is_empty() {
        return Some(from);
    }
    find(&hay[from..], needle).map(|i| i + from)
}

/// `hay.indexOf(needle)` as JavaScript's number: -1 when absent.
fn index_of_i64(hay: &[u16], needle: &[u16]) -> i64 {
    index_of(hay, needle, 0).map_or(-1, |i| i64::try_from(i).unwrap_or(i64::MAX))
}

/// `hay.lastIndexOf(needle)`.
fn last_index_of(hay: &[u16], needle: &[u16]) -> Option<usize> {
    if needle.is_empty() {
        return Some(hay.len());
    }
    if needle.len() <= SHORT_NEEDLE {
        return hay.windows(needle.len()).rposition(|w| w == needle);
    }
    let hay_reversed: Vec<u16> = hay.iter().rev().copied().collect();
    let needle_reversed: Vec<u16> = needle.iter().rev().copied().collect();
    find(&hay_reversed, &needle_reversed).map(|i| hay.len() - i - needle.len())
}

/// Up to this length a needle is looked for by plain comparison at each place.
const SHORT_NEEDLE: usize = 8;

/// First place of a non-empty `needle`. Properties and pictures are caller-chosen strings of any
/// length, so long needles go through Knuth-Morris-Pratt to stay linear.
fn find(hay: &[u16], needle: &[u16]) -> Option<usize> {
    if needle.len() <= SHORT_NEEDLE {
        return hay.windows(needle.len()).position(|w| w == needle);
    }
    let fallback = kmp_fallback(needle);
    let mut matched = 0;
    for (i, &c) in hay.iter().enumerate() {
        while matched > 0 && needle[matched] != c {
            matched = fallback[matched - 1];
        }
        if needle[matched] == c {
            matched += 1;
        }
        if matched == needle.len() {
            return Some(i + 1 - matched);
        }
    }
    None
}

/// For each prefix of `needle`, the length of its longest proper prefix that is also its suffix.
fn kmp_fallback(needle: &[u16]) -> Vec<usize> {
    let mut fallback = vec![0; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[k] != needle[i] {
            k = fallback[k - 1];
        }
        if needle[k] == needle[i] {
            k += 1;
        }
        fallback[i] = k;
    }
    fallback
}

fn contains(hay: &[u16], needle: &[u16]) -> bool {
    index_of(hay, needle, 0).is_some()
}

/// `s.charAt(i)`: one unit, or the empty string out of range.
fn char_at(s: &[u16], i: i64) -> &[u16] {
    usize::try_from(i).ok().and_then(|i| s.get(i..=i)).unwrap_or(&[])
}

/// `s.substring(start, end)`: clamped to the string, and swapped when reversed.
fn js_substring(s: &[u16], start: usize, end: usize) -> &[u16] {
    let (a, b) = (start.min(s.len()), end.min(s.len()));
    if a <= b { &s[a..b] } else { &s[b..a] }
}

/// `s.split(sep)`, stopping after `limit` pieces (enough to tell too many sub-pictures).
fn js_split_at_most<'s>(s: &'s [u16], sep: &[u16], limit: usize) -> Vec<&'s [u16]> {
    if sep.is_empty() {
        // JavaScript splits into single code units ("" into none at all).
        return s.chunks(1).take(limit).collect();
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    while pieces.len() + 1 < limit
        && let Some(at) = index_of(s, sep, start)
    {
        pieces.push(&s[start..at]);
        start = at + sep.len();
    }
    pieces.push(&s[start..]);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(value: f64, picture: &str) -> String {
        format_number(value, picture, &DecimalFormat::default()).unwrap_or_else(|e| format!("error {}", e.code))
    }

    fn fmt_with(value: f64, picture: &str, options: &[(&str, &str)]) -> String {
        let mut format = DecimalFormat::default();
        for (k, v) in options {
            format.set(k, v).unwrap_or(());
        }
        format_number(value, picture, &format).unwrap_or_else(|e| format!("error {}", e.code))
    }

    #[test]
    fn js_number_string_switches_to_exponent_where_javascript_does() {
        assert_eq!(js_number_string(0.0), "0");
        assert_eq!(js_number_string(-0.0), "0");
        assert_eq!(js_number_string(5.0), "5");
        assert_eq!(js_number_string(-42.5), "-42.5");
        assert_eq!(js_number_string(1e20), "100000000000000000000");
        assert_eq!(js_number_string(1e21), "1e+21");
        assert_eq!(js_number_string(1.5e21), "1.5e+21");
        assert_eq!(js_number_string(123456789012345680000.0), "123456789012345680000");
        assert_eq!(js_number_string(1e-6), "0.000001");
        assert_eq!(js_number_string(1.5e-6), "0.0000015");
        assert_eq!(js_number_string(1e-7), "1e-7");
        assert_eq!(js_number_string(1.25e-7), "1.25e-7");
        assert_eq!(js_number_string(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(js_number_string(5e-324), "5e-324");
        assert_eq!(js_number_string(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(js_number_string(6.022e23), "6.022e+23");
    }

    #[test]
    fn number_to_string_rounds_to_15_digits() {
        assert_eq!(number_to_string(22.0 / 7.0), "3.14285714285714");
        assert_eq!(number_to_string(0.1 + 0.2), "0.3");
        assert_eq!(number_to_string(1e100), "1e+100");
        assert_eq!(number_to_string(1e-100), "1e-100");
        assert_eq!(number_to_string(90.57), "90.57");
        assert_eq!(number_to_string(-1.0 / 3.0), "-0.333333333333333");
        assert_eq!(number_to_string(123456789012345678.0), "123456789012346000");
        // An exact tie at the 15th digit goes up, as toPrecision does (Rust would go to even).
        assert_eq!(number_to_string(100000000000000.5), "100000000000001");
        assert_eq!(number_to_string(100000000000002.5), "100000000000003");
    }

    #[test]
    fn to_fixed_breaks_exact_ties_upward() {
        assert_eq!(js_to_fixed(0.5, 0).ok().as_deref(), Some("1"));
        assert_eq!(js_to_fixed(2.5, 0).ok().as_deref(), Some("3"));
        assert_eq!(js_to_fixed(1.125, 2).ok().as_deref(), Some("1.13"));
        assert_eq!(js_to_fixed(9.5, 0).ok().as_deref(), Some("10"));
        assert_eq!(js_to_fixed(1.005, 2).ok().as_deref(), Some("1.00"));
        assert_eq!(js_to_fixed(1e21, 2).ok().as_deref(), Some("1e+21"));
        assert_eq!(js_to_fixed(1.0, 101).map_err(|e| e.code), Err("RangeError"));
    }

    #[test]
    fn round_is_half_even_on_the_decimal_string() {
        assert_eq!(round(2.5, 0), 2.0);
        assert_eq!(round(3.5, 0), 4.0);
        assert_eq!(round(-0.5, 0), 0.0);
        assert!(round(-0.3, 0).is_sign_positive());
        assert_eq!(round(-7.5, 0), -8.0);
        assert_eq!(round(-8.5, 0), -8.0);
        assert_eq!(round(4.49, 1), 4.5);
        assert_eq!(round(4.525, 2), 4.52);
        assert_eq!(round(4.515, 2), 4.52);
        assert_eq!(round(2.675, 2), 2.68);
        assert_eq!(round(12345.0, -2), 12300.0);
        assert_eq!(round(12450.0, -2), 12400.0);
        assert_eq!(round(12350.0, -2), 12400.0);
        assert_eq!(round(6.022e-23, 24), 6e-23);
        assert_eq!(round(4.49, -400), 0.0);
        assert!(round(4.49, 400).is_nan());
        assert!(round(4.49, i64::MAX).is_nan());
        assert_eq!(round(1e300, 5), 1e300);
    }

    #[test]
    fn format_base_writes_like_javascript() {
        assert_eq!(format_base(100.0, None).ok().as_deref(), Some("100"));
        assert_eq!(format_base(100.0, Some(2.0)).ok().as_deref(), Some("1100100"));
        assert_eq!(format_base(-100.0, Some(2.0)).ok().as_deref(), Some("-1100100"));
        assert_eq!(format_base(100.0, Some(36.0)).ok().as_deref(), Some("2s"));
        assert_eq!(format_base(99.5, Some(2.5)).ok().as_deref(), Some("1100100"));
        assert_eq!(format_base(255.0, Some(16.0)).ok().as_deref(), Some("ff"));
        assert_eq!(format_base(1e21, None).ok().as_deref(), Some("1e+21"));
        assert_eq!(
            format_base(2f64.powi(60), Some(16.0)).ok().as_deref(),
            Some("1000000000000000")
        );
        assert_eq!(format_base(1e20, Some(16.0)).ok().as_deref(), Some("56bc75e2d63100000"));
        let err = format_base(100.0, Some(1.0)).err();
        assert_eq!(err.as_ref().map(|e| e.code), Some("D3100"));
        assert_eq!(
            err.map(|e| e.message).as_deref(),
            Some("The radix of the formatBase function must be between 2 and 36.  It was given 1")
        );
        assert_eq!(format_base(100.0, Some(37.0)).map_err(|e| e.code), Err("D3100"));
        assert_eq!(format_base(100.0, Some(36.5)).ok().as_deref(), Some("2s"));
    }

    #[test]
    fn parse_number_accepts_what_jsonata_casts() {
        assert_eq!(parse_number("0"), Some(0.0));
        assert_eq!(parse_number("-0.05"), Some(-0.05));
        assert_eq!(parse_number("1e2"), Some(100.0));
        assert_eq!(parse_number("1.0e-2"), Some(0.01));
        assert_eq!(parse_number("0123"), Some(123.0));
        assert_eq!(parse_number("-007"), Some(-7.0));
        assert_eq!(parse_number("000.00123000"), Some(0.00123));
        assert_eq!(parse_number("0x12"), Some(18.0));
        assert_eq!(parse_number("0B101"), Some(5.0));
        assert_eq!(parse_number("0O12"), Some(10.0));
        assert_eq!(parse_number("0x12 "), Some(18.0));
        assert_eq!(parse_number(" 0o17 "), Some(15.0));
        assert_eq!(parse_number("  0b11"), Some(3.0));
        assert_eq!(parse_number("0x1fffffffffffff1"), Some(144115188075855860.0));
        assert!(parse_number("0x1g").is_some_and(f64::is_nan));
        assert_eq!(parse_number(&format!("0x{}", "f".repeat(300))), Some(f64::INFINITY));
        for refused in [
            "10e500",
            "Hello world",
            "1/2",
            "1234 hello",
            "",
            "[1]",
            " 1",
            "1 ",
            "+1",
            ".5",
            "5.",
            "1e",
            "-",
            " 0x12",
            "0b101 ",
            "0x",
            "Infinity",
            "NaN",
        ] {
            assert_eq!(parse_number(refused), None, "{refused:?}");
        }
        assert_eq!(parse_number("1e-99999999999999999999"), Some(0.0));
    }

    #[test]
    fn format_number_follows_the_picture() {
        assert_eq!(fmt(12345.6, "#,###.00"), "12,345.60");
        assert_eq!(fmt(12345678.9, "9,999.99"), "12,345,678.90");
        assert_eq!(fmt(123412345678.9, "9,9,99.99"), "123412345,6,78.90");
        assert_eq!(fmt(1234.56789, "9,999.999,999"), "1,234.567,890");
        assert_eq!(fmt(123.9, "9999"), "0124");
        assert_eq!(fmt(0.14, "01%"), "14%");
        assert_eq!(fmt(0.4857, "###.###\u{2030}"), "485.7\u{2030}");
        assert_eq!(fmt(-6.0, "000"), "-006");
        assert_eq!(fmt(1234.5678, "00.000e0"), "12.346e2");
        assert_eq!(fmt(1234.5678, "00.000e000"), "12.346e002");
        assert_eq!(fmt(0.234, "0.0e0"), "2.3e-1");
        assert_eq!(fmt(0.234, "#.00e0"), "0.23e0");
        assert_eq!(fmt(0.123, "#.e9"), "0.1e0");
        assert_eq!(fmt(0.234, ".00e0"), ".23e0");
        assert_eq!(fmt(2392.14 * -36.58, "000,000.000###;###,###.000###"), "87,504.4812");
        assert_eq!(fmt(2.14 * 86.58, "PREFIX##00.000###SUFFIX"), "PREFIX185.2812SUFFIX");
        assert_eq!(fmt(1e20, "#,######"), "100,000000,000000,000000");
        assert_eq!(fmt(2.0, "000.000"), "002.000");
        assert_eq!(fmt(0.0, "#"), "0");
        assert_eq!(fmt(1e21, "#"), "1e+21");
    }

    #[test]
    fn format_number_honours_decimal_format_properties() {
        assert_eq!(fmt_with(0.14, "###pm", &[("per-mille", "pm")]), "140pm");
        assert_eq!(
            fmt_with(
                1234.5678,
                "\u{2460}\u{2460}.\u{2460}\u{2460}\u{2460}e\u{2460}",
                &[("zero-digit", "\u{245F}")]
            ),
            "\u{2460}\u{2461}.\u{2462}\u{2463}\u{2465}e\u{2461}"
        );
        assert_eq!(fmt_with(2.0, "AAA.AAA", &[("zero-digit", "A")]), "AAC.AAA");
        assert_eq!(fmt_with(0.1, "AeAAA", &[("zero-digit", "A")]), "Be-AAB");
        assert_eq!(
            fmt_with(
                1234567.891,
                "#.###,00",
                &[("decimal-separator", ","), ("grouping-separator", ".")]
            ),
            "1.234.567,89"
        );
        assert_eq!(fmt_with(1.5, "#$0", &[("decimal-separator", "$")]), "1$5");
        assert_eq!(fmt_with(-3.0, "0", &[("minus-sign", "\u{2212}")]), "\u{2212}3");
        assert_eq!(fmt_with(1.0, "#", &[("unknown", "x")]), "1");
    }

    #[test]
    fn string_search_matches_javascript() {
        let u = |s: &str| -> Vec<u16> { s.encode_utf16().collect() };
        let hay = u("abcabcabdabcabcabd");
        for needle in [
            "abcabd",
            "abcabcabd",
            "bcabcabdab",
            "abcabcabdabcabcabd",
            "x",
            "dabcabcabdx",
        ] {
            let n = u(needle);
            let naive_first = hay.windows(n.len()).position(|w| w == n.as_slice());
            let naive_last = hay.windows(n.len()).rposition(|w| w == n.as_slice());
            assert_eq!(index_of(&hay, &n, 0), naive_first, "{needle}");
            assert_eq!(last_index_of(&hay, &n), naive_last, "{needle}");
        }
        assert_eq!(index_of(&hay, &u("abcabcabd"), 1), Some(9));
        assert_eq!(index_of(&hay, &[], 40), Some(18));
        assert_eq!(last_index_of(&hay, &[]), Some(18));
        assert_eq!(js_split_at_most(&u("a;b;c;d"), &u(";"), 3).len(), 3);
        assert_eq!(js_split_at_most(&u(""), &u(";"), 3), vec![&[] as &[u16]]);
        assert!(js_split_at_most(&u(""), &[], 3).is_empty());
    }

    #[test]
    fn format_number_reports_bad_pictures() {
        for (picture, code) in [
            ("#;#;#", "D3080"),
            ("#.0.0", "D3081"),
            ("#0%%", "D3082"),
            ("#0\u{2030}\u{2030}", "D3083"),
            ("#0%\u{2030}", "D3084"),
            (".e0", "D3085"),
            ("", "TypeError"),
            ("e", "TypeError"),
            ("#;x", "TypeError"),
            ("0+.e0", "D3086"),
            ("0,.e0", "D3087"),
            ("0,", "D3088"),
            ("0,,0", "D3089"),
            ("0#.e0", "D3090"),
            ("#0.#0e0", "D3091"),
            ("#0.0e0%", "D3092"),
            ("#0.0e0,0", "D3093"),
        ] {
            assert_eq!(fmt(20.0, picture), format!("error {code}"), "{picture:?}");
        }
        assert_eq!(fmt(1.0, &format!("#.{}", "#".repeat(101))), "error RangeError");
    }

    #[test]
    fn format_number_survives_hostile_input() {
        let odd = [
            ("zero-digit", ""),
            ("grouping-separator", ""),
            ("decimal-separator", ""),
            ("pattern-separator", ""),
        ];
        for (property, value) in odd {
            for picture in ["", "#", "#,##0.00", "0e0", "\u{1F600}#"] {
                let _ = fmt_with(-1234.5, picture, &[(property, value)]);
            }
        }
        let _ = fmt_with(1.0, "#,#,#,#", &[("zero-digit", "\u{FFFF}")]);
        let _ = fmt_with(1.0, &format!("{}e0", "0".repeat(500)), &[]);
        let _ = fmt(f64::NAN, "#");
        let _ = fmt(f64::INFINITY, "0e0");
        assert_eq!(fmt(0.0, "0.0e0"), "error U1001");
        assert_eq!(fmt(-1.5, "0.0e0"), "error U1001");
        let _ = fmt(f64::MAX, "#%");
        let long_zero = format!("0{}", "x".repeat(1 << 20));
        assert_eq!(
            fmt_with(1.0, &"0".repeat(40), &[("zero-digit", &long_zero)]),
            "error RangeError"
        );
        let regular = format!("#{}", ",###".repeat(20_000));
        assert_eq!(fmt(5.0, &regular), "5");
        let irregular = format!("#,##{}", ",#".repeat(20_000));
        assert!(fmt(5.0, &irregular).len() > 20_000);
        let long_separator = format!("{}b", "a".repeat(50_000));
        let picture = format!("{}#", "a".repeat(200_000));
        assert_eq!(
            fmt_with(1.0, &picture, &[("grouping-separator", &long_separator)]),
            format!("{}1", "a".repeat(200_000))
        );
    }
}
