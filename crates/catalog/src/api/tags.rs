//! Tags on databases, tables and crawlers: TagResource, UntagResource, GetTags.

use lakestack_aws_protocol::Output;
use serde::{Deserialize, Serialize};

use super::{Answer, SPEC, dto};
use crate::Catalog;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TagResourceRequest {
    catalog_id: Option<String>,
    resource_arn: Option<String>,
    #[serde(default)]
    tags_to_add: dto::Params,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UntagResourceRequest {
    catalog_id: Option<String>,
    resource_arn: Option<String>,
    #[serde(default)]
    tags_to_remove: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetTagsRequest {
    catalog_id: Option<String>,
    resource_arn: Option<String>,
}

catalog_scoped!(TagResourceRequest, UntagResourceRequest, GetTagsRequest);

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetTagsResponse {
    tags: dto::Params,
}

pub(super) fn tag(c: &Catalog, r: TagResourceRequest) -> Answer {
    c.tag_resource(
        SPEC.required(r.resource_arn.as_deref(), "resourceArn")?,
        r.tags_to_add.into_iter().collect(),
    )?;
    Ok(Output::empty_members())
}

pub(super) fn untag(c: &Catalog, r: UntagResourceRequest) -> Answer {
    c.untag_resource(
        SPEC.required(r.resource_arn.as_deref(), "resourceArn")?,
        &r.tags_to_remove,
    )?;
    Ok(Output::empty_members())
}

pub(super) fn get(c: &Catalog, r: GetTagsRequest) -> Answer {
    let tags = c
        .get_tags(SPEC.required(r.resource_arn.as_deref(), "resourceArn")?)?
        .into_iter()
        .collect();
    Output::of(&GetTagsResponse { tags })
}
