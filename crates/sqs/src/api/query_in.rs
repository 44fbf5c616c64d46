//! awsQuery forms as the JSON input shapes the handlers read. SQS's query
//! model names members apart from its JSON model: lists and maps are
//! flattened under singular names (`AttributeName.1`, `Attribute.1.Name` /
//! `.Value`, `MessageAttribute.1.Name` / `.Value.StringValue` /
//! `.Value.DataType`, `Tag.1.Key` / `.Value`, `TagKey.1`,
//! `SendMessageBatchRequestEntry.1.Id`, ...), and every value is text. The
//! kit's form reader nests the pairs by their dotted keys; this module
//! renames, turns name/value lists into maps and numbers into numbers.
//! Members given under their JSON names pass through, so generic query
//! encoders (`Attributes.entry.1.key`) work too.

use serde_json::{Map, Value};

use super::SqsOp;
use crate::error::SqsError;

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Int,
    /// `Name.1`, `Name.2`: a list of text.
    List,
    /// A list of {key, value} structures, as a JSON map.
    Map(&'static str, &'static str),
    /// Message attributes: {Name, Value: {DataType, StringValue, BinaryValue}}.
    Attributes,
    /// Batch entries, each read with these fields.
    Entries(&'static [Field]),
}

#[derive(Clone, Copy)]
struct Field {
    json: &'static str,
    query: &'static str,
    kind: Kind,
}

/// A field, as a literal so that the tables below are constants.
macro_rules! f {
    ($json:expr, $query:expr, $kind:expr $(,)?) => {
        Field {
            json: $json,
            query: $query,
            kind: $kind,
        }
    };
}

const QUEUE_URL: Field = f!("QueueUrl", "QueueUrl", Kind::Text);

const SEND_ENTRY: &[Field] = &[
    f!("Id", "Id", Kind::Text),
    f!("MessageBody", "MessageBody", Kind::Text),
    f!("DelaySeconds", "DelaySeconds", Kind::Int),
    f!("MessageAttributes", "MessageAttribute", Kind::Attributes),
    f!("MessageSystemAttributes", "MessageSystemAttribute", Kind::Attributes),
    f!("MessageDeduplicationId", "MessageDeduplicationId", Kind::Text),
    f!("MessageGroupId", "MessageGroupId", Kind::Text),
];

const DELETE_ENTRY: &[Field] = &[
    f!("Id", "Id", Kind::Text),
    f!("ReceiptHandle", "ReceiptHandle", Kind::Text),
];

const VISIBILITY_ENTRY: &[Field] = &[
    f!("Id", "Id", Kind::Text),
    f!("ReceiptHandle", "ReceiptHandle", Kind::Text),
    f!("VisibilityTimeout", "VisibilityTimeout", Kind::Int),
];

fn fields(op: SqsOp) -> &'static [Field] {
    use SqsOp as Op;
    const ATTRIBUTES: Kind = Kind::Map("Name", "Value");
    const TAGS: Kind = Kind::Map("Key", "Value");
    match op {
        Op::CreateQueue => &[
            f!("QueueName", "QueueName", Kind::Text),
            f!("Attributes", "Attribute", ATTRIBUTES),
            f!("tags", "Tag", TAGS),
        ],
        Op::GetQueueUrl => &[
            f!("QueueName", "QueueName", Kind::Text),
            f!("QueueOwnerAWSAccountId", "QueueOwnerAWSAccountId", Kind::Text),
        ],
        Op::DeleteQueue | Op::PurgeQueue | Op::ListQueueTags => &[QUEUE_URL],
        Op::GetQueueAttributes => &[QUEUE_URL, f!("AttributeNames", "AttributeName", Kind::List)],
        Op::SetQueueAttributes => &[QUEUE_URL, f!("Attributes", "Attribute", ATTRIBUTES)],
        Op::ListQueues => &[
            f!("QueueNamePrefix", "QueueNamePrefix", Kind::Text),
            f!("NextToken", "NextToken", Kind::Text),
            f!("MaxResults", "MaxResults", Kind::Int),
        ],
        Op::ListDeadLetterSourceQueues => &[
            QUEUE_URL,
            f!("NextToken", "NextToken", Kind::Text),
            f!("MaxResults", "MaxResults", Kind::Int),
        ],
        Op::TagQueue => &[QUEUE_URL, f!("Tags", "Tag", TAGS)],
        Op::UntagQueue => &[QUEUE_URL, f!("TagKeys", "TagKey", Kind::List)],
        Op::SendMessage => &[
            QUEUE_URL,
            f!("MessageBody", "MessageBody", Kind::Text),
            f!("DelaySeconds", "DelaySeconds", Kind::Int),
            f!("MessageAttributes", "MessageAttribute", Kind::Attributes),
            f!("MessageSystemAttributes", "MessageSystemAttribute", Kind::Attributes),
            f!("MessageDeduplicationId", "MessageDeduplicationId", Kind::Text),
            f!("MessageGroupId", "MessageGroupId", Kind::Text),
        ],
        Op::SendMessageBatch => &[
            QUEUE_URL,
            f!("Entries", "SendMessageBatchRequestEntry", Kind::Entries(SEND_ENTRY)),
        ],
        Op::ReceiveMessage => &[
            QUEUE_URL,
            f!("AttributeNames", "AttributeName", Kind::List),
            f!("MessageSystemAttributeNames", "MessageSystemAttributeName", Kind::List),
            f!("MessageAttributeNames", "MessageAttributeName", Kind::List),
            f!("MaxNumberOfMessages", "MaxNumberOfMessages", Kind::Int),
            f!("VisibilityTimeout", "VisibilityTimeout", Kind::Int),
            f!("WaitTimeSeconds", "WaitTimeSeconds", Kind::Int),
            f!("ReceiveRequestAttemptId", "ReceiveRequestAttemptId", Kind::Text),
        ],
        Op::DeleteMessage => &[QUEUE_URL, f!("ReceiptHandle", "ReceiptHandle", Kind::Text)],
        Op::DeleteMessageBatch => &[
            QUEUE_URL,
            f!("Entries", "DeleteMessageBatchRequestEntry", Kind::Entries(DELETE_ENTRY)),
        ],
        Op::ChangeMessageVisibility => &[
            QUEUE_URL,
            f!("ReceiptHandle", "ReceiptHandle", Kind::Text),
            f!("VisibilityTimeout", "VisibilityTimeout", Kind::Int),
        ],
        Op::ChangeMessageVisibilityBatch => &[
            QUEUE_URL,
            f!(
                "Entries",
                "ChangeMessageVisibilityBatchRequestEntry",
                Kind::Entries(VISIBILITY_ENTRY),
            ),
        ],
        Op::StartMessageMoveTask => &[
            f!("SourceArn", "SourceArn", Kind::Text),
            f!("DestinationArn", "DestinationArn", Kind::Text),
            f!(
                "MaxNumberOfMessagesPerSecond",
                "MaxNumberOfMessagesPerSecond",
                Kind::Int
            ),
        ],
        Op::CancelMessageMoveTask => &[f!("TaskHandle", "TaskHandle", Kind::Text)],
        Op::ListMessageMoveTasks => &[
            f!("SourceArn", "SourceArn", Kind::Text),
            f!("MaxResults", "MaxResults", Kind::Int),
        ],
    }
}

/// An awsQuery form's members (as the kit nested them) as the operation's
/// JSON input; `path_queue_url` stands in for a missing QueueUrl.
pub fn normalize(op: SqsOp, params: Value, path_queue_url: Option<&str>) -> Result<Value, SqsError> {
    let Value::Object(params) = params else {
        return Ok(Value::Object(Map::new()));
    };
    let fields = fields(op);
    let mut out = convert(&params, fields)?;
    if let Some(url) = path_queue_url
        && fields.iter().any(|f| f.json == "QueueUrl")
        && !out.contains_key("QueueUrl")
    {
        out.insert("QueueUrl".into(), Value::String(url.to_owned()));
    }
    Ok(Value::Object(out))
}

fn convert(params: &Map<String, Value>, fields: &[Field]) -> Result<Map<String, Value>, SqsError> {
    let mut out = Map::new();
    for field in fields {
        let Some(v) = params.get(field.query).or_else(|| params.get(field.json)) else {
            continue;
        };
        let converted = match field.kind {
            Kind::Text => v.clone(),
            Kind::Int => int(field.query, v)?,
            Kind::List => Value::Array(items(v).cloned().collect()),
            Kind::Map(key, value) => map(v, key, value),
            Kind::Attributes => map(v, "Name", "Value"),
            Kind::Entries(entry) => Value::Array(
                items(v)
                    .map(|e| match e {
                        Value::Object(m) => convert(m, entry).map(Value::Object),
                        other => Ok(other.clone()),
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        out.insert(field.json.to_owned(), converted);
    }
    Ok(out)
}

/// A form list's items: an array as the kit nests `Name.N`, a lone value
/// as a list of one.
fn items(v: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match v {
        Value::Array(a) => Box::new(a.iter()),
        Value::Object(m) => Box::new(m.values()),
        Value::Null => Box::new(std::iter::empty()),
        other => Box::new(std::iter::once(other)),
    }
}

/// `[{Name: k, Value: v}, ...]` as `{k: v}`; a map passes through.
fn map(v: &Value, key: &str, value: &str) -> Value {
    if let Value::Object(m) = v
        && !m.contains_key(key)
    {
        return v.clone();
    }
    let mut out = Map::new();
    for item in items(v) {
        if let Some(k) = item.get(key).and_then(Value::as_str) {
            out.insert(k.to_owned(), item.get(value).cloned().unwrap_or(Value::Null));
        }
    }
    Value::Object(out)
}

fn int(name: &str, v: &Value) -> Result<Value, SqsError> {
    match v {
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| SqsError::parameter(name, s, "Must be an integer value.")),
        other => Ok(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use lakestack_aws_protocol::query::parse_form;
    use serde_json::json;

    use super::*;

    fn form(op: SqsOp, body: &str) -> Value {
        let f = parse_form(format!("Action={op}&Version=2012-11-05&{body}").as_bytes()).unwrap();
        normalize(op, f.params, None).unwrap()
    }

    #[test]
    fn create_queue_forms_become_maps() {
        assert_eq!(
            form(
                SqsOp::CreateQueue,
                "QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=60&Tag.1.Key=team&Tag.1.Value=data"
            ),
            json!({
                "QueueName": "q",
                "Attributes": {"DelaySeconds": "5", "VisibilityTimeout": "60"},
                "tags": {"team": "data"}
            })
        );
    }

    #[test]
    fn message_attributes_and_numbers() {
        assert_eq!(
            form(
                SqsOp::SendMessage,
                "QueueUrl=u&MessageBody=hi&DelaySeconds=3&MessageAttribute.1.Name=a&MessageAttribute.1.Value.StringValue=x&MessageAttribute.1.Value.DataType=String&MessageAttribute.2.Name=b&MessageAttribute.2.Value.BinaryValue=AQI%3D&MessageAttribute.2.Value.DataType=Binary"
            ),
            json!({
                "QueueUrl": "u",
                "MessageBody": "hi",
                "DelaySeconds": 3,
                "MessageAttributes": {
                    "a": {"StringValue": "x", "DataType": "String"},
                    "b": {"BinaryValue": "AQI=", "DataType": "Binary"}
                }
            })
        );
        let f = parse_form(b"Action=ReceiveMessage&MaxNumberOfMessages=ten").unwrap();
        assert_eq!(
            normalize(SqsOp::ReceiveMessage, f.params, None)
                .unwrap_err()
                .to_string(),
            "Value ten for parameter MaxNumberOfMessages is invalid. Reason: Must be an integer value."
        );
    }

    #[test]
    fn receive_lists_and_batches() {
        assert_eq!(
            form(
                SqsOp::ReceiveMessage,
                "AttributeName.1=All&MessageAttributeName.1=foo.*&MessageAttributeName.2=bar&WaitTimeSeconds=2"
            ),
            json!({
                "AttributeNames": ["All"],
                "MessageAttributeNames": ["foo.*", "bar"],
                "WaitTimeSeconds": 2
            })
        );
        assert_eq!(
            form(
                SqsOp::SendMessageBatch,
                "QueueUrl=u&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one&SendMessageBatchRequestEntry.1.DelaySeconds=1"
            ),
            json!({
                "QueueUrl": "u",
                "Entries": [
                    {"Id": "a", "MessageBody": "one", "DelaySeconds": 1},
                    {"Id": "b", "MessageBody": "two"}
                ]
            })
        );
        assert_eq!(
            form(SqsOp::UntagQueue, "QueueUrl=u&TagKey.1=a&TagKey.2=b"),
            json!({"QueueUrl": "u", "TagKeys": ["a", "b"]})
        );
    }

    #[test]
    fn the_path_names_the_queue_when_the_form_does_not() {
        let f = parse_form(b"Action=SendMessage&MessageBody=x").unwrap();
        let v = normalize(SqsOp::SendMessage, f.params, Some("http://h/000000000000/q")).unwrap();
        assert_eq!(v["QueueUrl"], "http://h/000000000000/q");
        let f = parse_form(b"Action=ListQueues").unwrap();
        let v = normalize(SqsOp::ListQueues, f.params, Some("http://h/000000000000/q")).unwrap();
        assert_eq!(v, json!({}));
    }

    #[test]
    fn json_named_members_pass_through() {
        let f = parse_form(
            b"Action=SetQueueAttributes&QueueUrl=u&Attributes.entry.1.key=DelaySeconds&Attributes.entry.1.value=1",
        )
        .unwrap();
        let v = normalize(SqsOp::SetQueueAttributes, f.params, None).unwrap();
        assert_eq!(v, json!({"QueueUrl": "u", "Attributes": {"DelaySeconds": "1"}}));
    }
}
