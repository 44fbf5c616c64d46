//! Domain records as Lambda's wire shapes.

use serde_json::{Value, json};

use super::dto::{
    AliasConfiguration, EnvironmentResponse, FunctionConfiguration, Layer, LayerContent, LayerVersionResponse,
    LayerVersionsListItem,
};
use crate::model::{Alias, Function, LATEST, LayerVersion};
use crate::service::Lambda;

/// Where a function is in its life, as the answer reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// CreateFunction's answer: AWS reports Pending until the function is
    /// ready, which here it is by the time anyone asks again.
    Creating,
    /// UpdateFunctionCode/Configuration's answer.
    Updating,
    Ready,
}

pub fn configuration(s: &Lambda, f: &Function, qualified: bool, phase: Phase) -> FunctionConfiguration {
    let arn = if qualified || f.version != LATEST {
        s.qualified_arn(&f.name, &f.version)
    } else {
        s.function_arn(&f.name)
    };
    let (state, state_reason, state_code) = match phase {
        Phase::Creating => ("Pending", Some("The function is being created."), Some("Creating")),
        _ => ("Active", None, None),
    };
    let (update, update_reason, update_code) = match phase {
        Phase::Updating => ("InProgress", Some("The function is being created."), Some("Creating")),
        _ => ("Successful", None, None),
    };
    let mut stored = f.stored.clone();
    let tracing = stored
        .remove("TracingConfig")
        .unwrap_or_else(|| json!({"Mode": "PassThrough"}));
    let snap = stored
        .remove("SnapStart")
        .map(|v| json!({"ApplyOn": v.get("ApplyOn").cloned().unwrap_or("None".into()), "OptimizationStatus": "Off"}))
        .unwrap_or_else(|| json!({"ApplyOn": "None", "OptimizationStatus": "Off"}));
    FunctionConfiguration {
        function_name: f.name.clone(),
        function_arn: arn,
        runtime: f.runtime.clone(),
        role: f.role.clone(),
        handler: f.handler.clone(),
        code_size: f.code.size,
        description: f.description.clone(),
        timeout: f.timeout,
        memory_size: f.memory_size,
        last_modified: f.last_modified.clone(),
        code_sha256: f.code.sha256.clone(),
        version: f.version.clone(),
        environment: (!f.environment.is_empty()).then(|| EnvironmentResponse {
            variables: f.environment.clone(),
        }),
        tracing_config: tracing,
        revision_id: f.revision_id.clone(),
        layers: f
            .layers
            .iter()
            .map(|l| Layer {
                arn: l.arn.clone(),
                code_size: l.code.size,
            })
            .collect(),
        state,
        state_reason,
        state_reason_code: state_code,
        last_update_status: update,
        last_update_status_reason: update_reason,
        last_update_status_reason_code: update_code,
        package_type: "Zip",
        architectures: f.architectures.clone(),
        ephemeral_storage: json!({"Size": f.ephemeral_storage}),
        snap_start: snap,
        runtime_version_config: json!({
            "RuntimeVersionArn": format!("arn:aws:lambda:{}::runtime:lakestack-{}", s.region(), f.runtime)
        }),
        logging_config: json!({"LogFormat": f.log_format, "LogGroup": f.log_group}),
        dead_letter_config: f.dead_letter_target.as_ref().map(|t| json!({"TargetArn": t})),
        stored,
    }
}

pub fn alias(s: &Lambda, a: &Alias) -> AliasConfiguration {
    AliasConfiguration {
        alias_arn: s.qualified_arn(&a.function, &a.name),
        name: a.name.clone(),
        function_version: a.version.clone(),
        description: a.description.clone(),
        routing_config: (!a.additional_weights.is_empty())
            .then(|| json!({"AdditionalVersionWeights": Value::Object(a.additional_weights.clone())})),
        revision_id: a.revision_id.clone(),
    }
}

pub fn layer_version(s: &Lambda, l: &LayerVersion, endpoint: &str) -> LayerVersionResponse {
    LayerVersionResponse {
        content: LayerContent {
            location: package_location(endpoint, &l.code.key),
            code_sha256: l.code.sha256.clone(),
            code_size: l.code.size,
        },
        layer_arn: s.layer_arn(&l.name),
        version: layer_item(s, l),
    }
}

pub fn layer_item(s: &Lambda, l: &LayerVersion) -> LayerVersionsListItem {
    LayerVersionsListItem {
        layer_version_arn: format!("{}:{}", s.layer_arn(&l.name), l.version),
        version: l.version,
        description: l.description.clone(),
        created_date: l.created.clone(),
        compatible_runtimes: l.compatible_runtimes.clone(),
        compatible_architectures: l.compatible_architectures.clone(),
        license_info: l.license_info.clone(),
    }
}

/// Where a stored package can be downloaded: lakestack serves it itself,
/// where AWS hands out a presigned S3 URL.
pub fn package_location(endpoint: &str, key: &str) -> String {
    format!("{endpoint}/_lakestack/lambda/code/{key}.zip")
}
