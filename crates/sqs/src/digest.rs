//! The MD5 digests SQS answers so that clients can check what arrived
//! (the SDKs verify them and fail on a mismatch), computed as the SQS
//! Developer Guide documents ("Calculating the MD5 message digest for
//! message attributes"): the attributes sorted by name, each encoded as
//! name length and name, data type length and data type, one transport
//! byte (1 for String and Number, 2 for Binary), value length and value,
//! lengths as 4-byte big-endian integers, strings in UTF-8.

use md5::{Digest, Md5};

use crate::model::MessageAttributes;

/// The hex MD5 of a message body as sent.
pub fn body(body: &str) -> String {
    hex(Md5::digest(body.as_bytes()).into())
}

/// The hex MD5 of a set of attributes (message or system); `None` for no
/// attributes, for which AWS answers no digest at all.
pub fn attributes(attrs: &MessageAttributes) -> Option<String> {
    if attrs.is_empty() {
        return None;
    }
    let mut md5 = Md5::new();
    // A BTreeMap iterates in byte order of the names, which is the order
    // AWS sorts them in for the names it accepts (ASCII).
    for (name, value) in attrs {
        put(&mut md5, name.as_bytes());
        put(&mut md5, value.data_type.as_bytes());
        if value.is_binary() {
            md5.update([2u8]);
            put(&mut md5, value.binary_value.as_deref().unwrap_or_default());
        } else {
            md5.update([1u8]);
            put(&mut md5, value.string_value.as_deref().unwrap_or_default().as_bytes());
        }
    }
    Some(hex(md5.finalize().into()))
}

fn put(md5: &mut Md5, bytes: &[u8]) {
    // Attribute parts are bounded by the message size (1 MiB), far below u32.
    md5.update((bytes.len() as u32).to_be_bytes());
    md5.update(bytes);
}

fn hex(digest: [u8; 16]) -> String {
    hex::encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MessageAttributeValue as V;

    fn attrs(pairs: &[(&str, V)]) -> MessageAttributes {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn bodies_digest_as_plain_md5() {
        assert_eq!(body("hello"), "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(body("msg"), "6e2baaf3b97dbeef01c0043275f9a0e7");
        assert_eq!(body("test"), "098f6bcd4621d373cade4e832627b4f6");
        assert_eq!(body(""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    /// Values AWS answered for these attributes (recorded against AWS in
    /// LocalStack's SQS snapshots, used here as published facts).
    #[test]
    fn attributes_digest_as_aws_does() {
        assert_eq!(
            attributes(&attrs(&[("Foo", V::string("String", "Bar"))])).as_deref(),
            Some("ae7155c6026991b6d54b11589678bf9c")
        );
        let three = attrs(&[
            ("General", V::string("String", "Kenobi")),
            ("Hello", V::string("String", "There")),
            ("Help.Me", V::string("String", "Me")),
        ]);
        assert_eq!(attributes(&three).as_deref(), Some("4c360f3fdafd970e05fae2f149d997f5"));
        let two = attrs(&[
            ("General", V::string("String", "Kenobi")),
            ("Hello", V::string("String", "There")),
        ]);
        assert_eq!(attributes(&two).as_deref(), Some("fca026605781cb4126a1e9044df24232"));
        let one = attrs(&[("Hello", V::string("String", "There"))]);
        assert_eq!(attributes(&one).as_deref(), Some("a311262e065454b75da111d535b8dacd"));
        let prefixed = attrs(&[
            ("Hello", V::string("String", "There")),
            ("Help.Me", V::string("String", "Me")),
        ]);
        assert_eq!(
            attributes(&prefixed).as_deref(),
            Some("83fee93c1bcd8b9a5a923ffacdc636c7")
        );
        let binary = attrs(&[(
            "attr1",
            V::binary(
                "Binary",
                b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01".to_vec(),
            ),
        )]);
        assert_eq!(attributes(&binary).as_deref(), Some("8cbe4db156db8a94db8b801b7addb984"));
        assert_eq!(attributes(&MessageAttributes::new()), None);
    }

    #[test]
    fn binary_values_use_transport_byte_two() {
        // The documented encoding written out by hand.
        let b = attributes(&attrs(&[("a", V::binary("Binary", b"xyz".to_vec()))]));
        let mut md5 = Md5::new();
        md5.update([0, 0, 0, 1, b'a', 0, 0, 0, 6]);
        md5.update(b"Binary");
        md5.update([2, 0, 0, 0, 3]);
        md5.update(b"xyz");
        assert_eq!(b, Some(hex(md5.finalize().into())));
    }
}
