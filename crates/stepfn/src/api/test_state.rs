//! TestState: one state run once over an input, with an optional mock
//! standing in for its work, answered with its data flow.

use lakestack_aws_protocol::validation::Violation;
use lakestack_aws_protocol::{Output, ServiceError};

use super::SPEC;
use super::dto::{MockInput, TestStateInput, TestStateOutput};
use super::members::Answer;
use crate::error::StepFnError;
use crate::exec::{Failure, test_state::Mock, text};
use crate::service::StepFunctions;

const INSPECTION_LEVELS: [&str; 3] = ["INFO", "DEBUG", "TRACE"];

pub(super) async fn run(s: &StepFunctions, req: TestStateInput) -> Answer {
    let level = req.inspection_level.as_deref().unwrap_or("INFO");
    if !INSPECTION_LEVELS.contains(&level) {
        return Err(SPEC.violation(Violation::one_of("inspectionLevel", level, &INSPECTION_LEVELS)));
    }
    let mock = req.mock.map(mock).transpose()?;
    let retries = req.state_configuration.and_then(|c| c.retrier_retry_count).unwrap_or(0);
    let variables = match req.variables.as_deref() {
        None => serde_json::Map::new(),
        Some(text) => match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => {
                return Err(StepFnError::InvalidExecutionInput(format!(
                    "Invalid variables: '{text}' is not a JSON object"
                ))
                .into());
            }
        },
    };
    let outcome = s
        .test_state(
            SPEC.required(req.definition.as_deref(), "definition")?,
            req.state_name.as_deref(),
            req.input.as_deref(),
            mock,
            retries,
            variables,
        )
        .await?;
    Output::of(&TestStateOutput {
        output: outcome.output.as_ref().map(text),
        error: outcome.error,
        cause: outcome.cause,
        inspection_data: (level != "INFO").then_some(outcome.inspection),
        next_state: outcome.next_state,
        status: outcome.status,
    })
}

fn mock(m: MockInput) -> Result<Mock, ServiceError> {
    match (m.result, m.error_output) {
        (Some(result), _) => serde_json::from_str(&result)
            .map(Mock::Result)
            .map_err(|e| StepFnError::Validation(format!("The mock result is not valid JSON: {e}")).into()),
        (None, Some(e)) => Ok(Mock::Error(Failure::new(
            e.error.unwrap_or_default(),
            e.cause.unwrap_or_default(),
        ))),
        (None, None) => Err(StepFnError::Validation("A mock needs a result or an errorOutput".into()).into()),
    }
}
