//! Buckets and their sub-resources: location, versioning, tagging, CORS,
//! notification configuration.

use lakestack_storage::{ConfigKind, StorageError, Versioning};
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

use crate::S3Api;
use crate::conv;
use crate::error::s3_error;

/// Sub-configurations are kept as the XML S3 accepted, and parsed back on read.
pub(crate) fn to_xml<T: s3s::xml::Serialize>(v: &T) -> S3Result<String> {
    let mut buf = Vec::new();
    v.serialize(&mut s3s::xml::Serializer::new(&mut buf))
        .map_err(crate::error::internal)?;
    String::from_utf8(buf).map_err(crate::error::internal)
}

pub(crate) fn from_xml<T: for<'x> s3s::xml::Deserialize<'x>>(s: &str) -> S3Result<T> {
    let mut de = s3s::xml::Deserializer::new(s.as_bytes());
    T::deserialize(&mut de).map_err(crate::error::internal)
}

fn no_content<T>(out: T) -> S3Response<T> {
    let mut r = S3Response::new(out);
    r.status = Some(http::StatusCode::NO_CONTENT);
    r
}

impl S3Api {
    pub(crate) async fn do_create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        let input = &req.input;
        let constraint = input
            .create_bucket_configuration
            .as_ref()
            .and_then(|c| c.location_constraint.as_ref())
            .map(|c| c.as_str().to_owned())
            .filter(|c| !c.is_empty());
        if constraint.as_deref() == Some("us-east-1") {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidLocationConstraint,
                "The specified location-constraint is not valid",
            ));
        }
        let region = constraint.unwrap_or_else(|| self.region.clone());
        self.storage
            .create_bucket(&input.bucket, &region)
            .await
            .map_err(s3_error)?;
        Ok(S3Response::new(CreateBucketOutput {
            location: Some(format!("/{}", input.bucket)),
        }))
    }

    pub(crate) async fn do_head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        let b = self.storage.bucket(&req.input.bucket).map_err(s3_error)?;
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some(b.region),
            access_point_alias: Some(false),
            ..Default::default()
        }))
    }

    pub(crate) async fn do_delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        self.storage.delete_bucket(&req.input.bucket).await.map_err(s3_error)?;
        Ok(no_content(DeleteBucketOutput {}))
    }

    pub(crate) async fn do_list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let input = &req.input;
        let mut all = self.storage.list_buckets().map_err(s3_error)?;
        if let Some(p) = &input.prefix {
            all.retain(|b| b.name.starts_with(p.as_str()));
        }
        if let Some(r) = &input.bucket_region {
            all.retain(|b| &b.region == r);
        }
        if let Some(tok) = &input.continuation_token {
            all.retain(|b| b.name.as_str() > tok.as_str());
        }
        let max = input.max_buckets.map_or(10_000, |m| m.clamp(1, 10_000) as usize);
        let next = (all.len() > max).then(|| all[max - 1].name.clone());
        all.truncate(max);
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(
                all.into_iter()
                    .map(|b| Bucket {
                        name: Some(b.name),
                        creation_date: Some(conv::timestamp(b.created_ms)),
                        bucket_region: Some(b.region),
                    })
                    .collect(),
            ),
            owner: Some(self.owner()),
            continuation_token: next,
            prefix: input.prefix.clone(),
        }))
    }

    pub(crate) async fn do_get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        let b = self.storage.bucket(&req.input.bucket).map_err(s3_error)?;
        // us-east-1 buckets answer an empty LocationConstraint, as S3 does.
        let lc = (b.region != "us-east-1").then(|| BucketLocationConstraint::from(b.region));
        Ok(S3Response::new(GetBucketLocationOutput {
            location_constraint: lc,
        }))
    }

    pub(crate) async fn do_put_bucket_versioning(
        &self,
        req: S3Request<PutBucketVersioningInput>,
    ) -> S3Result<S3Response<PutBucketVersioningOutput>> {
        let input = &req.input;
        let v = match input
            .versioning_configuration
            .status
            .as_ref()
            .map(BucketVersioningStatus::as_str)
        {
            Some("Enabled") => Versioning::Enabled,
            Some("Suspended") => Versioning::Suspended,
            _ => {
                return Err(S3Error::with_message(
                    S3ErrorCode::MalformedXML,
                    "The XML you provided was not well-formed or did not validate against our published schema",
                ));
            }
        };
        self.storage.set_versioning(&input.bucket, v).await.map_err(s3_error)?;
        Ok(S3Response::new(PutBucketVersioningOutput {}))
    }

    pub(crate) async fn do_get_bucket_versioning(
        &self,
        req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        let b = self.storage.bucket(&req.input.bucket).map_err(s3_error)?;
        let status = match b.versioning {
            Versioning::Unversioned => None,
            Versioning::Enabled => Some(BucketVersioningStatus::from_static(BucketVersioningStatus::ENABLED)),
            Versioning::Suspended => Some(BucketVersioningStatus::from_static(BucketVersioningStatus::SUSPENDED)),
        };
        Ok(S3Response::new(GetBucketVersioningOutput {
            status,
            mfa_delete: None,
        }))
    }

    pub(crate) async fn do_put_bucket_tagging(
        &self,
        req: S3Request<PutBucketTaggingInput>,
    ) -> S3Result<S3Response<PutBucketTaggingOutput>> {
        let input = &req.input;
        let tags: Vec<(String, String)> = input
            .tagging
            .tag_set
            .iter()
            .map(|t| (t.key.clone().unwrap_or_default(), t.value.clone().unwrap_or_default()))
            .collect();
        if tags.len() > 50 {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidTag,
                "Bucket tag count cannot be greater than 50",
            ));
        }
        let body = to_xml(&input.tagging)?;
        self.storage
            .put_bucket_config(&input.bucket, ConfigKind::Tagging, &body)
            .await
            .map_err(s3_error)?;
        Ok(no_content(PutBucketTaggingOutput {}))
    }

    pub(crate) async fn do_get_bucket_tagging(
        &self,
        req: S3Request<GetBucketTaggingInput>,
    ) -> S3Result<S3Response<GetBucketTaggingOutput>> {
        let body = self.config(&req.input.bucket, ConfigKind::Tagging)?;
        let t: Tagging = from_xml(&body)?;
        Ok(S3Response::new(GetBucketTaggingOutput { tag_set: t.tag_set }))
    }

    pub(crate) async fn do_delete_bucket_tagging(
        &self,
        req: S3Request<DeleteBucketTaggingInput>,
    ) -> S3Result<S3Response<DeleteBucketTaggingOutput>> {
        self.storage
            .delete_bucket_config(&req.input.bucket, ConfigKind::Tagging)
            .await
            .map_err(s3_error)?;
        Ok(no_content(DeleteBucketTaggingOutput {}))
    }

    pub(crate) async fn do_put_bucket_cors(
        &self,
        req: S3Request<PutBucketCorsInput>,
    ) -> S3Result<S3Response<PutBucketCorsOutput>> {
        let input = &req.input;
        for rule in &input.cors_configuration.cors_rules {
            for m in &rule.allowed_methods {
                if !matches!(m.as_str(), "GET" | "PUT" | "POST" | "DELETE" | "HEAD") {
                    return Err(S3Error::with_message(
                        S3ErrorCode::InvalidRequest,
                        format!("Found unsupported HTTP method in CORS config. Unsupported method is {m}"),
                    ));
                }
            }
        }
        let body = to_xml(&input.cors_configuration)?;
        self.storage
            .put_bucket_config(&input.bucket, ConfigKind::Cors, &body)
            .await
            .map_err(s3_error)?;
        Ok(S3Response::new(PutBucketCorsOutput {}))
    }

    pub(crate) async fn do_get_bucket_cors(
        &self,
        req: S3Request<GetBucketCorsInput>,
    ) -> S3Result<S3Response<GetBucketCorsOutput>> {
        let body = self.config(&req.input.bucket, ConfigKind::Cors)?;
        let c: CORSConfiguration = from_xml(&body)?;
        Ok(S3Response::new(GetBucketCorsOutput {
            cors_rules: Some(c.cors_rules),
        }))
    }

    pub(crate) async fn do_delete_bucket_cors(
        &self,
        req: S3Request<DeleteBucketCorsInput>,
    ) -> S3Result<S3Response<DeleteBucketCorsOutput>> {
        self.storage
            .delete_bucket_config(&req.input.bucket, ConfigKind::Cors)
            .await
            .map_err(s3_error)?;
        Ok(no_content(DeleteBucketCorsOutput {}))
    }

    pub(crate) async fn do_put_bucket_notification_configuration(
        &self,
        mut req: S3Request<PutBucketNotificationConfigurationInput>,
    ) -> S3Result<S3Response<PutBucketNotificationConfigurationOutput>> {
        let input = &mut req.input;
        self.storage.bucket(&input.bucket).map_err(s3_error)?;
        crate::notify::name_configurations(&mut input.notification_configuration);
        let config = &input.notification_configuration;
        let rules = crate::notify::rules(config)?;
        if let Some(d) = &self.destinations {
            crate::notify::check_destinations(&rules, d.as_ref()).await?;
        }
        if rules.is_empty() && config.event_bridge_configuration.is_none() {
            // An empty configuration turns notifications off: with no row,
            // writes to the bucket record no events.
            self.storage
                .delete_bucket_config(&input.bucket, ConfigKind::Notification)
                .await
                .map_err(s3_error)?;
        } else {
            let body = to_xml(config)?;
            self.storage
                .put_bucket_config(&input.bucket, ConfigKind::Notification, &body)
                .await
                .map_err(s3_error)?;
        }
        if let Some(d) = &self.destinations {
            crate::notify::send_test_events(&input.bucket, &rules, d.as_ref()).await;
        }
        Ok(S3Response::new(PutBucketNotificationConfigurationOutput {}))
    }

    pub(crate) async fn do_get_bucket_notification_configuration(
        &self,
        req: S3Request<GetBucketNotificationConfigurationInput>,
    ) -> S3Result<S3Response<GetBucketNotificationConfigurationOutput>> {
        // A bucket without a configuration answers an empty one, as S3 does.
        let body = self
            .storage
            .bucket_config(&req.input.bucket, ConfigKind::Notification)
            .map_err(s3_error)?;
        let c: NotificationConfiguration = match body {
            Some(b) => from_xml(&b)?,
            None => NotificationConfiguration::default(),
        };
        Ok(S3Response::new(GetBucketNotificationConfigurationOutput {
            event_bridge_configuration: c.event_bridge_configuration,
            lambda_function_configurations: c.lambda_function_configurations,
            queue_configurations: c.queue_configurations,
            topic_configurations: c.topic_configurations,
        }))
    }

    fn config(&self, bucket: &str, kind: ConfigKind) -> S3Result<String> {
        self.storage
            .bucket_config(bucket, kind)
            .map_err(s3_error)?
            .ok_or_else(|| s3_error(StorageError::NoSuchConfig(kind)))
    }

    pub(crate) fn owner(&self) -> Owner {
        Owner {
            display_name: Some("lakestack".into()),
            id: Some(self.owner_id.clone()),
        }
    }
}
