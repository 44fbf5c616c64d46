//! S3 event notifications: a bucket's configuration checked as S3 checks
//! it, and the events of the storage engine's outbox delivered as S3's event
//! records to the queues, topics and functions the configuration names.
//!
//! S3 knows none of those services: it asks the root package, through
//! [`Destinations`], whether a destination exists and to hand it an event.
//! Delivery runs apart from requests ([`Notifier`]), so a PUT is not slowed,
//! and an event leaves the outbox only once its destinations have accepted
//! it, so events survive a restart (at least once, as S3 promises).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use lakestack_aws_protocol::DeliveryError;
use lakestack_storage::{ConfigKind, Notification, Storage};
use s3s::dto::{NotificationConfiguration, NotificationConfigurationFilter};
use s3s::{S3Error, S3ErrorCode, S3Result};
use serde_json::{Value, json};

/// What a configuration sends events to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DestinationKind {
    Queue,
    Topic,
    Function,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Destination {
    pub kind: DestinationKind,
    pub arn: String,
}

/// The services S3 notifies, as the root package provides them.
#[async_trait]
pub trait Destinations: Send + Sync + fmt::Debug {
    /// Why the destination cannot receive events, or None if it can.
    async fn check(&self, d: &Destination) -> Option<String>;
    /// Hands one event (the JSON S3 sends) to a destination; Ok once the
    /// destination holds it.
    async fn send(&self, d: &Destination, event: String) -> Result<(), DeliveryError>;
    /// Puts an event on EventBridge's default bus (a bucket with
    /// EventBridge enabled); Ok once EventBridge holds it.
    async fn put_event(&self, event: BusEvent) -> Result<(), DeliveryError>;
}

/// An S3 event as EventBridge carries it (source `aws.s3`).
#[derive(Debug, Clone, PartialEq)]
pub struct BusEvent {
    pub detail_type: &'static str,
    pub time_ms: i64,
    pub resources: Vec<String>,
    pub detail: Value,
}

/// The EventBridge detail-type of an S3 event, and the `reason` it gives
/// (S3's "Using EventBridge" mapping); None for events S3 does not send there.
fn bus_kind(event: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match event {
        "ObjectCreated:Put" => ("Object Created", Some("PutObject")),
        "ObjectCreated:Post" => ("Object Created", Some("POST Object")),
        "ObjectCreated:Copy" => ("Object Created", Some("CopyObject")),
        "ObjectCreated:CompleteMultipartUpload" => ("Object Created", Some("CompleteMultipartUpload")),
        "ObjectRemoved:Delete" | "ObjectRemoved:DeleteMarkerCreated" => ("Object Deleted", Some("DeleteObject")),
        "LifecycleExpiration:Delete" | "LifecycleExpiration:DeleteMarkerCreated" => {
            ("Object Deleted", Some("Lifecycle Expiration"))
        }
        "ObjectTagging:Put" => ("Object Tags Added", None),
        "ObjectTagging:Delete" => ("Object Tags Deleted", None),
        "ObjectAcl:Put" => ("Object ACL Updated", None),
        "ObjectRestore:Post" => ("Object Restore Initiated", None),
        "ObjectRestore:Completed" => ("Object Restore Completed", None),
        "ObjectRestore:Delete" => ("Object Restore Expired", None),
        _ => return None,
    })
}

/// The EventBridge event for one outbox entry, as S3 words it: keys as
/// they are (not URL-encoded), no `version-id` in an unversioned bucket,
/// no size for deletions and tag changes.
pub(crate) fn bus_event(n: &Notification, who: &Identity) -> Option<BusEvent> {
    let (detail_type, reason) = bus_kind(&n.event)?;
    let lifecycle = n.event.starts_with("LifecycleExpiration:");
    let mut object = serde_json::Map::new();
    object.insert("key".into(), n.key.clone().into());
    if detail_type == "Object Created"
        && let Some(size) = n.size
    {
        object.insert("size".into(), size.into());
    }
    if let Some(etag) = &n.etag {
        object.insert("etag".into(), etag.clone().into());
    }
    if let Some(v) = &n.version_id {
        object.insert("version-id".into(), v.clone().into());
    }
    if reason.is_some() {
        object.insert("sequencer".into(), format!("{:016X}", n.seq).into());
    }
    let mut detail = serde_json::Map::new();
    detail.insert("version".into(), "0".into());
    detail.insert("bucket".into(), json!({"name": n.bucket}));
    detail.insert("object".into(), Value::Object(object));
    detail.insert("request-id".into(), request_id(n.seq).into());
    if lifecycle {
        detail.insert("requester".into(), "s3.amazonaws.com".into());
    } else {
        detail.insert("requester".into(), who.account_id.clone().into());
        detail.insert("source-ip-address".into(), "127.0.0.1".into());
    }
    if let Some(reason) = reason {
        detail.insert("reason".into(), reason.into());
    }
    if n.event.starts_with("ObjectRemoved:") || lifecycle {
        let kind = if n.event.ends_with("DeleteMarkerCreated") {
            "Delete Marker Created"
        } else {
            "Permanently Deleted"
        };
        detail.insert("deletion-type".into(), kind.into());
    }
    Some(BusEvent {
        detail_type,
        time_ms: n.time_ms,
        resources: vec![format!("arn:aws:s3:::{}", n.bucket)],
        detail: Value::Object(detail),
    })
}

/// The event types S3 notifies, as configurations name them.
const EVENTS: &[&str] = &[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
];

/// One configuration entry: which events, which keys, where to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub id: String,
    pub events: Vec<String>,
    pub prefix: String,
    pub suffix: String,
    pub destination: Destination,
}

impl Rule {
    /// Whether an event (`ObjectCreated:Put`) on `key` goes to this rule's destination.
    fn matches(&self, event: &str, key: &str) -> bool {
        key.starts_with(&self.prefix) && key.ends_with(&self.suffix) && self.events.iter().any(|e| names(e, event))
    }
}

/// Whether a configured type (`s3:ObjectCreated:*`) covers an event (`ObjectCreated:Put`).
fn names(configured: &str, event: &str) -> bool {
    let configured = configured.strip_prefix("s3:").unwrap_or(configured);
    match configured.strip_suffix('*') {
        Some(family) => event.starts_with(family),
        None => configured == event,
    }
}

fn invalid(message: impl Into<String>) -> S3Error {
    S3Error::with_message(S3ErrorCode::InvalidArgument, message.into())
}

/// The prefix and suffix of a filter, refused as S3 refuses a bad one.
fn key_filter(filter: Option<&NotificationConfigurationFilter>) -> S3Result<(String, String)> {
    let (mut prefix, mut suffix) = (None, None);
    let rules = filter
        .and_then(|f| f.key.as_ref())
        .and_then(|k| k.filter_rules.as_ref());
    for r in rules.into_iter().flatten() {
        let name = r
            .name
            .as_ref()
            .map(|n| n.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        let slot = match name.as_str() {
            "prefix" => &mut prefix,
            "suffix" => &mut suffix,
            _ => return Err(invalid("filter rule name must be either prefix or suffix")),
        };
        if slot.is_some() {
            return Err(invalid(format!(
                "Cannot specify more than one {name} rule in a filter."
            )));
        }
        *slot = Some(r.value.clone().unwrap_or_default());
    }
    Ok((prefix.unwrap_or_default(), suffix.unwrap_or_default()))
}

/// Names each configuration that has no `Id`, as S3 does when it saves
/// them: the id is stored with it, so every event of one configuration
/// carries the same `configurationId` and GetBucketNotificationConfiguration
/// answers it.
pub(crate) fn name_configurations(c: &mut NotificationConfiguration) {
    let fresh = || Some(format!("lakestack-{}", uuid::Uuid::new_v4()));
    for q in c.queue_configurations.iter_mut().flatten() {
        q.id = q.id.take().or_else(fresh);
    }
    for t in c.topic_configurations.iter_mut().flatten() {
        t.id = t.id.take().or_else(fresh);
    }
    for l in c.lambda_function_configurations.iter_mut().flatten() {
        l.id = l.id.take().or_else(fresh);
    }
}

/// The rules of a configuration, checked as PutBucketNotificationConfiguration checks them.
pub(crate) fn rules(c: &NotificationConfiguration) -> S3Result<Vec<Rule>> {
    let mut out = Vec::new();
    let mut add = |id: &Option<String>, events: &[s3s::dto::Event], filter, kind, arn: &str| -> S3Result<()> {
        let events: Vec<String> = events.iter().map(|e| e.as_ref().to_owned()).collect();
        if events.is_empty() {
            return Err(invalid("The notification configuration has no events"));
        }
        if let Some(bad) = events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
            return Err(invalid(format!("The event is not supported for notifications: {bad}")));
        }
        let (prefix, suffix) = key_filter(filter)?;
        // `name_configurations` gave every saved configuration an id.
        let id = id.clone().unwrap_or_default();
        out.push(Rule {
            id,
            events,
            prefix,
            suffix,
            destination: Destination {
                kind,
                arn: arn.to_owned(),
            },
        });
        Ok(())
    };
    for q in c.queue_configurations.iter().flatten() {
        add(
            &q.id,
            &q.events,
            q.filter.as_ref(),
            DestinationKind::Queue,
            &q.queue_arn,
        )?;
    }
    for t in c.topic_configurations.iter().flatten() {
        add(
            &t.id,
            &t.events,
            t.filter.as_ref(),
            DestinationKind::Topic,
            &t.topic_arn,
        )?;
    }
    for l in c.lambda_function_configurations.iter().flatten() {
        add(
            &l.id,
            &l.events,
            l.filter.as_ref(),
            DestinationKind::Function,
            &l.lambda_function_arn,
        )?;
    }
    for (i, a) in out.iter().enumerate() {
        for b in &out[i + 1..] {
            if overlap(a, b) {
                return Err(invalid(
                    "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
                ));
            }
        }
    }
    Ok(out)
}

/// Two rules overlap when some key and event would match both: S3 refuses
/// such a configuration rather than pick one.
fn overlap(a: &Rule, b: &Rule) -> bool {
    let shared_event = a.events.iter().any(|x| {
        b.events.iter().any(|y| {
            let (x, y) = (x.trim_start_matches("s3:"), y.trim_start_matches("s3:"));
            names(x, y.trim_end_matches('*')) || names(y, x.trim_end_matches('*'))
        })
    });
    let related = |p: &str, q: &str, f: fn(&str, &str) -> bool| f(p, q) || f(q, p);
    shared_event
        && related(&a.prefix, &b.prefix, |p, q| p.starts_with(q))
        && related(&a.suffix, &b.suffix, |p, q| p.ends_with(q))
}

/// Checks every destination of `rules` with the services that own them.
pub(crate) async fn check_destinations(rules: &[Rule], destinations: &dyn Destinations) -> S3Result<()> {
    let mut failed = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in rules {
        if seen.insert(&r.destination)
            && let Some(why) = destinations.check(&r.destination).await
        {
            failed.push(format!("{}: {why}", r.destination.arn));
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    tracing::info!(destinations = ?failed, "notification configuration refused");
    Err(invalid("Unable to validate the following destination configurations"))
}

/// Sends `s3:TestEvent` to the queues and topics of a configuration just
/// saved, as S3 does (functions get none).
pub(crate) async fn send_test_events(bucket: &str, rules: &[Rule], destinations: &dyn Destinations) {
    let mut seen = std::collections::HashSet::new();
    let now = lakestack_aws_protocol::timestamp::iso8601(now_ms());
    let rid = request_id(rand_seq());
    for r in rules {
        if r.destination.kind == DestinationKind::Function || !seen.insert(&r.destination) {
            continue;
        }
        let event = json!({
            "Service": "Amazon S3",
            "Event": "s3:TestEvent",
            "Time": now,
            "Bucket": bucket,
            "RequestId": rid,
            "HostId": host_id(&rid),
        });
        if let Err(e) = destinations.send(&r.destination, event.to_string()).await {
            tracing::warn!(destination = %r.destination.arn, error = %e, "could not send the test event");
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn rand_seq() -> i64 {
    (uuid::Uuid::new_v4().as_u128() >> 66) as i64
}

/// S3's request ids are 16 upper-case hex digits.
fn request_id(seq: i64) -> String {
    format!("{:016X}", seq as u64 ^ 0x5A17_0000_0000_0000)
}

/// S3's `x-amz-id-2`: base64 of a host's id; ours derives from the request id.
fn host_id(rid: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(rid.as_bytes()))
}

/// A key as event records carry it: URL-encoded as a form value (a space
/// is `+`), with `/` kept.
pub fn encode_key(key: &str) -> String {
    key.split('/')
        .map(|seg| form_urlencoded::byte_serialize(seg.as_bytes()).collect::<String>())
        .collect::<Vec<_>>()
        .join("/")
}

/// Who owns and changes objects, as records name them.
#[derive(Debug, Clone)]
pub struct Identity {
    pub region: String,
    pub account_id: String,
}

/// The event record S3 sends for one outbox entry and one rule.
pub(crate) fn record(n: &Notification, rule_id: &str, who: &Identity) -> Value {
    // 2.1 for object creation and removal; 2.3 for the metadata events S3
    // versioned apart (tagging, ACL, lifecycle, restore).
    let created_or_removed = n.event.starts_with("ObjectCreated:") || n.event.starts_with("ObjectRemoved:");
    let version = if created_or_removed { "2.1" } else { "2.3" };
    let mut object = serde_json::Map::new();
    object.insert("key".into(), encode_key(&n.key).into());
    if let Some(size) = n.size {
        object.insert("size".into(), size.into());
    }
    if let Some(etag) = &n.etag {
        object.insert("eTag".into(), etag.clone().into());
    }
    if let Some(v) = &n.version_id {
        object.insert("versionId".into(), v.clone().into());
    }
    if created_or_removed {
        object.insert("sequencer".into(), format!("{:016X}", n.seq).into());
    }
    let rid = request_id(n.seq);
    json!({
        "eventVersion": version,
        "eventSource": "aws:s3",
        "awsRegion": who.region,
        "eventTime": lakestack_aws_protocol::timestamp::iso8601(n.time_ms),
        "eventName": n.event,
        "userIdentity": {"principalId": format!("AWS:{}", who.account_id)},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": rid, "x-amz-id-2": host_id(&rid)},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": rule_id,
            "bucket": {
                "name": n.bucket,
                "ownerIdentity": {"principalId": who.account_id},
                "arn": format!("arn:aws:s3:::{}", n.bucket),
            },
            "object": object,
        },
    })
}

/// How many outbox entries one pass reads.
const BATCH: usize = 256;
/// How long delivery waits after a failure it may retry.
const RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(1);

/// Delivers the outbox: started once per process.
#[derive(Debug, Clone)]
pub struct Notifier {
    pub storage: Arc<Storage>,
    pub destinations: Arc<dyn Destinations>,
    pub identity: Identity,
}

impl Notifier {
    /// Delivers what the last run left, then every event as it is written.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move { self.run().await })
    }

    async fn run(self) {
        let ready = self.storage.notifications_ready();
        let mut after = 0;
        loop {
            let storage = Arc::clone(&self.storage);
            let batch = match tokio::task::spawn_blocking(move || storage.pending_notifications(after, BATCH)).await {
                Ok(Ok(b)) => b,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "reading the notification outbox failed");
                    tokio::time::sleep(RETRY_PAUSE).await;
                    continue;
                }
                Err(_) => return,
            };
            if batch.is_empty() {
                ready.notified().await;
                continue;
            }
            let (done, stalled) = self.deliver(&batch).await;
            if let Some(last) = done.last() {
                after = *last;
            }
            if let Err(e) = self.storage.notifications_delivered(done).await {
                tracing::warn!(error = %e, "could not clear delivered notifications");
            }
            if stalled {
                // A destination could not take an event now: the rest wait,
                // in order, and are tried again from that event.
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }

    /// Delivers events in order; answers the ones done and whether it
    /// stopped at one a destination could not take now.
    async fn deliver(&self, batch: &[Notification]) -> (Vec<i64>, bool) {
        let mut rules: HashMap<String, (Vec<Rule>, bool)> = HashMap::new();
        let mut done = Vec::with_capacity(batch.len());
        for n in batch {
            if !rules.contains_key(&n.bucket) {
                rules.insert(n.bucket.clone(), self.rules_of(&n.bucket));
            }
            let (bucket_rules, to_bus) = rules.get(&n.bucket).map_or((&[][..], false), |(r, b)| (&r[..], *b));
            for r in bucket_rules {
                if !r.matches(&n.event, &n.key) {
                    continue;
                }
                let event = json!({"Records": [record(n, &r.id, &self.identity)]}).to_string();
                match self.destinations.send(&r.destination, event).await {
                    Ok(()) => {}
                    // A destination that is gone or refuses the event: S3 drops it too.
                    Err(DeliveryError::Permanent(e)) => {
                        tracing::warn!(destination = %r.destination.arn, event = %n.event, error = %e, "an S3 event was not delivered");
                    }
                    // The whole event is tried again, so a destination that took
                    // it already gets it twice: at least once, as S3 promises.
                    Err(DeliveryError::Transient(e)) => {
                        tracing::warn!(destination = %r.destination.arn, event = %n.event, error = %e, "an S3 event will be delivered again");
                        return (done, true);
                    }
                }
            }
            // EventBridge last: an event the other destinations must retry is
            // put again with them, but one EventBridge has taken never holds
            // them back (a retry of the bus put alone repeats nothing else).
            if to_bus && let Some(event) = bus_event(n, &self.identity) {
                match self.destinations.put_event(event).await {
                    Ok(()) => {}
                    Err(DeliveryError::Permanent(e)) => {
                        tracing::warn!(event = %n.event, error = %e, "an S3 event did not reach EventBridge");
                    }
                    Err(DeliveryError::Transient(e)) => {
                        tracing::warn!(event = %n.event, error = %e, "an S3 event will be put on EventBridge again");
                        return (done, true);
                    }
                }
            }
            done.push(n.seq);
        }
        (done, false)
    }

    /// The bucket's rules now, and whether EventBridge is on for it; none
    /// if it has no configuration or it no longer parses.
    fn rules_of(&self, bucket: &str) -> (Vec<Rule>, bool) {
        let Ok(Some(xml)) = self.storage.bucket_config(bucket, ConfigKind::Notification) else {
            return (Vec::new(), false);
        };
        let Ok(config) = crate::buckets::from_xml::<NotificationConfiguration>(&xml) else {
            return (Vec::new(), false);
        };
        let to_bus = config.event_bridge_configuration.is_some();
        (rules(&config).unwrap_or_default(), to_bus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(events: &[&str], prefix: &str, suffix: &str) -> Rule {
        Rule {
            id: "r".into(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            prefix: prefix.into(),
            suffix: suffix.into(),
            destination: Destination {
                kind: DestinationKind::Queue,
                arn: "arn:aws:sqs:us-east-1:000000000000:q".into(),
            },
        }
    }

    #[test]
    fn configured_types_cover_events() {
        let r = rule(&["s3:ObjectCreated:*"], "raw/", ".csv");
        assert!(r.matches("ObjectCreated:Put", "raw/a.csv"));
        assert!(r.matches("ObjectCreated:CompleteMultipartUpload", "raw/x/b.csv"));
        assert!(!r.matches("ObjectRemoved:Delete", "raw/a.csv"));
        assert!(!r.matches("ObjectCreated:Put", "raw/a.json"));
        assert!(!r.matches("ObjectCreated:Put", "other/a.csv"));
        let exact = rule(&["s3:ObjectRemoved:DeleteMarkerCreated"], "", "");
        assert!(exact.matches("ObjectRemoved:DeleteMarkerCreated", "k"));
        assert!(!exact.matches("ObjectRemoved:Delete", "k"));
    }

    #[test]
    fn overlapping_rules_are_found() {
        let a = rule(&["s3:ObjectCreated:*"], "raw/", "");
        assert!(overlap(&a, &rule(&["s3:ObjectCreated:Put"], "", ".csv")));
        assert!(overlap(&a, &rule(&["s3:ObjectCreated:Put"], "raw/x/", "")));
        assert!(!overlap(&a, &rule(&["s3:ObjectCreated:Put"], "cooked/", "")));
        assert!(!overlap(&a, &rule(&["s3:ObjectRemoved:*"], "raw/", "")));
        let csv = rule(&["s3:ObjectCreated:*"], "", ".csv");
        assert!(!overlap(&csv, &rule(&["s3:ObjectCreated:*"], "", ".json")));
    }

    #[test]
    fn keys_are_encoded_as_s3_encodes_them() {
        assert_eq!(encode_key("year=2024/my file+1.csv"), "year%3D2024/my+file%2B1.csv");
        assert_eq!(encode_key("a/b/c.txt"), "a/b/c.txt");
        assert_eq!(encode_key("é"), "%C3%A9");
    }

    /// Fails its first send for good or for now, as told, then takes every event.
    #[derive(Debug, Default)]
    struct Flaky {
        first: std::sync::Mutex<Option<DeliveryError>>,
        sent: std::sync::Mutex<Vec<String>>,
    }

    #[async_trait]
    impl Destinations for Flaky {
        async fn check(&self, _: &Destination) -> Option<String> {
            None
        }

        async fn send(&self, _: &Destination, event: String) -> Result<(), DeliveryError> {
            if let Some(e) = self.first.lock().unwrap().take() {
                return Err(e);
            }
            self.sent.lock().unwrap().push(event);
            Ok(())
        }

        async fn put_event(&self, event: BusEvent) -> Result<(), DeliveryError> {
            self.sent.lock().unwrap().push(event.detail.to_string());
            Ok(())
        }
    }

    #[test]
    fn eventbridge_events_as_s3_words_them() {
        let who = Identity {
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
        };
        let mut n = Notification {
            seq: 7,
            bucket: "b".into(),
            key: "raw/a b.csv".into(),
            event: "ObjectCreated:Put".into(),
            size: Some(5),
            etag: Some("b1946ac92492d2347c6235b4d2611184".into()),
            version_id: None,
            time_ms: 0,
        };
        let e = bus_event(&n, &who).unwrap();
        assert_eq!(e.detail_type, "Object Created");
        assert_eq!(e.resources, ["arn:aws:s3:::b"]);
        assert_eq!(
            e.detail,
            json!({"version": "0", "bucket": {"name": "b"},
                   "object": {"key": "raw/a b.csv", "size": 5, "etag": "b1946ac92492d2347c6235b4d2611184", "sequencer": "0000000000000007"},
                   "request-id": request_id(7), "requester": "000000000000", "source-ip-address": "127.0.0.1", "reason": "PutObject"})
        );
        n.event = "ObjectRemoved:DeleteMarkerCreated".into();
        n.version_id = Some("v1".into());
        let d = bus_event(&n, &who).unwrap();
        assert_eq!(d.detail_type, "Object Deleted");
        assert_eq!(d.detail["deletion-type"], "Delete Marker Created");
        assert_eq!(d.detail["object"].get("size"), None);
        assert_eq!(d.detail["object"]["version-id"], "v1");
        n.event = "ObjectTagging:Put".into();
        let t = bus_event(&n, &who).unwrap();
        assert_eq!(t.detail_type, "Object Tags Added");
        assert_eq!(t.detail.get("reason"), None);
        assert_eq!(t.detail["object"].get("sequencer"), None);
        n.event = "TestEvent".into();
        assert_eq!(bus_event(&n, &who), None);
    }

    /// Writes two objects to a notified bucket and lets the notifier deliver them.
    async fn deliver_with(first: DeliveryError) -> (Vec<String>, usize) {
        let dir = tempfile::tempdir().unwrap();
        let storage = Arc::new(Storage::open(dir.path()).unwrap());
        storage.create_bucket("b", "us-east-1").await.unwrap();
        let config = "<NotificationConfiguration><QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>";
        storage
            .put_bucket_config("b", ConfigKind::Notification, config)
            .await
            .unwrap();
        for key in ["one", "two"] {
            let mut w = storage.begin_write().await.unwrap();
            w.write(b"x").await.unwrap();
            let blob = w.finish().await.unwrap();
            storage
                .commit_put("b", key, blob, Default::default(), &Default::default(), "Put")
                .await
                .unwrap();
        }
        let flaky = Arc::new(Flaky {
            first: std::sync::Mutex::new(Some(first)),
            ..Flaky::default()
        });
        let task = Notifier {
            storage: Arc::clone(&storage),
            destinations: Arc::clone(&flaky) as _,
            identity: Identity {
                region: "us-east-1".into(),
                account_id: "000000000000".into(),
            },
        }
        .spawn();
        // A retry comes after RETRY_PAUSE of real time.
        for _ in 0..500 {
            if storage.pending_notifications(0, 10).unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        task.abort();
        let keys = flaky
            .sent
            .lock()
            .unwrap()
            .iter()
            .map(|e| serde_json::from_str::<Value>(e).unwrap()["Records"][0]["s3"]["object"]["key"].to_string())
            .collect();
        (keys, storage.pending_notifications(0, 10).unwrap().len())
    }

    #[tokio::test]
    async fn a_transient_failure_is_retried_and_a_permanent_one_dropped() {
        let (keys, left) = deliver_with(DeliveryError::Transient("busy".into())).await;
        assert_eq!((keys, left), (vec!["\"one\"".to_owned(), "\"two\"".to_owned()], 0));
        let (keys, left) = deliver_with(DeliveryError::Permanent("gone".into())).await;
        assert_eq!((keys, left), (vec!["\"two\"".to_owned()], 0));
    }

    #[test]
    fn records_carry_s3_fields() {
        let n = Notification {
            seq: 42,
            bucket: "b".into(),
            key: "raw/a b.csv".into(),
            event: "ObjectCreated:Put".into(),
            size: Some(5),
            etag: Some("5d41402abc4b2a76b9719d911017c592".into()),
            version_id: None,
            time_ms: 1_700_000_000_123,
        };
        let who = Identity {
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
        };
        let r = record(&n, "cfg", &who);
        assert_eq!(r["eventVersion"], "2.1");
        assert_eq!(r["eventTime"], "2023-11-14T22:13:20.123Z");
        assert_eq!(
            r["s3"]["object"],
            json!({"key": "raw/a+b.csv", "size": 5, "eTag": "5d41402abc4b2a76b9719d911017c592", "sequencer": "000000000000002A"})
        );
        assert_eq!(r["s3"]["bucket"]["arn"], "arn:aws:s3:::b");
        let tagged = Notification {
            event: "ObjectTagging:Put".into(),
            size: None,
            version_id: Some("v1".into()),
            ..n
        };
        let r = record(&tagged, "cfg", &who);
        assert_eq!(r["eventVersion"], "2.3");
        assert_eq!(
            r["s3"]["object"],
            json!({"key": "raw/a+b.csv", "eTag": "5d41402abc4b2a76b9719d911017c592", "versionId": "v1"})
        );
    }
}
