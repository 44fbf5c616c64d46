//! A re-implementation of the `java.net.URI(String)` parser (RFC 2396 plus Java's deviations).
//!
//! The `url` crate is deliberately not used: it follows the WHATWG URL standard, which
//! lower-cases hosts, adds `/` as the path of `http://a.com`, accepts spaces and decodes IDNs,
//! whereas Trino reports the components exactly as `java.net.URI` splits them and returns NULL
//! for everything `URI` rejects.

#[derive(Debug, Default)]
pub(super) struct Uri {
    pub(super) scheme: Option<String>,
    pub(super) host: Option<String>,
    pub(super) port: Option<i32>,
    /// Raw (still percent-encoded) path; `None` for opaque URIs such as `mailto:x@y`.
    pub(super) path: Option<String>,
    pub(super) query: Option<String>,
    pub(super) fragment: Option<String>,
}

/// `new URI(text)`, or `None` where Java throws `URISyntaxException`.
///
/// Java's parser also throws `NumberFormatException` for an IPv4 part with more digits than
/// an `int` holds inside an IPv6 literal, which fails the Trino query instead of giving NULL;
/// that freak case yields `None` here.
pub(super) fn parse(text: &str) -> Option<Uri> {
    let mut parser = Parser {
        s: text.chars().collect(),
        uri: Uri::default(),
        ipv6_bytes: 0,
    };
    parser.uri_reference().ok()?;
    Some(parser.uri)
}

/// `URI.getPath`/`getQuery`/`getFragment` decoding: `%XX` escapes are decoded as UTF-8
/// with invalid bytes replaced by U+FFFD; `+` is left alone. (Java skips `%` inside
/// `[...]` for paths, but a valid path cannot contain brackets.)
pub(super) fn decode(raw: &str) -> String {
    lakestack_compat::percent::decode_lossy(raw)
}

/// `URISyntaxException`; Trino maps it to NULL, so the reason is not kept.
struct Invalid;

type Step<T> = Result<T, Invalid>;

/// A set of ASCII characters, plus whether `%XX` escapes and visible non-ASCII characters
/// ("other" in `java.net.URI`'s terms) are also allowed.
#[derive(Clone, Copy, Debug)]
pub(super) struct Class {
    pub(super) bits: u128,
    pub(super) escapes: bool,
}

impl Class {
    const fn of(chars: &str) -> Class {
        let bytes = chars.as_bytes();
        let mut bits = 0u128;
        let mut i = 0;
        while i < bytes.len() {
            bits |= 1u128 << bytes[i];
            i += 1;
        }
        Class { bits, escapes: false }
    }

    const fn range(first: u8, last: u8) -> Class {
        let mut bits = 0u128;
        let mut c = first;
        while c <= last {
            bits |= 1u128 << c;
            c += 1;
        }
        Class { bits, escapes: false }
    }

    const fn or(self, other: Class) -> Class {
        Class {
            bits: self.bits | other.bits,
            escapes: self.escapes || other.escapes,
        }
    }

    const fn escaped(self) -> Class {
        Class {
            bits: self.bits,
            escapes: true,
        }
    }

    fn allows(self, c: char) -> bool {
        let code = u32::from(c);
        code != 0 && code < 128 && self.bits & (1u128 << code) != 0
    }
}

// The character classes of RFC 2396 as java.net.URI defines them (with "[]" reserved, per
// RFC 2732).
pub(super) const DIGIT: Class = Class::range(b'0', b'9');
pub(super) const ALPHA: Class = Class::range(b'a', b'z').or(Class::range(b'A', b'Z'));
const ALPHANUM: Class = ALPHA.or(DIGIT);
const HEX: Class = DIGIT.or(Class::range(b'a', b'f')).or(Class::range(b'A', b'F'));
pub(super) const UNRESERVED: Class = ALPHANUM.or(Class::of("-_.!~*'()"));
pub(super) const RESERVED: Class = Class::of(";/?:@&=+$,[]");
pub(super) const URIC: Class = RESERVED.or(UNRESERVED).escaped();
pub(super) const PATH: Class = UNRESERVED.or(Class::of(":@&=+$,;/")).escaped();
pub(super) const USERINFO: Class = UNRESERVED.or(Class::of(";:&=+$,")).escaped();
pub(super) const REG_NAME: Class = UNRESERVED.or(Class::of("$,;:@&=+")).escaped();
pub(super) const SERVER: Class = USERINFO.or(ALPHANUM).or(Class::of("-.:@[]"));
pub(super) const SERVER_PERCENT: Class = SERVER.or(Class::of("%"));
pub(super) const SCHEME: Class = ALPHANUM.or(Class::of("+-."));
pub(super) const SCOPE_ID: Class = ALPHANUM.or(Class::of("_."));
const IPV4: Class = DIGIT.or(Class::of("."));
const LABEL: Class = ALPHANUM.or(Class::of("-"));

/// Java's test for an unescaped non-ASCII character: above U+0080 and neither a Unicode
/// space separator nor an ISO control character.
fn is_visible_other(c: char) -> bool {
    let code = u32::from(c);
    let space = matches!(
        code,
        0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000
    );
    code > 128 && !space && !(0x7F..=0x9F).contains(&code)
}

struct Parser {
    s: Vec<char>,
    uri: Uri,
    ipv6_bytes: u32,
}

impl Parser {
    fn at(&self, p: usize, end: usize, c: char) -> bool {
        p < end && self.s[p] == c
    }

    fn at_str(&self, p: usize, end: usize, text: &str) -> bool {
        text.chars().enumerate().all(|(i, c)| self.at(p + i, end, c))
    }

    fn text(&self, start: usize, end: usize) -> String {
        self.s[start..end].iter().collect()
    }

    /// Index of the first of `stops` in `[start, end)`, or `end`.
    fn find_stop(&self, start: usize, end: usize, stops: &str) -> usize {
        (start..end).find(|&p| stops.contains(self.s[p])).unwrap_or(end)
    }

    /// Like [`Self::find_stop`], but `None` when one of `errors` comes first.
    fn find_stop_unless(&self, start: usize, end: usize, errors: &str, stops: &str) -> Option<usize> {
        for p in start..end {
            if errors.contains(self.s[p]) {
                return None;
            }
            if stops.contains(self.s[p]) {
                return Some(p);
            }
        }
        Some(end)
    }

    /// End of the run of `class` characters from `start`; a malformed escape is an error
    /// wherever escapes are allowed.
    fn scan(&self, start: usize, end: usize, class: Class) -> Step<usize> {
        let mut p = start;
        while p < end {
            let c = self.s[p];
            if class.allows(c) {
                p += 1;
            } else if class.escapes && c == '%' {
                let hex_at = |i: usize| i < end && HEX.allows(self.s[i]);
                if !(hex_at(p + 1) && hex_at(p + 2)) {
                    return Err(Invalid);
                }
                p += 3;
            } else if class.escapes && is_visible_other(c) {
                p += 1;
            } else {
                break;
            }
        }
        Ok(p)
    }

    fn check(&self, start: usize, end: usize, class: Class) -> Step<()> {
        if start < end && self.scan(start, end, class)? < end {
            Err(Invalid)
        } else {
            Ok(())
        }
    }

    /// `[scheme:]scheme-specific-part[#fragment]`
    fn uri_reference(&mut self) -> Step<()> {
        let n = self.s.len();
        let mut p = match self.find_stop_unless(0, n, "/?#", ":") {
            Some(colon) if self.at(colon, n, ':') => self.scheme_and_rest(colon)?,
            _ => self.hierarchical(0)?,
        };
        if self.at(p, n, '#') {
            self.check(p + 1, n, URIC)?;
            self.uri.fragment = Some(self.text(p + 1, n));
            p = n;
        }
        if p < n { Err(Invalid) } else { Ok(()) }
    }

    fn scheme_and_rest(&mut self, colon: usize) -> Step<usize> {
        let n = self.s.len();
        if colon == 0 {
            return Err(Invalid);
        }
        self.check(0, 1, ALPHA)?;
        self.check(1, colon, SCHEME)?;
        self.uri.scheme = Some(self.text(0, colon));
        let p = colon + 1;
        if self.at(p, n, '/') {
            return self.hierarchical(p);
        }
        // Opaque (`mailto:a@b.com`): it has no authority, path or query at all.
        let q = self.find_stop(p, n, "#");
        if q <= p {
            return Err(Invalid);
        }
        self.check(p, q, URIC)?;
        Ok(q)
    }

    /// `[//authority]path[?query]`. Like Java, an empty authority is allowed before a path,
    /// query or fragment (`file:///x`), and the path may be empty.
    fn hierarchical(&mut self, start: usize) -> Step<usize> {
        let n = self.s.len();
        let mut p = start;
        if self.at(p, n, '/') && self.at(p + 1, n, '/') {
            p += 2;
            let q = self.find_stop(p, n, "/?#");
            if q > p {
                p = self.authority(p, q)?;
            } else if q >= n {
                return Err(Invalid);
            }
        }
        let q = self.find_stop(p, n, "?#");
        self.check(p, q, PATH)?;
        self.uri.path = Some(self.text(p, q));
        p = q;
        if self.at(p, n, '?') {
            p += 1;
            let q = self.find_stop(p, n, "#");
            self.check(p, q, URIC)?;
            self.uri.query = Some(self.text(p, q));
            p = q;
        }
        Ok(p)
    }

    /// A server (`user@host:port`) when it parses as one; otherwise a registry name, which
    /// leaves host and port undefined but the URI valid.
    fn authority(&mut self, start: usize, end: usize) -> Step<usize> {
        // Java's test is "a ']' is not the first character", which also holds when there is
        // none; raw '%' then passes here but the registry scan below still vets escapes.
        let class = if self.find_stop(start, end, "]") > start {
            SERVER_PERCENT
        } else {
            SERVER
        };
        let server_chars = self.scan(start, end, class)? == end;
        let registry_chars = self.scan(start, end, REG_NAME)? == end;
        if server_chars && self.server(start, end).is_ok() {
            return Ok(end);
        }
        self.uri.host = None;
        self.uri.port = None;
        if registry_chars { Ok(end) } else { Err(Invalid) }
    }

    fn server(&mut self, start: usize, end: usize) -> Step<()> {
        let mut p = start;
        if let Some(at) = self.find_stop_unless(p, end, "/?#", "@")
            && self.at(at, end, '@')
        {
            self.check(p, at, USERINFO)?;
            p = at + 1;
        }
        p = if self.at(p, end, '[') {
            self.ipv6_host(p, end)?
        } else {
            self.ipv4_or_hostname(p, end)?
        };
        if self.at(p, end, ':') {
            p += 1;
            let q = self.find_stop(p, end, "/");
            if q > p {
                self.check(p, q, DIGIT)?;
                self.uri.port = Some(self.text(p, q).parse().map_err(|_| Invalid)?);
                p = q;
            }
        }
        if p < end { Err(Invalid) } else { Ok(()) }
    }

    fn ipv6_host(&mut self, open: usize, end: usize) -> Step<usize> {
        let p = open + 1;
        let close = match self.find_stop_unless(p, end, "/?#", "]") {
            Some(q) if q > p && self.at(q, end, ']') => q,
            _ => return Err(Invalid),
        };
        let percent = self.find_stop(p, close, "%");
        if percent > p {
            self.ipv6_address(p, percent)?;
            if percent + 1 == close {
                return Err(Invalid);
            }
            self.check(percent + 1, close, SCOPE_ID)?;
        } else {
            self.ipv6_address(p, close)?;
        }
        self.uri.host = Some(self.text(open, close + 1));
        Ok(close + 1)
    }

    fn ipv4_or_hostname(&mut self, start: usize, end: usize) -> Step<usize> {
        match self.ipv4_host(start, end) {
            Some(q) => Ok(q),
            None => self.hostname(start, end),
        }
    }

    /// A leading dotted quad followed by nothing or `:`; anything else falls back to the
    /// hostname grammar, which then usually fails (e.g. `256.1.1.1`).
    fn ipv4_host(&mut self, start: usize, end: usize) -> Option<usize> {
        let q = self.ipv4_address(start, end, false).ok().flatten()?;
        if q < end && self.s[q] != ':' {
            return None;
        }
        self.uri.host = Some(self.text(start, q));
        Some(q)
    }

    /// `Ok(None)` when the text does not even start like an address; `Err` when it starts
    /// like one but is malformed.
    fn ipv4_address(&self, start: usize, end: usize, whole: bool) -> Step<Option<usize>> {
        let m = self.scan(start, end, IPV4)?;
        if m <= start || (whole && m != end) {
            return Ok(None);
        }
        let mut p = start;
        for part in 0..4 {
            if part > 0 {
                if !self.at(p, m, '.') {
                    return Err(Invalid);
                }
                p += 1;
            }
            let q = self.ipv4_byte(p, m)?;
            if q <= p {
                return Err(Invalid);
            }
            p = q;
        }
        if p < m { Err(Invalid) } else { Ok(Some(p)) }
    }

    /// Digits worth at most 255 (any count of digits; `Integer.parseInt` overflow is fatal).
    fn ipv4_byte(&self, start: usize, end: usize) -> Step<usize> {
        let q = self.scan(start, end, DIGIT)?;
        if q <= start {
            return Ok(q);
        }
        let value: i32 = self.text(start, q).parse().map_err(|_| Invalid)?;
        Ok(if value > 255 { start } else { q })
    }

    /// `label *("." label) ["."]` where labels are alphanumerics with inner dashes and the
    /// last label of a dotted name starts with a letter.
    fn hostname(&mut self, start: usize, end: usize) -> Step<usize> {
        let mut p = start;
        let mut last_label = None;
        loop {
            let q = self.scan(p, end, ALPHANUM)?;
            if q <= p {
                break;
            }
            last_label = Some(p);
            p = q;
            let q = self.scan(p, end, LABEL)?;
            if q > p {
                if self.s[q - 1] == '-' {
                    return Err(Invalid);
                }
                p = q;
            }
            if !self.at(p, end, '.') {
                break;
            }
            p += 1;
            if p >= end {
                break;
            }
        }
        if p < end && !self.at(p, end, ':') {
            return Err(Invalid);
        }
        let label = last_label.ok_or(Invalid)?;
        if label > start && !ALPHA.allows(self.s[label]) {
            return Err(Invalid);
        }
        self.uri.host = Some(self.text(start, p));
        Ok(p)
    }

    /// RFC 2373 addresses as Java accepts them: hex groups, at most one `::`, an optional
    /// trailing dotted quad, and exactly 16 bytes unless compressed.
    fn ipv6_address(&mut self, start: usize, end: usize) -> Step<()> {
        let mut p = start;
        let mut compressed = false;
        match self.hex_sequence(p, end)? {
            Some(q) => {
                p = q;
                if self.at_str(p, end, "::") {
                    compressed = true;
                    p = self.hex_tail(p + 2, end)?;
                } else if self.at(p, end, ':') {
                    p = self.whole_ipv4(p + 1, end)?;
                    self.ipv6_bytes += 4;
                }
            }
            None if self.at_str(p, end, "::") => {
                compressed = true;
                p = self.hex_tail(p + 2, end)?;
            }
            None => {}
        }
        let bytes = self.ipv6_bytes;
        if p < end || bytes > 16 || (!compressed && bytes < 16) || (compressed && bytes == 16) {
            return Err(Invalid);
        }
        Ok(())
    }

    fn hex_tail(&mut self, start: usize, end: usize) -> Step<usize> {
        if start == end {
            return Ok(start);
        }
        match self.hex_sequence(start, end)? {
            Some(q) if self.at(q, end, ':') => {
                let r = self.whole_ipv4(q + 1, end)?;
                self.ipv6_bytes += 4;
                Ok(r)
            }
            Some(q) => Ok(q),
            None => {
                let r = self.whole_ipv4(start, end)?;
                self.ipv6_bytes += 4;
                Ok(r)
            }
        }
    }

    /// `hex4 *(":" hex4)`, stopping before `::` and before a group that starts a dotted quad.
    fn hex_sequence(&mut self, start: usize, end: usize) -> Step<Option<usize>> {
        let q = self.scan(start, end, HEX)?;
        if q <= start || self.at(q, end, '.') {
            return Ok(None);
        }
        if q > start + 4 {
            return Err(Invalid);
        }
        self.ipv6_bytes += 2;
        let mut p = q;
        while p < end {
            if !self.at(p, end, ':') || self.at(p + 1, end, ':') {
                break;
            }
            p += 1;
            let q = self.scan(p, end, HEX)?;
            if q <= p {
                return Err(Invalid);
            }
            if self.at(q, end, '.') {
                p -= 1;
                break;
            }
            if q > p + 4 {
                return Err(Invalid);
            }
            self.ipv6_bytes += 2;
            p = q;
        }
        Ok(Some(p))
    }

    fn whole_ipv4(&self, start: usize, end: usize) -> Step<usize> {
        self.ipv4_address(start, end, true)?.ok_or(Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_character_classes_equal_openjdk_masks() {
        let mask = |low: u64, high: u64| (u128::from(high) << 64) | u128::from(low);
        let java = |class: Class| class.bits | u128::from(class.escapes);
        // Constants as declared in java.net.URI.
        let (l_digit, h_alpha) = (0x3FF000000000000u64, 0x7FFFFFEu64 | 0x7FFFFFE00000000);
        let (l_unreserved, h_unreserved) = (l_digit | 0x678200000000, h_alpha | 0x4000000080000000);
        let (l_reserved, h_reserved) = (0xAC00985000000000u64, 0x28000001u64);
        let l_pchar = l_unreserved | 1 | 0x2400185000000000;
        let l_userinfo = l_unreserved | 1 | 0x2C00185000000000;
        let l_server = l_userinfo | l_digit | 0x200000000000 | 0x400400000000000;
        let h_server = h_unreserved | h_alpha | 0x28000001;
        assert_eq!(java(DIGIT), mask(l_digit, 0));
        assert_eq!(java(ALPHA), mask(0, h_alpha));
        assert_eq!(java(UNRESERVED), mask(l_unreserved, h_unreserved));
        assert_eq!(java(RESERVED), mask(l_reserved, h_reserved));
        assert_eq!(
            java(URIC),
            mask(l_reserved | l_unreserved | 1, h_reserved | h_unreserved)
        );
        assert_eq!(java(PATH), mask(l_pchar | 0x800800000000000, h_unreserved | 1));
        assert_eq!(java(USERINFO), mask(l_userinfo, h_unreserved));
        assert_eq!(
            java(REG_NAME),
            mask(l_unreserved | 1 | 0x2C00185000000000, h_unreserved | 1)
        );
        assert_eq!(java(SERVER), mask(l_server, h_server));
        assert_eq!(java(SERVER_PERCENT), mask(l_server | 0x2000000000, h_server));
        assert_eq!(java(SCHEME), mask(l_digit | 0x680000000000, h_alpha));
        assert_eq!(java(SCOPE_ID), mask(l_digit | 0x400000000000, h_alpha | 0x80000000));
    }
}
