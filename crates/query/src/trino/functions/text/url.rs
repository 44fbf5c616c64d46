//! The URL functions of Trino's `UrlFunctions`: the `url_extract_*` components as
//! `java.net.URI` splits them, `url_encode` as Guava's form-parameter escaper and `url_decode`
//! as `java.net.URLDecoder`.

use lakestack_compat::percent::{self, AsciiSet, NON_ALPHANUMERIC};

use super::FunctionError;

mod uri;

/// `url_extract_protocol`: the scheme exactly as written (no lower-casing); `""` when there is none.
/// `None` when `java.net.URI` rejects the text, as for every `url_extract_*` function.
pub fn url_extract_protocol(url: &str) -> Option<String> {
    uri::parse(url).map(|uri| uri.scheme.unwrap_or_default())
}

/// `url_extract_host`: the host as written, IPv6 literals keeping their brackets. `""` when the
/// authority is not a valid server name (e.g. `a_b.com`): Java then treats it as a registry name.
pub fn url_extract_host(url: &str) -> Option<String> {
    uri::parse(url).map(|uri| uri.host.unwrap_or_default())
}

/// `url_extract_port`: `None` both for invalid URLs and for URLs without a port.
pub fn url_extract_port(url: &str) -> Option<i64> {
    uri::parse(url)?.port.map(i64::from)
}

/// `url_extract_path`, percent-decoded (Trino calls `URI.getPath`, not `getRawPath`). Nothing is
/// normalised: `http://a.com` has the path `""`, not `/`.
pub fn url_extract_path(url: &str) -> Option<String> {
    uri::parse(url).map(|uri| uri.path.as_deref().map(uri::decode).unwrap_or_default())
}

/// `url_extract_query`, percent-decoded (`URI.getQuery`); `+` stays `+`.
pub fn url_extract_query(url: &str) -> Option<String> {
    uri::parse(url).map(|uri| uri.query.as_deref().map(uri::decode).unwrap_or_default())
}

/// `url_extract_fragment`, percent-decoded (`URI.getFragment`).
pub fn url_extract_fragment(url: &str) -> Option<String> {
    uri::parse(url).map(|uri| uri.fragment.as_deref().map(uri::decode).unwrap_or_default())
}

/// `url_extract_parameter`: the value of the first `name` pair of the raw query, form-decoded
/// (`+` becomes a space). Keys are compared raw, without decoding. A key without `=` yields `""`;
/// no matching key, no query or an invalid URL yield `None`.
pub fn url_extract_parameter(url: &str, name: &str) -> Option<String> {
    let query = uri::parse(url)?.query?;
    for pair in query.split('&') {
        let (key, value) = match pair.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (pair, None),
        };
        if key == name {
            // The URI parser already rejected every '%' not followed by two hex digits, so the
            // decoder cannot fail here.
            return value.map_or(Some(String::new()), |value| url_decode(value).ok());
        }
    }
    None
}

/// `url_encode`: `application/x-www-form-urlencoded` escaping as Guava's
/// `urlFormParameterEscaper` does it: ASCII letters, digits and `-_.*` are kept, a space becomes
/// `+`, every other UTF-8 byte becomes `%XX` with upper-case hex.
pub fn url_encode(value: &str) -> String {
    const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'*');
    percent::form_encode(value, ESCAPED)
}

/// `url_decode`, with the semantics of `java.net.URLDecoder.decode(value, "UTF-8")`: `+` becomes a
/// space and runs of `%XX` are decoded as UTF-8, invalid bytes turning into U+FFFD. Malformed
/// escapes fail the query (Trino does not return NULL), with the decoder's own message.
pub fn url_decode(value: &str) -> Result<String, FunctionError> {
    // Java walks UTF-16 code units; doing the same keeps its error positions and texts.
    let units: Vec<u16> = value.encode_utf16().collect();
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    while i < units.len() {
        if units[i] == u16::from(b'+') {
            out.push(' ');
            i += 1;
        } else if units[i] == u16::from(b'%') {
            i = decode_escape_run(&units, i, &mut out)?;
        } else {
            let start = i;
            while i < units.len() && units[i] != u16::from(b'+') && units[i] != u16::from(b'%') {
                i += 1;
            }
            out.push_str(&String::from_utf16_lossy(&units[start..i]));
        }
    }
    Ok(out)
}

/// Decodes the run of `%XX` escapes starting at `start` into `out`; returns the index after it.
fn decode_escape_run(units: &[u16], start: usize, out: &mut String) -> Result<usize, FunctionError> {
    let mut bytes = Vec::new();
    let mut i = start;
    while i + 2 < units.len() && units[i] == u16::from(b'%') {
        bytes.push(parse_escape_byte(&units[i + 1..i + 3])?);
        i += 3;
    }
    if i < units.len() && units[i] == u16::from(b'%') {
        return Err(FunctionError::InvalidArgument(
            "URLDecoder: Incomplete trailing escape (%) pattern".to_owned(),
        ));
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
    Ok(i)
}

/// `Integer.parseInt(pair, 16)` as `URLDecoder` applies it to the two units after a `%`. Java
/// accepts a leading sign here, so `%+1` decodes to U+0001 and `%-1` fails as a negative value.
/// Only ASCII hex digits count; Java's `Character.digit` would also take other Unicode digits
/// (fullwidth `０`, Arabic-Indic, ...), an edge left out.
fn parse_escape_byte(pair: &[u16]) -> Result<u8, FunctionError> {
    const PREFIX: &str = "URLDecoder: Illegal hex characters in escape (%) pattern - ";
    let hex = |unit: u16| char::from_u32(u32::from(unit)).and_then(|c| c.to_digit(16));
    let sign = [u16::from(b'+'), u16::from(b'-')].contains(&pair[0]);
    let value = match (sign, hex(pair[0]), hex(pair[1])) {
        (false, Some(high), Some(low)) => high * 16 + low,
        (true, _, Some(low)) if pair[0] == u16::from(b'-') && low > 0 => {
            return Err(FunctionError::InvalidArgument(format!("{PREFIX}negative value")));
        }
        (true, _, Some(low)) => low,
        (false, None, _) => return Err(bad_hex_pair(PREFIX, pair, 0)),
        (_, _, None) => return Err(bad_hex_pair(PREFIX, pair, 1)),
    };
    Ok(value as u8)
}

/// The `NumberFormatException` text `URLDecoder` appends: `Error at index N in: "xy"`.
fn bad_hex_pair(prefix: &str, pair: &[u16], index: usize) -> FunctionError {
    let text = String::from_utf16_lossy(pair);
    FunctionError::InvalidArgument(format!("{prefix}Error at index {index} in: \"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parts = (
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );

    fn extract(url: &str) -> Parts {
        (
            url_extract_protocol(url),
            url_extract_host(url),
            url_extract_port(url),
            url_extract_path(url),
            url_extract_query(url),
            url_extract_fragment(url),
        )
    }

    fn parts(protocol: &str, host: &str, port: Option<i64>, path: &str, query: &str, fragment: &str) -> Parts {
        let some = |s: &str| Some(s.to_owned());
        (
            some(protocol),
            some(host),
            port,
            some(path),
            some(query),
            some(fragment),
        )
    }

    const INVALID: Parts = (None, None, None, None, None, None);

    #[test]
    fn url_extract_matches_trino_tests() {
        let cases = [
            (
                "http://example.com/path1/p.php?k1=v1&k2=v2#Ref1",
                parts("http", "example.com", None, "/path1/p.php", "k1=v1&k2=v2", "Ref1"),
            ),
            (
                "http://example.com/path1/p.php?",
                parts("http", "example.com", None, "/path1/p.php", "", ""),
            ),
            (
                "http://example.com/path1/p.php",
                parts("http", "example.com", None, "/path1/p.php", "", ""),
            ),
            (
                "http://example.com:8080/path1/p.php?k1=v1&k2=v2#Ref1",
                parts("http", "example.com", Some(8080), "/path1/p.php", "k1=v1&k2=v2", "Ref1"),
            ),
            (
                "https://username@example.com",
                parts("https", "example.com", None, "", "", ""),
            ),
            (
                "https://username:password@example.com",
                parts("https", "example.com", None, "", "", ""),
            ),
            ("mailto:test@example.com", parts("mailto", "", None, "", "", "")),
            ("foo", parts("", "", None, "foo", "", "")),
        ];
        for (url, expected) in cases {
            assert_eq!(extract(url), expected, "{url}");
        }
        assert_eq!(extract("http://example.com/^"), INVALID);
    }

    #[test]
    fn url_components_are_not_normalised() {
        assert_eq!(
            extract("HTTP://Example.COM:80"),
            parts("HTTP", "Example.COM", Some(80), "", "", "")
        );
        assert_eq!(extract("http://a.com:0/"), parts("http", "a.com", Some(0), "/", "", ""));
        assert_eq!(extract("http://a.com:/x"), parts("http", "a.com", None, "/x", "", ""));
        assert_eq!(
            extract("http://www.example.com./"),
            parts("http", "www.example.com.", None, "/", "", "")
        );
        assert_eq!(
            extract("http://1.2.3.4:80/"),
            parts("http", "1.2.3.4", Some(80), "/", "", "")
        );
        assert_eq!(
            extract("http://user@[::1]:9/"),
            parts("http", "[::1]", Some(9), "/", "", "")
        );
    }

    #[test]
    fn url_path_query_and_fragment_are_percent_decoded() {
        assert_eq!(
            extract("http://a.com/a%20b%2Fc?x=%41+b#%42%C3%BC"),
            parts("http", "a.com", None, "/a b/c", "x=A+b", "Bü")
        );
        assert_eq!(url_extract_path("http://a.com/%FF"), Some("/\u{FFFD}".to_owned()));
        assert_eq!(
            extract("http://a.com/ü?q=é"),
            parts("http", "a.com", None, "/ü", "q=é", "")
        );
        assert_eq!(url_extract_query("http://a.com/?a=[1]"), Some("a=[1]".to_owned()));
    }

    #[test]
    fn url_relative_and_empty_authorities() {
        assert_eq!(extract("http:///path"), parts("http", "", None, "/path", "", ""));
        assert_eq!(
            extract("file:///etc/hosts"),
            parts("file", "", None, "/etc/hosts", "", "")
        );
        assert_eq!(
            extract("/relative/path?q#f"),
            parts("", "", None, "/relative/path", "q", "f")
        );
        assert_eq!(extract(""), parts("", "", None, "", "", ""));
        assert_eq!(extract("#frag"), parts("", "", None, "", "", "frag"));
        assert_eq!(extract("a:b/c"), parts("a", "", None, "", "", ""));
    }

    #[test]
    fn url_registry_authorities_have_no_host_or_port() {
        // java.net.URI keeps these valid but cannot read them as host[:port].
        for url in [
            "http://a_b.com:8080/x",
            "http://256.1.1.1/x",
            "http://a-.com/x",
            "http://-a.com/x",
            "http://a.com:99999999999/x",
            "http://a.com:abc/x",
            "http://a%41.com/x",
        ] {
            assert_eq!(extract(url), parts("http", "", None, "/x", "", ""), "{url}");
        }
    }

    #[test]
    fn url_ipv6_literals() {
        assert_eq!(url_extract_host("http://[::1]:8080/x"), Some("[::1]".to_owned()));
        assert_eq!(url_extract_port("http://[::1]:8080/x"), Some(8080));
        assert_eq!(
            url_extract_host("http://[fe80::1%eth0]/"),
            Some("[fe80::1%eth0]".to_owned())
        );
        assert_eq!(
            url_extract_host("http://[::ffff:1.2.3.4]/"),
            Some("[::ffff:1.2.3.4]".to_owned())
        );
        assert_eq!(
            url_extract_host("http://[1:2:3:4:5:6:7:8]/"),
            Some("[1:2:3:4:5:6:7:8]".to_owned())
        );
        for url in [
            "http://[1:2:3:4:5:6:7]/",
            "http://[1:2:3:4:5:6:7:8:9]/",
            "http://[1::2:3:4:5:6:7:8]/",
            "http://[::1/",
            "http://[::1]x/",
            "http://[12345::1]/",
            "http://[fe80::1%]/",
            "http://[1.2.3.4]/",
        ] {
            assert_eq!(extract(url), INVALID, "{url}");
        }
    }

    #[test]
    fn url_rejected_by_java_uri_is_null() {
        for url in [
            "http://",
            "mailto:",
            "1abc:foo",
            ":foo",
            "http://a.com/a b",
            "http://a.com/%zz",
            "http://a.com/%4",
            "http://a.com/\u{a0}",
            "http://a.com/\u{80}",
            "http://a.com/\0",
            "http://a.com/[x]",
            "http://a.com%zz/",
            "http://a.com/#a#b",
            "http://a.com/\"",
        ] {
            assert_eq!(extract(url), INVALID, "{url:?}");
        }
    }

    #[test]
    fn url_extract_parameter_matches_trino_tests() {
        let url = "http://example.com/path1/p.php?k1=v1&k2=v2&k3&k4#Ref1";
        assert_eq!(url_extract_parameter(url, "k1"), Some("v1".to_owned()));
        assert_eq!(url_extract_parameter(url, "k2"), Some("v2".to_owned()));
        assert_eq!(url_extract_parameter(url, "k3"), Some(String::new()));
        assert_eq!(url_extract_parameter(url, "k4"), Some(String::new()));
        assert_eq!(url_extract_parameter(url, "k5"), None);
        let repeated = "http://example.com/path1/p.php?k1=v1&k1=v2&k1&k1#Ref1";
        assert_eq!(url_extract_parameter(repeated, "k1"), Some("v1".to_owned()));
        let bare_first = "http://example.com/path1/p.php?k1&k1=v1&k1&k1#Ref1";
        assert_eq!(url_extract_parameter(bare_first, "k1"), Some(String::new()));
        let nested = "http://example.com/path1/p.php?k=a=b=c&x=y#Ref1";
        assert_eq!(url_extract_parameter(nested, "k"), Some("a=b=c".to_owned()));
        let escaped = "http://example.com/path1/p.php?k1=a%26k2%3Db&k2=c#Ref1";
        assert_eq!(url_extract_parameter(escaped, "k2"), Some("c".to_owned()));
        assert_eq!(url_extract_parameter("foo", "k1"), None);
    }

    #[test]
    fn url_extract_parameter_decodes_values_but_not_keys() {
        let url = "http://a.com/?a=1+2&b=%41%42&c=%E2%98%83&d%20e=1";
        assert_eq!(url_extract_parameter(url, "a"), Some("1 2".to_owned()));
        assert_eq!(url_extract_parameter(url, "b"), Some("AB".to_owned()));
        assert_eq!(url_extract_parameter(url, "c"), Some("☃".to_owned()));
        assert_eq!(url_extract_parameter(url, "d e"), None);
        assert_eq!(url_extract_parameter(url, "d%20e"), Some("1".to_owned()));
        assert_eq!(url_extract_parameter("http://a.com/", "a"), None);
        assert_eq!(url_extract_parameter("http://a.com/?", ""), Some(String::new()));
        assert_eq!(url_extract_parameter("http://a.com/?=v", ""), Some("v".to_owned()));
        assert_eq!(url_extract_parameter("http://a.com/ ?a=1", "a"), None);
    }

    #[test]
    fn url_encode_matches_trino_tests() {
        let cases = [
            ("http://test", "http%3A%2F%2Ftest"),
            ("http://test?a=b&c=d", "http%3A%2F%2Ftest%3Fa%3Db%26c%3Dd"),
            (
                "http://\u{30c6}\u{30b9}\u{30c8}",
                "http%3A%2F%2F%E3%83%86%E3%82%B9%E3%83%88",
            ),
            ("~@:.-*_+ \u{2603}", "%7E%40%3A.-*_%2B+%E2%98%83"),
            ("test", "test"),
            ("\u{29E3D}", "%F0%A9%B8%BD"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(url_encode(input), expected, "{input}");
        }
    }

    #[test]
    fn url_decode_matches_trino_tests() {
        let cases = [
            ("http%3A%2F%2Ftest", "http://test"),
            ("http%3A%2F%2Ftest%3Fa%3Db%26c%3Dd", "http://test?a=b&c=d"),
            (
                "http%3A%2F%2F%E3%83%86%E3%82%B9%E3%83%88",
                "http://\u{30c6}\u{30b9}\u{30c8}",
            ),
            ("%7E%40%3A.-*_%2B+%E2%98%83", "~@:.-*_+ \u{2603}"),
            ("test", "test"),
            ("a+b%20c", "a b c"),
            ("%ff", "\u{FFFD}"),
            ("😀%41", "😀A"),
        ];
        for (input, expected) in cases {
            assert_eq!(url_decode(input), Ok(expected.to_owned()), "{input}");
        }
    }

    #[test]
    fn url_decode_follows_java_integer_parsing_quirks() {
        assert_eq!(url_decode("%+1"), Ok("\u{1}".to_owned()));
        assert_eq!(url_decode("%-0"), Ok("\0".to_owned()));
    }

    #[test]
    fn url_decode_errors_carry_java_messages() {
        let incomplete = "URLDecoder: Incomplete trailing escape (%) pattern";
        let illegal = "URLDecoder: Illegal hex characters in escape (%) pattern - ";
        let cases = [
            ("%", incomplete.to_owned()),
            ("abc%4", incomplete.to_owned()),
            ("%41%4", incomplete.to_owned()),
            ("%zz", format!("{illegal}Error at index 0 in: \"zz\"")),
            ("%4z", format!("{illegal}Error at index 1 in: \"4z\"")),
            ("%+z", format!("{illegal}Error at index 1 in: \"+z\"")),
            ("%😀", format!("{illegal}Error at index 0 in: \"😀\"")),
            ("%-1", format!("{illegal}negative value")),
        ];
        for (input, message) in cases {
            assert_eq!(
                url_decode(input),
                Err(FunctionError::InvalidArgument(message)),
                "{input}"
            );
        }
    }
}
