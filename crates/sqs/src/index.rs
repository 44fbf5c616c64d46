//! One queue's messages in memory, ordered for receiving: what is visible
//! now, what waits (a delay, or a receive's visibility timeout) and until
//! when, what expires when, and for FIFO queues each message group's order
//! and whether the group is locked by messages in flight. Pure state: no
//! IO, no clock; callers pass the time (wall-clock milliseconds) and write
//! what changed to the queue's file.
//!
//! Every message has a `seq`, the order it was accepted in; standard queues
//! hand out visible messages oldest first, FIFO queues the head of each
//! group that has nothing in flight, groups in the order of their heads
//! (strict order within a group, as AWS guarantees).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::model::MessageAttributes;

/// What a message carries that receives hand out; kept in memory only while
/// the queue's cache has room (see `queue::PayloadBudget`), else read from
/// the file when received.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    pub body: String,
    pub md5_of_body: String,
    pub message_attributes: MessageAttributes,
    /// `AWSTraceHeader`, as sent.
    pub system_attributes: MessageAttributes,
    pub sender_id: String,
    pub dedup_id: Option<String>,
    pub sequence_number: Option<String>,
}

impl Payload {
    /// Bytes the payload holds, for the cache's budget.
    pub fn bytes(&self) -> usize {
        let attrs = |m: &MessageAttributes| {
            m.iter()
                .map(|(k, v)| {
                    k.len()
                        + v.data_type.len()
                        + v.string_value.as_ref().map_or(0, String::len)
                        + v.binary_value.as_ref().map_or(0, Vec::len)
                })
                .sum::<usize>()
        };
        self.body.len()
            + self.md5_of_body.len()
            + attrs(&self.message_attributes)
            + attrs(&self.system_attributes)
            + self.sender_id.len()
            + 64
    }
}

/// A message's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub message_id: Arc<str>,
    pub sent_ms: i64,
    pub expires_ms: i64,
    /// When a delayed or in-flight message becomes visible.
    pub visible_at: i64,
    pub in_flight: bool,
    pub receive_count: u32,
    pub first_receive_ms: Option<i64>,
    /// The current receive's stamp (see `receipt`); 0 before any.
    pub stamp: u32,
    pub group: Option<Arc<str>>,
    /// The queue a dead letter came from.
    pub dlq_source: Option<Arc<str>>,
    pub payload: Option<Arc<Payload>>,
    /// In `timers`: delayed or in flight.
    waiting: bool,
}

impl Entry {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        message_id: Arc<str>,
        sent_ms: i64,
        expires_ms: i64,
        visible_at: i64,
        group: Option<Arc<str>>,
        payload: Option<Arc<Payload>>,
    ) -> Self {
        Self {
            message_id,
            sent_ms,
            expires_ms,
            visible_at,
            in_flight: false,
            receive_count: 0,
            first_receive_ms: None,
            stamp: 0,
            group,
            dlq_source: None,
            payload,
            waiting: false,
        }
    }
}

#[derive(Debug, Default)]
struct Group {
    /// Messages not in flight (visible or delayed), in order.
    pending: BTreeSet<u64>,
    in_flight: u32,
    /// The head under which the group sits in `ready_groups`.
    ready_at: Option<u64>,
}

/// A message a FIFO queue's index refused because it has no group; the
/// entry comes back so its caller can keep it elsewhere or release it.
#[derive(Debug)]
pub struct Ungrouped(pub Box<Entry>);

impl std::fmt::Display for Ungrouped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "message {} has no MessageGroupId, so a FIFO queue cannot hold it",
            self.0.message_id
        )
    }
}

/// What a receive took.
#[derive(Debug, Default)]
pub struct Taken {
    /// Now in flight, in the order to answer them.
    pub delivered: Vec<u64>,
    /// Received more than the redrive policy allows: removed, for the
    /// dead-letter queue.
    pub dead: Vec<(u64, Entry)>,
}

/// How a receive marks what it takes.
#[derive(Debug, Clone, Copy)]
pub struct Receive {
    pub max: usize,
    pub now: i64,
    /// When the taken messages become visible again.
    pub visible_at: i64,
    /// The redrive policy's maxReceiveCount.
    pub max_receive_count: Option<u32>,
}

#[derive(Debug, Default)]
pub struct Index {
    fifo: bool,
    entries: HashMap<u64, Entry>,
    /// Standard queues: visible messages.
    ready: BTreeSet<u64>,
    /// Delayed and in-flight messages by when they become visible.
    timers: BTreeSet<(i64, u64)>,
    expiry: BTreeSet<(i64, u64)>,
    groups: HashMap<Arc<str>, Group>,
    /// FIFO groups with nothing in flight and a visible head, by head.
    ready_groups: BTreeSet<(u64, Arc<str>)>,
    in_flight: usize,
    delayed: usize,
}

impl Index {
    pub fn new(fifo: bool) -> Self {
        Self {
            fifo,
            ..Self::default()
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(test)]
    pub fn entries(&self) -> impl Iterator<Item = (&u64, &Entry)> {
        self.entries.iter()
    }

    pub fn visible(&self) -> usize {
        self.entries.len() - self.in_flight - self.delayed
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    pub fn delayed(&self) -> usize {
        self.delayed
    }

    pub fn get(&self, seq: u64) -> Option<&Entry> {
        self.entries.get(&seq)
    }

    /// The earliest time a waiting message becomes visible.
    pub fn next_wake(&self) -> Option<i64> {
        self.timers.first().map(|(at, _)| *at)
    }

    /// The earliest retention expiry.
    pub fn next_expiry(&self) -> Option<i64> {
        self.expiry.first().map(|(at, _)| *at)
    }

    /// Adds a message in the state `entry` describes (in flight, delayed
    /// until `visible_at`, or visible). A FIFO queue refuses a message
    /// without a group, handing it back: FIFO receives find messages only
    /// through their groups, so it would sit there, counted but never
    /// received.
    pub fn insert(&mut self, seq: u64, mut entry: Entry, now: i64) -> Result<(), Ungrouped> {
        if self.fifo && entry.group.is_none() {
            return Err(Ungrouped(Box::new(entry)));
        }
        // A seq is never reused; a repeat replaces the old state whole.
        self.remove(seq);
        self.expiry.insert((entry.expires_ms, seq));
        entry.waiting = entry.in_flight || entry.visible_at > now;
        if entry.waiting {
            self.timers.insert((entry.visible_at, seq));
            if entry.in_flight {
                self.in_flight += 1;
            } else {
                self.delayed += 1;
            }
        }
        let group = entry.group.clone().filter(|_| self.fifo);
        let (waiting, in_flight) = (entry.waiting, entry.in_flight);
        self.entries.insert(seq, entry);
        match group {
            Some(g) => {
                let group = self.groups.entry(g.clone()).or_default();
                if in_flight {
                    group.in_flight += 1;
                } else {
                    group.pending.insert(seq);
                }
                self.refresh(&g);
            }
            None => {
                if !waiting {
                    self.ready.insert(seq);
                }
            }
        }
        Ok(())
    }

    /// Makes visible every message whose delay or visibility timeout has
    /// run out by `now`.
    pub fn promote(&mut self, now: i64) {
        while let Some(&(at, seq)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.pop_first();
            let Some(e) = self.entries.get_mut(&seq) else { continue };
            e.waiting = false;
            let group = e.group.clone().filter(|_| self.fifo);
            if e.in_flight {
                e.in_flight = false;
                self.in_flight -= 1;
                if let Some(g) = &group
                    && let Some(group) = self.groups.get_mut(g)
                {
                    group.in_flight = group.in_flight.saturating_sub(1);
                    group.pending.insert(seq);
                }
            } else {
                self.delayed -= 1;
            }
            match group {
                Some(g) => self.refresh(&g),
                None => {
                    self.ready.insert(seq);
                }
            }
        }
    }

    /// Removes every message whose retention ran out by `now`.
    pub fn expire(&mut self, now: i64) -> Vec<(u64, Entry)> {
        let mut gone = Vec::new();
        while let Some(&(at, seq)) = self.expiry.first() {
            if at > now {
                break;
            }
            match self.remove(seq) {
                Some(e) => gone.push((seq, e)),
                None => {
                    self.expiry.pop_first();
                }
            }
        }
        gone
    }

    pub fn remove(&mut self, seq: u64) -> Option<Entry> {
        let e = self.entries.remove(&seq)?;
        self.expiry.remove(&(e.expires_ms, seq));
        if e.waiting {
            self.timers.remove(&(e.visible_at, seq));
            if e.in_flight {
                self.in_flight -= 1;
            } else {
                self.delayed -= 1;
            }
        }
        match e.group.clone().filter(|_| self.fifo) {
            Some(g) => {
                if let Some(group) = self.groups.get_mut(&g) {
                    if e.in_flight {
                        group.in_flight = group.in_flight.saturating_sub(1);
                    } else {
                        group.pending.remove(&seq);
                    }
                }
                self.refresh(&g);
            }
            None => {
                self.ready.remove(&seq);
            }
        }
        Some(e)
    }

    /// Takes up to `r.max` messages for one receive and puts them in flight.
    pub fn receive(&mut self, r: Receive) -> Taken {
        let mut taken = Taken::default();
        if self.fifo {
            while taken.delivered.len() < r.max {
                let Some((_, g)) = self.ready_groups.first().cloned() else {
                    break;
                };
                let before = taken.delivered.len() + taken.dead.len();
                self.take_group(&g, r, &mut taken);
                if taken.delivered.len() + taken.dead.len() == before {
                    // A group filed as ready gave nothing: never spin on it.
                    break;
                }
            }
        } else {
            while taken.delivered.len() < r.max {
                let Some(seq) = self.ready.pop_first() else { break };
                self.take(seq, r, &mut taken);
            }
        }
        taken
    }

    /// Takes a FIFO group's visible messages from its head, in order.
    fn take_group(&mut self, g: &Arc<str>, r: Receive, taken: &mut Taken) {
        if let Some(group) = self.groups.get_mut(g)
            && let Some(head) = group.ready_at.take()
        {
            self.ready_groups.remove(&(head, g.clone()));
        }
        while taken.delivered.len() < r.max {
            let Some(group) = self.groups.get_mut(g) else { break };
            let Some(&seq) = group.pending.first() else { break };
            if self.entries.get(&seq).is_none_or(|e| e.waiting) {
                // A delayed head holds the rest of its group back.
                break;
            }
            group.pending.pop_first();
            // A dead-lettered head leaves the group to its next message;
            // a delivered one locks it, and this receive may go on taking
            // the group's next messages, in order.
            self.take(seq, r, taken);
        }
        self.refresh(g);
    }

    /// Puts one message (already out of `ready` or its group's pending set)
    /// in flight, or out to the dead letters.
    fn take(&mut self, seq: u64, r: Receive, taken: &mut Taken) {
        let Some(e) = self.entries.get_mut(&seq) else { return };
        if r.max_receive_count.is_some_and(|max| e.receive_count >= max) {
            // Out of `ready`/pending already; `remove` clears the rest.
            let group = e.group.clone().filter(|_| self.fifo);
            let e = self.entries.remove(&seq);
            if let Some(e) = e {
                self.expiry.remove(&(e.expires_ms, seq));
                taken.dead.push((seq, e));
            }
            if let Some(g) = group {
                self.refresh(&g);
            }
            return;
        }
        e.in_flight = true;
        e.waiting = true;
        e.visible_at = r.visible_at;
        e.receive_count += 1;
        e.first_receive_ms.get_or_insert(r.now);
        e.stamp = crate::receipt::new_stamp();
        let group = e.group.clone().filter(|_| self.fifo);
        self.timers.insert((r.visible_at, seq));
        self.in_flight += 1;
        if let Some(g) = group
            && let Some(group) = self.groups.get_mut(&g)
        {
            group.in_flight += 1;
        }
        taken.delivered.push(seq);
    }

    /// Gives an in-flight message a new visibility deadline; `false` when
    /// it is not in flight.
    pub fn set_visibility(&mut self, seq: u64, visible_at: i64, now: i64) -> bool {
        let Some(e) = self.entries.get_mut(&seq) else {
            return false;
        };
        if !e.in_flight {
            return false;
        }
        self.timers.remove(&(e.visible_at, seq));
        e.visible_at = visible_at;
        self.timers.insert((visible_at, seq));
        self.promote(now);
        true
    }

    /// Removes up to `max` visible messages (message move tasks take them
    /// as a receive would, in order, but without putting them in flight).
    pub fn take_visible(&mut self, max: usize) -> Vec<(u64, Entry)> {
        let mut out = Vec::new();
        while out.len() < max {
            let seq = if self.fifo {
                match self.ready_groups.first() {
                    Some((head, _)) => *head,
                    None => break,
                }
            } else {
                match self.ready.first() {
                    Some(seq) => *seq,
                    None => break,
                }
            };
            match self.remove(seq) {
                Some(e) => out.push((seq, e)),
                None => break,
            }
        }
        out
    }

    /// Removes every message.
    pub fn clear(&mut self) -> Vec<(u64, Entry)> {
        let fifo = self.fifo;
        let old = std::mem::replace(self, Self::new(fifo));
        old.entries.into_iter().collect()
    }

    pub fn set_payload(&mut self, seq: u64, payload: Arc<Payload>) -> bool {
        match self.entries.get_mut(&seq) {
            Some(e) if e.payload.is_none() => {
                e.payload = Some(payload);
                true
            }
            _ => false,
        }
    }

    /// Re-files a FIFO group under its current head, if it can be received.
    fn refresh(&mut self, g: &Arc<str>) {
        let Some(group) = self.groups.get_mut(g) else { return };
        if let Some(old) = group.ready_at.take() {
            self.ready_groups.remove(&(old, g.clone()));
        }
        if group.pending.is_empty() && group.in_flight == 0 {
            self.groups.remove(g);
            return;
        }
        if group.in_flight > 0 {
            return;
        }
        if let Some(&head) = group.pending.first()
            && self.entries.get(&head).is_some_and(|e| !e.waiting)
        {
            group.ready_at = Some(head);
            self.ready_groups.insert((head, g.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn entry(id: &str, visible_at: i64, group: Option<&str>) -> Entry {
        Entry::new(id.into(), NOW, NOW + 100_000, visible_at, group.map(Arc::from), None)
    }

    fn recv(max: usize, now: i64) -> Receive {
        Receive {
            max,
            now,
            visible_at: now + 30_000,
            max_receive_count: None,
        }
    }

    fn ids(ix: &Index, seqs: &[u64]) -> Vec<String> {
        seqs.iter()
            .map(|s| ix.get(*s).unwrap().message_id.to_string())
            .collect()
    }

    #[test]
    fn standard_queues_hand_out_oldest_first_and_take_them_back_on_timeout() {
        let mut ix = Index::new(false);
        ix.insert(1, entry("a", NOW, None), NOW).unwrap();
        ix.insert(2, entry("b", NOW, None), NOW).unwrap();
        ix.insert(3, entry("c", NOW + 5_000, None), NOW).unwrap();
        assert_eq!((ix.visible(), ix.delayed(), ix.in_flight()), (2, 1, 0));
        let t = ix.receive(recv(10, NOW));
        assert_eq!(ids(&ix, &t.delivered), ["a", "b"]);
        assert_eq!((ix.visible(), ix.delayed(), ix.in_flight()), (0, 1, 2));
        assert_eq!(ix.next_wake(), Some(NOW + 5_000));
        ix.promote(NOW + 5_000);
        assert_eq!((ix.visible(), ix.delayed(), ix.in_flight()), (1, 0, 2));
        ix.promote(NOW + 30_000);
        let t = ix.receive(recv(10, NOW + 30_000));
        assert_eq!(ids(&ix, &t.delivered), ["a", "b", "c"]);
        assert_eq!(ix.get(1).unwrap().receive_count, 2);
        assert_eq!(ix.get(1).unwrap().first_receive_ms, Some(NOW));
        assert!(ix.remove(2).is_some());
        assert_eq!((ix.len(), ix.in_flight()), (2, 2));
    }

    #[test]
    fn fifo_groups_are_strictly_ordered_and_locked_while_in_flight() {
        let mut ix = Index::new(true);
        ix.insert(1, entry("a1", NOW, Some("a")), NOW).unwrap();
        ix.insert(2, entry("b1", NOW, Some("b")), NOW).unwrap();
        ix.insert(3, entry("a2", NOW, Some("a")), NOW).unwrap();
        ix.insert(4, entry("a3", NOW, Some("a")), NOW).unwrap();
        let t = ix.receive(recv(2, NOW));
        assert_eq!(ids(&ix, &t.delivered), ["a1", "a2"]);
        // Group a is locked: only b is available, and a3 waits.
        let t = ix.receive(recv(10, NOW));
        assert_eq!(ids(&ix, &t.delivered), ["b1"]);
        assert!(ix.receive(recv(10, NOW)).delivered.is_empty());
        ix.remove(1);
        assert!(ix.receive(recv(10, NOW)).delivered.is_empty(), "a2 is still in flight");
        ix.remove(3);
        let t = ix.receive(recv(10, NOW));
        assert_eq!(ids(&ix, &t.delivered), ["a3"]);
        // a3's visibility runs out: it comes back first in its group.
        ix.insert(5, entry("a4", NOW, Some("a")), NOW).unwrap();
        ix.promote(NOW + 30_000);
        let t = ix.receive(recv(10, NOW + 30_000));
        assert_eq!(ids(&ix, &t.delivered), ["b1", "a3", "a4"]);
    }

    #[test]
    fn a_delayed_head_holds_its_group() {
        let mut ix = Index::new(true);
        ix.insert(1, entry("a1", NOW + 1_000, Some("a")), NOW).unwrap();
        ix.insert(2, entry("a2", NOW, Some("a")), NOW).unwrap();
        assert!(ix.receive(recv(10, NOW)).delivered.is_empty());
        ix.promote(NOW + 1_000);
        let t = ix.receive(recv(10, NOW + 1_000));
        assert_eq!(ids(&ix, &t.delivered), ["a1", "a2"]);
    }

    #[test]
    fn messages_over_the_receive_count_go_to_the_dead_letters() {
        for fifo in [false, true] {
            let mut ix = Index::new(fifo);
            ix.insert(1, entry("x", NOW, Some("g")), NOW).unwrap();
            ix.insert(2, entry("y", NOW, Some("g")), NOW).unwrap();
            let mut r = recv(1, NOW);
            r.visible_at = NOW;
            r.max_receive_count = Some(1);
            let t = ix.receive(r);
            assert_eq!(ids(&ix, &t.delivered), ["x"]);
            ix.promote(NOW);
            let t = ix.receive(r);
            assert_eq!(t.dead.len(), 1, "fifo={fifo}");
            assert_eq!(&*t.dead[0].1.message_id, "x");
            assert_eq!(ids(&ix, &t.delivered), ["y"], "fifo={fifo}");
            assert_eq!(ix.len(), 1);
        }
    }

    impl Index {
        /// Every structure agrees with the entries.
        fn check(&self) {
            assert_eq!(self.expiry.len(), self.entries.len());
            assert_eq!(self.timers.len(), self.in_flight + self.delayed);
            let waiting = self.entries.values().filter(|e| e.waiting).count();
            assert_eq!(waiting, self.timers.len());
            let flying = self.entries.values().filter(|e| e.in_flight).count();
            assert_eq!(flying, self.in_flight);
            if !self.fifo {
                assert_eq!(self.ready.len(), self.visible());
                return;
            }
            let pending: usize = self.groups.values().map(|g| g.pending.len()).sum();
            let group_flying: u32 = self.groups.values().map(|g| g.in_flight).sum();
            assert_eq!(pending + group_flying as usize, self.entries.len());
            assert_eq!(group_flying as usize, self.in_flight);
            for (name, g) in &self.groups {
                let head_visible = g.pending.first().is_some_and(|h| !self.entries[h].waiting);
                let ready = g.in_flight == 0 && head_visible;
                assert_eq!(g.ready_at.is_some(), ready, "group {name}");
                if let Some(h) = g.ready_at {
                    assert!(self.ready_groups.contains(&(h, name.clone())));
                }
            }
            assert_eq!(
                self.ready_groups.len(),
                self.groups.values().filter(|g| g.ready_at.is_some()).count()
            );
        }
    }

    /// Random sends, receives, deletes, visibility changes, moves and time,
    /// checking the structures after each step and FIFO's rule at each
    /// receive: a group hands out its lowest messages, and only when nothing
    /// of it is in flight.
    #[test]
    fn random_operations_keep_every_invariant() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        for fifo in [false, true] {
            let mut rng = StdRng::seed_from_u64(7);
            let mut ix = Index::new(fifo);
            let mut now = NOW;
            let mut next = 1u64;
            for _ in 0..3_000 {
                match rng.random_range(0..10) {
                    0..=3 => {
                        let group = format!("g{}", rng.random_range(0..4));
                        let delay = if rng.random_bool(0.2) {
                            rng.random_range(1..50)
                        } else {
                            0
                        };
                        let mut e = entry(&next.to_string(), now + delay, Some(&group));
                        e.expires_ms = now + rng.random_range(100..5_000);
                        ix.insert(next, e, now).unwrap();
                        next += 1;
                    }
                    4..=5 => {
                        let before: HashMap<Arc<str>, (u32, Option<u64>)> = ix
                            .groups
                            .iter()
                            .map(|(k, g)| (k.clone(), (g.in_flight, g.pending.first().copied())))
                            .collect();
                        let r = Receive {
                            max: rng.random_range(1..=10),
                            now,
                            visible_at: now + rng.random_range(0..100),
                            max_receive_count: rng.random_bool(0.3).then_some(2),
                        };
                        let t = ix.receive(r);
                        if fifo {
                            let mut last: HashMap<Arc<str>, u64> = HashMap::new();
                            for seq in &t.delivered {
                                let g = ix.get(*seq).unwrap().group.clone().unwrap();
                                let (flying, head) = before[&g];
                                assert_eq!(flying, 0, "a locked group delivered");
                                match last.get(&g) {
                                    Some(prev) => assert!(seq > prev),
                                    None => assert!(head.is_some_and(|h| *seq >= h)),
                                }
                                last.insert(g, *seq);
                            }
                        }
                    }
                    6 => {
                        if let Some(&seq) = ix.entries.keys().next() {
                            ix.remove(seq);
                        }
                    }
                    7 => {
                        let flying: Vec<u64> = ix
                            .entries
                            .iter()
                            .filter(|(_, e)| e.in_flight)
                            .map(|(s, _)| *s)
                            .collect();
                        if let Some(&seq) = flying.first() {
                            assert!(ix.set_visibility(seq, now + rng.random_range(0..50), now));
                        }
                    }
                    8 => {
                        ix.take_visible(rng.random_range(1..4));
                    }
                    _ => {
                        now += rng.random_range(1..60);
                        ix.promote(now);
                        ix.expire(now);
                    }
                }
                ix.check();
            }
        }
    }

    #[test]
    fn a_fifo_index_refuses_a_message_without_a_group() {
        let mut ix = Index::new(true);
        let refused = ix.insert(1, entry("a", NOW, None), NOW).unwrap_err();
        assert_eq!(&*refused.0.message_id, "a");
        assert_eq!(ix.len(), 0);
        ix.check();
        let mut ix = Index::new(false);
        ix.insert(1, entry("a", NOW, None), NOW).unwrap();
        assert_eq!(ix.visible(), 1);
    }

    #[test]
    fn retention_visibility_changes_and_moves() {
        let mut ix = Index::new(false);
        ix.insert(1, entry("a", NOW, None), NOW).unwrap();
        ix.insert(2, entry("b", NOW, None), NOW).unwrap();
        let t = ix.receive(recv(1, NOW));
        assert!(
            ix.set_visibility(t.delivered[0], NOW, NOW),
            "timeout 0: visible at once"
        );
        assert_eq!(ix.visible(), 2);
        assert!(!ix.set_visibility(1, NOW + 5, NOW), "not in flight");
        assert_eq!(ix.take_visible(1).len(), 1);
        assert_eq!(ix.len(), 1);
        let gone = ix.expire(NOW + 100_000);
        assert_eq!(gone.len(), 1);
        assert_eq!((ix.len(), ix.visible()), (0, 0));
        assert_eq!(ix.next_expiry(), None);
    }
}
