//! Message move tasks (StartMessageMoveTask, CancelMessageMoveTask,
//! ListMessageMoveTasks): a dead-letter queue's messages redriven to a
//! destination queue, or each back to the queue it came from, at most
//! MaxNumberOfMessagesPerSecond of the server's clock when one is given.
//! A task moves the messages visible when it starts (its
//! ApproximateNumberOfMessagesToMove), never ones in flight; it is kept in
//! the file, and a task running when the server stopped resumes at start.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rusqlite::Connection;

use crate::error::{Result, SqsError};
use crate::index::Entry;
use crate::queue::Queue;
use crate::service::Sqs;
use crate::store::{self, MessageRow, TaskRow};

pub(crate) const RUNNING: &str = "RUNNING";
const COMPLETED: &str = "COMPLETED";
const CANCELLING: &str = "CANCELLING";
const CANCELLED: &str = "CANCELLED";
const FAILED: &str = "FAILED";

/// Messages moved per step when no rate is given.
const CHUNK: usize = 100;
/// Tasks kept per source queue; older finished ones are forgotten.
const KEPT_PER_SOURCE: usize = 10;

struct Task {
    row: TaskRow,
    cancel: Arc<AtomicBool>,
}

#[derive(Default)]
pub(crate) struct Tasks {
    list: Mutex<Vec<Task>>,
}

impl Tasks {
    pub fn load(c: &Connection) -> Result<Self> {
        let list = store::load_tasks(c)?
            .into_iter()
            .map(|row| Task {
                row,
                cancel: Arc::new(AtomicBool::new(false)),
            })
            .collect();
        Ok(Self { list: Mutex::new(list) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Task>> {
        self.list.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn row(&self, handle: &str) -> Option<TaskRow> {
        self.lock()
            .iter()
            .find(|t| t.row.handle == handle)
            .map(|t| t.row.clone())
    }

    fn update(&self, handle: &str, f: impl FnOnce(&mut TaskRow)) -> Option<TaskRow> {
        let mut list = self.lock();
        let t = list.iter_mut().find(|t| t.row.handle == handle)?;
        f(&mut t.row);
        Some(t.row.clone())
    }
}

/// StartMessageMoveTask: answers the task's handle.
pub(crate) async fn start(
    sqs: &Arc<Sqs>,
    source_arn: &str,
    destination_arn: Option<&str>,
    rate: Option<u32>,
) -> Result<String> {
    let source = sqs.queue_for_arn(source_arn).ok_or_else(|| {
        SqsError::ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.".into())
    })?;
    if sqs.dead_letter_sources(&source).is_empty() {
        return Err(SqsError::InvalidRequest(
            "Source queue must be configured as a Dead Letter Queue.".into(),
        ));
    }
    if let Some(d) = destination_arn {
        let Some(destination) = sqs.queue_for_arn(d) else {
            return Err(SqsError::ResourceNotFound(
                "The resource that you specified for the DestinationArn parameter doesn't exist.".into(),
            ));
        };
        // A standard message has no group, and a FIFO queue receives only
        // through groups: moved across, it would never be received.
        if destination.fifo != source.fifo {
            return Err(SqsError::parameter("DestinationArn", d, type_mismatch(source.fifo)));
        }
    }
    let to_move = {
        let now = sqs.now_ms();
        let mut st = source.lock();
        st.index.promote(now);
        st.index.visible() as u64
    };
    let task_id = uuid::Uuid::new_v4().to_string();
    // AWS's handles are base64 of the task id and source ARN; so are ours.
    let handle = STANDARD.encode(serde_json::json!({"taskId": task_id, "sourceArn": source_arn}).to_string());
    let row = TaskRow {
        handle: handle.clone(),
        source_arn: source.arn.clone(),
        destination_arn: destination_arn.map(str::to_owned),
        rate,
        status: RUNNING.into(),
        moved: 0,
        to_move,
        failure: None,
        started_ms: sqs.now_ms(),
    };
    {
        let mut list = sqs.tasks.lock();
        if list
            .iter()
            .any(|t| t.row.source_arn == source.arn && t.row.status == RUNNING)
        {
            return Err(SqsError::UnsupportedOperation(
                "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
                    .into(),
            ));
        }
        list.push(Task {
            row: row.clone(),
            cancel: Arc::new(AtomicBool::new(false)),
        });
        // Keep the newest tasks of this source; running ones always stay.
        let of_source: Vec<usize> = list
            .iter()
            .enumerate()
            .filter(|(_, t)| t.row.source_arn == source.arn)
            .map(|(i, _)| i)
            .collect();
        if of_source.len() > KEPT_PER_SOURCE
            && let Some(&oldest) = of_source.iter().find(|&&i| list[i].row.status != RUNNING)
        {
            list.remove(oldest);
        }
    }
    save(sqs, row).await?;
    spawn(sqs, handle.clone());
    Ok(handle)
}

/// CancelMessageMoveTask: answers how many messages were moved.
pub(crate) fn cancel(sqs: &Sqs, handle: &str) -> Result<u64> {
    let mut list = sqs.tasks.lock();
    let Some(t) = list.iter_mut().find(|t| t.row.handle == handle) else {
        return Err(SqsError::ResourceNotFound("Task does not exist.".into()));
    };
    if t.row.status != RUNNING {
        return Err(SqsError::UnsupportedOperation(
            "Only active tasks can be cancelled.".into(),
        ));
    }
    t.cancel.store(true, Ordering::SeqCst);
    t.row.status = CANCELLING.into();
    Ok(t.row.moved)
}

/// ListMessageMoveTasks: a source's tasks, the most recent first.
pub(crate) fn list(sqs: &Sqs, source_arn: &str, max: usize) -> Result<Vec<TaskRow>> {
    let source = sqs.queue_for_arn(source_arn).ok_or_else(|| {
        SqsError::ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.".into())
    })?;
    let list = sqs.tasks.lock();
    Ok(list
        .iter()
        .rev()
        .filter(|t| t.row.source_arn == source.arn)
        .take(max)
        .map(|t| t.row.clone())
        .collect())
}

/// Restarts the tasks the file says were running.
pub(crate) fn resume(sqs: &Arc<Sqs>) {
    let running: Vec<String> = sqs
        .tasks
        .lock()
        .iter()
        .filter(|t| t.row.status == RUNNING)
        .map(|t| t.row.handle.clone())
        .collect();
    for handle in running {
        spawn(sqs, handle);
    }
}

fn spawn(sqs: &Arc<Sqs>, handle: String) {
    let weak = Arc::downgrade(sqs);
    tokio::spawn(async move {
        if let Err(e) = run(&weak, &handle).await {
            tracing::warn!(error = %e, "a message move task failed");
            if let Some(sqs) = weak.upgrade()
                && let Some(row) = sqs.tasks.update(&handle, |r| {
                    r.status = FAILED.into();
                    r.failure = Some(e.to_string());
                })
            {
                let _ = save(&sqs, row).await;
            }
        }
    });
}

async fn run(weak: &Weak<Sqs>, handle: &str) -> Result<()> {
    loop {
        let Some(sqs) = weak.upgrade() else { return Ok(()) };
        let Some(row) = sqs.tasks.row(handle) else {
            return Ok(());
        };
        let cancelled = sqs
            .tasks
            .lock()
            .iter()
            .any(|t| t.row.handle == handle && t.cancel.load(Ordering::SeqCst));
        let finished = if cancelled {
            Some(CANCELLED)
        } else if row.moved >= row.to_move {
            Some(COMPLETED)
        } else {
            None
        };
        if let Some(status) = finished {
            if let Some(row) = sqs.tasks.update(handle, |r| r.status = status.into()) {
                save(&sqs, row).await?;
            }
            return Ok(());
        }
        let Some(source) = sqs.queue_for_arn(&row.source_arn) else {
            return Err(SqsError::ResourceNotFound("The source queue no longer exists.".into()));
        };
        let step = row
            .rate
            .map_or(CHUNK, |r| r as usize)
            .min((row.to_move - row.moved) as usize)
            .max(1);
        let taken = {
            let now = sqs.now_ms();
            let mut st = source.lock();
            st.index.promote(now);
            st.index.take_visible(step)
        };
        if taken.is_empty() {
            // Nothing visible is left to move (received or deleted meanwhile).
            if let Some(row) = sqs.tasks.update(handle, |r| r.status = COMPLETED.into()) {
                save(&sqs, row).await?;
            }
            return Ok(());
        }
        let moved = move_all(&sqs, &source, row.destination_arn.as_deref(), taken).await?;
        sqs.tasks.update(handle, |r| r.moved += moved);
        match row.rate {
            // Pacing is a wait (`Lasting::Wait`): it scales freely, to nothing at scale 0.
            Some(_) => sqs.settings().clock.sleep(Duration::from_secs(1)).await,
            None => tokio::task::yield_now().await,
        }
    }
}

/// Messages bound for one queue.
type Moved = Vec<(u64, Entry)>;

/// Why a message cannot move between `source`'s type and the other.
fn type_mismatch(source_fifo: bool) -> String {
    let (from, to) = if source_fifo {
        ("a FIFO", "a standard")
    } else {
        ("a standard", "a FIFO")
    };
    format!(
        "Messages cannot be moved from {from} queue to {to} queue; source and destination must both be FIFO or both standard."
    )
}

/// Moves messages taken from `source` to the destination, or each to the
/// queue it was dead-lettered from; answers how many moved. Messages with
/// nowhere to go, or bound for a queue of the other type (standard or
/// FIFO), are put back and the task fails.
async fn move_all(sqs: &Sqs, source: &Queue, destination: Option<&str>, taken: Vec<(u64, Entry)>) -> Result<u64> {
    let now = sqs.now_ms();
    let mut by_dest: Vec<(Arc<Queue>, Moved)> = Vec::new();
    let mut stay = Vec::new();
    let mut refusal = None;
    for (seq, mut e) in taken {
        let target = destination
            .map(str::to_owned)
            .or_else(|| e.dlq_source.as_ref().map(|s| s.to_string()))
            .and_then(|arn| sqs.queue_for_arn(&arn));
        let Some(target) = target else {
            refusal.get_or_insert_with(|| {
                SqsError::ResourceNotFound("The destination queue of some messages does not exist.".into())
            });
            stay.push((seq, e));
            continue;
        };
        // StartMessageMoveTask checks a DestinationArn; the queue a dead
        // letter came from is checked here, message by message.
        if target.fifo != source.fifo || (target.fifo && e.group.is_none()) {
            refusal.get_or_insert_with(|| SqsError::InvalidRequest(type_mismatch(source.fifo)));
            stay.push((seq, e));
            continue;
        }
        // A redriven message starts over: visible, never received.
        e.in_flight = false;
        e.visible_at = now;
        e.receive_count = 0;
        e.first_receive_ms = None;
        e.stamp = 0;
        e.dlq_source = None;
        match by_dest.iter_mut().find(|(q, _)| q.id == target.id) {
            Some((_, list)) => list.push((seq, e)),
            None => by_dest.push((target, vec![(seq, e)])),
        }
    }
    let rows: Vec<MessageRow> = by_dest
        .iter()
        .flat_map(|(q, list)| {
            list.iter().map(|(seq, e)| MessageRow {
                seq: *seq,
                queue_id: q.id,
                message_id: e.message_id.to_string(),
                sent_ms: e.sent_ms,
                expires_ms: e.expires_ms,
                visible_at: e.visible_at,
                in_flight: false,
                receive_count: 0,
                first_receive_ms: None,
                stamp: 0,
                group_id: e.group.as_ref().map(|g| g.to_string()),
                dlq_source: None,
            })
        })
        .collect();
    let moved = rows.len() as u64;
    if !rows.is_empty() {
        sqs.writer()
            .write(Box::new(move |c| {
                for r in &rows {
                    store::move_message(c, r)?;
                }
                Ok(())
            }))
            .await?;
    }
    for (q, list) in by_dest {
        sqs.arrive(&q, list);
    }
    if !stay.is_empty() {
        sqs.arrive(source, stay);
    }
    match refusal {
        Some(e) => Err(e),
        None => Ok(moved),
    }
}

async fn save(sqs: &Sqs, row: TaskRow) -> Result<()> {
    sqs.writer()
        .write(Box::new(move |c| store::save_task(c, &row)))
        .await
        .map_err(SqsError::from)
}
