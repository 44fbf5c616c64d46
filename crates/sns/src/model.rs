//! SNS's resources in domain terms: topics, subscriptions and their
//! protocols. Attributes are kept as SNS names them (a topic's
//! `DisplayName`, a subscription's `RawMessageDelivery`), since they are
//! what the API reads and writes.

use std::collections::BTreeMap;

/// A topic and what GetTopicAttributes counts of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub arn: String,
    pub name: String,
    pub fifo: bool,
    /// The attributes set by CreateTopic and SetTopicAttributes.
    pub attributes: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub confirmed: u64,
    pub pending: u64,
    /// Subscriptions removed from the topic over its life.
    pub deleted: u64,
}

impl Topic {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn content_based_dedup(&self) -> bool {
        self.attribute("ContentBasedDeduplication") == Some("true")
    }
}

/// The protocols SNS delivers over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Http,
    Https,
    Email,
    EmailJson,
    Sms,
    Sqs,
    Application,
    Lambda,
    Firehose,
}

impl Protocol {
    pub const ALL: [Protocol; 9] = [
        Self::Http,
        Self::Https,
        Self::Email,
        Self::EmailJson,
        Self::Sms,
        Self::Sqs,
        Self::Application,
        Self::Lambda,
        Self::Firehose,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
            Self::Email => "email",
            Self::EmailJson => "email-json",
            Self::Sms => "sms",
            Self::Sqs => "sqs",
            Self::Application => "application",
            Self::Lambda => "lambda",
            Self::Firehose => "firehose",
        }
    }

    /// The endpoint owner must confirm the subscription (it receives a
    /// SubscriptionConfirmation); AWS endpoints and phones are confirmed at once.
    pub fn needs_confirmation(self) -> bool {
        matches!(self, Self::Http | Self::Https | Self::Email | Self::EmailJson)
    }

    /// AWS-managed endpoints, retried under AWS's own long schedule; the
    /// others follow the delivery policy (HTTP/S) or are not sent.
    pub fn aws_managed(self) -> bool {
        matches!(self, Self::Sqs | Self::Lambda | Self::Firehose)
    }

    /// The protocols whose subscriptions may set RawMessageDelivery.
    pub fn supports_raw(self) -> bool {
        matches!(self, Self::Http | Self::Https | Self::Sqs | Self::Firehose)
    }

    /// The key of a `MessageStructure=json` message that addresses it.
    pub fn structure_key(self) -> &'static str {
        match self {
            Self::Application => "default",
            other => other.as_str(),
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionState {
    /// Waiting for its endpoint to confirm (HTTP/S, email).
    Pending,
    Confirmed,
    /// Unsubscribed; kept while its UnsubscribeConfirmation's token may
    /// still restore it.
    Deleted,
}

impl SubscriptionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "deleted" => Self::Deleted,
            _ => Self::Confirmed,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub arn: String,
    pub topic_arn: String,
    pub protocol: Protocol,
    pub endpoint: String,
    pub state: SubscriptionState,
    /// The confirmation came through an authenticated call (the API), not
    /// an unsigned visit of the SubscribeURL.
    pub authenticated: bool,
    /// The attributes set by Subscribe and SetSubscriptionAttributes.
    pub attributes: BTreeMap<String, String>,
}

impl Subscription {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn raw(&self) -> bool {
        self.attribute("RawMessageDelivery") == Some("true")
    }

    /// The dead-letter queue of its RedrivePolicy.
    pub fn dead_letter_queue(&self) -> Option<String> {
        let policy: serde_json::Value = serde_json::from_str(self.attribute("RedrivePolicy")?).ok()?;
        policy.get("deadLetterTargetArn")?.as_str().map(str::to_owned)
    }

    /// The scope its filter policy applies to.
    pub fn filter_scope(&self) -> crate::filter::Scope {
        match self.attribute("FilterPolicyScope") {
            Some("MessageBody") => crate::filter::Scope::MessageBody,
            _ => crate::filter::Scope::MessageAttributes,
        }
    }
}
