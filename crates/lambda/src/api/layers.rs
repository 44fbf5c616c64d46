//! Layers: PublishLayerVersion, GetLayerVersion (and by ARN), ListLayers,
//! ListLayerVersions, DeleteLayerVersion.

use http::StatusCode;
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Call, Output, ServiceError};

use super::convert;
use super::dto::{LayersListItem, ListLayerVersionsResponse, ListLayersResponse, PublishLayerVersionRequest};
use super::functions::code_source;
use super::{SPEC, dto};
use crate::error::LambdaError;
use crate::service::Lambda;

fn layer_name(call: &Call) -> Result<String, ServiceError> {
    let name = call.label("LayerName").unwrap_or_default();
    // A layer may be named by its ARN as well as by its name.
    let name = name.rsplit(':').next().unwrap_or(name);
    let ok = !name.is_empty()
        && name.len() <= 140
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(SPEC.violation(Violation::pattern(
            "layerName",
            Shown::Value(name.to_owned()),
            "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
        )))
    }
}

fn version_number(call: &Call) -> Result<u64, ServiceError> {
    let v = call.label("VersionNumber").unwrap_or_default();
    v.parse()
        .map_err(|_| LambdaError::invalid(format!("Invalid layer version number: {v}")).into())
}

fn not_found() -> ServiceError {
    LambdaError::NotFound("The resource you requested does not exist.".into()).into()
}

pub async fn publish(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let name = layer_name(call)?;
    let req: PublishLayerVersionRequest = call.input()?;
    let content = SPEC.required(req.content, "content")?;
    let source = code_source(&dto::FunctionCode {
        zip_file: content.zip_file,
        s3_bucket: content.s3_bucket,
        s3_key: content.s3_key,
        s3_object_version: content.s3_object_version,
        image_uri: None,
    })?;
    let l = s
        .publish_layer(
            &name,
            source,
            req.description.unwrap_or_default(),
            req.compatible_runtimes.unwrap_or_default(),
            req.compatible_architectures.unwrap_or_default(),
            req.license_info,
        )
        .await?;
    Ok(Output::of(&convert::layer_version(s, &l, &s.host.endpoint()))?.with_status(StatusCode::CREATED))
}

pub fn get(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let name = layer_name(call)?;
    let l = s.store.layer(&name, version_number(call)?)?.ok_or_else(not_found)?;
    Output::of(&convert::layer_version(s, &l, &s.host.endpoint()))
}

pub fn list_versions(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let name = layer_name(call)?;
    let runtime = call.query_param("CompatibleRuntime");
    let versions = s
        .store
        .layers(Some(&name))?
        .into_iter()
        .filter(|l| runtime.as_ref().is_none_or(|r| l.compatible_runtimes.contains(r)))
        .map(|l| convert::layer_item(s, &l))
        .collect();
    Output::of(&ListLayerVersionsResponse {
        layer_versions: versions,
    })
}

/// ListLayers, and GetLayerVersionByArn, which shares its route
/// (`GET /2018-10-31/layers?find=LayerVersion&Arn=...`).
pub fn list(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    if call.query_param("find").as_deref() == Some("LayerVersion") {
        let arn = SPEC.required(call.query_param("Arn"), "arn")?;
        let (name, version) = s.split_layer_arn(&arn).ok_or_else(not_found)?;
        let l = s.store.layer(&name, version)?.ok_or_else(not_found)?;
        return Output::of(&convert::layer_version(s, &l, &s.host.endpoint()));
    }
    let layers = s
        .store
        .layers(None)?
        .into_iter()
        .map(|l| LayersListItem {
            layer_name: l.name.clone(),
            layer_arn: s.layer_arn(&l.name),
            latest_matching_version: convert::layer_item(s, &l),
        })
        .collect();
    Output::of(&ListLayersResponse { layers })
}

pub fn delete(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let name = layer_name(call)?;
    s.store.delete_layer(&name, version_number(call)?)?;
    Ok(Output::no_content())
}
