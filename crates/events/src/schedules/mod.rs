//! EventBridge Scheduler in domain terms: schedule groups (`default`
//! always exists) and schedules, kept in memory for the timer and in
//! `events.sqlite` for restarts, beside EventBridge's buses and rules. Every
//! change is committed before it is answered; changes are serialized so the
//! file and memory see them in the same order.
//!
//! `timer` fires schedules on the server's clock, `invoke` delivers what
//! they fire (through the crate's [`Host`](crate::Host), its own event
//! buses, or [`Host::call_sdk`](crate::Host::call_sdk) for universal
//! targets) with the retry loop EventBridge's targets use.

mod context;
pub mod expression;
mod invoke;
pub mod model;
pub(crate) mod store;
mod timer;

use std::collections::BTreeMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex, RwLock};

use rusqlite::Connection;
use serde_json::Value;
use tokio::sync::Notify;

pub use expression::{Expression, When};
pub(crate) use model::Invocation;
pub use model::{
    AfterCompletion, EventBridgeParameters, Schedule, ScheduleDefinition, ScheduleGroup, ScheduleTarget, TargetKind,
    Window,
};

use crate::error::{EventsError, Result};
use crate::names::{self, DEFAULT_GROUP};
use crate::service::{Events, Settings};

/// AWS's quotas ("Quotas for Amazon EventBridge Scheduler"): schedule
/// groups per Region, and schedules (10,000,000 by default, adjustable).
pub const MAX_GROUPS: usize = 500;
pub const MAX_SCHEDULES: usize = 10_000_000;

/// Universal targets may not call read-only operations: AWS refuses
/// actions that begin with these ("Using universal targets").
const READ_ONLY_PREFIXES: &[&str] = &[
    "get",
    "describe",
    "list",
    "poll",
    "receive",
    "search",
    "scan",
    "query",
    "select",
    "read",
    "lookup",
    "discover",
    "validate",
    "batchGet",
    "batchDescribe",
    "batchRead",
    "transactGet",
    "adminGet",
    "adminList",
    "testMigration",
    "retrieve",
    "testConnection",
    "translateDocument",
    "isAuthorized",
    "invokeModel",
];

/// The refusal of anything done to the `default` group but using it
/// (measured on CreateScheduleGroup; lakestack answers it for deletes and
/// tags alike).
pub const DEFAULT_GROUP_REFUSED: &str = "This operation cannot be performed on schedule group default.";

/// A schedule with its timing read once.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub schedule: Schedule,
    pub when: When,
}

type Key = (String, String);

/// Scheduler's part of [`Events`].
pub(crate) struct State {
    groups: RwLock<BTreeMap<String, ScheduleGroup>>,
    schedules: RwLock<BTreeMap<Key, Arc<Compiled>>>,
    /// Serializes changes, the timer's included.
    changes: tokio::sync::Mutex<()>,
    /// Wakes the timer to look again.
    changed: Notify,
    /// The next invocation's number in the file.
    next_seq: AtomicI64,
    /// Invocations a previous process fired and did not deliver, handed
    /// over when `start` runs.
    left: Mutex<Vec<Invocation>>,
}

impl State {
    /// Reads groups, schedules and undelivered invocations from `conn`,
    /// making the `default` group on first use.
    pub(crate) fn load(conn: &Connection, settings: &Settings) -> Result<Self> {
        let mut groups: BTreeMap<String, ScheduleGroup> = store::load_groups(conn)?
            .into_iter()
            .map(|g| (g.name.clone(), g))
            .collect();
        if !groups.contains_key(DEFAULT_GROUP) {
            let now = settings.clock.now_ms();
            let group = ScheduleGroup {
                name: DEFAULT_GROUP.into(),
                arn: names::schedule_group_arn(&settings.region, &settings.account_id, DEFAULT_GROUP),
                created_ms: now,
                modified_ms: now,
                tags: BTreeMap::new(),
                client_token: None,
            };
            store::put_group(conn, &group)?;
            groups.insert(group.name.clone(), group);
        }
        let mut schedules = BTreeMap::new();
        for s in store::load_schedules(conn)? {
            match compile(&s.def) {
                Ok(when) => {
                    let key = (s.def.group.clone(), s.def.name.clone());
                    schedules.insert(key, Arc::new(Compiled { schedule: s, when }));
                }
                Err(e) => {
                    let arn = &s.arn;
                    tracing::error!(schedule = %arn, error = %e, "a schedule in events.sqlite no longer reads");
                }
            }
        }
        let left = store::load_invocations(conn)?;
        let last = left.iter().map(|i| i.seq).max().unwrap_or(0);
        Ok(Self {
            groups: RwLock::new(groups),
            schedules: RwLock::new(schedules),
            changes: tokio::sync::Mutex::new(()),
            changed: Notify::new(),
            next_seq: AtomicI64::new(last + 1),
            left: Mutex::new(left),
        })
    }

    fn group(&self, name: &str) -> Option<ScheduleGroup> {
        self.groups.read().unwrap_or_else(|p| p.into_inner()).get(name).cloned()
    }

    pub(crate) fn compiled(&self, group: &str, name: &str) -> Option<Arc<Compiled>> {
        let key = (group.to_string(), name.to_string());
        self.schedules
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned()
    }

    pub(crate) fn all(&self) -> Vec<Arc<Compiled>> {
        self.schedules
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    fn set(&self, compiled: Compiled) {
        let key = (compiled.schedule.def.group.clone(), compiled.schedule.def.name.clone());
        self.schedules
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, Arc::new(compiled));
    }

    fn remove(&self, group: &str, name: &str) {
        let key = (group.to_string(), name.to_string());
        self.schedules.write().unwrap_or_else(|p| p.into_inner()).remove(&key);
    }
}

/// A definition's timing, or why AWS would refuse it.
fn compile(def: &ScheduleDefinition) -> Result<When> {
    let expression = Expression::parse(&def.expression)
        .ok_or_else(|| EventsError::Validation(format!("Invalid Schedule Expression {}", def.expression)))?;
    let zone = expression::zone(def.timezone.as_deref()).ok_or_else(|| {
        EventsError::Validation(format!(
            "Invalid time zone {}.",
            def.timezone.as_deref().unwrap_or_default()
        ))
    })?;
    let one_time = expression.is_one_time();
    Ok(When {
        expression,
        zone,
        start_ms: def.start_ms.filter(|_| !one_time),
        end_ms: def.end_ms.filter(|_| !one_time),
    })
}

fn group_missing(name: &str) -> EventsError {
    EventsError::ResourceNotFound(format!("Schedule group {name} does not exist."))
}

fn schedule_missing(name: &str) -> EventsError {
    EventsError::ResourceNotFound(format!("Schedule {name} does not exist."))
}

fn is_json(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok()
}

impl Events {
    // ---- schedule groups -------------------------------------------------

    pub fn schedule_group(&self, name: &str) -> Result<ScheduleGroup> {
        self.scheduler.group(name).ok_or_else(|| group_missing(name))
    }

    pub fn schedule_groups(&self) -> Vec<ScheduleGroup> {
        let groups = self.scheduler.groups.read().unwrap_or_else(|p| p.into_inner());
        groups.values().cloned().collect()
    }

    /// Creates a group; the same ClientToken again answers the group it made.
    pub async fn create_schedule_group(
        &self,
        name: &str,
        tags: BTreeMap<String, String>,
        client_token: Option<String>,
    ) -> Result<ScheduleGroup> {
        if name == DEFAULT_GROUP {
            return Err(EventsError::Validation(DEFAULT_GROUP_REFUSED.into()));
        }
        let _serial = self.scheduler.changes.lock().await;
        if let Some(old) = self.scheduler.group(name) {
            if client_token.is_some() && old.client_token == client_token {
                return Ok(old);
            }
            return Err(EventsError::ResourceAlreadyExists(format!(
                "Schedule group {name} already exists."
            )));
        }
        if self.schedule_groups().len() >= MAX_GROUPS {
            return Err(EventsError::LimitExceeded(format!(
                "The number of schedule groups would exceed the quota of {MAX_GROUPS}."
            )));
        }
        let now = self.now_ms();
        let group = ScheduleGroup {
            name: name.to_string(),
            arn: names::schedule_group_arn(&self.settings.region, &self.settings.account_id, name),
            created_ms: now,
            modified_ms: now,
            tags,
            client_token,
        };
        let stored = group.clone();
        self.writer
            .write(Box::new(move |c| store::put_group(c, &stored)))
            .await?;
        self.scheduler
            .groups
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(group.name.clone(), group.clone());
        Ok(group)
    }

    /// Deletes a group and its schedules, as AWS does (there through a
    /// `DELETING` state; here at once).
    pub async fn delete_schedule_group(&self, name: &str) -> Result<()> {
        if name == DEFAULT_GROUP {
            return Err(EventsError::Validation(DEFAULT_GROUP_REFUSED.into()));
        }
        let _serial = self.scheduler.changes.lock().await;
        if self.scheduler.group(name).is_none() {
            return Err(group_missing(name));
        }
        let owned = name.to_string();
        self.writer
            .write(Box::new(move |c| store::delete_group(c, &owned)))
            .await?;
        self.scheduler
            .groups
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
        self.scheduler
            .schedules
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(group, _), _| group != name);
        self.scheduler.changed.notify_one();
        Ok(())
    }

    /// Changes a group's tags with `change` and commits them.
    pub async fn change_schedule_group_tags(
        &self,
        name: &str,
        change: impl FnOnce(&mut BTreeMap<String, String>) -> Result<()>,
    ) -> Result<ScheduleGroup> {
        let _serial = self.scheduler.changes.lock().await;
        let mut group = self.scheduler.group(name).ok_or_else(|| group_missing(name))?;
        if name == DEFAULT_GROUP {
            return Err(EventsError::Validation(DEFAULT_GROUP_REFUSED.into()));
        }
        change(&mut group.tags)?;
        group.modified_ms = self.now_ms();
        let stored = group.clone();
        self.writer
            .write(Box::new(move |c| store::put_group(c, &stored)))
            .await?;
        self.scheduler
            .groups
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), group.clone());
        Ok(group)
    }

    // ---- schedules ---------------------------------------------------------

    pub fn schedule(&self, group: &str, name: &str) -> Result<Schedule> {
        self.scheduler
            .compiled(group, name)
            .map(|c| c.schedule.clone())
            .ok_or_else(|| schedule_missing(name))
    }

    /// Every schedule, or those of one group, by group and name.
    pub fn schedules(&self, group: Option<&str>) -> Result<Vec<Schedule>> {
        if let Some(g) = group
            && self.scheduler.group(g).is_none()
        {
            return Err(group_missing(g));
        }
        Ok(self
            .scheduler
            .all()
            .into_iter()
            .filter(|c| group.is_none_or(|g| c.schedule.def.group == g))
            .map(|c| c.schedule.clone())
            .collect())
    }

    /// Creates a schedule; the same ClientToken again answers the schedule it made.
    pub async fn create_schedule(&self, def: ScheduleDefinition) -> Result<Schedule> {
        let when = compile(&def)?;
        self.check_schedule_target(&def.target)?;
        let _serial = self.scheduler.changes.lock().await;
        if self.scheduler.group(&def.group).is_none() {
            return Err(group_missing(&def.group));
        }
        if let Some(old) = self.scheduler.compiled(&def.group, &def.name) {
            if def.client_token.is_some() && old.schedule.def.client_token == def.client_token {
                return Ok(old.schedule.clone());
            }
            return Err(EventsError::ResourceAlreadyExists(format!(
                "Schedule {} already exists.",
                def.name
            )));
        }
        if self.scheduler.schedules.read().unwrap_or_else(|p| p.into_inner()).len() >= MAX_SCHEDULES {
            return Err(EventsError::LimitExceeded(format!(
                "The number of schedules would exceed the quota of {MAX_SCHEDULES}."
            )));
        }
        let now = self.now_ms();
        let schedule = Schedule {
            arn: names::schedule_arn(&self.settings.region, &self.settings.account_id, &def.group, &def.name),
            created_ms: now,
            modified_ms: now,
            anchor_ms: now,
            fired_through_ms: when.expression.considered_from(now),
            def,
        };
        self.store_schedule(schedule.clone(), when).await?;
        Ok(schedule)
    }

    /// Replaces a schedule whole, as UpdateSchedule does: members left out
    /// take their defaults. Its timing starts again from now.
    pub async fn update_schedule(&self, def: ScheduleDefinition) -> Result<Schedule> {
        let when = compile(&def)?;
        self.check_schedule_target(&def.target)?;
        let _serial = self.scheduler.changes.lock().await;
        let old = self
            .scheduler
            .compiled(&def.group, &def.name)
            .ok_or_else(|| schedule_missing(&def.name))?;
        let now = self.now_ms();
        let schedule = Schedule {
            arn: old.schedule.arn.clone(),
            created_ms: old.schedule.created_ms,
            modified_ms: now,
            anchor_ms: now,
            fired_through_ms: when.expression.considered_from(now),
            def,
        };
        self.store_schedule(schedule.clone(), when).await?;
        Ok(schedule)
    }

    pub async fn delete_schedule(&self, group: &str, name: &str) -> Result<()> {
        let _serial = self.scheduler.changes.lock().await;
        if self.scheduler.compiled(group, name).is_none() {
            return Err(schedule_missing(name));
        }
        let (g, n) = (group.to_string(), name.to_string());
        // Queued and applied to memory with no await between, then waited
        // for: a caller that goes away meanwhile leaves file and memory alike.
        let pending = self
            .writer
            .enqueue(Box::new(move |c| store::delete_schedule(c, &g, &n)));
        self.scheduler.remove(group, name);
        self.scheduler.changed.notify_one();
        pending.wait().await?;
        Ok(())
    }

    async fn store_schedule(&self, schedule: Schedule, when: When) -> Result<()> {
        let stored = schedule.clone();
        let pending = self.writer.enqueue(Box::new(move |c| store::put_schedule(c, &stored)));
        self.scheduler.set(Compiled { schedule, when });
        self.scheduler.changed.notify_one();
        pending.wait().await?;
        Ok(())
    }

    /// Whether lakestack can deliver to a target, in AWS's words where it
    /// has them: templated targets by the host, universal ones by their action.
    fn check_schedule_target(&self, t: &ScheduleTarget) -> Result<()> {
        let refuse = |m: String| Err(EventsError::Validation(m));
        let json_input = |what: &str| match t.input.as_deref() {
            Some(input) if !is_json(input) => refuse(format!("Target Input must be well-formed JSON for {what}.")),
            _ => Ok(()),
        };
        match t.kind() {
            TargetKind::Universal { service, action } => {
                let lower = action.to_ascii_lowercase();
                if READ_ONLY_PREFIXES
                    .iter()
                    .any(|p| lower.starts_with(&p.to_ascii_lowercase()))
                {
                    return refuse(format!(
                        "EventBridge Scheduler does not support read-only API actions as targets: {service}:{action}."
                    ));
                }
                self.host.check_sdk_target(service, action).or_else(refuse)?;
                json_input("a universal target")
            }
            TargetKind::Bus { .. } => {
                if t.event_bridge.is_none() {
                    return refuse("EventBridgeParameters must be specified for an event bus target.".into());
                }
                json_input("an event bus target")
            }
            TargetKind::Templated => {
                // Scheduler's templated targets are fewer than EventBridge's:
                // log groups and Glue workflows take a universal target.
                if let Some(service @ ("logs" | "glue")) = names::arn_parts(&t.arn).map(|p| p.service) {
                    return refuse(format!(
                        "{service} is not a templated target of EventBridge Scheduler: use a universal target (arn:aws:scheduler:::aws-sdk:{service}:...)."
                    ));
                }
                self.host.check_target(&t.arn).or_else(refuse)?;
                match names::arn_parts(&t.arn).map(|p| p.service) {
                    Some("lambda") => json_input("a Lambda target"),
                    Some("states") => json_input("a Step Functions target"),
                    _ => Ok(()),
                }
            }
        }
    }
}

/// Starts firing schedules and delivers what a previous process left.
pub(crate) fn start(events: &Arc<Events>) {
    let left = std::mem::take(&mut *events.scheduler.left.lock().unwrap_or_else(|p| p.into_inner()));
    for inv in left {
        tokio::spawn(invoke::run(Arc::clone(events), inv));
    }
    timer::spawn(Arc::clone(events));
}

#[cfg(test)]
pub(crate) mod tests;
