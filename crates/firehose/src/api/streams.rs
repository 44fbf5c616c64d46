//! Delivery streams: create, delete, describe, list, update the
//! destination, tags and encryption.

use std::collections::BTreeMap;

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::timestamp::epoch_seconds;
use lakestack_aws_protocol::validation::{Shown, Violation};
use serde_json::{Value, json};

use super::dto::{self, ExtendedS3Destination};
use super::{Answer, invalid, required, stream_name, violation};
use crate::model::{DeliveryStream, Source};
use crate::service::Firehose;

const MAX_TAGS: usize = 50;

fn tags_in(tags: Option<Vec<dto::Tag>>) -> Result<BTreeMap<String, String>, super::ServiceError> {
    let tags = tags.unwrap_or_default();
    if tags.len() > MAX_TAGS {
        return Err(violation(Violation::len_between("tags", Shown::Hidden, 1, MAX_TAGS)));
    }
    Ok(tags.into_iter().map(|t| (t.key, t.value.unwrap_or_default())).collect())
}

/// A legacy `S3DestinationConfiguration` as the extended one it is a subset of.
fn extended_of(s3: dto::S3Destination) -> ExtendedS3Destination {
    ExtendedS3Destination {
        s3,
        ..ExtendedS3Destination::default()
    }
}

pub(super) async fn create(f: &std::sync::Arc<Firehose>, r: dto::CreateDeliveryStreamRequest) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    let others = [
        (
            "RedshiftDestinationConfiguration",
            r.redshift_destination_configuration.is_some(),
        ),
        (
            "ElasticsearchDestinationConfiguration",
            r.elasticsearch_destination_configuration.is_some(),
        ),
        (
            "AmazonopensearchserviceDestinationConfiguration",
            r.amazonopensearchservice_destination_configuration.is_some(),
        ),
        (
            "AmazonOpenSearchServerlessDestinationConfiguration",
            r.amazon_open_search_serverless_destination_configuration.is_some(),
        ),
        (
            "SplunkDestinationConfiguration",
            r.splunk_destination_configuration.is_some(),
        ),
        (
            "HttpEndpointDestinationConfiguration",
            r.http_endpoint_destination_configuration.is_some(),
        ),
        (
            "SnowflakeDestinationConfiguration",
            r.snowflake_destination_configuration.is_some(),
        ),
        (
            "IcebergDestinationConfiguration",
            r.iceberg_destination_configuration.is_some(),
        ),
    ];
    if let Some((member, _)) = others.iter().find(|(_, given)| *given) {
        return Err(invalid(format!(
            "lakestack's Firehose delivers to Amazon S3 only: {member} is not supported (docs/firehose.md)."
        )));
    }
    let destination = match (r.extended_s3_destination_configuration, r.s3_destination_configuration) {
        (Some(d), None) => d,
        (None, Some(s)) => extended_of(s),
        (Some(_), Some(_)) => {
            return Err(invalid("Exactly one destination configuration must be specified."));
        }
        (None, None) => return Err(invalid("A destination configuration must be specified.")),
    };
    let source = match r.delivery_stream_type.as_deref().unwrap_or("DirectPut") {
        "DirectPut" => {
            if r.kinesis_stream_source_configuration.is_some() {
                return Err(invalid(
                    "KinesisStreamSourceConfiguration can only be specified when DeliveryStreamType is KinesisStreamAsSource.",
                ));
            }
            Source::DirectPut
        }
        "KinesisStreamAsSource" => {
            let k = r.kinesis_stream_source_configuration.ok_or_else(|| {
                invalid("KinesisStreamSourceConfiguration must be specified when DeliveryStreamType is KinesisStreamAsSource.")
            })?;
            Source::Kinesis {
                stream_arn: required(
                    k.kinesis_stream_arn,
                    "kinesisStreamSourceConfiguration.kinesisStreamARN",
                )?,
                role_arn: k.role_arn,
                start_ms: f.clock().now_ms(),
            }
        }
        other @ ("MSKAsSource" | "DatabaseAsSource") => {
            return Err(invalid(format!(
                "lakestack's Firehose reads DirectPut and KinesisStreamAsSource delivery streams only: {other} is not supported."
            )));
        }
        other => {
            return Err(violation(Violation::one_of(
                "deliveryStreamType",
                other,
                &["DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"],
            )));
        }
    };
    let tags = tags_in(r.tags)?;
    let s = f.create(&name, source, destination, tags).await?;
    Output::of(&json!({ "DeliveryStreamARN": s.arn }))
}

pub(super) async fn delete(f: &Firehose, r: dto::NameRequest) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    f.delete(&name).await?;
    Ok(Output::empty_members())
}

fn description(s: &DeliveryStream) -> Value {
    let d = &s.destination;
    let plain = &d.s3;
    let mut out = json!({
        "DeliveryStreamName": s.name,
        "DeliveryStreamARN": s.arn,
        "DeliveryStreamStatus": "ACTIVE",
        "DeliveryStreamEncryptionConfiguration": match &s.encryption {
            Some(e) => {
                let mut e = e.clone();
                e["Status"] = "ENABLED".into();
                e
            }
            None => json!({"Status": "DISABLED"}),
        },
        "DeliveryStreamType": s.source.type_name(),
        "VersionId": s.version.to_string(),
        "CreateTimestamp": epoch_seconds(s.created_ms),
        "Destinations": [{
            "DestinationId": "destinationId-000000000001",
            "S3DestinationDescription": plain,
            "ExtendedS3DestinationDescription": extended_description(d),
        }],
        "HasMoreDestinations": false,
    });
    if s.version > 1 {
        out["LastUpdateTimestamp"] = epoch_seconds(s.updated_ms).into();
    }
    if let Source::Kinesis {
        stream_arn,
        role_arn,
        start_ms,
    } = &s.source
    {
        out["Source"] = json!({"KinesisStreamSourceDescription": {
            "KinesisStreamARN": stream_arn,
            "RoleARN": role_arn,
            "DeliveryStartTimestamp": epoch_seconds(*start_ms),
        }});
    }
    out
}

/// The destination as DescribeDeliveryStream shows it: the backup bucket
/// is its `S3BackupDescription`.
fn extended_description(d: &ExtendedS3Destination) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if let Some(m) = v.as_object_mut()
        && let Some(b) = m.remove("S3BackupConfiguration")
    {
        m.insert("S3BackupDescription".into(), b);
    }
    v
}

pub(super) fn describe(f: &Firehose, r: dto::NameRequest) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    if let Some(limit) = r.limit
        && !(1..=10_000).contains(&limit)
    {
        return Err(violation(Violation::range("limit", limit, 1, 10_000)));
    }
    let s = f.stream(&name)?;
    Output::of(&json!({ "DeliveryStreamDescription": description(&s) }))
}

pub(super) fn list(f: &Firehose, r: dto::ListDeliveryStreamsRequest) -> Answer {
    let limit = match r.limit {
        None => 10,
        Some(n) if (1..=10_000).contains(&n) => n as usize,
        Some(n) => return Err(violation(Violation::range("limit", n, 1, 10_000))),
    };
    let kind = r.delivery_stream_type;
    let after = r.exclusive_start_delivery_stream_name;
    let mut names = f
        .streams()
        .into_iter()
        .filter(|s| kind.as_deref().is_none_or(|k| k == s.source.type_name()))
        .map(|s| s.name)
        .filter(|n| after.as_deref().is_none_or(|a| n.as_str() > a));
    let page: Vec<String> = names.by_ref().take(limit).collect();
    Output::of(&dto::ListDeliveryStreamsResponse {
        has_more_delivery_streams: names.next().is_some(),
        delivery_stream_names: page,
    })
}

pub(super) async fn update(f: &Firehose, r: dto::UpdateDestinationRequest) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    let version = required(r.current_delivery_stream_version_id, "currentDeliveryStreamVersionId")?;
    let id = required(r.destination_id, "destinationId")?;
    if id != "destinationId-000000000001" {
        return Err(invalid(format!("Destination {id} not found in Firehose {name}.")));
    }
    let update = match (r.extended_s3_destination_update, r.s3_destination_update) {
        (Some(d), None) => d,
        (None, Some(s)) => extended_of(s),
        _ => return Err(invalid("Exactly one destination update must be specified.")),
    };
    f.update_destination(&name, &version, update).await?;
    Ok(Output::empty_members())
}

pub(super) async fn tag(f: &Firehose, r: dto::TagRequest) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    let tags = tags_in(Some(required(r.tags, "tags")?))?;
    let current = f.stream(&name)?.tags;
    let mut merged = current;
    merged.extend(tags);
    if merged.len() > MAX_TAGS {
        return Err(f
            .limit_error(format!("Firehose {name} cannot have more than {MAX_TAGS} tags."))
            .into());
    }
    f.modify(&name, |s| s.tags = merged).await?;
    Ok(Output::empty_members())
}

pub(super) async fn untag(f: &Firehose, r: dto::TagRequest) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    let keys = required(r.tag_keys, "tagKeys")?;
    f.modify(&name, |s| {
        for k in &keys {
            s.tags.remove(k);
        }
    })
    .await?;
    Ok(Output::empty_members())
}

pub(super) fn list_tags(f: &Firehose, r: dto::TagRequest) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    let limit = match r.limit {
        None => 50,
        Some(n) if (1..=50).contains(&n) => n as usize,
        Some(n) => return Err(violation(Violation::range("limit", n, 1, 50))),
    };
    let s = f.stream(&name)?;
    let after = r.exclusive_start_tag_key;
    let mut rest = s
        .tags
        .iter()
        .filter(|(k, _)| after.as_deref().is_none_or(|a| k.as_str() > a));
    let page: BTreeMap<String, String> = rest.by_ref().take(limit).map(|(k, v)| (k.clone(), v.clone())).collect();
    Output::of(&dto::ListTagsResponse {
        tags: dto::tags_out(&page),
        has_more_tags: rest.next().is_some(),
    })
}

pub(super) async fn encryption(f: &Firehose, r: dto::EncryptionRequest, start: bool) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    let config = r
        .delivery_stream_encryption_configuration_input
        .unwrap_or_else(|| json!({"KeyType": "AWS_OWNED_CMK"}));
    f.modify(&name, |s| s.encryption = start.then_some(config)).await?;
    Ok(Output::empty_members())
}
