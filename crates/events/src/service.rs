//! EventBridge in domain terms: buses, rules and their targets, kept in
//! memory for matching and in `events.sqlite` for restarts (which holds
//! EventBridge Scheduler's schedules too, `schedules`). Every change is
//! committed before it is answered; changes are serialized so the file and
//! memory see them in the same order.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, RwLock};

use lakestack_aws_protocol::Clock;
use lakestack_patterns::{Dialect, Pattern};
use lakestack_sqlite::Writer;
use tokio::sync::Notify;

use crate::error::{EventsError, Result};
use crate::host::Host;
use crate::model::{Bus, Rule, Target};
use crate::names::{self, DEFAULT_BUS};
use crate::schedule::Schedule;
use crate::store;

/// AWS's quotas (Service Quotas, "Amazon EventBridge quotas").
pub const MAX_RULES_PER_BUS: usize = 300;
pub const MAX_BUSES: usize = 100;
pub const MAX_TARGETS_PER_RULE: usize = 5;
pub const MAX_TAGS: usize = 50;
/// PutEvents: entries per call, and the size of one entry. AWS raised the
/// entry limit from 256 KB to 1 MB; `--events-max-entry-bytes` lowers it
/// back for those who test against the old limit.
pub const MAX_ENTRIES: usize = 10;
pub const DEFAULT_MAX_ENTRY_BYTES: usize = 1024 * 1024;
/// What every quota's LimitExceededException says.
pub const LIMIT_EXCEEDED: &str = "The requested resource exceeds the maximum number allowed.";

#[derive(Debug, Clone)]
pub struct Settings {
    pub account_id: String,
    pub region: String,
    /// `events.sqlite` lives here; `None` keeps everything in memory.
    pub dir: Option<PathBuf>,
    pub clock: Clock,
    pub max_entry_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            dir: None,
            clock: Clock::default(),
            max_entry_bytes: DEFAULT_MAX_ENTRY_BYTES,
        }
    }
}

/// A rule with its pattern and schedule read once.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub rule: Rule,
    pub pattern: Option<Pattern>,
    pub schedule: Option<Schedule>,
}

impl Compiled {
    fn new(rule: Rule) -> Self {
        let pattern = rule
            .event_pattern
            .as_deref()
            .and_then(|p| lakestack_patterns::parse(p, Dialect::EventPattern).ok());
        let schedule = rule.schedule_expression.as_deref().and_then(Schedule::parse);
        Self {
            rule,
            pattern,
            schedule,
        }
    }
}

/// A bus and its rules, swapped whole on change so that matching reads a
/// snapshot without holding a lock.
#[derive(Debug, Clone)]
pub(crate) struct BusState {
    pub bus: Bus,
    pub rules: Arc<BTreeMap<String, Arc<Compiled>>>,
}

pub struct Events {
    pub(crate) settings: Settings,
    pub(crate) writer: Writer,
    pub(crate) buses: RwLock<BTreeMap<String, BusState>>,
    /// Serializes changes to buses and rules.
    changes: tokio::sync::Mutex<()>,
    pub(crate) host: Arc<dyn Host>,
    /// The next outbox sequence number, taken by the writer thread as it
    /// writes rows, so numbers grow in commit order.
    pub(crate) next_seq: Arc<AtomicI64>,
    /// Woken when rows are committed to the outbox.
    pub(crate) outbox_ready: Arc<Notify>,
    /// Whether `start` has run.
    pub(crate) started: std::sync::atomic::AtomicBool,
    pub(crate) schedules_changed: Notify,
    /// EventBridge Scheduler's groups and schedules (`schedules`).
    pub(crate) scheduler: crate::schedules::State,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("region", &self.settings.region)
            .finish_non_exhaustive()
    }
}

impl Events {
    /// Opens `dir/events.sqlite` (or memory), creating the default bus on first use.
    pub fn open(settings: Settings, host: Arc<dyn Host>) -> Result<Arc<Self>> {
        let conn = match &settings.dir {
            Some(dir) => lakestack_sqlite::open(&dir.join("events.sqlite"), &store::SCHEMA)?,
            None => lakestack_sqlite::open_in_memory(&store::SCHEMA)?,
        };
        let mut buses: BTreeMap<String, BusState> = store::load_buses(&conn)?
            .into_iter()
            .map(|bus| {
                let state = BusState {
                    bus: bus.clone(),
                    rules: Arc::default(),
                };
                (bus.name, state)
            })
            .collect();
        let mut rules: BTreeMap<String, BTreeMap<String, Arc<Compiled>>> = BTreeMap::new();
        for rule in store::load_rules(&conn)? {
            rules
                .entry(rule.bus.clone())
                .or_default()
                .insert(rule.name.clone(), Arc::new(Compiled::new(rule)));
        }
        for (bus, set) in rules {
            if let Some(state) = buses.get_mut(&bus) {
                state.rules = Arc::new(set);
            }
        }
        let missing_default = !buses.contains_key(DEFAULT_BUS);
        let now = settings.clock.now_ms();
        if missing_default {
            let bus = Bus {
                name: DEFAULT_BUS.into(),
                arn: names::bus_arn(&settings.region, &settings.account_id, DEFAULT_BUS),
                description: None,
                policy: None,
                dead_letter_arn: None,
                created_ms: now,
                modified_ms: now,
                tags: BTreeMap::new(),
            };
            store::put_bus(&conn, &bus)?;
            buses.insert(
                bus.name.clone(),
                BusState {
                    bus,
                    rules: Arc::default(),
                },
            );
        }
        let last = store::last_seq(&conn)?;
        let scheduler = crate::schedules::State::load(&conn, &settings)?;
        let writer = Writer::start("events", conn).map_err(|e| EventsError::Internal(Box::new(e)))?;
        Ok(Arc::new(Self {
            settings,
            writer,
            buses: RwLock::new(buses),
            changes: tokio::sync::Mutex::new(()),
            host,
            next_seq: Arc::new(AtomicI64::new(last + 1)),
            outbox_ready: Arc::new(Notify::new()),
            started: std::sync::atomic::AtomicBool::new(false),
            schedules_changed: Notify::new(),
            scheduler,
        }))
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn clock(&self) -> &Clock {
        &self.settings.clock
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.settings.clock.now_ms()
    }

    pub(crate) fn bus_state(&self, name: &str) -> Option<BusState> {
        self.buses.read().unwrap_or_else(|p| p.into_inner()).get(name).cloned()
    }

    fn bus_missing(name: &str) -> EventsError {
        EventsError::ResourceNotFound(format!("Event bus {name} does not exist."))
    }

    fn rule_missing(rule: &str, bus: &str) -> EventsError {
        EventsError::ResourceNotFound(format!("Rule {rule} does not exist on EventBus {bus}."))
    }

    // ---- buses ----------------------------------------------------------

    pub async fn create_bus(
        &self,
        name: &str,
        description: Option<String>,
        dead_letter_arn: Option<String>,
        tags: BTreeMap<String, String>,
    ) -> Result<Bus> {
        let _serial = self.changes.lock().await;
        {
            let buses = self.buses.read().unwrap_or_else(|p| p.into_inner());
            if buses.contains_key(name) {
                return Err(EventsError::ResourceAlreadyExists(format!(
                    "Event bus {name} already exists."
                )));
            }
            if name == DEFAULT_BUS {
                return Err(EventsError::ResourceAlreadyExists(format!(
                    "Event bus {name} already exists."
                )));
            }
            if buses.len() >= MAX_BUSES {
                return Err(EventsError::LimitExceeded(LIMIT_EXCEEDED.into()));
            }
        }
        let now = self.now_ms();
        let bus = Bus {
            name: name.to_string(),
            arn: names::bus_arn(&self.settings.region, &self.settings.account_id, name),
            description,
            policy: None,
            dead_letter_arn,
            created_ms: now,
            modified_ms: now,
            tags,
        };
        let stored = bus.clone();
        // Queued and applied to memory with no await between, then waited
        // for: a caller that goes away meanwhile leaves file and memory alike.
        let pending = self.writer.enqueue(Box::new(move |c| store::put_bus(c, &stored)));
        self.buses.write().unwrap_or_else(|p| p.into_inner()).insert(
            bus.name.clone(),
            BusState {
                bus: bus.clone(),
                rules: Arc::default(),
            },
        );
        pending.wait().await?;
        Ok(bus)
    }

    pub fn describe_bus(&self, name: &str) -> Result<Bus> {
        self.bus_state(name)
            .map(|s| s.bus)
            .ok_or_else(|| Self::bus_missing(name))
    }

    pub fn list_buses(&self) -> Vec<Bus> {
        let buses = self.buses.read().unwrap_or_else(|p| p.into_inner());
        buses.values().map(|s| s.bus.clone()).collect()
    }

    /// Deletes a custom bus and its rules; deleting one that is not there
    /// succeeds, as AWS's does.
    pub async fn delete_bus(&self, name: &str) -> Result<()> {
        if name == DEFAULT_BUS {
            return Err(EventsError::Validation("Cannot delete event bus default.".into()));
        }
        let _serial = self.changes.lock().await;
        if self.bus_state(name).is_none() {
            return Ok(());
        }
        let owned = name.to_string();
        let pending = self.writer.enqueue(Box::new(move |c| store::delete_bus(c, &owned)));
        self.buses.write().unwrap_or_else(|p| p.into_inner()).remove(name);
        self.schedules_changed.notify_one();
        pending.wait().await?;
        Ok(())
    }

    /// Changes a bus with `change` and commits it.
    pub async fn update_bus(&self, name: &str, change: impl FnOnce(&mut Bus) -> Result<()>) -> Result<Bus> {
        let _serial = self.changes.lock().await;
        let mut state = self.bus_state(name).ok_or_else(|| Self::bus_missing(name))?;
        change(&mut state.bus)?;
        state.bus.modified_ms = self.now_ms();
        let stored = state.bus.clone();
        let pending = self.writer.enqueue(Box::new(move |c| store::put_bus(c, &stored)));
        let bus = state.bus.clone();
        self.buses
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), state);
        pending.wait().await?;
        Ok(bus)
    }

    // ---- rules ----------------------------------------------------------

    pub fn describe_rule(&self, bus: &str, name: &str) -> Result<Rule> {
        let state = self.bus_state(bus).ok_or_else(|| Self::bus_missing(bus))?;
        state
            .rules
            .get(name)
            .map(|c| c.rule.clone())
            .ok_or_else(|| Self::rule_missing(name, bus))
    }

    pub fn list_rules(&self, bus: &str) -> Result<Vec<Rule>> {
        let state = self.bus_state(bus).ok_or_else(|| Self::bus_missing(bus))?;
        Ok(state.rules.values().map(|c| c.rule.clone()).collect())
    }

    /// Creates or replaces a rule (its targets and tags stay, as PutRule
    /// keeps them); `rule.event_pattern` has been checked by the caller.
    pub async fn put_rule(&self, mut rule: Rule) -> Result<Rule> {
        let _serial = self.changes.lock().await;
        let state = self.bus_state(&rule.bus).ok_or_else(|| Self::bus_missing(&rule.bus))?;
        match state.rules.get(&rule.name) {
            Some(old) => {
                if old.rule.managed_by.is_some() && rule.managed_by.is_none() {
                    return Err(EventsError::ManagedRule(format!(
                        "Rule {} is managed by {} and cannot be changed.",
                        rule.name,
                        old.rule.managed_by.as_deref().unwrap_or_default()
                    )));
                }
                rule.targets = old.rule.targets.clone();
                rule.created_ms = old.rule.created_ms;
                if rule.tags.is_empty() {
                    rule.tags = old.rule.tags.clone();
                }
            }
            None if state.rules.len() >= MAX_RULES_PER_BUS => {
                return Err(EventsError::LimitExceeded(LIMIT_EXCEEDED.into()));
            }
            None => {}
        }
        self.store_rule(state, rule.clone()).await?;
        Ok(rule)
    }

    /// Changes a rule with `change` and commits it.
    pub async fn update_rule(
        &self,
        bus: &str,
        name: &str,
        change: impl FnOnce(&mut Rule) -> Result<()>,
    ) -> Result<Rule> {
        let _serial = self.changes.lock().await;
        let state = self.bus_state(bus).ok_or_else(|| Self::bus_missing(bus))?;
        let mut rule = state
            .rules
            .get(name)
            .map(|c| c.rule.clone())
            .ok_or_else(|| Self::rule_missing(name, bus))?;
        change(&mut rule)?;
        self.store_rule(state, rule.clone()).await?;
        Ok(rule)
    }

    async fn store_rule(&self, state: BusState, rule: Rule) -> Result<()> {
        let stored = rule.clone();
        let pending = self.writer.enqueue(Box::new(move |c| store::put_rule(c, &stored)));
        let mut rules = (*state.rules).clone();
        rules.insert(rule.name.clone(), Arc::new(Compiled::new(rule)));
        if let Some(s) = self
            .buses
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&state.bus.name)
        {
            s.rules = Arc::new(rules);
        }
        // Any change may add, drop or disable a schedule: the scheduler looks again.
        self.schedules_changed.notify_one();
        pending.wait().await?;
        Ok(())
    }

    /// Deletes a rule; one with targets is refused, as AWS refuses it.
    pub async fn delete_rule(&self, bus: &str, name: &str, force: bool) -> Result<()> {
        let _serial = self.changes.lock().await;
        let state = self.bus_state(bus).ok_or_else(|| Self::bus_missing(bus))?;
        let Some(old) = state.rules.get(name) else {
            return Ok(());
        };
        if old.rule.managed_by.is_some() && !force {
            return Err(EventsError::ManagedRule(format!(
                "Rule {name} is managed by {} and cannot be deleted without Force.",
                old.rule.managed_by.as_deref().unwrap_or_default()
            )));
        }
        if !old.rule.targets.is_empty() {
            return Err(EventsError::Validation(
                "Rule can't be deleted since it has targets.".into(),
            ));
        }
        let (b, n) = (bus.to_string(), name.to_string());
        let pending = self.writer.enqueue(Box::new(move |c| store::delete_rule(c, &b, &n)));
        let mut rules = (*state.rules).clone();
        rules.remove(name);
        if let Some(s) = self.buses.write().unwrap_or_else(|p| p.into_inner()).get_mut(bus) {
            s.rules = Arc::new(rules);
        }
        self.schedules_changed.notify_one();
        pending.wait().await?;
        Ok(())
    }

    /// Adds or replaces targets by id; at most five per rule.
    pub async fn put_targets(&self, bus: &str, name: &str, targets: Vec<Target>) -> Result<Rule> {
        self.update_rule(bus, name, |rule| {
            let mut merged = rule.targets.clone();
            for t in targets {
                match merged.iter_mut().find(|m| m.id == t.id) {
                    Some(slot) => *slot = t,
                    None => merged.push(t),
                }
            }
            if merged.len() > MAX_TARGETS_PER_RULE {
                return Err(EventsError::LimitExceeded(LIMIT_EXCEEDED.into()));
            }
            rule.targets = merged;
            Ok(())
        })
        .await
    }

    /// Removes targets by id; ids the rule lacks are ignored, as AWS ignores them.
    pub async fn remove_targets(&self, bus: &str, name: &str, ids: &[String]) -> Result<Rule> {
        self.update_rule(bus, name, |rule| {
            rule.targets.retain(|t| !ids.contains(&t.id));
            Ok(())
        })
        .await
    }

    /// Rules (`bus`, name) with a target whose ARN is `arn`.
    pub fn rules_by_target(&self, bus: &str, arn: &str) -> Result<Vec<String>> {
        let state = self.bus_state(bus).ok_or_else(|| Self::bus_missing(bus))?;
        Ok(state
            .rules
            .values()
            .filter(|c| c.rule.targets.iter().any(|t| t.arn == arn))
            .map(|c| c.rule.name.clone())
            .collect())
    }
}
