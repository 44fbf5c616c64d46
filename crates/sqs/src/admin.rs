//! What is done to queues themselves: CreateQueue (idempotent on equal
//! attributes, AWS's 60-second wait before a deleted name is reused),
//! DeleteQueue, attributes (a redrive policy's target must exist, be of the
//! same type and allow the source), PurgeQueue and its 60-second cooldown,
//! tags, and dead-letter sources. Changes to a queue are serialized by the
//! service's admin lock, so the file and memory see them in one order.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use crate::attributes::{self, QueueConfig};
use crate::error::{Result, SqsError};
use crate::names;
use crate::queue::Queue;
use crate::service::{Lasting, SIXTY_SECONDS, Sqs};
use crate::store::{self, QueueRow};

/// Queue tags, as AWS limits them.
const MAX_TAGS: usize = 50;

impl Sqs {
    /// Creates a queue, or answers the existing one when every attribute
    /// matches (CreateQueue is idempotent that way).
    pub(crate) async fn create_queue(
        &self,
        name: &str,
        attrs: &BTreeMap<String, String>,
        tags: &BTreeMap<String, String>,
    ) -> Result<Arc<Queue>> {
        let fifo = match attrs.get("FifoQueue") {
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(_) => return Err(SqsError::InvalidAttributeValue("FifoQueue".into())),
            None => false,
        };
        names::check_queue_name(name, fifo)?;
        let mut config = QueueConfig::new(fifo);
        config.apply(attrs, true)?;
        check_tags(name, tags, tags.len())?;
        let arn = self.queue_arn(name);
        if let Some(r) = &config.redrive {
            self.check_redrive(&arn, fifo, r, attrs.get("RedrivePolicy").map_or("", String::as_str))?;
        }
        let _admin = self.admin.lock().await;
        if let Some(existing) = self.queue_named(name) {
            let st = existing.lock();
            return match st.config.first_difference(&config) {
                Some(attribute) => Err(SqsError::QueueNameExists {
                    attribute: attribute.to_owned(),
                }),
                None => Ok(existing.clone()),
            };
        }
        let now = self.now_ms();
        {
            let mut deleted = self.deleted.lock().unwrap_or_else(PoisonError::into_inner);
            // A wait: at scale 0 a deleted queue's name is free at once.
            let window = self.span(SIXTY_SECONDS, Lasting::Wait);
            deleted.retain(|_, at| now - *at < window);
            if deleted.contains_key(name) {
                return Err(SqsError::QueueDeletedRecently);
            }
        }
        let id = self.next_queue.fetch_add(1, Ordering::Relaxed);
        let row = QueueRow {
            id,
            name: name.to_owned(),
            created_ms: now,
            modified_ms: now,
            attributes: texts(&config),
            tags: tags.clone(),
        };
        let write = Arc::new(row);
        let w = write.clone();
        self.writer.write(Box::new(move |c| store::insert_queue(c, &w))).await?;
        let q = Arc::new(Queue::new(id, name.to_owned(), arn, now, now, config, tags.clone()));
        self.queues
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), q.clone());
        Ok(q)
    }

    /// A redrive policy's target must exist, be of the source's type and
    /// allow the source.
    fn check_redrive(&self, source_arn: &str, fifo: bool, r: &attributes::Redrive, raw: &str) -> Result<()> {
        let bad = |reason: String| SqsError::parameter("RedrivePolicy", raw, reason);
        let Some(dlq) = self.queue_for_arn(&r.dead_letter_target_arn) else {
            return Err(bad("Dead letter target does not exist.".into()));
        };
        let st = dlq.lock();
        if st.config.fifo != fifo {
            return Err(bad(
                "Dead-letter target must be the same type of queue as the source.".into()
            ));
        }
        if let Some(allow) = &st.config.redrive_allow
            && !allow.allows(source_arn)
        {
            return Err(bad(format!(
                "Queue {} does not allow this queue to use it as a dead-letter queue.",
                dlq.arn
            )));
        }
        Ok(())
    }

    pub(crate) async fn delete_queue(&self, q: &Arc<Queue>) -> Result<()> {
        let _admin = self.admin.lock().await;
        {
            let mut queues = self.queues.write().unwrap_or_else(PoisonError::into_inner);
            match queues.get(&q.name) {
                Some(current) if Arc::ptr_eq(current, q) => {
                    queues.remove(&q.name);
                }
                _ => return Err(SqsError::QueueDoesNotExist),
            }
        }
        let written = {
            let mut st = q.lock();
            st.deleted = true;
            st.dedup.clear();
            let seqs = self.drop_entries(st.index.clear());
            let id = q.id;
            self.writer
                .enqueue(Box::new(move |c| store::delete_queue(c, id, &seqs)))
        };
        self.deleted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(q.name.clone(), self.now_ms());
        q.notify.notify_waiters();
        written.wait().await.map_err(SqsError::from)
    }

    /// GetQueueAttributes: `names` may hold `All`; unknown names are refused.
    pub(crate) fn attributes(&self, q: &Queue, names: &[String]) -> Result<Vec<(String, String)>> {
        for n in names {
            if n != "All" && !attributes::COMPUTED.contains(&n.as_str()) && !attributes::SETTABLE.contains(&n.as_str())
            {
                return Err(SqsError::UnknownAttribute(n.clone()));
            }
        }
        let all = names.iter().any(|n| n == "All");
        let now = self.now_ms();
        let mut st = q.lock();
        self.maintain(&mut st, now);
        let mut out = vec![
            ("QueueArn".to_owned(), q.arn.clone()),
            ("ApproximateNumberOfMessages".into(), st.index.visible().to_string()),
            (
                "ApproximateNumberOfMessagesNotVisible".into(),
                st.index.in_flight().to_string(),
            ),
            (
                "ApproximateNumberOfMessagesDelayed".into(),
                st.index.delayed().to_string(),
            ),
            ("CreatedTimestamp".into(), (q.created_ms / 1000).to_string()),
            ("LastModifiedTimestamp".into(), (st.modified_ms / 1000).to_string()),
        ];
        out.extend(st.config.texts().into_iter().map(|(k, v)| (k.to_owned(), v)));
        out.retain(|(k, _)| all || names.contains(k));
        Ok(out)
    }

    pub(crate) async fn set_attributes(&self, q: &Arc<Queue>, attrs: &BTreeMap<String, String>) -> Result<()> {
        let _admin = self.admin.lock().await;
        let mut config = q.lock().config.clone();
        config.apply(attrs, false)?;
        if let Some(r) = &config.redrive
            && let Some(raw) = attrs.get("RedrivePolicy")
        {
            self.check_redrive(&q.arn, q.fifo, r, raw)?;
        }
        let now = self.now_ms();
        let text = texts(&config);
        {
            let mut st = q.lock();
            st.config = config;
            st.modified_ms = now;
        }
        let id = q.id;
        self.writer
            .write(Box::new(move |c| store::update_attributes(c, id, now, &text)))
            .await
            .map_err(SqsError::from)
    }

    pub(crate) async fn purge(&self, q: &Arc<Queue>) -> Result<()> {
        let now = self.now_ms();
        let written = {
            let mut st = q.lock();
            if st
                .purged_at
                .is_some_and(|at| now - at < self.span(SIXTY_SECONDS, Lasting::State))
            {
                return Err(SqsError::PurgeQueueInProgress(q.name.clone()));
            }
            st.purged_at = Some(now);
            let seqs = self.drop_entries(st.index.clear());
            self.writer.enqueue(Box::new(move |c| store::delete_messages(c, &seqs)))
        };
        written.wait().await.map_err(SqsError::from)
    }

    pub(crate) fn tags(&self, q: &Queue) -> BTreeMap<String, String> {
        q.lock().tags.clone()
    }

    pub(crate) async fn tag(&self, q: &Arc<Queue>, add: &BTreeMap<String, String>) -> Result<()> {
        let _admin = self.admin.lock().await;
        let mut tags = q.lock().tags.clone();
        tags.extend(add.iter().map(|(k, v)| (k.clone(), v.clone())));
        check_tags(&q.name, add, tags.len())?;
        self.save_tags(q, tags).await
    }

    pub(crate) async fn untag(&self, q: &Arc<Queue>, keys: &[String]) -> Result<()> {
        let _admin = self.admin.lock().await;
        let mut tags = q.lock().tags.clone();
        for k in keys {
            tags.remove(k);
        }
        self.save_tags(q, tags).await
    }

    async fn save_tags(&self, q: &Arc<Queue>, tags: BTreeMap<String, String>) -> Result<()> {
        q.lock().tags = tags.clone();
        let id = q.id;
        self.writer
            .write(Box::new(move |c| store::update_tags(c, id, &tags)))
            .await
            .map_err(SqsError::from)
    }

    /// Queues whose redrive policy names `q` as their dead-letter queue.
    pub(crate) fn dead_letter_sources(&self, q: &Queue) -> Vec<Arc<Queue>> {
        self.all_queues()
            .into_iter()
            .filter(|s| {
                s.lock()
                    .config
                    .redrive
                    .as_ref()
                    .is_some_and(|r| r.dead_letter_target_arn == q.arn)
            })
            .collect()
    }
}

fn texts(config: &QueueConfig) -> BTreeMap<String, String> {
    config.texts().into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Tags as TagQueue takes them: keys 1–128 characters, values at most
/// 256, at most 50 on a queue.
fn check_tags(queue: &str, tags: &BTreeMap<String, String>, total: usize) -> Result<()> {
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(SqsError::InvalidRequest(format!(
                "Tag keys must be between 1 and 128 characters in length. Invalid tag key: {k}"
            )));
        }
        if v.chars().count() > 256 {
            return Err(SqsError::InvalidRequest(format!(
                "Tag values must be at most 256 characters in length. Invalid tag value for key: {k}"
            )));
        }
    }
    if total > MAX_TAGS {
        return Err(SqsError::InvalidRequest(format!(
            "Too many tags added for queue {queue}."
        )));
    }
    Ok(())
}
