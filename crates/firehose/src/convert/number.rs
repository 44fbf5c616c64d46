//! Numbers written as text, read exactly: Java's `Integer.parseInt`,
//! `Double.parseDouble` and `BigDecimal` forms, which is what the JSON SerDes
//! apply to a number given as a string.

/// A decimal number: `0.<digits> × 10^point`, digits without leading zeros
/// (none at all for zero).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecimalText {
    negative: bool,
    digits: Vec<u8>,
    point: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Round {
    /// Java's `RoundingMode.HALF_UP` (Hive's decimals): halves away from zero.
    HalfUp,
    /// Toward zero.
    Down,
}

/// Exponents beyond this are refused rather than expanded (`1e999999999`).
const MAX_EXPONENT: i64 = 100_000;

impl DecimalText {
    /// `BigDecimal`'s grammar: `[+-]digits[.digits][(e|E)[+-]digits]`, with
    /// at least one digit, surrounding whitespace ignored.
    pub(crate) fn parse(s: &str) -> Option<DecimalText> {
        let s = s.trim();
        let (negative, s) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let (int, frac) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n: i64 = digits.parse().ok()?;
                if e.starts_with('-') { -n } else { n }
            }
        };
        let all: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
        let leading = all.iter().take_while(|b| **b == b'0').count();
        let digits = all[leading..].to_vec();
        if digits.is_empty() {
            return Some(DecimalText {
                negative: false,
                digits,
                point: 0,
            });
        }
        if exponent.abs() > MAX_EXPONENT {
            return None;
        }
        let point = i64::try_from(int.len()).ok()? - i64::try_from(leading).ok()? + exponent;
        Some(DecimalText {
            negative,
            digits,
            point,
        })
    }

    /// `value × 10^scale`, rounded to an integer of at most `max_digits`
    /// digits (at most 38), or None when it has more.
    pub(crate) fn scaled(&self, scale: i64, round: Round, max_digits: usize) -> Option<i128> {
        let max_digits = max_digits.min(38);
        if self.digits.is_empty() {
            return Some(0);
        }
        // How many of the digits are left of the point once scaled; the first
        // digit is not zero, so that is the integer's digit count.
        let k = self.point + scale;
        if k > i64::try_from(max_digits).ok()? {
            return None;
        }
        let magnitude: i128 = if k < 0 {
            0
        } else {
            let k = usize::try_from(k).ok()?;
            let mut n: i128 = 0;
            for i in 0..k {
                let d = self.digits.get(i).map_or(0, |b| b - b'0');
                n = n.checked_mul(10)?.checked_add(i128::from(d))?;
            }
            let next = self.digits.get(k).map_or(0, |b| b - b'0');
            if round == Round::HalfUp && next >= 5 {
                n = n.checked_add(1)?;
            }
            n
        };
        if magnitude >= 10i128.checked_pow(u32::try_from(max_digits).ok()?)? {
            return None;
        }
        Some(if self.negative { -magnitude } else { magnitude })
    }
}

/// Why a string is no Java number: what `NumberFormatException` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberText {
    /// `empty String`.
    Empty,
    /// `For input string: "..."`.
    Invalid,
}

/// `Integer.parseInt`/`Long.parseLong` (sign and decimal digits), plus the
/// `0x` hexadecimal form OpenX's parser also takes.
pub(crate) fn parse_integer(s: &str) -> Result<i128, NumberText> {
    if s.is_empty() {
        return Err(NumberText::Empty);
    }
    let (negative, rest) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        Some(hex) => (16, hex),
        None => (10, rest),
    };
    // 40 digits exceed every integer column; longer text is no integer of one.
    if digits.is_empty() || digits.len() > 40 || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(NumberText::Invalid);
    }
    let n = i128::from_str_radix(digits, radix).map_err(|_| NumberText::Invalid)?;
    Ok(if negative { -n } else { n })
}

/// `Double.parseDouble`: surrounding whitespace, `NaN`, `Infinity` and a
/// trailing `d`/`f` type suffix allowed.
pub(crate) fn parse_double(s: &str) -> Result<f64, NumberText> {
    let t = s.trim();
    if t.is_empty() {
        return Err(NumberText::Empty);
    }
    match t {
        "NaN" | "+NaN" | "-NaN" => return Ok(f64::NAN),
        "Infinity" | "+Infinity" => return Ok(f64::INFINITY),
        "-Infinity" => return Ok(f64::NEG_INFINITY),
        _ => {}
    }
    let t = t.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(t);
    // Rust's parser also takes "inf" and "nan", which Java does not.
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
    {
        return Err(NumberText::Invalid);
    }
    t.parse().map_err(|_| NumberText::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str, scale: i64, digits: usize) -> Option<i128> {
        DecimalText::parse(s)?.scaled(scale, Round::HalfUp, digits)
    }

    #[test]
    fn decimals_round_half_up_and_respect_precision() {
        assert_eq!(dec("123.455", 2, 5), Some(12346));
        assert_eq!(dec("-123.455", 2, 5), Some(-12346));
        assert_eq!(dec("123.454", 2, 5), Some(12345));
        assert_eq!(dec("999.995", 2, 5), None);
        assert_eq!(dec("999.994", 2, 5), Some(99999));
        assert_eq!(dec("1e3", 0, 4), Some(1000));
        assert_eq!(dec("1E-2", 2, 4), Some(1));
        assert_eq!(dec("0.004", 2, 4), Some(0));
        assert_eq!(dec("0.005", 2, 4), Some(1));
        assert_eq!(dec("000.000", 2, 4), Some(0));
        assert_eq!(dec(".5", 0, 1), Some(1));
        assert_eq!(dec("1e999999999", 0, 38), None);
        assert_eq!(dec("0e999999999", 0, 38), Some(0));
        assert_eq!(dec("1e-99999", 2, 38), Some(0));
        assert_eq!(
            dec("99999999999999999999999999999999999999", 0, 38),
            Some(10i128.pow(38) - 1)
        );
        assert_eq!(dec("1", 38, 38), None);
        for bad in ["", "-", ".", "1.2.3", "1e", "abc", "1,5", "0x10"] {
            assert_eq!(DecimalText::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn java_number_text() {
        assert_eq!(parse_integer("-42"), Ok(-42));
        assert_eq!(parse_integer("+42"), Ok(42));
        assert_eq!(parse_integer("0x1F"), Ok(31));
        assert_eq!(parse_integer(""), Err(NumberText::Empty));
        assert_eq!(parse_integer(" 1"), Err(NumberText::Invalid));
        assert_eq!(parse_integer("1.5"), Err(NumberText::Invalid));
        assert_eq!(parse_double(" 1.5e3 "), Ok(1500.0));
        assert_eq!(parse_double("2d"), Ok(2.0));
        assert!(parse_double("NaN").is_ok_and(f64::is_nan));
        assert_eq!(parse_double("-Infinity"), Ok(f64::NEG_INFINITY));
        assert_eq!(parse_double("inf"), Err(NumberText::Invalid));
        assert_eq!(parse_double("oops"), Err(NumberText::Invalid));
        assert_eq!(parse_double("  "), Err(NumberText::Empty));
    }
}
