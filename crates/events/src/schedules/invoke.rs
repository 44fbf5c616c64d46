//! Delivers what a schedule fired: to a universal target through
//! [`Host::call_sdk`](crate::Host::call_sdk), onto one of this crate's event
//! buses, or to any other target through [`Host::deliver`](crate::Host::deliver).
//! Failures are retried as the target's RetryPolicy allows (the loop
//! EventBridge's targets use); what cannot be delivered goes to the
//! target's dead-letter queue with the attributes Scheduler documents.
//! The invocation leaves the file when its delivery has ended.

use std::sync::Arc;

use lakestack_aws_protocol::DeliveryError;

use super::context;
use super::model::{Invocation, TargetKind};
use super::store;
use crate::host::Delivery;
use crate::model::{EntryResult, NewEvent};
use crate::put::envelope_time;
use crate::retrying::{self, Failure};
use crate::service::Events;

/// `ERROR_CODE` when lakestack itself could not deliver (the code AWS
/// documents for a failure on Scheduler's side).
const INTERNAL_ERROR: &str = "AWS.Scheduler.InternalServerError";
/// `ERROR_CODE` when the target refused: AWS puts the target service's own
/// code here, which lakestack's services do not hand back.
const TARGET_ERROR: &str = "AWS.Scheduler.TargetInvocationError";

pub(crate) async fn run(events: Arc<Events>, inv: Invocation) {
    let clock = events.clock().clone();
    let outcome = retrying::deliver(&clock, inv.target.retry, inv.scheduled_ms, |n| {
        Box::pin(attempt(&events, &inv, n))
    })
    .await;
    if let Err(f) = outcome {
        dead_letter(&events, &inv, &f).await;
    }
    let seq = inv.seq;
    events
        .writer
        .submit(Box::new(move |c| store::delete_invocation(c, seq)));
}

async fn attempt(events: &Events, inv: &Invocation, n: u32) -> Result<(), DeliveryError> {
    let input = context::fill(inv, n);
    let target = &inv.target;
    match target.kind() {
        TargetKind::Universal { service, action } => events.host.call_sdk(service, action, &input).await,
        TargetKind::Bus { region, account, bus } => put_on_bus(events, inv, &input, region, account, bus).await,
        TargetKind::Templated => {
            events
                .host
                .deliver(&Delivery {
                    target_arn: &target.arn,
                    input: &input,
                    event_id: &inv.execution_id,
                    message_group_id: target.message_group_id.as_deref(),
                    rule_arn: &inv.schedule_arn,
                    target_id: &inv.schedule_name,
                    attributes: &[],
                })
                .await
        }
    }
}

/// The EventBridge PutEvents template: the input is the event's detail,
/// with the target's DetailType and Source, and the schedule as its resource.
async fn put_on_bus(
    events: &Events,
    inv: &Invocation,
    input: &str,
    region: &str,
    account: &str,
    bus: &str,
) -> Result<(), DeliveryError> {
    let s = events.settings();
    if region != s.region || account != s.account_id {
        return Err(DeliveryError::Permanent(format!(
            "Event bus {bus} is in another account or region, which lakestack does not serve"
        )));
    }
    if events.bus_state(bus).is_none() {
        return Err(DeliveryError::Permanent(format!("Event bus {bus} does not exist.")));
    }
    let Some(params) = &inv.target.event_bridge else {
        return Err(DeliveryError::Permanent(
            "EventBridgeParameters must be specified for an event bus target.".into(),
        ));
    };
    let entry = NewEvent {
        source: Some(params.source.clone()),
        detail_type: Some(params.detail_type.clone()),
        detail: Some(input.to_string()),
        resources: vec![inv.schedule_arn.clone()],
        time_ms: None,
        bus: Some(bus.to_string()),
        trace_header: None,
    };
    let results = events
        .put_events(vec![entry])
        .await
        .map_err(|e| DeliveryError::Transient(e.to_string()))?;
    match results.into_iter().next() {
        Some(EntryResult::Failed { code, message }) => Err(DeliveryError::Permanent(format!("{code}: {message}"))),
        _ => Ok(()),
    }
}

/// Sends the undelivered input to the target's dead-letter queue with
/// Scheduler's attributes; without one it is dropped (and logged).
async fn dead_letter(events: &Events, inv: &Invocation, f: &Failure) {
    let target = &inv.target;
    let Some(dlq) = target.dead_letter_arn.as_deref() else {
        tracing::warn!(schedule = %inv.schedule_arn, target = %target.arn, error = %f.message, "schedule invocation not delivered");
        return;
    };
    let code = if f.permanent { TARGET_ERROR } else { INTERNAL_ERROR };
    let mut attributes: Vec<(&'static str, String)> = vec![
        ("ERROR_CODE", code.to_string()),
        ("ERROR_MESSAGE", f.message.clone()),
        ("EXECUTION_ID", inv.execution_id.clone()),
    ];
    if let Some(condition) = f.exhausted {
        attributes.push(("EXHAUSTED_RETRY_CONDITION", condition.to_string()));
    }
    attributes.extend([
        ("IS_PAYLOAD_TRUNCATED", "false".to_string()),
        ("RETRY_ATTEMPTS", f.retries.to_string()),
        ("SCHEDULED_TIME", envelope_time(inv.scheduled_ms)),
        ("SCHEDULE_ARN", inv.schedule_arn.clone()),
        ("TARGET_ARN", target.arn.clone()),
    ]);
    let input = context::fill(inv, f.retries + 1);
    let sent = events
        .host
        .deliver(&Delivery {
            target_arn: dlq,
            input: &input,
            event_id: &inv.execution_id,
            message_group_id: None,
            rule_arn: &inv.schedule_arn,
            target_id: &inv.schedule_name,
            attributes: &attributes,
        })
        .await;
    if let Err(e) = sent {
        tracing::warn!(dlq, error = %e, "schedule invocation not delivered to its dead-letter queue either");
    }
}
