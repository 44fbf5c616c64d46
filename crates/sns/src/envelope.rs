//! The JSON documents SNS sends, in AWS's shapes and member order:
//! notifications as SQS, HTTP/S, email-json and Firehose endpoints receive
//! them (<https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html>),
//! the Lambda event (<https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html>),
//! and the SubscriptionConfirmation and UnsubscribeConfirmation messages.
//!
//! AWS writes the notification documents pretty-printed by Jackson
//! (`{\n  "Type" : "Notification",\n ...}`) with each message attribute on
//! one compact line; so does this module, so that consumers that compare or
//! hash bodies see the same bytes.
//!
//! Signatures: lakestack does not sign messages. `Signature` is the fixed
//! placeholder [`SIGNATURE`] and `SigningCertURL` points at lakestack
//! ([`signing_cert_url`]); a consumer that verifies signatures must be told
//! to skip verification locally.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::message::Attribute;

/// The `Signature` of every message: base64 of "lakestack does not sign SNS
/// messages: this is a placeholder".
pub const SIGNATURE: &str = "bGFrZXN0YWNrIGRvZXMgbm90IHNpZ24gU05TIG1lc3NhZ2VzOiB0aGlzIGlzIGEgcGxhY2Vob2xkZXI=";

/// Where `SigningCertURL` points: a path on lakestack's own endpoint.
pub fn signing_cert_url(endpoint: &str) -> String {
    format!("{endpoint}/_lakestack/sns/SimpleNotificationService-lakestack.pem")
}

pub fn unsubscribe_url(endpoint: &str, subscription_arn: &str) -> String {
    format!("{endpoint}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}")
}

pub fn subscribe_url(endpoint: &str, topic_arn: &str, token: &str) -> String {
    format!("{endpoint}/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}")
}

/// Jackson's pretty printer as SNS configures it: two-space indent,
/// `" : "` between a name and its value.
struct Pretty {
    out: String,
}

impl Pretty {
    fn new() -> Self {
        Self { out: String::from("{") }
    }

    fn sep(&mut self) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        self.out.push_str("\n  ");
    }

    fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.sep();
        let _ = write!(self.out, "{} : {}", Value::from(name), Value::from(value));
        self
    }

    fn attributes(&mut self, attrs: &BTreeMap<String, Attribute>) -> &mut Self {
        if attrs.is_empty() {
            return self;
        }
        self.sep();
        self.out.push_str("\"MessageAttributes\" : {");
        for (i, (name, a)) in attrs.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            let one = json!({"Type": a.data_type, "Value": a.text()});
            let _ = write!(self.out, "\n    {} : {one}", Value::from(name.as_str()));
        }
        self.out.push_str("\n  }");
        self
    }

    fn finish(&mut self) -> String {
        self.out.push_str("\n}");
        std::mem::take(&mut self.out)
    }
}

/// What a notification carries, whoever receives it.
#[derive(Debug, Clone)]
pub struct Notification<'a> {
    pub message_id: &'a str,
    pub topic_arn: &'a str,
    pub subject: Option<&'a str>,
    pub message: &'a str,
    pub timestamp: &'a str,
    /// FIFO topics number their messages and do not sign them.
    pub sequence_number: Option<&'a str>,
    pub signature_version: &'a str,
    pub signing_cert_url: &'a str,
    pub unsubscribe_url: &'a str,
    pub attributes: &'a BTreeMap<String, Attribute>,
}

/// The notification document of SQS, HTTP/S and email-json deliveries.
pub fn notification(n: &Notification<'_>) -> String {
    let mut p = Pretty::new();
    p.text("Type", "Notification").text("MessageId", n.message_id);
    if let Some(seq) = n.sequence_number {
        p.text("SequenceNumber", seq);
    }
    p.text("TopicArn", n.topic_arn);
    if let Some(s) = n.subject {
        p.text("Subject", s);
    }
    p.text("Message", n.message).text("Timestamp", n.timestamp);
    if n.sequence_number.is_none() {
        p.text("SignatureVersion", n.signature_version)
            .text("Signature", SIGNATURE)
            .text("SigningCertURL", n.signing_cert_url);
    }
    p.text("UnsubscribeURL", n.unsubscribe_url)
        .attributes(n.attributes)
        .finish()
}

/// The event a subscribed function is invoked with. Lambda's event names
/// the URLs `SigningCertUrl` and `UnsubscribeUrl`, has `Subject` null when
/// absent and `MessageAttributes` always, and is signed with version 1.
pub fn lambda_event(n: &Notification<'_>, subscription_arn: &str) -> Value {
    let attrs: serde_json::Map<String, Value> = n
        .attributes
        .iter()
        .map(|(k, a)| (k.clone(), json!({"Type": a.data_type, "Value": a.text()})))
        .collect();
    json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": subscription_arn,
            "Sns": {
                "Type": "Notification",
                "MessageId": n.message_id,
                "TopicArn": n.topic_arn,
                "Subject": n.subject,
                "Message": n.message,
                "Timestamp": n.timestamp,
                "SignatureVersion": "1",
                "Signature": SIGNATURE,
                "SigningCertUrl": n.signing_cert_url,
                "UnsubscribeUrl": n.unsubscribe_url,
                "MessageAttributes": attrs,
            }
        }]
    })
}

/// The two control messages an HTTP/S or email-json endpoint receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    SubscriptionConfirmation,
    UnsubscribeConfirmation,
}

impl Control {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SubscriptionConfirmation => "SubscriptionConfirmation",
            Self::UnsubscribeConfirmation => "UnsubscribeConfirmation",
        }
    }
}

/// A SubscriptionConfirmation or UnsubscribeConfirmation document.
pub struct ControlMessage<'a> {
    pub kind: Control,
    pub message_id: &'a str,
    pub token: &'a str,
    pub topic_arn: &'a str,
    pub subscription_arn: &'a str,
    pub subscribe_url: &'a str,
    pub timestamp: &'a str,
    pub signing_cert_url: &'a str,
}

impl ControlMessage<'_> {
    /// The `Message` text, as AWS words it.
    pub fn text(&self) -> String {
        match self.kind {
            Control::SubscriptionConfirmation => format!(
                "You have chosen to subscribe to the topic {}.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
                self.topic_arn
            ),
            Control::UnsubscribeConfirmation => format!(
                "You have chosen to deactivate subscription {}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.",
                self.subscription_arn
            ),
        }
    }

    pub fn document(&self) -> String {
        Pretty::new()
            .text("Type", self.kind.as_str())
            .text("MessageId", self.message_id)
            .text("Token", self.token)
            .text("TopicArn", self.topic_arn)
            .text("Message", &self.text())
            .text("SubscribeURL", self.subscribe_url)
            .text("Timestamp", self.timestamp)
            .text("SignatureVersion", "1")
            .text("Signature", SIGNATURE)
            .text("SigningCertURL", self.signing_cert_url)
            .finish()
    }

    /// The plain-text email a confirmation is sent as.
    pub fn email_text(&self) -> String {
        match self.kind {
            Control::SubscriptionConfirmation => format!(
                "You have chosen to subscribe to the topic: \n{}\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary):\nConfirm subscription: {}",
                self.topic_arn, self.subscribe_url
            ),
            Control::UnsubscribeConfirmation => format!(
                "You have chosen to deactivate subscription {}.\nTo cancel this operation and restore the subscription, visit: {}",
                self.subscription_arn, self.subscribe_url
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs() -> BTreeMap<String, Attribute> {
        BTreeMap::from([
            ("b".to_string(), Attribute::string("Number", "99.12")),
            (
                "a".to_string(),
                Attribute {
                    data_type: "Binary".into(),
                    value: crate::message::AttributeValue::Binary(vec![2, 3, 4]),
                },
            ),
        ])
    }

    fn sample<'a>(attrs: &'a BTreeMap<String, Attribute>, seq: Option<&'a str>) -> Notification<'a> {
        Notification {
            message_id: "m-1",
            topic_arn: "arn:aws:sns:us-east-1:000000000000:t",
            subject: Some("Hi"),
            message: "line1\n\"quoted\" é",
            timestamp: "2024-01-01T00:00:00.000Z",
            sequence_number: seq,
            signature_version: "1",
            signing_cert_url: "http://h/cert.pem",
            unsubscribe_url: "http://h/?Action=Unsubscribe&SubscriptionArn=s",
            attributes: attrs,
        }
    }

    #[test]
    fn notifications_are_written_as_aws_writes_them() {
        let a = attrs();
        assert_eq!(
            notification(&sample(&a, None)),
            format!(
                "{{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"m-1\",\n  \"TopicArn\" : \"arn:aws:sns:us-east-1:000000000000:t\",\n  \"Subject\" : \"Hi\",\n  \"Message\" : \"line1\\n\\\"quoted\\\" é\",\n  \"Timestamp\" : \"2024-01-01T00:00:00.000Z\",\n  \"SignatureVersion\" : \"1\",\n  \"Signature\" : \"{SIGNATURE}\",\n  \"SigningCertURL\" : \"http://h/cert.pem\",\n  \"UnsubscribeURL\" : \"http://h/?Action=Unsubscribe&SubscriptionArn=s\",\n  \"MessageAttributes\" : {{\n    \"a\" : {{\"Type\":\"Binary\",\"Value\":\"AgME\"}},\n    \"b\" : {{\"Type\":\"Number\",\"Value\":\"99.12\"}}\n  }}\n}}"
            )
        );
        let none = BTreeMap::new();
        let fifo = notification(&sample(&none, Some("10000000000000001000")));
        assert_eq!(
            fifo,
            "{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"m-1\",\n  \"SequenceNumber\" : \"10000000000000001000\",\n  \"TopicArn\" : \"arn:aws:sns:us-east-1:000000000000:t\",\n  \"Subject\" : \"Hi\",\n  \"Message\" : \"line1\\n\\\"quoted\\\" é\",\n  \"Timestamp\" : \"2024-01-01T00:00:00.000Z\",\n  \"UnsubscribeURL\" : \"http://h/?Action=Unsubscribe&SubscriptionArn=s\"\n}"
        );
        let parsed: Value = serde_json::from_str(&fifo).unwrap();
        assert_eq!(parsed["Message"], "line1\n\"quoted\" é");
    }

    #[test]
    fn lambda_events_name_their_urls_as_lambda_does() {
        let none = BTreeMap::new();
        let mut n = sample(&none, None);
        n.subject = None;
        assert_eq!(
            lambda_event(&n, "arn:aws:sns:us-east-1:000000000000:t:s"),
            json!({"Records": [{
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:us-east-1:000000000000:t:s",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "m-1",
                    "TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
                    "Subject": null,
                    "Message": "line1\n\"quoted\" é",
                    "Timestamp": "2024-01-01T00:00:00.000Z",
                    "SignatureVersion": "1",
                    "Signature": SIGNATURE,
                    "SigningCertUrl": "http://h/cert.pem",
                    "UnsubscribeUrl": "http://h/?Action=Unsubscribe&SubscriptionArn=s",
                    "MessageAttributes": {}
                }
            }]})
        );
    }

    #[test]
    fn confirmations() {
        let c = ControlMessage {
            kind: Control::SubscriptionConfirmation,
            message_id: "m",
            token: "tok",
            topic_arn: "arn:aws:sns:us-east-1:000000000000:t",
            subscription_arn: "arn:aws:sns:us-east-1:000000000000:t:s",
            subscribe_url: "http://h/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Token=tok",
            timestamp: "2024-01-01T00:00:00.000Z",
            signing_cert_url: "http://h/cert.pem",
        };
        assert_eq!(
            c.document(),
            format!(
                "{{\n  \"Type\" : \"SubscriptionConfirmation\",\n  \"MessageId\" : \"m\",\n  \"Token\" : \"tok\",\n  \"TopicArn\" : \"arn:aws:sns:us-east-1:000000000000:t\",\n  \"Message\" : \"You have chosen to subscribe to the topic arn:aws:sns:us-east-1:000000000000:t.\\nTo confirm the subscription, visit the SubscribeURL included in this message.\",\n  \"SubscribeURL\" : \"http://h/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Token=tok\",\n  \"Timestamp\" : \"2024-01-01T00:00:00.000Z\",\n  \"SignatureVersion\" : \"1\",\n  \"Signature\" : \"{SIGNATURE}\",\n  \"SigningCertURL\" : \"http://h/cert.pem\"\n}}"
            )
        );
    }
}
