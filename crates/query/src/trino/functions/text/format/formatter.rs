//! `java.util.Formatter` for the English locale (grouping `,`, decimal point `.`, digits `0-9`).

use std::fmt;
use std::ops::Range;

use lakestack_compat::java_double;

use super::FormatArg;
use super::number::{self, Dec};
use super::temporal::{self, Temporal, Zone};

/// What went wrong, before it becomes Trino's message.
pub(super) enum Failure {
    Java(JavaError),
    Unsupported(String),
}

/// An `IllegalFormatException`: the class name without `java.util.` and `Exception` (as Trino
/// strips them) and the exception's message.
pub(super) struct JavaError {
    pub(super) kind: &'static str,
    pub(super) detail: String,
}

impl From<JavaError> for Failure {
    fn from(error: JavaError) -> Self {
        Failure::Java(error)
    }
}

type Out<T> = Result<T, Failure>;

fn java_error(kind: &'static str, detail: impl fmt::Display) -> JavaError {
    JavaError {
        kind,
        detail: detail.to_string(),
    }
}

fn unknown_conversion(conversion: impl fmt::Display) -> JavaError {
    java_error("UnknownFormatConversion", format!("Conversion = '{conversion}'"))
}

fn flag_mismatch(flag: Flags, conversion: char) -> JavaError {
    java_error(
        "FormatFlagsConversionMismatch",
        format!("Conversion = {conversion}, Flags = {flag}"),
    )
}

fn illegal_flags(flags: Flags) -> JavaError {
    java_error("IllegalFormatFlags", format!("Flags = '{flags}'"))
}

fn illegal_precision(precision: i64) -> JavaError {
    java_error("IllegalFormatPrecision", precision)
}

pub(super) fn conversion_mismatch(conversion: char, class: &str) -> JavaError {
    java_error("IllegalFormatConversion", format!("{conversion} != {class}"))
}

/// Output beyond this is refused rather than allocated; Trino would build (or run out of
/// memory building) strings of up to 2 GB.
const MAX_PADDING: usize = 1 << 24;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Flags(u16);

impl Flags {
    const NONE: Flags = Flags(0);
    const LEFT: Flags = Flags(1);
    const UPPER: Flags = Flags(1 << 1);
    const ALT: Flags = Flags(1 << 2);
    const PLUS: Flags = Flags(1 << 3);
    const SPACE: Flags = Flags(1 << 4);
    const ZERO: Flags = Flags(1 << 5);
    const GROUP: Flags = Flags(1 << 6);
    const PAREN: Flags = Flags(1 << 7);
    const PREVIOUS: Flags = Flags(1 << 8);

    /// Java prints flag sets in this order, `^` standing for an upper-case conversion.
    const NAMES: [(Flags, char); 9] = [
        (Flags::LEFT, '-'),
        (Flags::UPPER, '^'),
        (Flags::ALT, '#'),
        (Flags::PLUS, '+'),
        (Flags::SPACE, ' '),
        (Flags::ZERO, '0'),
        (Flags::GROUP, ','),
        (Flags::PAREN, '('),
        (Flags::PREVIOUS, '<'),
    ];

    fn has(self, flag: Flags) -> bool {
        self.0 & flag.0 == flag.0
    }

    fn with(self, flag: Flags) -> Flags {
        Flags(self.0 | flag.0)
    }

    fn without(self, flag: Flags) -> Flags {
        Flags(self.0 & !flag.0)
    }

    fn parse(c: char) -> Option<Flags> {
        Self::NAMES
            .iter()
            .find(|(_, name)| *name == c && c != '^')
            .map(|(flag, _)| *flag)
    }
}

impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (flag, name) in Self::NAMES {
            if self.has(flag) {
                write!(f, "{name}")?;
            }
        }
        Ok(())
    }
}

fn is_conversion(c: char) -> bool {
    "bBsShHcCdoxXeEgGfaAn%".contains(c)
}

fn is_date_time_conversion(c: char) -> bool {
    "HIklMNLQpsSTzZaAbBCdehjmyYrRcDF".contains(c)
}

/// Where a specifier takes its argument from, with Java's encoding of `FormatSpecifier.index`.
const TEXT: i64 = -2;
const PREVIOUS: i64 = -1;
const ORDINARY: i64 = 0;

#[derive(Clone, Debug)]
pub(super) struct Spec {
    index: i64,
    flags: Flags,
    width: Option<usize>,
    precision: Option<usize>,
    date_time: bool,
    /// Lower-cased (upper case is the `UPPER` flag), except after `t`/`T`.
    conversion: char,
}

/// `FormatSpecifier.toString()`, quoted by several exception messages. Java puts the flags
/// before the argument index, so `%1$-s` is reported as `%-1$s`.
impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}", self.flags.without(Flags::UPPER))?;
        if self.index > 0 {
            write!(f, "{}$", self.index)?;
        }
        if let Some(width) = self.width {
            write!(f, "{width}")?;
        }
        if let Some(precision) = self.precision {
            write!(f, ".{precision}")?;
        }
        let upper = self.flags.has(Flags::UPPER);
        if self.date_time {
            f.write_str(if upper { "T" } else { "t" })?;
        }
        let conversion = if upper {
            self.conversion.to_ascii_uppercase()
        } else {
            self.conversion
        };
        write!(f, "{conversion}")
    }
}

enum Piece {
    Text(String),
    Spec(Spec),
}

/// The groups of Java's specifier pattern
/// `%(\d+\$)?([-#+ 0,(\<]*)?(\d+)?(\.\d+)?([tT])?([a-zA-Z%])`, matched at one `%`.
struct Syntax {
    index: Option<Range<usize>>,
    flags: Range<usize>,
    width: Option<Range<usize>>,
    precision: Option<Range<usize>>,
    date_time: Option<char>,
    conversion: char,
    end: usize,
}

impl Syntax {
    /// Greedy matching gives the regex's answer: no group can give characters back to a
    /// later group in a way that would make a failed match succeed.
    fn match_at(chars: &[char], percent: usize) -> Option<Syntax> {
        let digits_end = |from: usize| {
            (from..chars.len())
                .find(|&p| !chars[p].is_ascii_digit())
                .unwrap_or(chars.len())
        };
        let mut p = percent + 1;
        let end = digits_end(p);
        let index = (end > p && chars.get(end) == Some(&'$')).then_some(p..end);
        if let Some(range) = &index {
            p = range.end + 1;
        }
        let flags_start = p;
        while p < chars.len() && "-#+ 0,(<".contains(chars[p]) {
            p += 1;
        }
        let flags = flags_start..p;
        let end = digits_end(p);
        let width = (end > p).then_some(p..end);
        p = end;
        let mut precision = None;
        if chars.get(p) == Some(&'.') && chars.get(p + 1).is_some_and(|c| c.is_ascii_digit()) {
            let end = digits_end(p + 1);
            precision = Some(p + 1..end);
            p = end;
        }
        let conversion_char = |c: &char| c.is_ascii_alphabetic() || *c == '%';
        let (date_time, conversion, end) = match (chars.get(p), chars.get(p + 1)) {
            (Some(&t @ ('t' | 'T')), Some(c)) if conversion_char(c) => (Some(t), *c, p + 2),
            (Some(c), _) if conversion_char(c) => (None, *c, p + 1),
            _ => return None,
        };
        Some(Syntax {
            index,
            flags,
            width,
            precision,
            date_time,
            conversion,
            end,
        })
    }
}

/// A decimal that must fit a Java `int`, as `Integer.parseInt` requires.
fn java_int(digits: &[char]) -> Option<i64> {
    digits.iter().try_fold(0i64, |value, c| {
        let value = value * 10 + i64::from(c.to_digit(10)?);
        (value <= i64::from(i32::MAX)).then_some(value)
    })
}

impl Spec {
    /// `%s`, `%d`, ...: Java's fast path, which skips every check.
    fn bare(conversion: char) -> Spec {
        let upper = conversion.is_ascii_uppercase();
        Spec {
            index: if "n%".contains(conversion) { TEXT } else { ORDINARY },
            flags: if upper { Flags::UPPER } else { Flags::NONE },
            width: None,
            precision: None,
            date_time: false,
            conversion: conversion.to_ascii_lowercase(),
        }
    }

    /// Builds and validates a full specifier in the order Java does, so that the first
    /// problem Java reports is the one reported here.
    fn from_syntax(chars: &[char], syntax: &Syntax) -> Result<Spec, JavaError> {
        let mut spec = Spec {
            index: ORDINARY,
            flags: Flags::NONE,
            width: None,
            precision: None,
            date_time: syntax.date_time.is_some(),
            conversion: syntax.conversion,
        };
        if let Some(range) = &syntax.index {
            let index = java_int(&chars[range.clone()]).ok_or_else(|| {
                java_error(
                    "IllegalFormatArgumentIndex",
                    "Format argument index: (not representable as int)",
                )
            })?;
            if index <= 0 {
                return Err(java_error(
                    "IllegalFormatArgumentIndex",
                    format!("Illegal format argument index = {index}"),
                ));
            }
            spec.index = index;
        }
        for &c in &chars[syntax.flags.clone()] {
            let flag = Flags::parse(c).ok_or_else(|| java_error("UnknownFormatFlags", format!("Flags = {c}")))?;
            if spec.flags.has(flag) {
                return Err(java_error("DuplicateFormatFlags", format!("Flags = '{flag}'")));
            }
            spec.flags = spec.flags.with(flag);
        }
        if spec.flags.has(Flags::PREVIOUS) {
            spec.index = PREVIOUS;
        }
        let java_int_or_min = |range: &Range<usize>| java_int(&chars[range.clone()]).ok_or(i64::from(i32::MIN));
        if let Some(range) = &syntax.width {
            let width = java_int_or_min(range).map_err(|min| java_error("IllegalFormatWidth", min))?;
            spec.width = Some(width as usize);
        }
        if let Some(range) = &syntax.precision {
            spec.precision = Some(java_int_or_min(range).map_err(illegal_precision)? as usize);
        }
        if syntax.date_time == Some('T') {
            spec.flags = spec.flags.with(Flags::UPPER);
        }
        if !spec.date_time {
            if !is_conversion(spec.conversion) {
                return Err(unknown_conversion(spec.conversion));
            }
            if spec.conversion.is_ascii_uppercase() {
                spec.flags = spec.flags.with(Flags::UPPER);
                spec.conversion = spec.conversion.to_ascii_lowercase();
            }
            if "n%".contains(spec.conversion) {
                spec.index = TEXT;
            }
        }
        spec.check()?;
        Ok(spec)
    }

    fn check(&self) -> Result<(), JavaError> {
        if self.date_time {
            return self.check_date_time();
        }
        match self.conversion {
            'b' | 'h' | 's' => self.check_general(),
            'c' => self.check_character(),
            'd' | 'o' | 'x' => self.check_integer(),
            'e' | 'f' | 'g' | 'a' => self.check_float(),
            _ => self.check_text(),
        }
    }

    fn reject(&self, flags: &[Flags]) -> Result<(), JavaError> {
        match flags.iter().find(|&&flag| self.flags.has(flag)) {
            Some(&flag) => Err(flag_mismatch(flag, self.conversion)),
            None => Ok(()),
        }
    }

    fn require_width_for_left(&self) -> Result<(), JavaError> {
        if self.width.is_none() && self.flags.has(Flags::LEFT) {
            return Err(java_error("MissingFormatWidth", self));
        }
        Ok(())
    }

    fn reject_precision(&self) -> Result<(), JavaError> {
        match self.precision {
            Some(precision) => Err(illegal_precision(precision as i64)),
            None => Ok(()),
        }
    }

    fn check_general(&self) -> Result<(), JavaError> {
        if matches!(self.conversion, 'b' | 'h') && self.flags.has(Flags::ALT) {
            return Err(flag_mismatch(Flags::ALT, self.conversion));
        }
        self.require_width_for_left()?;
        self.reject(&[Flags::PLUS, Flags::SPACE, Flags::ZERO, Flags::GROUP, Flags::PAREN])
    }

    fn check_date_time(&self) -> Result<(), JavaError> {
        self.reject_precision()?;
        if !is_date_time_conversion(self.conversion) {
            return Err(unknown_conversion(format!("t{}", self.conversion)));
        }
        self.only_left_justify()
    }

    fn check_character(&self) -> Result<(), JavaError> {
        self.reject_precision()?;
        self.only_left_justify()
    }

    /// Date/time and character conversions take `-` (with a width) and no other flag.
    fn only_left_justify(&self) -> Result<(), JavaError> {
        self.reject(&[
            Flags::ALT,
            Flags::PLUS,
            Flags::SPACE,
            Flags::ZERO,
            Flags::GROUP,
            Flags::PAREN,
        ])?;
        self.require_width_for_left()
    }

    fn check_numeric(&self) -> Result<(), JavaError> {
        if self.width.is_none() && (self.flags.has(Flags::LEFT) || self.flags.has(Flags::ZERO)) {
            return Err(java_error("MissingFormatWidth", self));
        }
        let both = |a: Flags, b: Flags| self.flags.has(a) && self.flags.has(b);
        if both(Flags::PLUS, Flags::SPACE) || both(Flags::LEFT, Flags::ZERO) {
            return Err(illegal_flags(self.flags));
        }
        Ok(())
    }

    fn check_integer(&self) -> Result<(), JavaError> {
        self.check_numeric()?;
        self.reject_precision()?;
        if self.conversion == 'd' {
            self.reject(&[Flags::ALT])
        } else {
            self.reject(&[Flags::GROUP])
        }
    }

    fn check_float(&self) -> Result<(), JavaError> {
        self.check_numeric()?;
        match self.conversion {
            'a' => self.reject(&[Flags::PAREN, Flags::GROUP]),
            'e' => self.reject(&[Flags::GROUP]),
            'g' => self.reject(&[Flags::ALT]),
            _ => Ok(()),
        }
    }

    fn check_text(&self) -> Result<(), JavaError> {
        self.reject_precision()?;
        if self.conversion == '%' {
            if self.flags != Flags::LEFT && self.flags != Flags::NONE {
                return Err(illegal_flags(self.flags));
            }
            return self.require_width_for_left();
        }
        if let Some(width) = self.width {
            return Err(java_error("IllegalFormatWidth", width));
        }
        if self.flags != Flags::NONE {
            return Err(illegal_flags(self.flags));
        }
        Ok(())
    }
}

/// Splits the format string; all syntax errors surface before any argument is looked at.
fn parse(fmt: &str) -> Result<Vec<Piece>, JavaError> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(percent) = (i..chars.len()).find(|&p| chars[p] == '%') else {
            pieces.push(Piece::Text(chars[i..].iter().collect()));
            break;
        };
        if percent > i {
            pieces.push(Piece::Text(chars[i..percent].iter().collect()));
        }
        let Some(&next) = chars.get(percent + 1) else {
            return Err(unknown_conversion('%'));
        };
        if is_conversion(next) {
            pieces.push(Piece::Spec(Spec::bare(next)));
            i = percent + 2;
        } else {
            let syntax = Syntax::match_at(&chars, percent).ok_or_else(|| unknown_conversion(next))?;
            pieces.push(Piece::Spec(Spec::from_syntax(&chars, &syntax)?));
            i = syntax.end;
        }
    }
    Ok(pieces)
}

static NO_ARGUMENT: FormatArg = FormatArg::Null;

pub(super) fn format(fmt: &str, args: &[FormatArg]) -> Out<String> {
    let pieces = parse(fmt)?;
    let mut out = String::new();
    let mut last: Option<usize> = None;
    let mut ordinary: Option<usize> = None;
    for piece in &pieces {
        let spec = match piece {
            Piece::Text(text) => {
                out.push_str(text);
                continue;
            }
            Piece::Spec(spec) => spec,
        };
        let position = match spec.index {
            TEXT => None,
            PREVIOUS => Some(last),
            ORDINARY => {
                let next = ordinary.map_or(0, |i| i + 1);
                ordinary = Some(next);
                last = Some(next);
                Some(last)
            }
            explicit => {
                last = Some(explicit as usize - 1);
                Some(last)
            }
        };
        let arg = match position {
            None => &NO_ARGUMENT,
            Some(position) => position
                .and_then(|i| args.get(i))
                .ok_or_else(|| java_error("MissingFormatArgument", format!("Format specifier '{spec}'")))?,
        };
        spec.guard_size()?;
        out.push_str(&spec.print(arg)?);
    }
    Ok(out)
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `String.substring(0, units)`. Cutting a surrogate pair leaves half a character, which
/// Trino's UTF-8 encoder writes as `?`.
fn truncate_utf16(s: &str, units: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let width = c.len_utf16();
        if used + width > units {
            if used < units {
                out.push('?');
            }
            break;
        }
        out.push(c);
        used += width;
    }
    out
}

impl Spec {
    fn guard_size(&self) -> Out<()> {
        let float = matches!(self.conversion, 'e' | 'f' | 'g' | 'a') && !self.date_time;
        let too_wide = self.width.is_some_and(|w| w > MAX_PADDING);
        if too_wide || (float && self.precision.is_some_and(|p| p > MAX_PADDING)) {
            return Err(Failure::Unsupported(format!(
                "format(): width or precision above {MAX_PADDING} is not supported"
            )));
        }
        Ok(())
    }

    fn print(&self, arg: &FormatArg) -> Out<String> {
        if self.date_time {
            return self.print_date_time(arg);
        }
        match self.conversion {
            'n' => Ok("\n".to_owned()),
            '%' => Ok(self.text("%")),
            'b' => Ok(self.text(match arg {
                FormatArg::Null => "false",
                FormatArg::Bool(false) => "false",
                _ => "true",
            })),
            's' => self.print_string(arg),
            'h' => Ok(self.text(&match arg {
                FormatArg::Null => "null".to_owned(),
                other => format!("{:x}", java_hash(other) as u32),
            })),
            'c' => match arg {
                FormatArg::Null => Ok(self.text("null")),
                other => Err(conversion_mismatch('c', java_class(other)).into()),
            },
            'd' | 'o' | 'x' => self.print_integer(arg),
            _ => self.print_float(arg),
        }
    }

    /// Java's `print(String)`: precision truncates, then upper-casing, then padding.
    fn text(&self, s: &str) -> String {
        let s = match self.precision {
            Some(precision) if precision < utf16_len(s) => truncate_utf16(s, precision),
            _ => s.to_owned(),
        };
        let s = if self.flags.has(Flags::UPPER) {
            s.to_uppercase()
        } else {
            s
        };
        self.justify(s)
    }

    /// Pads to the width, counting UTF-16 units as Java does.
    fn justify(&self, s: String) -> String {
        let Some(width) = self.width else { return s };
        let len = utf16_len(&s);
        if len >= width {
            return s;
        }
        let padding = " ".repeat(width - len);
        if self.flags.has(Flags::LEFT) {
            s + &padding
        } else {
            padding + &s
        }
    }

    fn print_string(&self, arg: &FormatArg) -> Out<String> {
        if self.flags.has(Flags::ALT) {
            return Err(flag_mismatch(Flags::ALT, 's').into());
        }
        Ok(self.text(&java_to_string(arg)))
    }

    fn print_integer(&self, arg: &FormatArg) -> Out<String> {
        match arg {
            FormatArg::Null => Ok(self.text("null")),
            FormatArg::Int(value) => self.print_long(*value),
            other => Err(conversion_mismatch(self.conversion, java_class(other)).into()),
        }
    }

    fn print_long(&self, value: i64) -> Out<String> {
        let mut sb = String::new();
        if self.conversion == 'd' {
            let negative = value < 0;
            self.leading_sign(&mut sb, negative);
            let width = self.adjusted_width(self.width.map(|w| w as i64), negative);
            self.magnitude(&mut sb, &value.unsigned_abs().to_string(), width);
            self.trailing_sign(&mut sb, negative);
            return Ok(self.justify(sb));
        }
        // Octal and hex print the two's complement, where signs make no sense.
        self.reject(&[Flags::PAREN, Flags::SPACE, Flags::PLUS])?;
        let upper = self.flags.has(Flags::UPPER);
        let (digits, prefix) = if self.conversion == 'o' {
            (format!("{:o}", value as u64), "0")
        } else if upper {
            (format!("{:X}", value as u64), "0X")
        } else {
            (format!("{:x}", value as u64), "0x")
        };
        let prefix = if self.flags.has(Flags::ALT) { prefix } else { "" };
        sb.push_str(prefix);
        if self.flags.has(Flags::ZERO) {
            let width = self.width.unwrap_or(0);
            sb.push_str(&"0".repeat(width.saturating_sub(digits.len() + prefix.len())));
        }
        sb.push_str(&digits);
        Ok(self.justify(sb))
    }

    fn leading_sign(&self, sb: &mut String, negative: bool) {
        if negative {
            sb.push(if self.flags.has(Flags::PAREN) { '(' } else { '-' });
        } else if self.flags.has(Flags::PLUS) {
            sb.push('+');
        } else if self.flags.has(Flags::SPACE) {
            sb.push(' ');
        }
    }

    fn trailing_sign(&self, sb: &mut String, negative: bool) {
        if negative && self.flags.has(Flags::PAREN) {
            sb.push(')');
        }
    }

    /// The closing parenthesis is added after zero padding, so padding leaves room for it.
    fn adjusted_width(&self, width: Option<i64>, negative: bool) -> Option<i64> {
        width.map(|w| {
            if negative && self.flags.has(Flags::PAREN) {
                w - 1
            } else {
                w
            }
        })
    }

    /// Java's `localizedMagnitude`: appends digits (and a `.`), grouping the integer part,
    /// then inserts zeros after any sign already in `sb` until it reaches `width`.
    fn magnitude(&self, sb: &mut String, value: &str, width: Option<i64>) {
        let begin = sb.len();
        let dot = value.find('.').unwrap_or(value.len());
        for (j, c) in value.char_indices() {
            sb.push(c);
            if self.flags.has(Flags::GROUP) && j + 1 < dot && (dot - j) % 3 == 1 {
                sb.push(',');
            }
        }
        if let Some(width) = width
            && self.flags.has(Flags::ZERO)
        {
            let missing = usize::try_from(width).unwrap_or(0).saturating_sub(sb.len());
            sb.insert_str(begin, &"0".repeat(missing));
        }
    }

    fn print_float(&self, arg: &FormatArg) -> Out<String> {
        match arg {
            FormatArg::Null => Ok(self.text("null")),
            // Java widens a Float to double before formatting it.
            FormatArg::Real(value) => Ok(self.print_binary(f64::from(*value))),
            FormatArg::Double(value) => Ok(self.print_binary(*value)),
            FormatArg::Decimal { unscaled, scale } if self.conversion != 'a' => {
                Ok(self.print_decimal(*unscaled, *scale))
            }
            other => Err(conversion_mismatch(self.conversion, java_class(other)).into()),
        }
    }

    fn print_binary(&self, value: f64) -> String {
        let upper = self.flags.has(Flags::UPPER);
        if value.is_nan() {
            return self.justify(if upper { "NAN" } else { "NaN" }.to_owned());
        }
        // Double.compare(value, 0.0) < 0, which counts -0.0 as negative.
        let negative = value.is_sign_negative();
        let mut sb = String::new();
        self.leading_sign(&mut sb, negative);
        let magnitude = value.abs();
        if magnitude.is_infinite() {
            sb.push_str(if upper { "INFINITY" } else { "Infinity" });
        } else if self.conversion == 'a' {
            self.hex_float(&mut sb, magnitude, negative);
        } else {
            self.decimal_float(&mut sb, &Dec::shortest(magnitude), 0, negative);
        }
        self.trailing_sign(&mut sb, negative);
        self.justify(sb)
    }

    fn print_decimal(&self, unscaled: i128, scale: u8) -> String {
        let negative = unscaled < 0;
        let mut sb = String::new();
        self.leading_sign(&mut sb, negative);
        let value = Dec::exact(unscaled.unsigned_abs(), i32::from(scale));
        self.decimal_float(&mut sb, &value, -i32::from(scale), negative);
        self.trailing_sign(&mut sb, negative);
        self.justify(sb)
    }

    /// `%e`, `%f` and `%g` of a non-negative value. Doubles arrive as the shortest decimal
    /// that reads back to them (what `Double.toString` prints) and are then rounded HALF_UP,
    /// so `%.1f` of 0.15 is `0.2`. `zero_exponent` is the exponent a zero prints with:
    /// a BigDecimal zero keeps its scale (`0.00` is `0.000000e-02`).
    fn decimal_float(&self, sb: &mut String, value: &Dec, zero_exponent: i32, negative: bool) {
        let alt = self.flags.has(Flags::ALT);
        match self.conversion {
            'e' => {
                let precision = self.precision.unwrap_or(6);
                let (mut mantissa, exponent) = value.scientific(precision);
                if alt && precision == 0 {
                    mantissa.push('.');
                }
                let exponent = if value.is_zero() { zero_exponent } else { exponent };
                self.exponent_form(sb, &mantissa, exponent, negative);
            }
            'f' => {
                let precision = self.precision.unwrap_or(6);
                let mut mantissa = value.plain(precision);
                if alt && precision == 0 {
                    mantissa.push('.');
                }
                let width = self.adjusted_width(self.width.map(|w| w as i64), negative);
                self.magnitude(sb, &mantissa, width);
            }
            _ => self.general(sb, value, zero_exponent, negative),
        }
    }

    /// `%g`: round to `precision` significant digits, then print plainly when the rounded
    /// value lies in [10^-4, 10^precision) and in scientific form otherwise. Unlike C, Java
    /// keeps trailing zeros.
    fn general(&self, sb: &mut String, value: &Dec, zero_exponent: i32, negative: bool) {
        let precision = match self.precision {
            None => 6,
            Some(0) => 1,
            Some(p) => p,
        };
        let width = self.adjusted_width(self.width.map(|w| w as i64), negative);
        if value.is_zero() && zero_exponent != 0 {
            // Only BigDecimal.ZERO (scale 0) equals zero in Java's test; other zeros fall
            // through to the scientific branch.
            let (mantissa, _) = value.scientific(precision - 1);
            self.exponent_form(sb, &mantissa, zero_exponent, negative);
            return;
        }
        let rounded = value.round_half_up(precision as i64);
        let exponent = i64::from(rounded.exponent());
        if rounded.is_zero() || (-4..precision as i64).contains(&exponent) {
            let fraction_digits = (precision as i64 - exponent - 1) as usize;
            self.magnitude(sb, &rounded.plain(fraction_digits), width);
        } else {
            let (mantissa, exponent) = rounded.scientific(precision - 1);
            self.exponent_form(sb, &mantissa, exponent, negative);
        }
    }

    fn exponent_form(&self, sb: &mut String, mantissa: &str, exponent: i32, negative: bool) {
        let exponent = format!("{}{:02}", if exponent < 0 { '-' } else { '+' }, exponent.unsigned_abs());
        let width = self.width.map(|w| w as i64 - exponent.len() as i64 - 1);
        self.magnitude(sb, mantissa, self.adjusted_width(width, negative));
        sb.push(if self.flags.has(Flags::UPPER) { 'E' } else { 'e' });
        sb.push_str(&exponent);
    }

    /// `%a`. Zero padding is computed from the digits before they are padded to the
    /// precision, a Java quirk kept on purpose.
    fn hex_float(&self, sb: &mut String, magnitude: f64, negative: bool) {
        let precision = match self.precision {
            None => 0,
            Some(0) => 1,
            Some(p) => p,
        };
        let text = number::hex_double(magnitude, precision);
        let upper = self.flags.has(Flags::UPPER);
        sb.push_str(if upper { "0X" } else { "0x" });
        if self.flags.has(Flags::ZERO) {
            let signed = negative || self.flags.has(Flags::PLUS) || self.flags.has(Flags::SPACE);
            let used = text.len() + if signed { 3 } else { 2 };
            sb.push_str(&"0".repeat(self.width.unwrap_or(0).saturating_sub(used)));
        }
        let (digits, exponent) = text.split_once('p').unwrap_or((&text, "0"));
        let mut digits = if upper {
            digits.to_ascii_uppercase()
        } else {
            digits.to_owned()
        };
        if precision != 0 {
            let present = digits.split_once('.').map_or(0, |(_, fraction)| fraction.len());
            digits.push_str(&"0".repeat(precision.saturating_sub(present)));
        }
        sb.push_str(&digits);
        sb.push(if upper { 'P' } else { 'p' });
        sb.push_str(exponent);
    }

    fn print_date_time(&self, arg: &FormatArg) -> Out<String> {
        let value = match arg {
            FormatArg::Null => return Ok(self.text("null")),
            FormatArg::Int(millis) => Temporal::from_epoch_millis(*millis).ok_or_else(|| {
                Failure::Unsupported(
                    "format(): %t of a bigint before 1582-10-15 (Julian calendar) is not supported".to_owned(),
                )
            })?,
            other => Temporal::of(other).ok_or_else(|| conversion_mismatch(self.conversion, java_class(other)))?,
        };
        let mut sb = String::new();
        date_time_field(&mut sb, &value, self.conversion)?;
        let sb = if self.flags.has(Flags::UPPER) {
            sb.to_uppercase()
        } else {
            sb
        };
        Ok(self.justify(sb))
    }
}

use crate::trino::functions::datetime::{MONTH_NAMES as MONTHS, WEEKDAY_NAMES};

fn zero_padded(value: i64, width: usize) -> String {
    format!("{value:0width$}")
}

/// One `%t` conversion. Composites recurse so that a missing field is reported with the
/// innermost conversion, as Java does (`%tc` of a DATE fails on `H`).
fn date_time_field(sb: &mut String, t: &Temporal, c: char) -> Out<()> {
    let field = |value: Option<i64>| value.ok_or_else(|| Failure::from(conversion_mismatch(c, t.class)));
    match c {
        'H' => sb.push_str(&zero_padded(field(t.hour())?, 2)),
        'k' => sb.push_str(&field(t.hour())?.to_string()),
        'I' => sb.push_str(&zero_padded(field(t.clock_hour())?, 2)),
        'l' => sb.push_str(&field(t.clock_hour())?.to_string()),
        'M' => sb.push_str(&zero_padded(field(t.minute())?, 2)),
        'S' => sb.push_str(&zero_padded(field(t.second())?, 2)),
        'L' => sb.push_str(&zero_padded(field(t.nano())? / 1_000_000, 3)),
        'N' => sb.push_str(&zero_padded(field(t.nano())?, 9)),
        'p' => sb.push_str(if field(t.hour())? < 12 { "am" } else { "pm" }),
        's' => sb.push_str(&field(t.epoch_seconds())?.to_string()),
        'Q' => sb.push_str(&field(t.epoch_millis())?.to_string()),
        'z' => {
            let offset = field(t.offset().map(i64::from))?;
            let minutes = offset.abs() / 60;
            sb.push(if offset < 0 { '-' } else { '+' });
            sb.push_str(&zero_padded(minutes / 60 * 100 + minutes % 60, 4));
        }
        'Z' => sb.push_str(&zone_text(t, c)?),
        'a' | 'A' => {
            // Java counts from Sunday (1); the shared names start on Monday.
            let name = WEEKDAY_NAMES[(field(t.sunday_based_weekday())? as usize + 5) % 7];
            sb.push_str(if c == 'A' { name } else { &name[..3] });
        }
        'b' | 'h' | 'B' => {
            let name = MONTHS[field(t.month())? as usize - 1];
            sb.push_str(if c == 'B' { name } else { &name[..3] });
        }
        'C' => sb.push_str(&zero_padded(field(t.year_of_era())? / 100, 2)),
        'y' => sb.push_str(&zero_padded(field(t.year_of_era())? % 100, 2)),
        'Y' => sb.push_str(&zero_padded(field(t.year_of_era())?, 4)),
        'd' => sb.push_str(&zero_padded(field(t.day())?, 2)),
        'e' => sb.push_str(&field(t.day())?.to_string()),
        'j' => sb.push_str(&zero_padded(field(t.day_of_year())?, 3)),
        'm' => sb.push_str(&zero_padded(field(t.month())?, 2)),
        'T' => composite(sb, t, "H:M:S")?,
        'R' => composite(sb, t, "H:M")?,
        'r' => {
            composite(sb, t, "I:M:S ")?;
            let mut meridiem = String::new();
            date_time_field(&mut meridiem, t, 'p')?;
            sb.push_str(&meridiem.to_uppercase());
        }
        'c' => composite(sb, t, "a b d T Z Y")?,
        'D' => composite(sb, t, "m/d/y")?,
        _ => composite(sb, t, "Y-m-d")?,
    }
    Ok(())
}

/// Prints a layout where letters are conversions and anything else is literal.
fn composite(sb: &mut String, t: &Temporal, layout: &str) -> Out<()> {
    for c in layout.chars() {
        if c.is_ascii_alphabetic() {
            date_time_field(sb, t, c)?;
        } else {
            sb.push(c);
        }
    }
    Ok(())
}

/// `%tZ`: a fixed offset prints its id; a region prints the JDK's short display name, which
/// is only known here for UTC.
fn zone_text(t: &Temporal, c: char) -> Out<String> {
    match t.zone() {
        None => Err(conversion_mismatch(c, t.class).into()),
        Some(Zone::Offset(seconds)) => Ok(temporal::offset_id(*seconds)),
        Some(Zone::Region(id)) if id == "UTC" => Ok("UTC".to_owned()),
        Some(Zone::Region(id)) => Err(Failure::Unsupported(format!(
            "format(): the display name of time zone {id} (%tZ, %tc) is not supported"
        ))),
    }
}

fn java_class(arg: &FormatArg) -> &'static str {
    match arg {
        FormatArg::Null => "null",
        FormatArg::Bool(_) => "java.lang.Boolean",
        FormatArg::Int(_) => "java.lang.Long",
        FormatArg::Real(_) => "java.lang.Float",
        FormatArg::Double(_) => "java.lang.Double",
        FormatArg::Decimal { .. } => "java.math.BigDecimal",
        FormatArg::Str(_) => "java.lang.String",
        FormatArg::Date { .. } => "java.time.LocalDate",
        FormatArg::Time { .. } => "java.time.LocalTime",
        FormatArg::Timestamp { .. } => "java.time.LocalDateTime",
        FormatArg::TimestampTz { .. } => "java.time.ZonedDateTime",
    }
}

/// `String.valueOf(arg)`, i.e. the argument's Java `toString()`.
fn java_to_string(arg: &FormatArg) -> String {
    match arg {
        FormatArg::Null => "null".to_owned(),
        FormatArg::Bool(value) => value.to_string(),
        FormatArg::Int(value) => value.to_string(),
        FormatArg::Real(value) => java_double::float_to_string(*value),
        FormatArg::Double(value) => java_double::double_to_string(*value),
        FormatArg::Decimal { unscaled, scale } => number::big_decimal_to_string(*unscaled, *scale),
        FormatArg::Str(value) => value.clone(),
        other => Temporal::of(other).map(|t| t.to_java_string()).unwrap_or_default(),
    }
}

/// `arg.hashCode()` for `%h`.
fn java_hash(arg: &FormatArg) -> i32 {
    match arg {
        FormatArg::Null => 0,
        FormatArg::Bool(value) => {
            if *value {
                1231
            } else {
                1237
            }
        }
        FormatArg::Int(value) => number::long_hash(*value),
        // floatToIntBits/doubleToLongBits fold every NaN into one canonical pattern.
        FormatArg::Real(value) => (if value.is_nan() { 0x7fc0_0000 } else { value.to_bits() }) as i32,
        FormatArg::Double(value) => {
            let bits = if value.is_nan() {
                0x7ff8_0000_0000_0000
            } else {
                value.to_bits()
            };
            number::long_hash(bits as i64)
        }
        FormatArg::Decimal { unscaled, scale } => number::big_integer_hash(*unscaled)
            .wrapping_mul(31)
            .wrapping_add(i32::from(*scale)),
        FormatArg::Str(value) => temporal::string_hash(value),
        other => Temporal::of(other).map_or(0, |t| t.java_hash()),
    }
}
