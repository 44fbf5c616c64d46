//! CreateFunction, GetFunction(Configuration), UpdateFunctionCode and
//! Configuration, DeleteFunction, ListFunctions.

use std::sync::Arc;

use base64::Engine as _;
use http::StatusCode;
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Call, Output, ServiceError, paging};
use serde_json::{Map, Value};

use super::convert::{self, Phase};
use super::dto::{
    CodeLocation, ConfigMembers, CreateFunctionRequest, FunctionCode, GetFunctionResponse, ListFunctionsResponse,
    UpdateFunctionCodeRequest,
};
use super::{SPEC, target};
use crate::error::LambdaError;
use crate::functions::{CodeSource, FunctionConfig, NewFunction};
use crate::service::{Lambda, split_function_name};

/// The runtimes of Lambda's model, as its enum validation lists them.
const RUNTIMES: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "java8",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "java25",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "dotnet8",
    "dotnet10",
    "nodejs4.3-edge",
    "go1.x",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
    "provided",
    "provided.al2",
    "provided.al2023",
];

const ROLE_PATTERN: &str = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+";

fn violation(v: Violation) -> ServiceError {
    SPEC.violation(v)
}

fn shown(s: &str) -> Shown {
    Shown::Value(s.to_owned())
}

/// Whether `role` has the form of an IAM role ARN.
fn role_ok(role: &str) -> bool {
    let Some(rest) = role.strip_prefix("arn:") else {
        return false;
    };
    let Some((partition, rest)) = rest.split_once(':') else {
        return false;
    };
    if !(partition.is_empty() || partition.starts_with("aws")) {
        return false;
    }
    let Some(rest) = rest.strip_prefix("iam::") else {
        return false;
    };
    let Some((account, name)) = rest.split_once(':') else {
        return false;
    };
    let Some(name) = name.strip_prefix("role") else {
        return false;
    };
    let name = name.strip_prefix('/').unwrap_or(name);
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@-_/".contains(&b))
}

/// Checks the members both CreateFunction and UpdateFunctionConfiguration
/// take, and reads them into the domain's settings.
fn settings(m: &ConfigMembers) -> Result<FunctionConfig, ServiceError> {
    if let Some(r) = &m.runtime
        && !RUNTIMES.contains(&r.as_str())
    {
        return Err(violation(Violation::one_of("runtime", r, RUNTIMES)));
    }
    if let Some(role) = &m.role
        && !role_ok(role)
    {
        return Err(violation(Violation::pattern("role", shown(role), ROLE_PATTERN)));
    }
    if let Some(h) = &m.handler
        && (h.len() > 128 || h.is_empty() || h.chars().any(char::is_whitespace))
    {
        return Err(violation(if h.len() > 128 {
            Violation::max_len("handler", shown(h), 128)
        } else {
            Violation::pattern("handler", shown(h), r"[^\s]+")
        }));
    }
    if let Some(d) = &m.description
        && d.chars().count() > 256
    {
        return Err(violation(Violation::max_len("description", shown(d), 256)));
    }
    let timeout = match m.timeout {
        Some(t) if t < 1 => return Err(violation(Violation::at_least("timeout", t, 1))),
        Some(t) if t > 900 => return Err(violation(Violation::at_most("timeout", t, 900))),
        t => t.map(|t| t as u32),
    };
    let memory = match m.memory_size {
        Some(v) if v < 128 => return Err(violation(Violation::at_least("memorySize", v, 128))),
        Some(v) if v > 10240 => return Err(violation(Violation::at_most("memorySize", v, 10240))),
        v => v.map(|v| v as u32),
    };
    if let Some(e) = &m.ephemeral_storage
        && !(512..=10240).contains(&e.size)
    {
        return Err(violation(Violation::range("ephemeralStorage.size", e.size, 512, 10240)));
    }
    if let Some(p) = &m.package_type
        && p != "Zip"
    {
        return Err(LambdaError::invalid(
            "lakestack runs functions from .zip packages; container image functions (PackageType Image) are not supported",
        )
        .into());
    }
    let mut stored = Map::new();
    let mut keep = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            stored.insert(k.to_owned(), v);
        }
    };
    keep("VpcConfig", m.vpc_config.clone());
    keep("KMSKeyArn", m.kms_key_arn.clone().map(Value::String));
    keep("TracingConfig", m.tracing_config.clone());
    keep("FileSystemConfigs", m.file_system_configs.clone());
    keep("SnapStart", m.snap_start.clone());
    let logging = m.logging_config.as_ref();
    Ok(FunctionConfig {
        description: m.description.clone(),
        timeout,
        memory_size: memory,
        environment: m.environment.as_ref().map(|e| e.variables.clone().unwrap_or_default()),
        layers: m.layers.clone(),
        architectures: m.architectures.clone(),
        ephemeral_storage: m.ephemeral_storage.as_ref().map(|e| e.size),
        dead_letter_target: m.dead_letter_config.as_ref().map(|d| d.target_arn.clone()),
        log_group: logging.and_then(|l| l.log_group.clone()),
        log_format: logging.and_then(|l| l.log_format.clone()),
        stored,
    })
}

/// A package as the request gives it.
pub(super) fn code_source(code: &FunctionCode) -> Result<CodeSource, ServiceError> {
    if code.image_uri.is_some() {
        return Err(LambdaError::invalid(
            "lakestack runs functions from .zip packages; container image functions (ImageUri) are not supported",
        )
        .into());
    }
    match (&code.zip_file, &code.s3_bucket, &code.s3_key) {
        (Some(zip), None, None) => base64::engine::general_purpose::STANDARD
            .decode(zip)
            .map(CodeSource::Zip)
            .map_err(|_| {
                LambdaError::InvalidRequestContent(
                    "Could not parse request body into json: ZipFile is not valid base64".into(),
                )
                .into()
            }),
        (None, Some(bucket), Some(key)) => Ok(CodeSource::S3 {
            bucket: bucket.clone(),
            key: key.clone(),
            version: code.s3_object_version.clone(),
        }),
        (None, None, None) => Err(LambdaError::invalid("Please provide a source for function code.").into()),
        _ => Err(
            LambdaError::invalid("Please do not provide other FunctionCode parameters when providing a ZipFile.")
                .into(),
        ),
    }
}

pub(super) fn tags(t: Option<&Map<String, Value>>) -> Vec<(String, String)> {
    t.map(|m| {
        m.iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect()
    })
    .unwrap_or_default()
}

pub async fn create(s: &Arc<Lambda>, call: &Call) -> Result<Output, ServiceError> {
    let req: CreateFunctionRequest = call.input()?;
    let name = SPEC.required(req.function_name.as_deref(), "functionName")?;
    let (name, qualifier) = split_function_name(name)
        .ok_or_else(|| violation(Violation::pattern("functionName", shown(name), "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?")))?;
    if qualifier.is_some() || name.len() > 64 {
        return Err(LambdaError::invalid(format!("Function name can not contain a qualifier: {name}")).into());
    }
    let role = SPEC.required(req.config.role.clone(), "role")?;
    let config = settings(&req.config)?;
    let code = req.code.as_ref().map(code_source).transpose()?;
    let input = NewFunction {
        name,
        runtime: req.config.runtime.clone(),
        role,
        handler: req.config.handler.clone(),
        config,
        code,
        publish: req.publish,
        tags: tags(req.tags.as_ref()),
    };
    let (f, published) = s.create_function(input).await?;
    let answer = published.as_ref().unwrap_or(&f);
    Ok(Output::of(&convert::configuration(s, answer, false, Phase::Creating))?.with_status(StatusCode::CREATED))
}

pub fn get(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let f = s.resolve(&t)?;
    let arn = s.function_arn(&f.name);
    let tags: Map<String, Value> = s
        .store
        .tags(&arn)?
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let concurrency = s.reserved(&f.name)?.map(|n| super::dto::Concurrency {
        reserved_concurrent_executions: Some(i64::from(n)),
    });
    Output::of(&GetFunctionResponse {
        configuration: convert::configuration(s, &f, t.qualifier.is_some(), Phase::Ready),
        code: CodeLocation {
            repository_type: "S3",
            location: convert::package_location(&s.host.endpoint(), &f.code.key),
        },
        tags: Some(tags),
        concurrency,
    })
}

pub fn get_configuration(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let f = s.resolve(&t)?;
    Output::of(&convert::configuration(s, &f, t.qualifier.is_some(), Phase::Ready))
}

pub async fn update_code(s: &Arc<Lambda>, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let req: UpdateFunctionCodeRequest = call.input()?;
    let source = code_source(&req.code)?;
    let (f, published) = s
        .update_code(&t.name, source, req.revision_id.as_deref(), req.dry_run, req.publish)
        .await?;
    let answer = published.as_ref().unwrap_or(&f);
    Output::of(&convert::configuration(s, answer, false, Phase::Updating))
}

pub fn update_configuration(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let req: ConfigMembers = call.input()?;
    let config = settings(&req)?;
    let f = s.update_configuration(
        &t.name,
        req.runtime.clone(),
        req.role.clone(),
        req.handler.clone(),
        config,
        req.revision_id.as_deref(),
    )?;
    Output::of(&convert::configuration(s, &f, false, Phase::Updating))
}

pub fn delete(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.delete_function(&t.name, t.qualifier.as_deref())?;
    Ok(Output::no_content())
}

pub fn list(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let max = match call.query_param("MaxItems") {
        Some(m) => match m.parse::<i64>() {
            Ok(n) if (1..=10_000).contains(&n) => n as usize,
            Ok(n) => return Err(violation(Violation::range("maxItems", n, 1, 10_000))),
            Err(_) => return Err(LambdaError::invalid(format!("Invalid MaxItems: {m}")).into()),
        },
        None => 50,
    };
    let all = call.query_param("FunctionVersion").as_deref() == Some("ALL");
    let after = paging::after(&SPEC, call.query_param("Marker").as_deref())?;
    let mut out = Vec::new();
    let mut last: Option<String> = after;
    let mut more = false;
    // Functions by name; with FunctionVersion=ALL every version of each.
    'pages: loop {
        let batch = s.store.functions(last.as_deref(), 100)?;
        if batch.is_empty() {
            break;
        }
        for f in batch {
            last = Some(f.name.clone());
            if out.len() >= max {
                more = true;
                break 'pages;
            }
            if all {
                out.extend(
                    s.store
                        .versions(&f.name)?
                        .iter()
                        .map(|v| convert::configuration(s, v, false, Phase::Ready)),
                );
            } else {
                out.push(convert::configuration(s, &f, false, Phase::Ready));
            }
        }
    }
    let next_marker = if more {
        out.last().map(|c| paging::encode(&c.function_name))
    } else {
        None
    };
    Output::of(&ListFunctionsResponse {
        functions: out,
        next_marker,
    })
}
