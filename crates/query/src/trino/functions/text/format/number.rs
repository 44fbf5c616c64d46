//! Decimal digit strings for Java's floating-point output.

use lakestack_compat::java_double;

/// A non-negative decimal `d0.d1d2… × 10^exp`, without trailing zero digits; no digits
/// means zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Dec {
    digits: Vec<u8>,
    exp: i32,
}

impl Dec {
    fn new(mut digits: Vec<u8>, exp: i32) -> Dec {
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            Dec { digits, exp: 0 }
        } else {
            Dec { digits, exp }
        }
    }

    pub(super) fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// The exponent of the leading digit (0 for zero).
    pub(super) fn exponent(&self) -> i32 {
        self.exp
    }

    /// The decimal `Double.toString` selects for a finite double (sign ignored), which
    /// JDK 21's `Formatter` also starts `%e`, `%f` and `%g` from.
    pub(super) fn shortest(value: f64) -> Dec {
        let (digits, exponent) = java_double::shortest_digits(value);
        Dec::new(digits.bytes().map(|b| b - b'0').collect(), exponent)
    }

    /// `unscaled × 10^-scale`.
    pub(super) fn exact(unscaled: u128, scale: i32) -> Dec {
        if unscaled == 0 {
            return Dec::new(Vec::new(), 0);
        }
        let digits: Vec<u8> = unscaled.to_string().bytes().map(|b| b - b'0').collect();
        let exp = digits.len() as i32 - 1 - scale;
        Dec::new(digits, exp)
    }

    /// The digit worth `10^power`.
    fn digit_at(&self, power: i64) -> u8 {
        usize::try_from(i64::from(self.exp) - power)
            .ok()
            .and_then(|index| self.digits.get(index).copied())
            .unwrap_or(0)
    }

    /// Keeps `significant` digits, rounding HALF_UP (ties away from zero) as both
    /// `FormattedFPDecimal` and BigDecimal's `MathContext` do; `significant <= 0` can still
    /// round up to a single 1 one place higher.
    pub(super) fn round_half_up(&self, significant: i64) -> Dec {
        let Ok(keep) = usize::try_from(significant) else {
            return Dec::new(Vec::new(), 0);
        };
        if self.is_zero() || keep >= self.digits.len() {
            return self.clone();
        }
        let mut digits = self.digits[..keep].to_vec();
        let mut exp = self.exp;
        if self.digits[keep] >= 5 {
            match digits.iter().rposition(|&d| d != 9) {
                Some(i) => {
                    digits[i] += 1;
                    digits.truncate(i + 1);
                }
                None => {
                    digits = vec![1];
                    exp += 1;
                }
            }
        }
        Dec::new(digits, exp)
    }

    /// Fixed notation with exactly `fraction_digits` decimals (no point when zero).
    pub(super) fn plain(&self, fraction_digits: usize) -> String {
        let rounded = self.round_half_up(i64::from(self.exp) + 1 + fraction_digits as i64);
        let mut out = String::new();
        if rounded.is_zero() || rounded.exp < 0 {
            out.push('0');
        } else {
            for power in (0..=i64::from(rounded.exp)).rev() {
                out.push(char::from(b'0' + rounded.digit_at(power)));
            }
        }
        if fraction_digits > 0 {
            out.push('.');
            for k in 1..=fraction_digits as i64 {
                out.push(char::from(b'0' + rounded.digit_at(-k)));
            }
        }
        out
    }

    /// `d.ddd` with exactly `fraction_digits` decimals, and the exponent of `d`.
    pub(super) fn scientific(&self, fraction_digits: usize) -> (String, i32) {
        let rounded = self.round_half_up(fraction_digits as i64 + 1);
        let digit = |i: usize| char::from(b'0' + rounded.digits.get(i).copied().unwrap_or(0));
        let mut out = String::from(digit(0));
        if fraction_digits > 0 {
            out.push('.');
            out.extend((1..=fraction_digits).map(digit));
        }
        (out, rounded.exp)
    }
}

/// `BigDecimal.toString`: plain unless the adjusted exponent is below -6, then `1.5E-7`.
pub(super) fn big_decimal_to_string(unscaled: i128, scale: u8) -> String {
    let sign = if unscaled < 0 { "-" } else { "" };
    let coefficient = unscaled.unsigned_abs().to_string();
    let (len, scale) = (coefficient.len(), usize::from(scale));
    if scale == 0 {
        return format!("{sign}{coefficient}");
    }
    let adjusted = len as i64 - 1 - scale as i64;
    if adjusted >= -6 {
        if len > scale {
            let (integer, fraction) = coefficient.split_at(len - scale);
            format!("{sign}{integer}.{fraction}")
        } else {
            format!("{sign}0.{}{coefficient}", "0".repeat(scale - len))
        }
    } else {
        let (first, rest) = coefficient.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        format!("{sign}{first}{point}{rest}E{adjusted}")
    }
}

/// `Double.toHexString` without its `0x`, for a non-negative finite value.
fn java_hex_string(value: f64) -> String {
    if value == 0.0 {
        return "0.0p0".to_owned();
    }
    let bits = value.to_bits();
    let subnormal = value < f64::MIN_POSITIVE;
    let fraction = format!("{:013x}", bits & ((1u64 << 52) - 1));
    let fraction = fraction.trim_end_matches('0');
    let fraction = if fraction.is_empty() { "0" } else { fraction };
    let exponent = if subnormal {
        -1022
    } else {
        ((bits >> 52) & 0x7ff) as i32 - 1023
    };
    let lead = if subnormal { '0' } else { '1' };
    format!("{lead}.{fraction}p{exponent}")
}

/// Formatter's `hexDouble`: with 1 to 12 hex digits requested, the significand is rounded
/// half-even to that many, and subnormals are shown normalised.
pub(super) fn hex_double(value: f64, precision: usize) -> String {
    if value == 0.0 || precision == 0 || precision >= 13 {
        return java_hex_string(value);
    }
    let subnormal = value < f64::MIN_POSITIVE;
    let scaled = if subnormal { value * 2f64.powi(54) } else { value };
    let shift = 52 - 4 * precision as u32;
    let bits = scaled.to_bits();
    let kept = bits >> shift;
    let dropped = bits & !(u64::MAX << shift);
    let half = 1u64 << (shift - 1);
    let round_up = dropped & half != 0 && (dropped & !half != 0 || kept & 1 == 1);
    let rounded = f64::from_bits((kept + u64::from(round_up)) << shift);
    if rounded.is_infinite() {
        return "1.0p1024".to_owned();
    }
    let text = java_hex_string(rounded);
    match text.split_once('p') {
        Some((digits, exponent)) if subnormal => {
            format!("{digits}p{}", exponent.parse::<i32>().unwrap_or(0) - 54)
        }
        _ => text,
    }
}

/// `Long.hashCode`.
pub(super) fn long_hash(value: i64) -> i32 {
    let bits = value as u64;
    (bits ^ (bits >> 32)) as i32
}

/// `BigInteger.hashCode`: the magnitude's 32-bit words folded with 31, times the sign.
pub(super) fn big_integer_hash(value: i128) -> i32 {
    let magnitude = value.unsigned_abs();
    let hash = (0..4)
        .rev()
        .map(|word| (magnitude >> (32 * word)) as u32)
        .skip_while(|&word| word == 0)
        .fold(0i32, |hash, word| hash.wrapping_mul(31).wrapping_add(word as i32));
    hash.wrapping_mul(value.signum() as i32)
}
