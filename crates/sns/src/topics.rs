//! Topics: CreateTopic's rules (names, FIFO, idempotency), the attributes
//! SNS lets a topic set and those GetTopicAttributes computes (the default
//! access policy as AWS writes it, the effective delivery policy,
//! subscription counts), and tags.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::arns;
use crate::error::{Result, SnsError};
use crate::model::Topic;
use crate::service::Sns;
use crate::store;

/// AWS's quota of topics per account.
pub const MAX_TOPICS: i64 = 100_000;
/// Tags per resource.
pub const MAX_TAGS: usize = 50;
/// Topics per ListTopics page.
pub const PAGE: usize = 100;

/// The attributes a topic may set, beside FifoTopic (CreateTopic only).
const SETTABLE: &[&str] = &[
    "DeliveryPolicy",
    "DisplayName",
    "Policy",
    "SignatureVersion",
    "TracingConfig",
    "KmsMasterKeyId",
    "ContentBasedDeduplication",
    "FifoThroughputScope",
    "ArchivePolicy",
    "DataProtectionPolicy",
    "ApplicationSuccessFeedbackRoleArn",
    "ApplicationSuccessFeedbackSampleRate",
    "ApplicationFailureFeedbackRoleArn",
    "HTTPSuccessFeedbackRoleArn",
    "HTTPSuccessFeedbackSampleRate",
    "HTTPFailureFeedbackRoleArn",
    "LambdaSuccessFeedbackRoleArn",
    "LambdaSuccessFeedbackSampleRate",
    "LambdaFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn",
    "SQSSuccessFeedbackSampleRate",
    "SQSFailureFeedbackRoleArn",
    "FirehoseSuccessFeedbackRoleArn",
    "FirehoseSuccessFeedbackSampleRate",
    "FirehoseFailureFeedbackRoleArn",
];

/// The access policy every topic starts with, as AWS writes it.
pub(crate) fn default_policy(arn: &str, account: &str) -> String {
    json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes",
                "SNS:SetTopicAttributes",
                "SNS:AddPermission",
                "SNS:RemovePermission",
                "SNS:DeleteTopic",
                "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic",
                "SNS:Publish"
            ],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}

/// AWS's delivery policy for HTTP/S, which a topic's DeliveryPolicy overrides.
fn default_delivery_policy() -> Value {
    json!({
        "http": {
            "defaultHealthyRetryPolicy": {
                "minDelayTarget": 20,
                "maxDelayTarget": 20,
                "numRetries": 3,
                "numMaxDelayRetries": 0,
                "numNoDelayRetries": 0,
                "numMinDelayRetries": 0,
                "backoffFunction": "linear"
            },
            "disableSubscriptionOverrides": false,
            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}
        }
    })
}

/// Overlays `over` on `base`, objects key by key.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

impl Topic {
    /// The delivery policy in effect: AWS's, overridden by the topic's own.
    pub fn effective_delivery_policy(&self) -> Value {
        let mut p = default_delivery_policy();
        if let Some(own) = self
            .attribute("DeliveryPolicy")
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
        {
            merge(&mut p, &own);
        }
        p
    }
}

fn true_or_false(prefix: &str, name: &str, v: &str) -> Result<String> {
    match v.to_ascii_lowercase().as_str() {
        b @ ("true" | "false") => Ok(b.to_owned()),
        _ => Err(SnsError::InvalidParameter(format!(
            "{prefix}{name}: Invalid value [{v}]. Must be true or false."
        ))),
    }
}

fn json_object(prefix: &str, name: &str, v: &str) -> Result<()> {
    match serde_json::from_str::<Value>(v) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) => Err(SnsError::InvalidParameter(format!(
            "{prefix}{name}: failed to parse JSON. The value must be a JSON object"
        ))),
        Err(e) => Err(SnsError::InvalidParameter(format!(
            "{prefix}{name}: failed to parse JSON. {e}"
        ))),
    }
}

/// One topic attribute's value, checked and normalised; `""` unsets it
/// (`None`). `prefix` is how the operation opens its errors.
fn check_attribute(prefix: &str, name: &str, value: &str, fifo: bool) -> Result<Option<String>> {
    if !SETTABLE.contains(&name) {
        return Err(SnsError::invalid("AttributeName"));
    }
    if value.is_empty() && name != "DisplayName" {
        return Ok(None);
    }
    let fifo_only = || {
        SnsError::InvalidParameter(format!(
            "{prefix}{name}: The {name} attribute can only be set for FIFO topics"
        ))
    };
    let v = match name {
        "DisplayName" => {
            if value.chars().count() > 100 {
                return Err(SnsError::InvalidParameter(format!(
                    "{prefix}DisplayName: Display name must be at most 100 characters"
                )));
            }
            value.to_owned()
        }
        "Policy" | "DeliveryPolicy" | "ArchivePolicy" | "DataProtectionPolicy" => {
            json_object(prefix, name, value)?;
            if name == "ArchivePolicy" && !fifo {
                return Err(fifo_only());
            }
            value.to_owned()
        }
        "SignatureVersion" => match value {
            "1" | "2" => value.to_owned(),
            _ => {
                return Err(SnsError::InvalidParameter(format!(
                    "{prefix}SignatureVersion: Invalid value [{value}]. Must be 1 or 2."
                )));
            }
        },
        "TracingConfig" => match value {
            "Active" | "PassThrough" => value.to_owned(),
            _ => {
                return Err(SnsError::InvalidParameter(format!(
                    "{prefix}TracingConfig: Invalid value [{value}]. Must be Active or PassThrough."
                )));
            }
        },
        "ContentBasedDeduplication" => {
            let v = true_or_false(prefix, name, value)?;
            if !fifo {
                return Err(fifo_only());
            }
            v
        }
        "FifoThroughputScope" => {
            if !fifo {
                return Err(fifo_only());
            }
            match value {
                "Topic" | "MessageGroup" => value.to_owned(),
                _ => {
                    return Err(SnsError::InvalidParameter(format!(
                        "{prefix}FifoThroughputScope: Invalid value [{value}]. Must be Topic or MessageGroup."
                    )));
                }
            }
        }
        n if n.ends_with("SampleRate") => match value.parse::<u8>() {
            Ok(rate) if rate <= 100 => value.to_owned(),
            _ => {
                return Err(SnsError::InvalidParameter(format!(
                    "{prefix}{n}: Invalid value [{value}]. Must be an integer from 0 to 100."
                )));
            }
        },
        _ => value.to_owned(),
    };
    Ok(Some(v))
}

/// Tags as SNS bounds them: keys of 1 to 128 characters, values of at
/// most 256, no key twice.
pub(crate) fn check_tags(tags: &[(String, String)]) -> Result<()> {
    for (i, (k, v)) in tags.iter().enumerate() {
        use lakestack_aws_protocol::validation::{Shown, Violation};
        let n = i + 1;
        if !(1..=128).contains(&k.chars().count()) {
            return Err(SnsError::violation(Violation::len_between(
                &format!("tags.{n}.member.key"),
                Shown::Value(k.clone()),
                1,
                128,
            )));
        }
        if v.chars().count() > 256 {
            return Err(SnsError::violation(Violation::max_len(
                &format!("tags.{n}.member.value"),
                Shown::Value(v.clone()),
                256,
            )));
        }
    }
    let mut keys: Vec<&str> = tags.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(SnsError::invalid("Duplicated keys are not allowed."));
    }
    if tags.len() > MAX_TAGS {
        return Err(SnsError::TagLimitExceeded);
    }
    Ok(())
}

impl Sns {
    /// CreateTopic: a new topic, or the one of that name if its attributes
    /// and tags are those asked for.
    pub(crate) fn create_topic(
        &self,
        name: &str,
        attributes: &BTreeMap<String, String>,
        tags: &[(String, String)],
    ) -> Result<String> {
        const PREFIX: &str = "Invalid parameter: Attributes Reason: ";
        let fifo = match attributes.get("FifoTopic") {
            Some(v) => true_or_false(PREFIX, "FifoTopic", v)? == "true",
            None => false,
        };
        arns::check_topic_name(name, fifo)?;
        let mut attrs = BTreeMap::new();
        for (k, v) in attributes {
            if k == "FifoTopic" {
                continue;
            }
            if let Some(v) = check_attribute(PREFIX, k, v, fifo)? {
                attrs.insert(k.clone(), v);
            }
        }
        if fifo {
            attrs.insert("FifoTopic".into(), "true".into());
            attrs
                .entry("ContentBasedDeduplication".into())
                .or_insert_with(|| "false".into());
        }
        check_tags(tags)?;
        let arn = self.home.topic_arn(name);
        let now = self.now_ms();
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        if let Some(existing) = store::topic(&tx, &arn, now)? {
            let differs = attributes.keys().any(|k| {
                let want = if k == "FifoTopic" {
                    fifo.then(|| "true".to_owned())
                } else {
                    attrs.get(k).cloned()
                };
                existing.attributes.get(k) != want.as_ref()
            });
            if differs {
                return Err(SnsError::invalid(
                    "Attributes Reason: Topic already exists with different attributes",
                ));
            }
            if !tags.is_empty() && tags.iter().any(|(k, v)| existing.tags.get(k) != Some(v)) {
                return Err(SnsError::invalid(
                    "Tags Reason: Topic already exists with different tags",
                ));
            }
            return Ok(arn);
        }
        if store::count_topics(&tx)? >= MAX_TOPICS {
            return Err(SnsError::TopicLimitExceeded);
        }
        let topic = Topic {
            arn: arn.clone(),
            name: name.to_owned(),
            fifo,
            attributes: attrs,
            tags: tags.iter().cloned().collect(),
            confirmed: 0,
            pending: 0,
            deleted: 0,
        };
        store::insert_topic(&tx, &topic, now)?;
        tx.commit()?;
        Ok(arn)
    }

    /// A topic by ARN (checked as `member`), or SNS's NotFound.
    pub(crate) fn topic(&self, member: &str, arn: &str) -> Result<Topic> {
        let arn = self.home.topic(member, arn)?;
        store::topic(&self.store.lock(), &arn, self.now_ms())?.ok_or(SnsError::TopicNotFound)
    }

    /// DeleteTopic: idempotent, as AWS's is.
    pub(crate) fn delete_topic(&self, arn: &str) -> Result<()> {
        let arn = self.home.topic("TopicArn", arn)?;
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        for sub in store::subscriptions(&tx, Some(&arn), None, usize::MAX >> 1, self.now_ms())? {
            self.forget_policy(&sub.arn);
        }
        store::delete_topic(&tx, &arn)?;
        tx.commit()?;
        Ok(())
    }

    /// A page of topic ARNs after `after`, and whether more follow.
    pub(crate) fn list_topics(&self, after: Option<&str>) -> Result<(Vec<String>, bool)> {
        let mut arns = store::topic_arns(&self.store.lock(), after, PAGE + 1)?;
        let more = arns.len() > PAGE;
        arns.truncate(PAGE);
        Ok((arns, more))
    }

    /// GetTopicAttributes: what the topic set, and what SNS computes.
    pub(crate) fn topic_attributes(&self, arn: &str) -> Result<BTreeMap<String, String>> {
        let t = self.topic("TopicArn", arn)?;
        let mut out = t.attributes.clone();
        out.insert("Owner".into(), self.account().to_owned());
        out.insert("TopicArn".into(), t.arn.clone());
        out.entry("DisplayName".into()).or_default();
        out.entry("Policy".into())
            .or_insert_with(|| default_policy(&t.arn, self.account()));
        out.insert("SubscriptionsConfirmed".into(), t.confirmed.to_string());
        out.insert("SubscriptionsPending".into(), t.pending.to_string());
        out.insert("SubscriptionsDeleted".into(), t.deleted.to_string());
        out.insert(
            "EffectiveDeliveryPolicy".into(),
            t.effective_delivery_policy().to_string(),
        );
        Ok(out)
    }

    /// SetTopicAttributes: one attribute; an empty value unsets it.
    pub(crate) fn set_topic_attribute(&self, arn: &str, name: &str, value: &str) -> Result<()> {
        let t = self.topic("TopicArn", arn)?;
        if name == "FifoTopic" {
            return Err(SnsError::invalid("AttributeName"));
        }
        let checked = check_attribute("Invalid parameter: ", name, value, t.fifo)?;
        let mut attrs = t.attributes;
        match checked {
            Some(v) => attrs.insert(name.to_owned(), v),
            None => attrs.remove(name),
        };
        store::set_topic_attributes(&self.store.lock(), &t.arn, &attrs)?;
        Ok(())
    }

    /// The topic a tagging operation names.
    fn tagged(&self, arn: &str) -> Result<Topic> {
        match self.topic("ResourceArn", arn) {
            Err(SnsError::TopicNotFound) => Err(SnsError::ResourceNotFound),
            other => other,
        }
    }

    pub(crate) fn tag(&self, arn: &str, tags: &[(String, String)]) -> Result<()> {
        check_tags(tags)?;
        let t = self.tagged(arn)?;
        let mut all = t.tags;
        all.extend(tags.iter().cloned());
        if all.len() > MAX_TAGS {
            return Err(SnsError::TagLimitExceeded);
        }
        store::set_topic_tags(&self.store.lock(), &t.arn, &all)
    }

    pub(crate) fn untag(&self, arn: &str, keys: &[String]) -> Result<()> {
        let t = self.tagged(arn)?;
        let mut all = t.tags;
        for k in keys {
            all.remove(k);
        }
        store::set_topic_tags(&self.store.lock(), &t.arn, &all)
    }

    pub(crate) fn tags(&self, arn: &str) -> Result<BTreeMap<String, String>> {
        Ok(self.tagged(arn)?.tags)
    }
}
