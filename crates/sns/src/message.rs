//! A message as Publish takes it, checked as SNS checks it, and as it is
//! kept until every subscription has it. Checks that need the topic
//! (FIFO's group and deduplication ids) are in `publish`.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use crate::error::{Result, SnsError};
use crate::model::Protocol;

/// Publish's limit on a message with its attributes, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 262_144;
/// Subjects are at most this many characters.
pub const MAX_SUBJECT: usize = 100;
/// Message attribute names and types are shorter than this, in bytes.
pub const MAX_ATTRIBUTE_NAME: usize = 256;
/// FIFO group and deduplication ids are at most this long.
pub const MAX_FIFO_ID: usize = 128;

/// What Publish (and the in-process [`crate::Sns::publish`]) takes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublishInput {
    pub message: String,
    pub subject: Option<String>,
    /// `json` for a message of one text per protocol.
    pub message_structure: Option<String>,
    pub message_attributes: BTreeMap<String, MessageAttributeValue>,
    pub message_group_id: Option<String>,
    pub message_deduplication_id: Option<String>,
}

impl PublishInput {
    /// A plain message with nothing else.
    pub fn text(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::default()
        }
    }
}

/// A message attribute as sent: a type and one of two values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageAttributeValue {
    pub data_type: String,
    pub string_value: Option<String>,
    pub binary_value: Option<Vec<u8>>,
}

/// A message attribute once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// `String`, `String.Array`, `Number`, `Binary`, or one of those with a
    /// custom suffix (`Number.float`).
    pub data_type: String,
    pub value: AttributeValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    String(String),
    Binary(Vec<u8>),
}

impl Attribute {
    pub fn string(data_type: &str, value: &str) -> Self {
        Self {
            data_type: data_type.into(),
            value: AttributeValue::String(value.into()),
        }
    }

    /// The logical type: the data type without its custom suffix.
    pub fn kind(&self) -> &str {
        if self.data_type == "String.Array" {
            return "String.Array";
        }
        self.data_type.split('.').next().unwrap_or_default()
    }

    /// The value as an envelope writes it: text, or Binary as base64.
    pub fn text(&self) -> String {
        match &self.value {
            AttributeValue::String(s) => s.clone(),
            AttributeValue::Binary(b) => B64.encode(b),
        }
    }

    fn size(&self, name: &str) -> usize {
        let value = match &self.value {
            AttributeValue::String(s) => s.len(),
            AttributeValue::Binary(b) => b.len(),
        };
        name.len() + self.data_type.len() + value
    }
}

/// What Publish answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub message_id: String,
    /// FIFO topics number their messages.
    pub sequence_number: Option<String>,
}

fn invalid_value(message: String) -> SnsError {
    SnsError::AttributeInvalid(message)
}

/// A message attribute name as SNS allows it.
fn check_attribute_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(invalid_value("The message attribute name can not be empty.".into()));
    }
    if name.len() > MAX_ATTRIBUTE_NAME {
        return Err(invalid_value(
            "Length of message attribute name must be less than 256 bytes.".into(),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(invalid_value(format!(
            "Invalid non-alphanumeric character '#x{:X}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
            c as u32
        )));
    }
    if name.starts_with('.') {
        return Err(invalid_value(
            "Invalid message attribute name starting with character '.' was found.".into(),
        ));
    }
    if name.ends_with('.') {
        return Err(invalid_value(
            "Invalid message attribute name ending with character '.' was found.".into(),
        ));
    }
    if name.contains("..") {
        return Err(invalid_value(
            "Message attribute name can not have successive '.' character.".into(),
        ));
    }
    Ok(())
}

/// One attribute, checked: its type's prefix and the field its type uses.
fn check_attribute(name: &str, a: &MessageAttributeValue) -> Result<Attribute> {
    check_attribute_name(name)?;
    let t = a.data_type.as_str();
    if t.len() > MAX_ATTRIBUTE_NAME {
        return Err(invalid_value(
            "Length of message attribute type must be less than 256 bytes.".into(),
        ));
    }
    let prefix = t.split('.').next().unwrap_or_default();
    let suffix_ok = t.split_once('.').is_none_or(|(_, s)| !s.is_empty());
    let kind = match prefix {
        "String" | "Number" | "Binary" if suffix_ok => prefix,
        _ => {
            return Err(invalid_value(format!(
                "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
            )));
        }
    };
    let needs = if kind == "Binary" { "Binary" } else { "String" };
    let wrong_field = if kind == "Binary" {
        a.binary_value.is_none() && a.string_value.is_some()
    } else {
        a.string_value.is_none() && a.binary_value.is_some()
    };
    if wrong_field {
        return Err(invalid_value(format!(
            "The message attribute '{name}' with type '{kind}' must use field '{needs}'."
        )));
    }
    let empty = || {
        invalid_value(format!(
            "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{kind}'."
        ))
    };
    let value = if kind == "Binary" {
        match &a.binary_value {
            Some(b) if !b.is_empty() => AttributeValue::Binary(b.clone()),
            _ => return Err(empty()),
        }
    } else {
        match &a.string_value {
            Some(s) if !s.is_empty() => AttributeValue::String(s.clone()),
            _ => return Err(empty()),
        }
    };
    if let AttributeValue::String(s) = &value {
        if kind == "Number" && !is_number(s) {
            return Err(invalid_value(format!(
                "Could not cast message attribute '{name}' value to number."
            )));
        }
        if t == "String.Array" && !is_string_array(s) {
            return Err(invalid_value(format!(
                "The message attribute '{name}' with type 'String.Array' must hold a JSON array of strings, numbers, true, false or null."
            )));
        }
    }
    Ok(Attribute {
        data_type: t.to_owned(),
        value,
    })
}

/// A Number attribute's value: a decimal number, as SQS and SNS read it.
pub(crate) fn is_number(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// A String.Array attribute's value: a JSON array of scalars.
fn is_string_array(s: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(serde_json::Value::Array(items)) => items
            .iter()
            .all(|v| !matches!(v, serde_json::Value::Array(_) | serde_json::Value::Object(_))),
        _ => false,
    }
}

/// Every attribute of a message, checked.
pub(crate) fn check_attributes(attrs: &BTreeMap<String, MessageAttributeValue>) -> Result<BTreeMap<String, Attribute>> {
    attrs
        .iter()
        .map(|(name, a)| Ok((name.clone(), check_attribute(name, a)?)))
        .collect()
}

/// The bytes a message counts against SNS's limit: its text and every part
/// of every attribute.
pub(crate) fn size(message: &str, attrs: &BTreeMap<String, Attribute>) -> usize {
    message.len() + attrs.iter().map(|(n, a)| a.size(n)).sum::<usize>()
}

/// A Subject: ASCII text starting with a letter, digit or punctuation, no
/// line breaks or control characters, at most 100 characters.
pub(crate) fn check_subject(subject: &str) -> Result<()> {
    let ok = !subject.is_empty()
        && subject.len() <= MAX_SUBJECT
        && subject.bytes().all(|b| (0x20..0x7f).contains(&b))
        && subject.bytes().next().is_some_and(|b| b.is_ascii_graphic());
    if ok { Ok(()) } else { Err(SnsError::invalid("Subject")) }
}

/// The texts of a `MessageStructure=json` message: a JSON object of
/// strings with a `default`.
pub(crate) fn parse_structure(message: &str) -> Result<BTreeMap<String, String>> {
    let parsed: serde_json::Value = serde_json::from_str(message)
        .map_err(|_| SnsError::invalid("Message Structure - JSON message body failed to parse"))?;
    let serde_json::Value::Object(map) = parsed else {
        return Err(SnsError::invalid(
            "Message Structure - JSON message body failed to parse",
        ));
    };
    let texts: BTreeMap<String, String> = map
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect();
    if !texts.contains_key("default") {
        return Err(SnsError::invalid(
            "Message Structure - No default entry in JSON message body",
        ));
    }
    Ok(texts)
}

/// A FIFO group or deduplication id: 1 to 128 characters of ASCII letters,
/// digits and punctuation.
pub(crate) fn check_fifo_id(member: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty() && value.len() <= MAX_FIFO_ID && value.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(SnsError::invalid(format!(
            "{member} Reason: {member} must be 1 to 128 characters of ASCII letters, digits and punctuation"
        )))
    }
}

/// A message as kept until its deliveries are done. A format of the
/// service's file: `v` is its version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub v: u32,
    pub message_id: String,
    pub topic_arn: String,
    pub subject: Option<String>,
    pub message: String,
    /// The texts per protocol of a `MessageStructure=json` message.
    pub structure: Option<BTreeMap<String, String>>,
    /// Name → [type, text], Binary values as base64.
    pub attributes: BTreeMap<String, (String, String)>,
    pub timestamp_ms: i64,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
    pub sequence: Option<String>,
    /// The topic's SignatureVersion when it was published.
    pub signature_version: String,
}

impl Stored {
    /// The text a protocol receives: its own under `MessageStructure=json`,
    /// else the message.
    pub fn text_for(&self, p: Protocol) -> &str {
        match &self.structure {
            Some(texts) => texts
                .get(p.structure_key())
                .or_else(|| texts.get("default"))
                .map_or(self.message.as_str(), String::as_str),
            None => &self.message,
        }
    }

    /// The attributes as deliveries carry them. A `MessageStructure=json`
    /// message delivers none, as AWS documents.
    pub fn attributes(&self) -> BTreeMap<String, Attribute> {
        if self.structure.is_some() {
            return BTreeMap::new();
        }
        self.all_attributes()
    }

    /// The attributes as published, for filter policies.
    pub fn all_attributes(&self) -> BTreeMap<String, Attribute> {
        self.attributes
            .iter()
            .map(|(name, (t, text))| {
                let value = if t.split('.').next() == Some("Binary") {
                    AttributeValue::Binary(B64.decode(text).unwrap_or_default())
                } else {
                    AttributeValue::String(text.clone())
                };
                (
                    name.clone(),
                    Attribute {
                        data_type: t.clone(),
                        value,
                    },
                )
            })
            .collect()
    }

    pub fn store_attributes(attrs: &BTreeMap<String, Attribute>) -> BTreeMap<String, (String, String)> {
        attrs
            .iter()
            .map(|(n, a)| (n.clone(), (a.data_type.clone(), a.text())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(t: &str, s: Option<&str>, b: Option<&[u8]>) -> MessageAttributeValue {
        MessageAttributeValue {
            data_type: t.into(),
            string_value: s.map(str::to_owned),
            binary_value: b.map(<[u8]>::to_vec),
        }
    }

    fn err(name: &str, a: MessageAttributeValue) -> String {
        check_attribute(name, &a).unwrap_err().to_string()
    }

    #[test]
    fn attributes_are_refused_as_sns_refuses_them() {
        assert_eq!(
            err("attr1", attr("String", Some(""), None)),
            "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."
        );
        assert_eq!(
            err("attr1", attr("String", None, Some(b"x"))),
            "The message attribute 'attr1' with type 'String' must use field 'String'."
        );
        assert_eq!(
            err("attr1", attr("Number", None, Some(b"x"))),
            "The message attribute 'attr1' with type 'Number' must use field 'String'."
        );
        assert_eq!(
            err("attr1", attr("Binary", Some("x"), None)),
            "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."
        );
        assert_eq!(
            err("attr1", attr("Binary", None, None)),
            "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'Binary'."
        );
        assert_eq!(
            err("attr1", attr("Integer", Some("1"), None)),
            "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
        );
        assert_eq!(
            err("a^b", attr("String", Some("x"), None)),
            "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."
        );
        assert_eq!(
            err(".a", attr("String", Some("x"), None)),
            "Invalid message attribute name starting with character '.' was found."
        );
        assert_eq!(
            err("a.", attr("String", Some("x"), None)),
            "Invalid message attribute name ending with character '.' was found."
        );
        assert_eq!(
            err("a..b", attr("String", Some("x"), None)),
            "Message attribute name can not have successive '.' character."
        );
        assert_eq!(
            err(&"a".repeat(257), attr("String", Some("x"), None)),
            "Length of message attribute name must be less than 256 bytes."
        );
        assert_eq!(
            err("n", attr("Number", Some("12a"), None)),
            "Could not cast message attribute 'n' value to number."
        );
        assert!(check_attribute("n", &attr("Number.float", Some("-1.5e3"), None)).is_ok());
        assert!(check_attribute("s", &attr("String.Array", Some(r#"["a", 1, true, null]"#), None)).is_ok());
        assert!(check_attribute("s", &attr("String.Array", Some(r#"["a", ["b"]]"#), None)).is_err());
        assert!(check_attribute("s", &attr("String.custom", Some("x"), None)).is_ok());
        assert!(check_attribute("s", &attr("String.", Some("x"), None)).is_err());
    }

    #[test]
    fn sizes_count_every_part_of_every_attribute() {
        let attrs = check_attributes(&BTreeMap::from([(
            "ab".to_string(),
            attr("Binary", None, Some(b"xyz")),
        )]))
        .unwrap();
        assert_eq!(size("hello", &attrs), 5 + 2 + 6 + 3);
    }

    #[test]
    fn structures_need_a_default_text() {
        assert_eq!(
            parse_structure(r#"{"default": "d", "sqs": "q", "x": 1}"#).unwrap(),
            BTreeMap::from([("default".into(), "d".into()), ("sqs".into(), "q".into())])
        );
        assert_eq!(
            parse_structure("nope").unwrap_err().to_string(),
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        );
        assert_eq!(
            parse_structure(r#"{"default": 1}"#).unwrap_err().to_string(),
            "Invalid parameter: Message Structure - No default entry in JSON message body"
        );
    }

    #[test]
    fn subjects() {
        assert!(check_subject("Hello, world!").is_ok());
        assert!(check_subject("").is_err());
        assert!(check_subject(" leading space").is_err());
        assert!(check_subject("line\nbreak").is_err());
        assert!(check_subject("é").is_err());
        assert!(check_subject(&"s".repeat(101)).is_err());
    }
}
