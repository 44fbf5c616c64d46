//! PublishVersion, ListVersionsByFunction and aliases.

use http::StatusCode;
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Call, Output, ServiceError, paging};
use serde_json::Map;

use super::convert::{self, Phase};
use super::dto::{AliasRequest, ListAliasesResponse, ListVersionsResponse, PublishVersionRequest};
use super::{SPEC, target};
use crate::error::LambdaError;
use crate::model::{Alias, LATEST};
use crate::service::Lambda;

pub fn publish(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let req: PublishVersionRequest = call.input()?;
    let v = s.publish_version(
        &t.name,
        req.code_sha256.as_deref(),
        req.description,
        req.revision_id.as_deref(),
    )?;
    Ok(Output::of(&convert::configuration(s, &v, true, Phase::Ready))?.with_status(StatusCode::CREATED))
}

pub fn list(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.latest(&t.name)?;
    let max = call
        .query_param("MaxItems")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, 10_000);
    let versions = s.store.versions(&t.name)?;
    // `$LATEST` first, then by number: zero-padded keys keep that order,
    // and none is empty (an empty marker reads as no marker).
    let key = |f: &crate::model::Function| {
        if f.version == LATEST {
            "0".to_owned()
        } else {
            format!("1{:0>20}", f.version)
        }
    };
    let (page, next) = paging::page_from(&SPEC, versions, key, call.query_param("Marker").as_deref(), max)?;
    Output::of(&ListVersionsResponse {
        versions: page
            .iter()
            .map(|v| convert::configuration(s, v, true, Phase::Ready))
            .collect(),
        next_marker: next,
    })
}

fn check_alias_name(name: &str) -> Result<(), ServiceError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !name.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(SPEC.violation(Violation::pattern(
            "name",
            Shown::Value(name.to_owned()),
            "(?!^[0-9]+$)([a-zA-Z0-9-_]+)",
        )))
    }
}

fn weights(req: &AliasRequest) -> Result<Map<String, serde_json::Value>, ServiceError> {
    let w = req
        .routing_config
        .as_ref()
        .and_then(|r| r.additional_version_weights.clone())
        .unwrap_or_default();
    for (version, weight) in &w {
        let ok = weight.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x));
        if !ok || w.len() > 1 {
            return Err(LambdaError::invalid(format!(
                "Invalid RoutingConfig: {version} must have a weight between 0.0 and 1.0, and one additional version at most"
            ))
            .into());
        }
    }
    Ok(w)
}

pub fn create_alias(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let req: AliasRequest = call.input()?;
    let name = SPEC.required(req.name.clone(), "name")?;
    check_alias_name(&name)?;
    let version = SPEC.required(req.function_version.clone(), "functionVersion")?;
    let a = s.put_alias(
        Alias {
            function: t.name,
            name,
            version,
            description: req.description.clone().unwrap_or_default(),
            additional_weights: weights(&req)?,
            revision_id: String::new(),
        },
        true,
    )?;
    Ok(Output::of(&convert::alias(s, &a))?.with_status(StatusCode::CREATED))
}

pub fn get_alias(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let name = call.label("Name").unwrap_or_default();
    Output::of(&convert::alias(s, &s.alias(&t.name, name)?))
}

pub fn update_alias(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let name = call.label("Name").unwrap_or_default();
    let req: AliasRequest = call.input()?;
    let mut a = s.alias(&t.name, name)?;
    if let Some(r) = &req.revision_id
        && *r != a.revision_id
    {
        return Err(LambdaError::PreconditionFailed(crate::functions::STALE_REVISION.into()).into());
    }
    if let Some(v) = req.function_version.clone() {
        a.version = v;
    }
    if let Some(d) = req.description.clone() {
        a.description = d;
    }
    if req.routing_config.is_some() {
        a.additional_weights = weights(&req)?;
    }
    let a = s.put_alias(a, false)?;
    Output::of(&convert::alias(s, &a))
}

pub fn delete_alias(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let name = call.label("Name").unwrap_or_default();
    s.latest(&t.name)?;
    s.store.delete_alias(&t.name, name)?;
    Ok(Output::no_content())
}

pub fn list_aliases(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.latest(&t.name)?;
    let version = call.query_param("FunctionVersion");
    let aliases = s
        .store
        .aliases(&t.name)?
        .into_iter()
        .filter(|a| version.as_deref().is_none_or(|v| a.version == v))
        .map(|a| convert::alias(s, &a))
        .collect();
    Output::of(&ListAliasesResponse { aliases })
}
