//! awsQuery: requests are forms (`Action=GetCallerIdentity&Version=...`,
//! lists as `Name.member.1`, maps as `Name.entry.1.key`), answers are XML
//! (`<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>`).
//! A form is turned into the JSON value the operation's input types read,
//! and an answer's members are written back as XML.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::ServiceError;
use crate::spec::ServiceSpec;

/// A form with more pairs, or a key with more dotted parts, is refused:
/// no AWS query shape comes near either.
pub const MAX_PAIRS: usize = 10_000;
pub const MAX_KEY_DEPTH: usize = 16;

/// A decoded awsQuery request.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryForm {
    pub action: String,
    pub version: Option<String>,
    /// Every other pair, nested by its dotted key.
    pub params: Value,
}

#[derive(Default)]
struct Node {
    leaf: Option<String>,
    children: BTreeMap<String, Node>,
}

/// Reads a form body (or a query string) of an awsQuery request.
pub fn parse_form(form: &[u8]) -> Result<QueryForm, ServiceError> {
    let mut root = Node::default();
    let (mut action, mut version) = (None, None);
    for (i, (k, v)) in form_urlencoded::parse(form).enumerate() {
        if i >= MAX_PAIRS {
            return Err(ServiceError::client(
                "MalformedQueryString",
                format!("The request has more than {MAX_PAIRS} parameters"),
            ));
        }
        match k.as_ref() {
            "Action" => action = Some(v.into_owned()),
            "Version" => version = Some(v.into_owned()),
            _ => {
                let parts: Vec<&str> = k.split('.').collect();
                if parts.len() > MAX_KEY_DEPTH || parts.iter().any(|p| p.is_empty()) {
                    return Err(ServiceError::client(
                        "MalformedQueryString",
                        format!("The parameter name {k:?} is not valid"),
                    ));
                }
                let mut node = &mut root;
                for p in parts {
                    node = node.children.entry(p.to_owned()).or_default();
                }
                node.leaf = Some(v.into_owned());
            }
        }
    }
    let action =
        action.ok_or_else(|| ServiceError::client("MissingAction", "The request must contain the parameter Action"))?;
    // A form of `Action` and `Version` alone is an input with no members.
    let params = match to_value(root) {
        Value::Null => Value::Object(Map::new()),
        v => v,
    };
    Ok(QueryForm {
        action,
        version,
        params,
    })
}

/// Lists (`.member.N` or `.N`) become arrays in index order; maps
/// (`.entry.N.key`/`.value`) become objects; everything else nests.
fn to_value(node: Node) -> Value {
    if node.children.is_empty() {
        return node.leaf.map(Value::String).unwrap_or(Value::Null);
    }
    let numeric = |n: &Node| !n.children.is_empty() && n.children.keys().all(|k| k.parse::<u32>().is_ok());
    if numeric(&node) {
        let mut items: Vec<(u32, Node)> = node
            .children
            .into_iter()
            .map(|(k, v)| (k.parse().unwrap_or(u32::MAX), v))
            .collect();
        items.sort_by_key(|(i, _)| *i);
        return Value::Array(items.into_iter().map(|(_, v)| to_value(v)).collect());
    }
    if node.children.len() == 1
        && let Some((k, only)) = node.children.iter().next()
        && (k == "member" || k == "entry")
        && numeric(only)
    {
        let (k, only) = node.children.into_iter().next().unwrap_or_default();
        let list = to_value(only);
        if k == "entry" {
            return entries_to_map(list);
        }
        return list;
    }
    Value::Object(node.children.into_iter().map(|(k, v)| (k, to_value(v))).collect())
}

/// A map's entries as `key`/`value`, or as `Name`/`Value` where the model
/// renames them (SNS's `MessageAttributes.entry.N.Name`).
fn entries_to_map(list: Value) -> Value {
    let Value::Array(items) = list else { return list };
    let mut out = Map::new();
    for item in items {
        let Value::Object(mut e) = item else { continue };
        let (key, value) = if e.contains_key("key") {
            ("key", "value")
        } else {
            ("Name", "Value")
        };
        if let Some(Value::String(k)) = e.remove(key) {
            out.insert(k, e.remove(value).unwrap_or(Value::Null));
        }
    }
    Value::Object(out)
}

/// The member name that marks a map written as awsQuery writes maps:
/// repeated `<entry><key>k</key><value>v</value></entry>` elements.
pub const ENTRY: &str = "entry";

/// A map as an answer's member in awsQuery's map shape (see [`ENTRY`]):
/// `{"entry": [{"key": k, "value": v}, ...]}`, which [`response_xml`]
/// writes as `<entry>` elements. A JSON object cannot carry the
/// difference between a map and a structure, so a service marks its maps.
pub fn entries<K: Into<String>>(map: impl IntoIterator<Item = (K, Value)>) -> Value {
    let items: Vec<Value> = map
        .into_iter()
        .map(|(k, v)| {
            let mut e = Map::new();
            e.insert("key".into(), Value::String(k.into()));
            e.insert("value".into(), v);
            Value::Object(e)
        })
        .collect();
    let mut m = Map::new();
    m.insert(ENTRY.into(), Value::Array(items));
    Value::Object(m)
}

/// Escapes text for an XML element or attribute.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn xmlns(spec: &ServiceSpec) -> String {
    spec.xml_namespace
        .map(|ns| format!(" xmlns=\"{}\"", xml_escape(ns)))
        .unwrap_or_default()
}

/// `<OpResponse><OpResult>members</OpResult><ResponseMetadata>...`; an
/// operation without output members has no `OpResult`.
pub fn response_xml(spec: &ServiceSpec, operation: &str, members: &Value, request_id: &str) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{operation}Response{}>",
        xmlns(spec)
    );
    if members.as_object().is_none_or(|m| !m.is_empty()) {
        let _ = write!(out, "<{operation}Result>");
        write_members(&mut out, members, spec.xml_flattened_lists);
        let _ = write!(out, "</{operation}Result>");
    }
    let _ = write!(
        out,
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{operation}Response>",
        xml_escape(request_id)
    );
    out
}

fn write_members(out: &mut String, v: &Value, flattened: bool) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::Null => {}
                    // A map's entries are never wrapped, whatever the spec
                    // says of lists.
                    Value::Array(items) if flattened || k == ENTRY => {
                        for item in items {
                            let _ = write!(out, "<{k}>");
                            write_members(out, item, flattened);
                            let _ = write!(out, "</{k}>");
                        }
                    }
                    _ => {
                        let _ = write!(out, "<{k}>");
                        write_members(out, x, flattened);
                        let _ = write!(out, "</{k}>");
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push_str("<member>");
                write_members(out, item, flattened);
                out.push_str("</member>");
            }
        }
        Value::String(s) => out.push_str(&xml_escape(s)),
        Value::Null => {}
        other => out.push_str(&other.to_string()),
    }
}

/// awsQuery's error document.
pub fn error_xml(spec: &ServiceSpec, err: &ServiceError, request_id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse{}><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        xmlns(spec),
        err.fault().as_str(),
        xml_escape(&err.code),
        xml_escape(&err.message),
        xml_escape(request_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forms_nest_lists_and_maps() {
        let f = parse_form(
            b"Action=CreateTopic&Version=2010-03-31&Name=t%2B1&Tags.member.2.Key=b&Tags.member.1.Key=a\
              &Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=x+y&AttributeName.1=All",
        )
        .unwrap();
        assert_eq!(f.action, "CreateTopic");
        assert_eq!(f.version.as_deref(), Some("2010-03-31"));
        assert_eq!(
            f.params,
            json!({
                "AttributeName": ["All"],
                "Attributes": {"DisplayName": "x y"},
                "Name": "t+1",
                "Tags": [{"Key": "a"}, {"Key": "b"}]
            })
        );
    }

    #[test]
    fn map_entries_may_name_their_parts_as_the_model_does() {
        let f = parse_form(
            b"Action=Publish&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String\
              &MessageAttributes.entry.1.Value.StringValue=x&Attributes.entry.1.key=k&Attributes.entry.1.value=v",
        )
        .unwrap();
        assert_eq!(
            f.params,
            json!({
                "Attributes": {"k": "v"},
                "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}}
            })
        );
    }

    #[test]
    fn maps_marked_as_entries_are_written_as_entry_elements() {
        let spec = crate::spec::DEFAULT;
        let attrs = entries([("Owner", json!("1")), ("Policy", json!("{\"a\":1}"))]);
        assert_eq!(
            attrs,
            json!({"entry": [{"key": "Owner", "value": "1"}, {"key": "Policy", "value": "{\"a\":1}"}]})
        );
        let xml = response_xml(&spec, "GetTopicAttributes", &json!({ "Attributes": attrs }), "r");
        assert!(
            xml.contains(
                "<GetTopicAttributesResult><Attributes><entry><key>Owner</key><value>1</value></entry>\
                 <entry><key>Policy</key><value>{&quot;a&quot;:1}</value></entry></Attributes></GetTopicAttributesResult>"
            ),
            "{xml}"
        );
        let empty = response_xml(&spec, "R", &json!({"Attributes": entries::<String>([])}), "r");
        assert!(
            empty.contains("<RResult><Attributes></Attributes></RResult>"),
            "{empty}"
        );
    }

    #[test]
    fn a_form_of_action_alone_has_no_members() {
        let f = parse_form(b"Action=GetCallerIdentity&Version=2011-06-15").unwrap();
        assert_eq!(f.params, json!({}));
    }

    #[test]
    fn hostile_forms_are_refused() {
        assert_eq!(parse_form(b"Version=1").unwrap_err().code, "MissingAction");
        let deep = format!("Action=A&{}=1", vec!["a"; 40].join("."));
        assert_eq!(parse_form(deep.as_bytes()).unwrap_err().code, "MalformedQueryString");
        let many = "x=1&".repeat(MAX_PAIRS + 1) + "Action=A";
        assert!(parse_form(many.as_bytes()).is_err());
    }

    #[test]
    fn answers_are_xml() {
        let spec = ServiceSpec {
            xml_namespace: Some("https://sts.amazonaws.com/doc/2011-06-15/"),
            ..crate::spec::DEFAULT
        };
        let xml = response_xml(
            &spec,
            "GetCallerIdentity",
            &json!({"Account": "000000000000", "Arn": "a<b", "L": ["x"]}),
            "rid",
        );
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Account>000000000000</Account><Arn>a&lt;b</Arn><L><member>x</member></L></GetCallerIdentityResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
        );
        let flat = ServiceSpec {
            xml_flattened_lists: true,
            ..crate::spec::DEFAULT
        };
        assert!(
            response_xml(&flat, "R", &json!({"M": [{"B": 1}, {"B": 2}]}), "r")
                .contains("<M><B>1</B></M><M><B>2</B></M>")
        );
        assert!(!response_xml(&spec, "DeleteTopic", &json!({}), "r").contains("DeleteTopicResult"));
    }
}
