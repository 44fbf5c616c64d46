//! JSON answers reshaped for awsQuery's XML, which SQS's query model
//! writes with flattened lists under singular names: maps as
//! `<Attribute><Name/><Value/></Attribute>` (`<Tag><Key/><Value/></Tag>`,
//! `<MessageAttribute><Name/><Value><StringValue/><DataType/></Value>`),
//! `<QueueUrl>` repeated, `<Message>` repeated, batch results as
//! `<SendMessageBatchResultEntry>` and `<BatchResultErrorEntry>`. The kit
//! writes each array item as a repeated element named after its key, so
//! renaming keys and turning maps into lists is all there is to it; member
//! order is kept.

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::protocol::OutputBody;
use serde_json::{Map, Value};

use super::SqsOp;

pub fn shape(op: SqsOp, mut out: Output) -> Output {
    if let OutputBody::Members(Value::Object(m)) = &mut out.body {
        *m = members(op, std::mem::take(m));
    }
    out
}

fn members(op: SqsOp, m: Map<String, Value>) -> Map<String, Value> {
    use SqsOp as Op;
    match op {
        Op::GetQueueAttributes => rename(m, |k, v| match k {
            "Attributes" => ("Attribute", pairs(v, "Name", "Value")),
            _ => (k, v),
        }),
        Op::ListQueues | Op::ListDeadLetterSourceQueues => rename(m, |k, v| match k {
            "QueueUrls" | "queueUrls" => ("QueueUrl", v),
            _ => (k, v),
        }),
        Op::ListQueueTags => rename(m, |k, v| match k {
            "Tags" => ("Tag", pairs(v, "Key", "Value")),
            _ => (k, v),
        }),
        Op::SendMessageBatch => batch(m, "SendMessageBatchResultEntry"),
        Op::DeleteMessageBatch => batch(m, "DeleteMessageBatchResultEntry"),
        Op::ChangeMessageVisibilityBatch => batch(m, "ChangeMessageVisibilityBatchResultEntry"),
        Op::ReceiveMessage => rename(m, |k, v| match k {
            "Messages" => ("Message", each(v, message)),
            _ => (k, v),
        }),
        Op::ListMessageMoveTasks => rename(m, |k, v| match k {
            "Results" => ("ListMessageMoveTasksResultEntry", v),
            _ => (k, v),
        }),
        _ => m,
    }
}

fn batch(m: Map<String, Value>, entry: &'static str) -> Map<String, Value> {
    rename(m, |k, v| match k {
        "Successful" => (entry, v),
        "Failed" => ("BatchResultErrorEntry", v),
        _ => (k, v),
    })
}

fn message(v: Value) -> Value {
    let Value::Object(m) = v else { return v };
    Value::Object(rename(m, |k, v| match k {
        "Attributes" => ("Attribute", pairs(v, "Name", "Value")),
        "MessageAttributes" => ("MessageAttribute", pairs(v, "Name", "Value")),
        _ => (k, v),
    }))
}

/// Rebuilds a map with renamed (and reshaped) members, in order.
fn rename(m: Map<String, Value>, mut f: impl FnMut(&str, Value) -> (&str, Value)) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in m {
        let (name, value) = f(&k, v);
        out.insert(name.to_owned(), value);
    }
    out
}

/// `{k: v}` as `[{key: k, value: v}]`.
fn pairs(v: Value, key: &str, value: &str) -> Value {
    let Value::Object(m) = v else { return v };
    Value::Array(
        m.into_iter()
            .map(|(k, v)| {
                let mut item = Map::new();
                item.insert(key.to_owned(), Value::String(k));
                item.insert(value.to_owned(), v);
                Value::Object(item)
            })
            .collect(),
    )
}

fn each(v: Value, f: impl Fn(Value) -> Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.into_iter().map(f).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use lakestack_aws_protocol::DEFAULT;
    use lakestack_aws_protocol::query::response_xml;
    use serde_json::json;

    use super::*;

    fn xml(op: SqsOp, v: Value) -> String {
        let OutputBody::Members(m) = shape(op, Output::members(v)).body else {
            unreachable!()
        };
        let spec = lakestack_aws_protocol::ServiceSpec {
            xml_flattened_lists: true,
            ..DEFAULT
        };
        let doc = response_xml(&spec, op.name(), &m, "r");
        let open = format!("<{}Result>", op.name());
        let start = doc.find(&open).unwrap() + open.len();
        let end = doc.find(&format!("</{}Result>", op.name())).unwrap();
        doc[start..end].to_owned()
    }

    #[test]
    fn maps_and_lists_take_the_query_shapes() {
        assert_eq!(
            xml(
                SqsOp::GetQueueAttributes,
                json!({"Attributes": {"DelaySeconds": "0", "QueueArn": "arn"}})
            ),
            "<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute><Attribute><Name>QueueArn</Name><Value>arn</Value></Attribute>"
        );
        assert_eq!(
            xml(SqsOp::ListQueues, json!({"QueueUrls": ["a", "b"], "NextToken": "t"})),
            "<QueueUrl>a</QueueUrl><QueueUrl>b</QueueUrl><NextToken>t</NextToken>"
        );
        assert_eq!(
            xml(SqsOp::ListQueueTags, json!({"Tags": {"k": "v"}})),
            "<Tag><Key>k</Key><Value>v</Value></Tag>"
        );
        assert_eq!(
            xml(
                SqsOp::DeleteMessageBatch,
                json!({"Successful": [{"Id": "a"}], "Failed": [{"Id": "b", "SenderFault": true, "Code": "C", "Message": "m"}]})
            ),
            "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry><BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>C</Code><Message>m</Message></BatchResultErrorEntry>"
        );
    }

    #[test]
    fn messages_carry_attribute_lists() {
        assert_eq!(
            xml(
                SqsOp::ReceiveMessage,
                json!({"Messages": [{
                    "MessageId": "m",
                    "Body": "a<b",
                    "Attributes": {"SenderId": "s"},
                    "MD5OfMessageAttributes": "d",
                    "MessageAttributes": {"n": {"StringValue": "v", "DataType": "String"}}
                }]})
            ),
            "<Message><MessageId>m</MessageId><Body>a&lt;b</Body><Attribute><Name>SenderId</Name><Value>s</Value></Attribute><MD5OfMessageAttributes>d</MD5OfMessageAttributes><MessageAttribute><Name>n</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value></MessageAttribute></Message>"
        );
    }
}
