//! State machines: create, describe, update, delete and list them, and
//! validate a definition without creating anything.

use lakestack_aws_protocol::Output;
use serde_json::json;

use super::SPEC;
use super::dto::{
    CreateStateMachineInput, CreateStateMachineOutput, DescribeStateMachineOutput, Diagnostic, ListStateMachinesOutput,
    PageInput, StateMachineArnInput, StateMachineListItem, UpdateStateMachineInput, UpdateStateMachineOutput,
    ValidateStateMachineDefinitionInput, ValidateStateMachineDefinitionOutput, tag_pairs,
};
use super::members::{Answer, page};
use crate::asl::{self, MachineType, Severity, ValidateRequest};
use crate::records::StateMachine;
use crate::service::StepFunctions;

pub(super) fn create(s: &StepFunctions, req: CreateStateMachineInput) -> Answer {
    let mut m = StateMachine::new(
        SPEC.required(req.name.as_deref(), "name")?,
        SPEC.required(req.definition.as_deref(), "definition")?,
        SPEC.required(req.role_arn.as_deref(), "roleArn")?,
        req.r#type.as_deref().unwrap_or("STANDARD"),
    );
    m.logging_configuration = req
        .logging_configuration
        .unwrap_or_else(|| json!({"level": "OFF", "includeExecutionData": false}));
    m.tracing_configuration = req.tracing_configuration.unwrap_or_else(|| json!({"enabled": false}));
    let m = s.create_machine(m, &tag_pairs(req.tags))?;
    Output::of(&CreateStateMachineOutput {
        state_machine_arn: m.arn,
        creation_date: m.created_ms,
    })
}

pub(super) fn describe(s: &StepFunctions, req: StateMachineArnInput) -> Answer {
    let m = s.machine(SPEC.required(req.state_machine_arn.as_deref(), "stateMachineArn")?)?;
    Output::of(&DescribeStateMachineOutput {
        state_machine_arn: m.arn,
        name: m.name,
        status: "ACTIVE",
        definition: m.definition,
        role_arn: m.role_arn,
        r#type: m.kind,
        creation_date: m.created_ms,
        logging_configuration: m.logging_configuration,
        tracing_configuration: m.tracing_configuration,
        revision_id: m.revision_id,
    })
}

pub(super) fn update(s: &StepFunctions, req: UpdateStateMachineInput) -> Answer {
    let m = s.update_machine(
        SPEC.required(req.state_machine_arn.as_deref(), "stateMachineArn")?,
        req.definition,
        req.role_arn,
        req.logging_configuration,
        req.tracing_configuration,
    )?;
    Output::of(&UpdateStateMachineOutput {
        update_date: m.updated_ms.unwrap_or(m.created_ms),
        revision_id: m.revision_id,
    })
}

pub(super) fn delete(s: &StepFunctions, req: StateMachineArnInput) -> Answer {
    s.delete_machine(SPEC.required(req.state_machine_arn.as_deref(), "stateMachineArn")?)?;
    Ok(Output::empty_members())
}

/// The machines by name, as the store lists them (a name is unique).
pub(super) fn list(s: &StepFunctions, req: PageInput) -> Answer {
    let (machines, next_token) = page(
        s.machines()?,
        |m| m.name.clone(),
        req.max_results,
        req.next_token.as_deref(),
    )?;
    let state_machines = machines
        .into_iter()
        .map(|m| StateMachineListItem {
            state_machine_arn: m.arn,
            name: m.name,
            r#type: m.kind,
            creation_date: m.created_ms,
        })
        .collect();
    Output::of(&ListStateMachinesOutput {
        state_machines,
        next_token,
    })
}

pub(super) fn validate(req: ValidateStateMachineDefinitionInput) -> Answer {
    let definition = SPEC.required(req.definition.as_deref(), "definition")?;
    let machine_type = match req.r#type.as_deref() {
        Some("EXPRESS") => MachineType::Express,
        _ => MachineType::Standard,
    };
    let severity = match req.severity.as_deref() {
        Some("WARNING") => Severity::Warning,
        _ => Severity::Error,
    };
    // 0 (and anything below) is the default.
    let max_results = req.max_results.filter(|n| *n > 0).map_or(0, |n| n as u32);
    let report = asl::validate_state_machine_definition(
        definition,
        &ValidateRequest {
            machine_type,
            severity,
            max_results,
        },
    );
    let diagnostics = report
        .diagnostics
        .into_iter()
        .map(|d| Diagnostic {
            severity: d.severity.as_str(),
            code: d.code.as_str(),
            message: d.message,
            location: d.location,
        })
        .collect();
    Output::of(&ValidateStateMachineDefinitionOutput {
        result: report.result.as_str(),
        diagnostics,
        truncated: report.truncated,
    })
}
