//! Subscriptions: Subscribe's checks of endpoints as SNS makes them, the
//! confirmation handshake of HTTP/S and email endpoints (a token that
//! lasts three days of service time), the attributes a subscription may set
//! (raw delivery, filter policy and scope, redrive and delivery policies),
//! and Unsubscribe, which an UnsubscribeConfirmation's token can undo.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::Rng as _;
use serde_json::{Value, json};

use crate::arns;
use crate::delivery::http::HttpRequest;
use crate::envelope::{self, Control, ControlMessage};
use crate::error::{Result, SnsError};
use crate::filter::{self, Scope};
use crate::model::{Protocol, Subscription, SubscriptionState, Topic};
use crate::record::RecordedMessage;
use crate::service::Sns;
use crate::store::{self, NewDelivery, NewSubscription};

/// How long a confirmation token (and an unconfirmed subscription) lasts.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3 * 24 * 3600);
/// AWS's quota of filter policies per topic.
pub const MAX_FILTER_POLICIES: i64 = 200;
/// Subscriptions per List page.
pub const PAGE: usize = 100;
/// What Subscribe answers for a subscription waiting for confirmation.
pub const PENDING_ANSWER: &str = "pending confirmation";

const SUBSCRIBE_PREFIX: &str = "Invalid parameter: Attributes Reason: ";
const SET_PREFIX: &str = "Invalid parameter: ";

/// What Subscribe asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct SubscribeRequest {
    pub topic_arn: String,
    pub protocol: String,
    pub endpoint: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub return_arn: bool,
}

fn new_token() -> String {
    let mut bytes = [0u8; 64];
    rand::rng().fill(&mut bytes[..]);
    hex::encode(bytes)
}

/// An endpoint as SNS accepts it for a protocol.
fn check_endpoint(p: Protocol, endpoint: &str, topic: &Topic) -> Result<()> {
    let ok = match p {
        Protocol::Sqs => {
            if !arns::is_queue_arn(endpoint) {
                return Err(SnsError::invalid("SQS endpoint ARN"));
            }
            if endpoint.ends_with(".fifo") && !topic.fifo {
                return Err(SnsError::invalid(
                    "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
                ));
            }
            true
        }
        Protocol::Lambda => arns::is_function_arn(endpoint),
        Protocol::Firehose => arns::is_stream_arn(endpoint),
        Protocol::Http | Protocol::Https => {
            let scheme = format!("{}://", p.as_str());
            let uri = endpoint.parse::<http::Uri>();
            if !(endpoint.starts_with(&scheme) && uri.is_ok_and(|u| u.host().is_some_and(|h| !h.is_empty()))) {
                return Err(SnsError::invalid("Endpoint must match the specified protocol"));
            }
            true
        }
        Protocol::Email | Protocol::EmailJson => {
            let ok = endpoint
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty() && !host.contains('@'))
                && !endpoint.contains(char::is_whitespace);
            if !ok {
                return Err(SnsError::invalid("Email address"));
            }
            true
        }
        Protocol::Sms => {
            if !arns::is_phone_number(endpoint) {
                return Err(SnsError::InvalidParameter(format!("Invalid SMS endpoint: {endpoint}")));
            }
            true
        }
        Protocol::Application => arns::is_platform_endpoint_arn(endpoint),
    };
    if !ok {
        let what = match p {
            Protocol::Lambda => "Lambda endpoint ARN",
            Protocol::Firehose => "Firehose endpoint ARN",
            _ => "Application endpoint ARN",
        };
        return Err(SnsError::invalid(what));
    }
    if topic.fifo && p != Protocol::Sqs {
        return Err(SnsError::invalid(format!(
            "Invalid parameter: Protocol Reason: FIFO topics only deliver to SQS queues, not to {p} endpoints"
        )));
    }
    Ok(())
}

/// The subscription the attribute applies to, as far as checks need it.
struct Target<'a> {
    protocol: Protocol,
    endpoint: &'a str,
    topic: &'a Topic,
    /// The scope a FilterPolicy set now is read under.
    scope: Scope,
}

/// One subscription attribute, checked and normalised (`None` unsets it).
fn check_attribute(prefix: &str, name: &str, value: &str, t: &Target<'_>) -> Result<Option<String>> {
    let invalid = |m: String| SnsError::InvalidParameter(format!("{prefix}{m}"));
    let v = match name {
        "RawMessageDelivery" => {
            let v = match value.to_ascii_lowercase().as_str() {
                b @ ("true" | "false") => b.to_owned(),
                _ => {
                    return Err(invalid(format!(
                        "RawMessageDelivery: Invalid value [{value}]. Must be true or false."
                    )));
                }
            };
            if v == "true" && !t.protocol.supports_raw() {
                return Err(invalid(format!(
                    "Delivery protocol [{}] does not support raw message delivery.",
                    t.protocol
                )));
            }
            v
        }
        "FilterPolicy" => {
            if value.is_empty() {
                return Ok(None);
            }
            filter::parse(value, t.scope).map_err(|e| SnsError::InvalidParameter(e.message(prefix)))?;
            value.to_owned()
        }
        "FilterPolicyScope" => match Scope::parse(value) {
            Some(_) => value.to_owned(),
            None => {
                return Err(invalid(format!(
                    "FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes"
                )));
            }
        },
        "RedrivePolicy" => {
            if value.is_empty() {
                return Ok(None);
            }
            let parsed: Value = serde_json::from_str(value)
                .map_err(|e| invalid(format!("RedrivePolicy: failed to parse JSON. {e}")))?;
            let dlq = parsed
                .get("deadLetterTargetArn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !arns::is_queue_arn(dlq) {
                return Err(invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn".into()));
            }
            if t.topic.fifo && t.endpoint.ends_with(".fifo") && !dlq.ends_with(".fifo") {
                return Err(invalid(
                    "RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.".into(),
                ));
            }
            value.to_owned()
        }
        "DeliveryPolicy" | "ReplayPolicy" => {
            if value.is_empty() {
                return Ok(None);
            }
            match serde_json::from_str::<Value>(value) {
                Ok(Value::Object(_)) => value.to_owned(),
                Ok(_) => {
                    return Err(invalid(format!(
                        "{name}: failed to parse JSON. The value must be a JSON object"
                    )));
                }
                Err(e) => return Err(invalid(format!("{name}: failed to parse JSON. {e}"))),
            }
        }
        "SubscriptionRoleArn" => value.to_owned(),
        _ if prefix == SET_PREFIX => return Err(SnsError::invalid("AttributeName")),
        other => return Err(invalid(format!("Unknown attribute {other}"))),
    };
    Ok(Some(v))
}

/// Checks `given` over `base`, the scope first so that a policy set
/// beside it is read under it; answers the attributes that result.
fn apply_attributes(
    prefix: &str,
    base: &BTreeMap<String, String>,
    given: &BTreeMap<String, String>,
    protocol: Protocol,
    endpoint: &str,
    topic: &Topic,
) -> Result<BTreeMap<String, String>> {
    let mut out = base.clone();
    let mut ordered: Vec<(&String, &String)> = given.iter().collect();
    ordered.sort_by_key(|(k, _)| *k != "FilterPolicyScope");
    for (k, v) in ordered {
        let scope = out
            .get("FilterPolicyScope")
            .and_then(|s| Scope::parse(s))
            .unwrap_or(Scope::MessageAttributes);
        let target = Target {
            protocol,
            endpoint,
            topic,
            scope,
        };
        match check_attribute(prefix, k, v, &target)? {
            Some(v) => out.insert(k.clone(), v),
            None => out.remove(k),
        };
    }
    // A policy already set must still read under a scope set now.
    if given.contains_key("FilterPolicyScope")
        && !given.contains_key("FilterPolicy")
        && let Some(policy) = out.get("FilterPolicy")
    {
        let scope = out
            .get("FilterPolicyScope")
            .and_then(|s| Scope::parse(s))
            .unwrap_or(Scope::MessageAttributes);
        filter::parse(policy, scope).map_err(|e| SnsError::InvalidParameter(e.message(prefix)))?;
    }
    Ok(out)
}

impl Sns {
    pub(crate) fn timestamp(&self) -> String {
        lakestack_aws_protocol::timestamp::iso8601(self.now_ms())
    }

    /// Subscribe: answers the subscription's ARN, or `pending confirmation`
    /// for one waiting for its endpoint unless `return_arn`.
    pub(crate) fn subscribe(&self, req: &SubscribeRequest) -> Result<String> {
        let topic_arn = self.home.topic("TopicArn", &req.topic_arn)?;
        let protocol = Protocol::parse(&req.protocol).ok_or_else(|| {
            SnsError::invalid(format!(
                "Amazon SNS does not support this protocol string: {}",
                req.protocol
            ))
        })?;
        let endpoint = req.endpoint.clone().unwrap_or_default();
        let now = self.now_ms();
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        store::purge_expired(&tx, now)?;
        let topic = store::topic(&tx, &topic_arn, now)?.ok_or(SnsError::TopicNotFound)?;
        check_endpoint(protocol, &endpoint, &topic)?;
        let attrs = apply_attributes(
            SUBSCRIBE_PREFIX,
            &BTreeMap::new(),
            &req.attributes,
            protocol,
            &endpoint,
            &topic,
        )?;
        if let Some(existing) = store::find_subscription(&tx, &topic_arn, protocol, &endpoint, now)? {
            // An attribute left at its default is the same as one set to it.
            let default = |k: &str| match k {
                "RawMessageDelivery" => Some("false"),
                "FilterPolicyScope" => Some("MessageAttributes"),
                _ => None,
            };
            let differs = attrs
                .iter()
                .any(|(k, v)| existing.attribute(k).or_else(|| default(k)) != Some(v.as_str()));
            if differs {
                return Err(SnsError::invalid(
                    "Attributes Reason: Subscription already exists with different attributes",
                ));
            }
            let pending = existing.state == SubscriptionState::Pending;
            return Ok(if pending && !req.return_arn {
                PENDING_ANSWER.to_owned()
            } else {
                existing.arn
            });
        }
        if attrs.contains_key("FilterPolicy") && store::count_filtered(&tx, &topic_arn, "")? >= MAX_FILTER_POLICIES {
            return Err(SnsError::FilterPolicyLimitExceeded);
        }
        let pending = protocol.needs_confirmation();
        let sub = Subscription {
            arn: format!("{topic_arn}:{}", self.new_id()),
            topic_arn,
            protocol,
            endpoint,
            state: if pending {
                SubscriptionState::Pending
            } else {
                SubscriptionState::Confirmed
            },
            authenticated: !pending,
            attributes: attrs,
        };
        let token = pending.then(new_token);
        store::insert_subscription(
            &tx,
            &NewSubscription {
                sub: &sub,
                token: token.as_deref(),
                token_expires_ms: pending.then(|| self.window_end(TOKEN_LIFETIME)),
            },
            now,
        )?;
        if let Some(token) = &token {
            self.send_control(&tx, &sub, Control::SubscriptionConfirmation, token)?;
        }
        tx.commit()?;
        drop(conn);
        self.wake.notify_one();
        Ok(if pending && !req.return_arn {
            PENDING_ANSWER.to_owned()
        } else {
            sub.arn
        })
    }

    /// Sends (HTTP/S) or records (email) a confirmation message.
    fn send_control(&self, tx: &rusqlite::Connection, sub: &Subscription, kind: Control, token: &str) -> Result<()> {
        let endpoint = self.host.endpoint();
        let message_id = self.new_id();
        let timestamp = self.timestamp();
        let subscribe_url = envelope::subscribe_url(&endpoint, &sub.topic_arn, token);
        let cert = envelope::signing_cert_url(&endpoint);
        let c = ControlMessage {
            kind,
            message_id: &message_id,
            token,
            topic_arn: &sub.topic_arn,
            subscription_arn: &sub.arn,
            subscribe_url: &subscribe_url,
            timestamp: &timestamp,
            signing_cert_url: &cert,
        };
        let message = match sub.protocol {
            Protocol::Http | Protocol::Https => {
                let req = HttpRequest {
                    url: sub.endpoint.clone(),
                    message_type: kind.as_str().to_owned(),
                    message_id: message_id.clone(),
                    topic_arn: sub.topic_arn.clone(),
                    subscription_arn: (kind == Control::UnsubscribeConfirmation).then(|| sub.arn.clone()),
                    raw: false,
                    content_type: "text/plain; charset=UTF-8".into(),
                    body: c.document(),
                };
                let control = serde_json::to_string(&req)?;
                return store::insert_delivery(
                    tx,
                    &NewDelivery {
                        topic_arn: &sub.topic_arn,
                        message_id: None,
                        subscription_arn: &sub.arn,
                        control: Some(&control),
                        lane: None,
                        due_ms: self.now_ms(),
                    },
                );
            }
            Protocol::EmailJson => c.document(),
            _ => c.email_text(),
        };
        let subject = match kind {
            Control::SubscriptionConfirmation => "AWS Notification - Subscription Confirmation",
            Control::UnsubscribeConfirmation => "AWS Notification - Unsubscribe Confirmation",
        };
        store::record(
            tx,
            &RecordedMessage {
                id: 0,
                time: timestamp.clone(),
                kind: kind.as_str().to_owned(),
                topic_arn: Some(sub.topic_arn.clone()),
                subscription_arn: Some(sub.arn.clone()),
                protocol: sub.protocol.as_str().to_owned(),
                endpoint: sub.endpoint.clone(),
                message_id,
                subject: (sub.protocol == Protocol::Email).then(|| subject.to_owned()),
                message,
                message_attributes: BTreeMap::new(),
                error: None,
            },
        )?;
        Ok(())
    }

    /// ConfirmSubscription: the token of a SubscriptionConfirmation (or of
    /// an UnsubscribeConfirmation, which restores the subscription).
    /// `authenticated` says whether the call was signed.
    pub(crate) fn confirm_subscription(&self, topic_arn: &str, token: &str, authenticated: bool) -> Result<String> {
        let topic_arn = self
            .home
            .topic("Topic", topic_arn)
            .map_err(|_| SnsError::invalid("Topic"))?;
        if token.is_empty() || token.len() > 1024 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SnsError::InvalidParameter("Invalid token".into()));
        }
        let now = self.now_ms();
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let Some((sub, expires)) = store::by_token(&tx, &topic_arn, token)? else {
            return Err(SnsError::invalid("Token"));
        };
        if expires < now {
            return Err(SnsError::invalid("Token"));
        }
        if sub.state != SubscriptionState::Confirmed {
            store::set_state(&tx, &sub.arn, SubscriptionState::Confirmed, authenticated, None)?;
        }
        tx.commit()?;
        Ok(sub.arn)
    }

    /// Unsubscribe: idempotent. A confirmed HTTP/S subscription is told
    /// with an UnsubscribeConfirmation whose token can restore it.
    pub(crate) fn unsubscribe(&self, arn: &str) -> Result<()> {
        let arn = self.home.subscription("SubscriptionArn", arn)?;
        let now = self.now_ms();
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let Some(sub) = store::subscription(&tx, &arn, now)? else {
            return Ok(());
        };
        let confirmed_http =
            sub.state == SubscriptionState::Confirmed && matches!(sub.protocol, Protocol::Http | Protocol::Https);
        if confirmed_http {
            let token = new_token();
            store::set_state(
                &tx,
                &sub.arn,
                SubscriptionState::Deleted,
                sub.authenticated,
                Some((&token, self.window_end(TOKEN_LIFETIME))),
            )?;
            self.send_control(&tx, &sub, Control::UnsubscribeConfirmation, &token)?;
        } else {
            store::delete_subscription(&tx, &sub.arn)?;
        }
        store::count_deleted(&tx, &sub.topic_arn)?;
        tx.commit()?;
        drop(conn);
        self.forget_policy(&arn);
        self.wake.notify_one();
        Ok(())
    }

    /// A page of live subscriptions (of one topic or all) after `after`,
    /// and whether more follow.
    pub(crate) fn list_subscriptions(
        &self,
        topic: Option<&str>,
        after: Option<&str>,
    ) -> Result<(Vec<Subscription>, bool)> {
        let topic = match topic {
            Some(t) => Some(self.topic("TopicArn", t)?.arn),
            None => None,
        };
        let mut subs = store::subscriptions(&self.store.lock(), topic.as_deref(), after, PAGE + 1, self.now_ms())?;
        let more = subs.len() > PAGE;
        subs.truncate(PAGE);
        Ok((subs, more))
    }

    fn live_subscription(&self, arn: &str) -> Result<(Subscription, Topic)> {
        let arn = self.home.subscription("SubscriptionArn", arn)?;
        let now = self.now_ms();
        let conn = self.store.lock();
        let sub = store::subscription(&conn, &arn, now)?.ok_or(SnsError::SubscriptionNotFound)?;
        let topic = store::topic(&conn, &sub.topic_arn, now)?.ok_or(SnsError::SubscriptionNotFound)?;
        Ok((sub, topic))
    }

    /// GetSubscriptionAttributes.
    pub(crate) fn subscription_attributes(&self, arn: &str) -> Result<BTreeMap<String, String>> {
        let (sub, topic) = self.live_subscription(arn)?;
        let pending = sub.state == SubscriptionState::Pending;
        let mut out = sub.attributes.clone();
        if out.contains_key("FilterPolicy") {
            out.entry("FilterPolicyScope".into())
                .or_insert_with(|| "MessageAttributes".into());
        } else {
            out.remove("FilterPolicyScope");
        }
        out.entry("RawMessageDelivery".into()).or_insert_with(|| "false".into());
        out.insert(
            "ConfirmationWasAuthenticated".into(),
            (sub.authenticated && !pending).to_string(),
        );
        out.insert("Endpoint".into(), sub.endpoint.clone());
        out.insert("Owner".into(), self.account().to_owned());
        out.insert("PendingConfirmation".into(), pending.to_string());
        out.insert("Protocol".into(), sub.protocol.as_str().to_owned());
        out.insert("SubscriptionArn".into(), sub.arn.clone());
        out.insert(
            "SubscriptionPrincipal".into(),
            format!("arn:aws:iam::{}:root", self.account()),
        );
        out.insert("TopicArn".into(), sub.topic_arn.clone());
        if matches!(sub.protocol, Protocol::Http | Protocol::Https) {
            out.insert(
                "EffectiveDeliveryPolicy".into(),
                effective_subscription_policy(&sub, &topic).to_string(),
            );
        }
        Ok(out)
    }

    /// SetSubscriptionAttributes: one attribute; an empty value unsets a
    /// policy.
    pub(crate) fn set_subscription_attribute(&self, arn: &str, name: &str, value: &str) -> Result<()> {
        let (sub, topic) = self.live_subscription(arn)?;
        let given = BTreeMap::from([(name.to_owned(), value.to_owned())]);
        let attrs = apply_attributes(SET_PREFIX, &sub.attributes, &given, sub.protocol, &sub.endpoint, &topic)?;
        let conn = self.store.lock();
        if attrs.contains_key("FilterPolicy")
            && !sub.attributes.contains_key("FilterPolicy")
            && store::count_filtered(&conn, &sub.topic_arn, &sub.arn)? >= MAX_FILTER_POLICIES
        {
            return Err(SnsError::FilterPolicyLimitExceeded);
        }
        store::set_subscription_attributes(&conn, &sub.arn, &attrs)?;
        drop(conn);
        self.forget_policy(&sub.arn);
        Ok(())
    }
}

/// An HTTP/S subscription's delivery policy in effect, in the shape AWS
/// answers it: its own retry and request policies over its topic's.
pub(crate) fn effective_subscription_policy(sub: &Subscription, topic: &Topic) -> Value {
    let topic_policy = topic.effective_delivery_policy();
    let http = &topic_policy["http"];
    let own: Value = sub
        .attribute("DeliveryPolicy")
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    let overrides = !http["disableSubscriptionOverrides"].as_bool().unwrap_or(false);
    let pick = |own_key: &str, topic_key: &str| -> Value {
        match own.get(own_key) {
            Some(v) if overrides && !v.is_null() => v.clone(),
            _ => http.get(topic_key).cloned().unwrap_or(Value::Null),
        }
    };
    let mut retry = http["defaultHealthyRetryPolicy"].clone();
    if overrides
        && let Some(Value::Object(o)) = own.get("healthyRetryPolicy")
        && let Value::Object(r) = &mut retry
    {
        for (k, v) in o {
            r.insert(k.clone(), v.clone());
        }
    }
    json!({
        "healthyRetryPolicy": retry,
        "sicklyRetryPolicy": own.get("sicklyRetryPolicy").cloned().unwrap_or(Value::Null),
        "throttlePolicy": pick("throttlePolicy", "defaultThrottlePolicy"),
        "requestPolicy": pick("requestPolicy", "defaultRequestPolicy"),
        "guaranteed": own.get("guaranteed").cloned().unwrap_or(Value::Bool(false)),
    })
}
