//! The S3 edge of lakestack: implements the `s3s` crate's [`s3s::S3`] trait
//! (wire DTOs, XML, routing and SigV4 generated from AWS's Smithy model) over
//! the storage engine.
//!
//! What lives here: checksums and Content-MD5 checks ([`checksum`], [`ingest`]),
//! HTTP conditional requests, versioning answers, multipart rules, and the
//! mapping of storage errors to S3 error codes ([`error`]). [`edge`] adapts
//! requests before s3s sees them (permissive auth, request ids, error bodies).
//!
//! ```no_run
//! # fn demo(storage: std::sync::Arc<lakestack_storage::Storage>) {
//! let service = lakestack_s3_api::S3Service::build(storage, lakestack_s3_api::S3Settings::default());
//! # let _ = service;
//! # }
//! ```

mod buckets;
mod checksum;
mod chunked;
mod conv;
mod cors;
pub mod edge;
mod error;
mod host;
mod ingest;
mod listing;
mod multipart;
pub mod notify;
mod objects;
mod operation;
mod post_form;
mod stream;

use std::sync::Arc;

use lakestack_storage::Storage;
use s3s::dto::*;
use s3s::{S3, S3Request, S3Response, S3Result};

pub use edge::{AuthMode, KeyLookup, S3Service, S3Settings};
pub use host::LocalHosts;
pub use ingest::EdgeTrailers;
pub use operation::operation_name;

/// The S3 API over one storage engine.
pub struct S3Api {
    storage: Arc<Storage>,
    region: String,
    owner_id: String,
    /// The services event notifications go to; without them configurations
    /// are stored unchecked.
    destinations: Option<Arc<dyn notify::Destinations>>,
}

impl S3Api {
    pub fn new(
        storage: Arc<Storage>,
        region: &str,
        account_id: &str,
        destinations: Option<Arc<dyn notify::Destinations>>,
    ) -> Self {
        // S3's canonical user ids are 64 hex characters; derive a stable one.
        let owner_id = format!("{:0>64}", hex::encode(account_id.as_bytes()));
        Self {
            storage,
            region: region.to_owned(),
            owner_id: owner_id[owner_id.len() - 64..].to_owned(),
            destinations,
        }
    }
}

macro_rules! forward {
    ($($name:ident => $do:ident ($input:ty, $output:ty);)*) => {
        #[async_trait::async_trait]
        impl S3 for S3Api {
            $(
                async fn $name(&self, req: S3Request<$input>) -> S3Result<S3Response<$output>> {
                    self.$do(req).await
                }
            )*
        }
    };
}

forward! {
    create_bucket => do_create_bucket(CreateBucketInput, CreateBucketOutput);
    head_bucket => do_head_bucket(HeadBucketInput, HeadBucketOutput);
    delete_bucket => do_delete_bucket(DeleteBucketInput, DeleteBucketOutput);
    list_buckets => do_list_buckets(ListBucketsInput, ListBucketsOutput);
    get_bucket_location => do_get_bucket_location(GetBucketLocationInput, GetBucketLocationOutput);
    put_bucket_versioning => do_put_bucket_versioning(PutBucketVersioningInput, PutBucketVersioningOutput);
    get_bucket_versioning => do_get_bucket_versioning(GetBucketVersioningInput, GetBucketVersioningOutput);
    put_bucket_tagging => do_put_bucket_tagging(PutBucketTaggingInput, PutBucketTaggingOutput);
    get_bucket_tagging => do_get_bucket_tagging(GetBucketTaggingInput, GetBucketTaggingOutput);
    delete_bucket_tagging => do_delete_bucket_tagging(DeleteBucketTaggingInput, DeleteBucketTaggingOutput);
    put_bucket_cors => do_put_bucket_cors(PutBucketCorsInput, PutBucketCorsOutput);
    get_bucket_cors => do_get_bucket_cors(GetBucketCorsInput, GetBucketCorsOutput);
    delete_bucket_cors => do_delete_bucket_cors(DeleteBucketCorsInput, DeleteBucketCorsOutput);
    put_bucket_notification_configuration => do_put_bucket_notification_configuration(PutBucketNotificationConfigurationInput, PutBucketNotificationConfigurationOutput);
    get_bucket_notification_configuration => do_get_bucket_notification_configuration(GetBucketNotificationConfigurationInput, GetBucketNotificationConfigurationOutput);
    put_object => do_put_object(PutObjectInput, PutObjectOutput);
    get_object => do_get_object(GetObjectInput, GetObjectOutput);
    head_object => do_head_object(HeadObjectInput, HeadObjectOutput);
    delete_object => do_delete_object(DeleteObjectInput, DeleteObjectOutput);
    delete_objects => do_delete_objects(DeleteObjectsInput, DeleteObjectsOutput);
    copy_object => do_copy_object(CopyObjectInput, CopyObjectOutput);
    get_object_tagging => do_get_object_tagging(GetObjectTaggingInput, GetObjectTaggingOutput);
    put_object_tagging => do_put_object_tagging(PutObjectTaggingInput, PutObjectTaggingOutput);
    delete_object_tagging => do_delete_object_tagging(DeleteObjectTaggingInput, DeleteObjectTaggingOutput);
    list_objects => do_list_objects(ListObjectsInput, ListObjectsOutput);
    list_objects_v2 => do_list_objects_v2(ListObjectsV2Input, ListObjectsV2Output);
    list_object_versions => do_list_object_versions(ListObjectVersionsInput, ListObjectVersionsOutput);
    create_multipart_upload => do_create_multipart_upload(CreateMultipartUploadInput, CreateMultipartUploadOutput);
    upload_part => do_upload_part(UploadPartInput, UploadPartOutput);
    upload_part_copy => do_upload_part_copy(UploadPartCopyInput, UploadPartCopyOutput);
    complete_multipart_upload => do_complete_multipart_upload(CompleteMultipartUploadInput, CompleteMultipartUploadOutput);
    abort_multipart_upload => do_abort_multipart_upload(AbortMultipartUploadInput, AbortMultipartUploadOutput);
    list_parts => do_list_parts(ListPartsInput, ListPartsOutput);
    list_multipart_uploads => do_list_multipart_uploads(ListMultipartUploadsInput, ListMultipartUploadsOutput);
}
