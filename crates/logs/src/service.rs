//! CloudWatch Logs in domain terms: groups, streams, batches of events,
//! reads by stream and filters by group, retention and tags. The API edge
//! (`api`) checks members and speaks the wire; in-process writers (Lambda,
//! crawlers, state machines) call [`Logs::put`] directly.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use lakestack_aws_protocol::Clock;

use crate::error::{LogsError, Result};
use crate::model::{Event, LogGroup, LogStream, Position, Rejected, Streams};
use crate::names;
use crate::pattern::FilterPattern;
use crate::store::{self, Store, StreamOrder};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// PutLogEvents' rules, as AWS documents them.
pub const MAX_BATCH_EVENTS: usize = 10_000;
pub const MAX_BATCH_BYTES: usize = 1_048_576;
/// What each event adds to a batch's size beyond its message's UTF-8 bytes.
pub const EVENT_OVERHEAD: usize = 26;
/// Events older than this are rejected as too old.
pub const MAX_AGE_MS: i64 = 14 * DAY_MS;
/// Events further ahead than this are rejected as too new.
pub const MAX_AHEAD_MS: i64 = 2 * HOUR_MS;
/// The widest span of a batch's accepted events.
pub const MAX_SPAN_MS: i64 = 24 * HOUR_MS;
/// The most bytes (messages plus overhead) a page of events carries.
pub const MAX_PAGE_BYTES: usize = 1_048_576;
/// AWS's quota of log groups per account and region.
pub const MAX_GROUPS: i64 = 1_000_000;
pub const MAX_TAGS: usize = 50;

/// A FilterLogEvents call reads the group in chunks of this many events,
/// holding the database only while it reads one.
const SCAN_CHUNK: usize = 1_000;
/// The most message bytes one FilterLogEvents call examines before it
/// answers what it found with a token to continue: bounds a call's time
/// whatever the pattern and the group's size (AWS too answers pages that
/// may be short, or empty, with a token).
const SCAN_BUDGET_BYTES: usize = 64 << 20;

#[derive(Debug, Clone)]
pub struct Settings {
    pub account_id: String,
    pub region: String,
    /// Retention is applied on this clock's time.
    pub clock: Clock,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            clock: Clock::default(),
        }
    }
}

/// The CloudWatch Logs service: one SQLite file (or memory) and settings.
pub struct Logs {
    settings: Settings,
    store: Store,
    /// Tests pin the time so that answers are the same on every run; 0 is
    /// the clock's time.
    pinned_now: AtomicI64,
}

/// Where GetLogEvents starts reading.
#[derive(Debug, Clone, Copy)]
pub enum Start {
    /// The first events of the range (startFromHead).
    Head,
    /// The last events of the range (the default).
    Tail,
    After(Position),
    Before(Position),
}

/// A page of GetLogEvents: events in ascending order and where the next
/// pages in each direction start.
#[derive(Debug)]
pub struct StreamPage {
    pub events: Vec<Event>,
    pub forward: Position,
    pub backward: Position,
}

/// A page of FilterLogEvents and the position to continue after, if any.
#[derive(Debug)]
pub struct FilterPage {
    pub events: Vec<Event>,
    pub next: Option<Position>,
}

/// What DescribeLogGroups asks for.
#[derive(Debug, Default)]
pub struct GroupQuery<'a> {
    pub prefix: Option<&'a str>,
    pub contains: Option<&'a str>,
    pub class: Option<&'a str>,
    pub after: Option<&'a str>,
    pub limit: usize,
}

/// What FilterLogEvents asks for.
#[derive(Debug)]
pub struct FilterQuery<'a> {
    pub streams: Streams,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub pattern: &'a FilterPattern,
    pub limit: usize,
    pub after: Option<Position>,
}

/// The log group classes AWS has.
pub const GROUP_CLASSES: [&str; 3] = ["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"];

impl Logs {
    /// Opens `dir/logs.sqlite` (created if need be), or a private
    /// in-memory database when `dir` is `None`.
    pub fn open(dir: Option<&Path>, settings: Settings) -> Result<Arc<Self>> {
        Ok(Arc::new(Self {
            settings,
            store: Store::open(dir)?,
            pinned_now: AtomicI64::new(0),
        }))
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(crate) fn now_ms(&self) -> i64 {
        match self.pinned_now.load(Ordering::Relaxed) {
            0 => self.settings.clock.now().timestamp_millis(),
            t => t,
        }
    }

    #[cfg(test)]
    pub(crate) fn pin_now(&self, ms: i64) {
        self.pinned_now.store(ms, Ordering::Relaxed);
    }

    /// The ARN of a group, as DescribeLogGroups' `logGroupArn` writes it.
    pub fn group_arn(&self, group: &str) -> String {
        format!(
            "arn:aws:logs:{}:{}:log-group:{group}",
            self.settings.region, self.settings.account_id
        )
    }

    /// The earliest timestamp a group with this retention still keeps.
    fn cutoff(&self, retention_days: Option<i64>) -> i64 {
        retention_days.map_or(i64::MIN, |d| self.now_ms().saturating_sub(d.saturating_mul(DAY_MS)))
    }

    // --- in-process writers ---------------------------------------------------

    /// Writes events for an in-process writer (Lambda, a crawler, a state
    /// machine): creates the group and the stream if absent, in one
    /// transaction with the events. `events` are (epoch milliseconds,
    /// message); they are stored in timestamp order, negative timestamps
    /// as 0, and none is refused for its age (the writer's clock is ours).
    pub fn put(&self, group: &str, stream: &str, events: &[(i64, String)]) -> Result<()> {
        names::check_group("logGroupName", group)?;
        names::check_stream("logStreamName", stream)?;
        let now = self.now_ms();
        let mut batch: Vec<(i64, &str)> = events.iter().map(|(t, m)| ((*t).max(0), m.as_str())).collect();
        batch.sort_by_key(|(t, _)| *t);
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let g = match store::group_ref(&tx, group)? {
            Some(g) => g.id,
            None => store::insert_group(&tx, &self.new_group(group, None, None))?,
        };
        let s = match store::stream_id(&tx, g, stream)? {
            Some(s) => s,
            None => store::insert_stream(&tx, g, stream, now)?,
        };
        store::append(&tx, g, s, &batch, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether a log group exists (EventBridge delivers only to existing ones).
    pub fn group_exists(&self, group: &str) -> bool {
        let conn = self.store.lock();
        matches!(store::group_ref(&conn, group), Ok(Some(_)))
    }

    /// Creates a log group if it does not exist (a Lambda function's group
    /// on its first invocation).
    pub fn ensure_group(&self, group: &str) -> Result<()> {
        names::check_group("logGroupName", group)?;
        let conn = self.store.lock();
        if store::group_ref(&conn, group)?.is_none() {
            store::insert_group(&conn, &self.new_group(group, None, None))?;
        }
        Ok(())
    }

    fn new_group(&self, name: &str, class: Option<&str>, kms_key_id: Option<String>) -> LogGroup {
        LogGroup {
            name: name.to_owned(),
            created_ms: self.now_ms(),
            retention_days: None,
            class: class.unwrap_or("STANDARD").to_owned(),
            kms_key_id,
            stored_bytes: 0,
        }
    }

    // --- groups -------------------------------------------------------------

    pub fn create_group(
        &self,
        name: &str,
        class: Option<&str>,
        kms_key_id: Option<String>,
        tags: &[(String, String)],
    ) -> Result<()> {
        names::check_group("logGroupName", name)?;
        if name.len() >= 4 && name[..4].eq_ignore_ascii_case("aws/") {
            return Err(LogsError::InvalidParameter(
                "Log groups starting with AWS/ are reserved for AWS.".into(),
            ));
        }
        if tags.len() > MAX_TAGS {
            return Err(too_many_tags());
        }
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        if store::group_ref(&tx, name)?.is_some() {
            return Err(LogsError::ResourceAlreadyExists(
                "The specified log group already exists".into(),
            ));
        }
        if store::count_groups(&tx)? >= MAX_GROUPS {
            return Err(LogsError::LimitExceeded("Resource limit exceeded.".into()));
        }
        let id = store::insert_group(&tx, &self.new_group(name, class, kms_key_id))?;
        store::set_tags(&tx, id, tags)?;
        tx.commit()?;
        Ok(())
    }

    pub fn delete_group(&self, name: &str) -> Result<()> {
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let g = store::require_group(&tx, name)?;
        store::delete_group(&tx, g.id)?;
        tx.commit()?;
        Ok(())
    }

    /// Groups in name order; the second value says whether more follow.
    pub fn groups(&self, q: &GroupQuery<'_>) -> Result<(Vec<LogGroup>, bool)> {
        let conn = self.store.lock();
        let mut groups = store::list_groups(&conn, q.prefix, q.contains, q.class, q.after, q.limit + 1)?;
        let more = groups.len() > q.limit;
        groups.truncate(q.limit);
        Ok((groups, more))
    }

    pub fn put_retention(&self, group: &str, days: i64) -> Result<()> {
        names::check_retention(days)?;
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let g = store::require_group(&tx, group)?;
        store::set_retention(&tx, g.id, Some(days))?;
        store::drop_before(&tx, g.id, self.cutoff(Some(days)))?;
        tx.commit()?;
        Ok(())
    }

    pub fn delete_retention(&self, group: &str) -> Result<()> {
        let conn = self.store.lock();
        let g = store::require_group(&conn, group)?;
        store::set_retention(&conn, g.id, None)
    }

    /// Deletes the events every group's retention no longer keeps; reads
    /// leave them out anyway, so this only reclaims space. Answers how
    /// many were deleted.
    pub fn purge_expired(&self) -> Result<usize> {
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let mut n = 0;
        for (id, days) in store::retained_groups(&tx)? {
            n += store::drop_before(&tx, id, self.cutoff(Some(days)))?;
        }
        tx.commit()?;
        Ok(n)
    }

    // --- tags ---------------------------------------------------------------

    pub fn tags(&self, group: &str) -> Result<Vec<(String, String)>> {
        let conn = self.store.lock();
        let g = store::require_group(&conn, group)?;
        store::tags(&conn, g.id)
    }

    pub fn tag(&self, group: &str, tags: &[(String, String)]) -> Result<()> {
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let g = store::require_group(&tx, group)?;
        store::set_tags(&tx, g.id, tags)?;
        if store::tags(&tx, g.id)?.len() > MAX_TAGS {
            return Err(too_many_tags());
        }
        tx.commit()?;
        Ok(())
    }

    pub fn untag(&self, group: &str, keys: &[String]) -> Result<()> {
        let conn = self.store.lock();
        let g = store::require_group(&conn, group)?;
        store::remove_tags(&conn, g.id, keys)
    }

    // --- streams ------------------------------------------------------------

    pub fn create_stream(&self, group: &str, name: &str) -> Result<()> {
        names::check_stream("logStreamName", name)?;
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let g = store::require_group(&tx, group)?;
        if store::stream_id(&tx, g.id, name)?.is_some() {
            return Err(LogsError::ResourceAlreadyExists(
                "The specified log stream already exists".into(),
            ));
        }
        store::insert_stream(&tx, g.id, name, self.now_ms())?;
        tx.commit()?;
        Ok(())
    }

    pub fn delete_stream(&self, group: &str, name: &str) -> Result<()> {
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let g = store::require_group(&tx, group)?;
        let s = store::stream_id(&tx, g.id, name)?.ok_or_else(LogsError::no_stream)?;
        store::delete_stream(&tx, g.id, s)?;
        tx.commit()?;
        Ok(())
    }

    /// A page of a group's streams; the second value says whether more follow.
    #[allow(clippy::too_many_arguments)]
    pub fn streams(
        &self,
        group: &str,
        prefix: Option<&str>,
        by_last_event: bool,
        descending: bool,
        after: Option<(i64, &str)>,
        limit: usize,
    ) -> Result<(Vec<LogStream>, bool)> {
        let conn = self.store.lock();
        let g = store::require_group(&conn, group)?;
        let order = StreamOrder {
            by_last_event,
            descending,
            after,
        };
        let mut streams = store::list_streams(&conn, g.id, prefix, &order, limit + 1)?;
        let more = streams.len() > limit;
        streams.truncate(limit);
        Ok((streams, more))
    }

    // --- events -------------------------------------------------------------

    /// PutLogEvents: checks the batch against AWS's rules, stores the
    /// events it accepts and answers the next sequence token and what it
    /// rejected. Events too old, expired or too new are reported, not
    /// refused; a batch out of order, too large or spanning more than a
    /// day is refused whole.
    pub fn put_events(&self, group: &str, stream: &str, events: &[(i64, String)]) -> Result<(String, Rejected)> {
        let size: usize = events.iter().map(|(_, m)| m.len() + EVENT_OVERHEAD).sum();
        if size > MAX_BATCH_BYTES {
            return Err(LogsError::InvalidParameter(format!(
                "Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}"
            )));
        }
        if events.windows(2).any(|w| w[1].0 < w[0].0) {
            return Err(LogsError::InvalidParameter(
                "Log events in a single PutLogEvents request must be in chronological order.".into(),
            ));
        }
        let now = self.now_ms();
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let g = store::require_group(&tx, group)?;
        let s = store::stream_id(&tx, g.id, stream)?.ok_or_else(LogsError::no_stream)?;
        let too_old = now.saturating_sub(MAX_AGE_MS);
        let too_new = now.saturating_add(MAX_AHEAD_MS);
        let expired = self.cutoff(g.retention_days);
        let mut rejected = Rejected::default();
        let mut accepted: Vec<(i64, &str)> = Vec::with_capacity(events.len());
        for (i, (ts, message)) in events.iter().enumerate() {
            // Events are in order, so each kind is a run at one end: an
            // "end" index is one past its run, a "start" its first event.
            if *ts < expired {
                rejected.expired_end = Some(i + 1);
            } else if *ts < too_old {
                rejected.too_old_end = Some(i + 1);
            } else if *ts > too_new {
                rejected.too_new_start.get_or_insert(i);
            } else {
                accepted.push((*ts, message.as_str()));
            }
        }
        if let (Some(first), Some(last)) = (accepted.first(), accepted.last())
            && last.0 - first.0 > MAX_SPAN_MS
        {
            return Err(LogsError::InvalidParameter(
                "Log events in a single PutLogEvents request cannot span more than 24 hours.".into(),
            ));
        }
        store::append(&tx, g.id, s, &accepted, now)?;
        let token = sequence_token(store::uploads(&tx, s)? + 1);
        tx.commit()?;
        Ok((token, rejected))
    }

    /// GetLogEvents: a page of one stream's events with `start <= ts <
    /// end`, at most `limit` events and [`MAX_PAGE_BYTES`].
    pub fn stream_events(
        &self,
        group: &str,
        stream: &str,
        start: Option<i64>,
        end: Option<i64>,
        from: Start,
        limit: usize,
    ) -> Result<StreamPage> {
        let conn = self.store.lock();
        let g = store::require_group(&conn, group)?;
        let s = store::stream_id(&conn, g.id, stream)?.ok_or_else(LogsError::no_stream)?;
        let lo = start.unwrap_or(i64::MIN).max(self.cutoff(g.retention_days));
        let hi = end.unwrap_or(i64::MAX);
        let (forward, at) = match from {
            Start::Head => (true, None),
            Start::Tail => (false, None),
            Start::After(p) => (true, Some(p)),
            Start::Before(p) => (false, Some(p)),
        };
        let mut events = store::stream_events(&conn, s, lo, hi, at, forward, limit)?;
        drop(conn);
        let mut bytes = 0;
        let fits = events
            .iter()
            .take_while(|e| {
                bytes += e.message.len() + EVENT_OVERHEAD;
                bytes <= MAX_PAGE_BYTES
            })
            .count()
            .max(1);
        events.truncate(fits);
        if !forward {
            events.reverse();
        }
        let (forward_pos, backward_pos) = match (events.first(), events.last()) {
            (Some(first), Some(last)) => (last.position(), first.position()),
            // Nothing there: the same place in both directions, so a
            // caller sees the token it sent back and stops.
            _ => {
                let here = at.unwrap_or(match from {
                    Start::Head | Start::After(_) => Position {
                        timestamp: start.unwrap_or(0).max(0),
                        id: 0,
                    },
                    Start::Tail | Start::Before(_) => Position {
                        timestamp: end.unwrap_or(i64::MAX),
                        id: 0,
                    },
                });
                (here, here)
            }
        };
        Ok(StreamPage {
            events,
            forward: forward_pos,
            backward: backward_pos,
        })
    }

    /// FilterLogEvents: the events of a group (or some of its streams) with
    /// `start <= ts <= end` that match the pattern, in (timestamp,
    /// ingestion) order, scanned in chunks; stops at `limit` events,
    /// [`MAX_PAGE_BYTES`] or the scan budget, with the position to
    /// continue after when events remain.
    pub fn filter_events(&self, group: &str, q: &FilterQuery<'_>) -> Result<FilterPage> {
        let (g, streams) = {
            let conn = self.store.lock();
            let g = store::require_group(&conn, group)?;
            let streams = match &q.streams {
                Streams::All => None,
                Streams::Named(names) => Some(store::stream_ids_named(&conn, g.id, names)?),
                Streams::Prefix(p) => Some(store::stream_ids_prefixed(&conn, g.id, p)?),
            };
            (g, streams)
        };
        let lo = q.start.unwrap_or(i64::MIN).max(self.cutoff(g.retention_days));
        let hi = q.end.unwrap_or(i64::MAX);
        let mut names: std::collections::HashMap<i64, String> = streams.iter().flatten().cloned().collect();
        let ids: Option<Vec<i64>> = streams.as_ref().map(|s| s.iter().map(|(id, _)| *id).collect());
        if ids.as_ref().is_some_and(Vec::is_empty) {
            return Ok(FilterPage {
                events: Vec::new(),
                next: None,
            });
        }
        let mut found = Vec::new();
        let (mut page_bytes, mut scanned) = (0usize, 0usize);
        let mut at = q.after;
        loop {
            let chunk = {
                let conn = self.store.lock();
                store::group_events(&conn, g.id, lo, hi, at, ids.as_deref(), SCAN_CHUNK)?
            };
            let exhausted = chunk.len() < SCAN_CHUNK;
            for (stream, mut event) in chunk {
                at = Some(event.position());
                scanned += event.message.len();
                if q.pattern.matches(&event.message) {
                    let name = match names.get(&stream) {
                        Some(n) => n.clone(),
                        None => {
                            let n = store::stream_name(&self.store.lock(), stream)?;
                            names.insert(stream, n.clone());
                            n
                        }
                    };
                    event.stream = name;
                    page_bytes += event.message.len() + EVENT_OVERHEAD;
                    found.push(event);
                    if found.len() >= q.limit || page_bytes >= MAX_PAGE_BYTES {
                        return Ok(FilterPage {
                            next: self.more_after(g.id, lo, hi, at, ids.as_deref())?,
                            events: found,
                        });
                    }
                }
                if scanned >= SCAN_BUDGET_BYTES {
                    return Ok(FilterPage {
                        next: self.more_after(g.id, lo, hi, at, ids.as_deref())?,
                        events: found,
                    });
                }
            }
            if exhausted {
                return Ok(FilterPage {
                    events: found,
                    next: None,
                });
            }
        }
    }

    /// `at` again when any event of the range follows it.
    fn more_after(
        &self,
        group: i64,
        lo: i64,
        hi: i64,
        at: Option<Position>,
        ids: Option<&[i64]>,
    ) -> Result<Option<Position>> {
        let conn = self.store.lock();
        let next = store::group_events(&conn, group, lo, hi, at, ids, 1)?;
        Ok(if next.is_empty() { None } else { at })
    }
}

fn too_many_tags() -> LogsError {
    LogsError::TooManyTags(format!("A resource can have no more than {MAX_TAGS} tags."))
}

/// A stream's sequence token, which AWS still answers (and now ignores):
/// 56 digits, growing with each batch.
pub fn sequence_token(uploads: i64) -> String {
    format!("{uploads:056}")
}
