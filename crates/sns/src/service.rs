//! The SNS service in domain terms: its settings, its file, the host it
//! delivers through, and what the root package calls in-process. Topics,
//! subscriptions, publishing and delivery add their methods to [`Sns`] in
//! their own modules.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use lakestack_aws_protocol::Clock;
use tokio::sync::{Notify, Semaphore};

use crate::arns::Home;
use crate::delivery::http::HttpSender;
use crate::error::Result;
use crate::filter::FilterPolicy;
use crate::host::Host;
use crate::record::{RecordedFilter, RecordedMessage};
use crate::store::{self, Store};

/// How many deliveries run at once: a bound on sockets and tasks however
/// many messages wait.
pub const MAX_CONCURRENT_DELIVERIES: usize = 32;

/// How the binary opens SNS (`sns.sqlite` in `dir`); retries, the FIFO
/// deduplication window and confirmation tokens run on `clock`.
pub type Settings = lakestack_aws_protocol::ServiceSettings;

/// The SNS service: one SQLite file (or memory), the host it delivers
/// through, and the task that makes deliveries once [`Sns::start`]ed.
pub struct Sns {
    pub(crate) settings: Settings,
    pub(crate) home: Home,
    pub(crate) store: Store,
    pub(crate) host: Arc<dyn Host>,
    /// Wakes the delivery task: a message was stored, an attempt ended.
    pub(crate) wake: Arc<Notify>,
    pub(crate) slots: Arc<Semaphore>,
    /// Made on the first HTTP/S delivery; tests set it first, to a sender
    /// that trusts their endpoint's certificate.
    pub(crate) http: OnceLock<HttpSender>,
    /// Parsed filter policies by subscription, with the text and scope
    /// they were parsed from: a publish parses none it parsed before.
    policies: Mutex<HashMap<String, CachedPolicy>>,
    started: AtomicBool,
    /// Tests pin the time so that answers are the same on every run; 0 is
    /// the clock's time.
    pinned_now: AtomicI64,
    /// Tests number ids instead of drawing them; 0 draws them.
    next_id: AtomicU64,
}

/// A parsed policy with the text and scope it was parsed from.
type CachedPolicy = (String, crate::filter::Scope, Arc<FilterPolicy>);

/// The shortest a window of service time lasts in real time.
pub const MIN_WINDOW: Duration = Duration::from_secs(1);

/// The cache of parsed policies is dropped whole when it grows past this:
/// AWS's quota is 10,000 filter policies per account.
const MAX_CACHED_POLICIES: usize = 10_000;

impl Sns {
    /// Opens the service's file (creating it) under `settings.dir`.
    pub fn open(settings: Settings, host: Arc<dyn Host>) -> Result<Arc<Self>> {
        let store = Store::open(settings.dir.as_deref())?;
        Ok(Arc::new(Self {
            home: Home {
                region: settings.region.clone(),
                account: settings.account_id.clone(),
            },
            settings,
            store,
            host,
            wake: Arc::new(Notify::new()),
            slots: Arc::new(Semaphore::new(MAX_CONCURRENT_DELIVERIES)),
            http: OnceLock::new(),
            policies: Mutex::new(HashMap::new()),
            started: AtomicBool::new(false),
            pinned_now: AtomicI64::new(0),
            next_id: AtomicU64::new(0),
        }))
    }

    /// Starts delivering: the messages the file holds from before (a
    /// restart, attempts cut short included) and every one published from
    /// now on. Returns at once; the work runs on the current tokio runtime,
    /// so call it from within one. A second call does nothing.
    pub fn start(self: &Arc<Self>) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Err(e) = store::release_all(&self.store.lock()) {
            tracing::warn!(error = %e, "SNS could not resume its deliveries");
        }
        crate::delivery::spawn(self);
    }

    pub fn account(&self) -> &str {
        &self.settings.account_id
    }

    pub fn region(&self) -> &str {
        &self.settings.region
    }

    pub fn clock(&self) -> Clock {
        self.settings.clock.clone()
    }

    /// The time in epoch milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        match self.pinned_now.load(Ordering::Relaxed) {
            0 => self.settings.clock.now().timestamp_millis(),
            pinned => pinned,
        }
    }

    /// Pins the time at `ms` (0 unpins): for tests that compare answers.
    #[doc(hidden)]
    pub fn pin_time(&self, ms: i64) {
        self.pinned_now.store(ms, Ordering::Relaxed);
    }

    /// Numbers message and subscription ids (`00000000-0000-4000-8000-000000000001`,
    /// ...) instead of drawing them: for tests that compare answers.
    #[doc(hidden)]
    pub fn number_ids(&self) {
        self.next_id.store(1, Ordering::Relaxed);
    }

    /// A new message or subscription id: a UUID.
    pub(crate) fn new_id(&self) -> String {
        match self.next_id.load(Ordering::Relaxed) {
            0 => uuid::Uuid::new_v4().to_string(),
            _ => format!(
                "00000000-0000-4000-8000-{:012x}",
                self.next_id.fetch_add(1, Ordering::Relaxed)
            ),
        }
    }

    /// The real-time end of `d` of service time from now, in epoch ms.
    pub(crate) fn after(&self, d: Duration) -> i64 {
        let real = self.settings.clock.real(d);
        self.now_ms()
            .saturating_add(i64::try_from(real.as_millis()).unwrap_or(i64::MAX))
    }

    /// The real-time end of a window of `d` of service time (a confirmation
    /// token's life, FIFO's deduplication window): like [`Sns::after`], but
    /// at least [`MIN_WINDOW`], because a server whose waits are skipped
    /// (scale 0) must still let a subscriber confirm and a retrying
    /// publisher be deduplicated.
    pub(crate) fn window_end(&self, d: Duration) -> i64 {
        let real = self.settings.clock.real(d).max(MIN_WINDOW);
        self.now_ms()
            .saturating_add(i64::try_from(real.as_millis()).unwrap_or(i64::MAX))
    }

    pub(crate) fn http(&self) -> &HttpSender {
        self.http.get_or_init(HttpSender::new)
    }

    /// The parsed policy of a subscription, parsing it at most once.
    pub(crate) fn policy(&self, sub: &str, text: &str, scope: crate::filter::Scope) -> Option<Arc<FilterPolicy>> {
        let mut cache = self.policies.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((t, s, p)) = cache.get(sub)
            && t == text
            && *s == scope
        {
            return Some(p.clone());
        }
        let parsed = match crate::filter::parse(text, scope) {
            Ok(p) => Arc::new(p),
            Err(e) => {
                // Policies are checked when set: one that no longer parses
                // (a file from another build) filters nothing out.
                tracing::warn!(subscription = sub, error = ?e, "a stored filter policy does not parse");
                return None;
            }
        };
        if cache.len() >= MAX_CACHED_POLICIES {
            cache.clear();
        }
        cache.insert(sub.to_owned(), (text.to_owned(), scope, parsed.clone()));
        Some(parsed)
    }

    pub(crate) fn forget_policy(&self, sub: &str) {
        self.policies.lock().unwrap_or_else(PoisonError::into_inner).remove(sub);
    }

    /// Whether a topic exists, by ARN.
    pub fn topic_exists(&self, arn: &str) -> bool {
        store::topic(&self.store.lock(), arn, self.now_ms()).is_ok_and(|t| t.is_some())
    }

    /// Messages recorded instead of sent (see [`crate::record`]), oldest
    /// first, the newest `filter.limit` of those the filter selects.
    pub fn recorded(&self, filter: &RecordedFilter) -> Vec<RecordedMessage> {
        store::recorded(&self.store.lock(), filter).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "SNS could not read its recorded messages");
            Vec::new()
        })
    }

    /// Forgets the recorded messages the filter selects (its `limit` aside);
    /// answers how many went.
    pub fn clear_recorded(&self, filter: &RecordedFilter) -> usize {
        store::clear_recorded(&self.store.lock(), filter).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "SNS could not clear its recorded messages");
            0
        })
    }

    /// Deliveries not yet made (being attempted or waiting for a retry).
    pub fn pending_deliveries(&self) -> usize {
        store::pending_deliveries(&self.store.lock()).map_or(0, |n| n as usize)
    }

    /// Stores a recorded message.
    pub(crate) fn record(&self, m: &RecordedMessage) -> Result<()> {
        store::record(&self.store.lock(), m).map(|_| ())
    }
}

impl Drop for Sns {
    /// Wakes the delivery task, which then finds the service gone and ends.
    fn drop(&mut self) {
        self.wake.notify_one();
    }
}
