//! Percent coding (`%XX`), over the `percent-encoding` crate.
//!
//! Three readers and two writers share it: `object_store` paths, which percent-encode
//! characters such as `%`, `[` or `~` in their parts and must be decoded back to S3 keys; URL
//! components (`java.net.URI.getPath` for Trino's `url_extract_*`); and
//! `application/x-www-form-urlencoded` text, where a space is `+` (S3's `x-amz-tagging` header
//! and `encoding-type=url` listings, Trino's `url_encode`). Each writer keeps its own set of
//! bytes left unescaped, since S3 and Guava differ on `~`, `/` and `*`.
//!
//! A `%` not followed by two hex digits is kept as written, as S3 and `object_store` read it.

use std::borrow::Cow;

pub use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use percent_encoding::{percent_decode_str, utf8_percent_encode};

/// The bytes `%XX` escapes stand for; the text itself when it holds none.
pub fn decode(text: &str) -> Cow<'_, [u8]> {
    percent_decode_str(text).into()
}

/// [`decode`] read as UTF-8, with U+FFFD for invalid bytes.
pub fn decode_lossy(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, then `%XX` escapes are
/// decoded (so `%2B` is a `+`), read as UTF-8 with U+FFFD for invalid bytes.
pub fn form_decode(text: &str) -> String {
    if text.contains('+') {
        decode_lossy(&text.replace('+', " "))
    } else {
        decode_lossy(text)
    }
}

/// `application/x-www-form-urlencoded` encoding of the UTF-8 bytes of `text`: a space is `+`,
/// the bytes of `escaped` and every non-ASCII byte become `%XX` (upper-case hex), the rest stay.
pub fn form_encode(text: &str, escaped: &'static AsciiSet) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split(' ').enumerate() {
        if i > 0 {
            out.push('+');
        }
        out.extend(utf8_percent_encode(part, escaped));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guava's `urlFormParameterEscaper`: letters, digits and `-_.*` stay.
    const GUAVA_FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'*');

    #[test]
    fn decoding_keeps_malformed_escapes() {
        assert_eq!(decode_lossy("a%25b%5B1%5D%zz"), "a%b[1]%zz");
        assert_eq!(decode_lossy("%e2%82%ac%"), "€%");
        assert_eq!(decode_lossy("%4"), "%4");
        assert_eq!(decode_lossy("%+1"), "%+1");
        assert_eq!(decode_lossy("%FFx"), "\u{FFFD}x");
        assert_eq!(decode_lossy("%E2%82é"), "\u{FFFD}é");
        assert_eq!(decode("a+%FF").as_ref(), b"a+\xFF");
        assert!(matches!(decode("plain"), Cow::Borrowed(b"plain")));
    }

    #[test]
    fn form_decoding_reads_plus_as_space() {
        assert_eq!(form_decode("a+b%2Bc"), "a b+c");
        assert_eq!(form_decode("k%3D1%26x"), "k=1&x");
        assert_eq!(form_decode("%"), "%");
        assert_eq!(form_decode(""), "");
    }

    #[test]
    fn form_encoding_escapes_the_given_set() {
        assert_eq!(form_encode("a b", GUAVA_FORM), "a+b");
        assert_eq!(form_encode(" a  b ", GUAVA_FORM), "+a++b+");
        assert_eq!(form_encode("x~/*-_.", GUAVA_FORM), "x%7E%2F*-_.");
        assert_eq!(form_encode("+%€", GUAVA_FORM), "%2B%25%E2%82%AC");
        assert_eq!(form_encode("\u{0}\u{7F}", GUAVA_FORM), "%00%7F");
        assert_eq!(form_encode("", GUAVA_FORM), "");
    }
}
