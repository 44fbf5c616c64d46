//! Delivery streams as the service keeps them. The destination is kept in
//! the shape it was configured with (DescribeDeliveryStream answers it
//! back member for member); what delivery needs from it is compiled once
//! into a [`crate::plan::Plan`] whenever it changes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::dto::ExtendedS3Destination;

/// Where a delivery stream's records come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Source {
    DirectPut,
    Kinesis {
        stream_arn: String,
        role_arn: Option<String>,
        /// When reading began (`DeliveryStartTimestamp`).
        start_ms: i64,
    },
}

impl Source {
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::DirectPut => "DirectPut",
            Self::Kinesis { .. } => "KinesisStreamAsSource",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStream {
    pub name: String,
    pub arn: String,
    pub source: Source,
    /// `VersionId`: 1 at creation, one more per UpdateDestination.
    pub version: u64,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// `ExtendedS3DestinationConfiguration` with AWS's defaults filled in.
    pub destination: ExtendedS3Destination,
    /// `DeliveryStreamEncryptionConfiguration` once started (stored only).
    pub encryption: Option<serde_json::Value>,
    pub tags: BTreeMap<String, String>,
}

impl DeliveryStream {
    /// What its records are filed under: the name and the creation time,
    /// so a stream deleted and created again under the same name never
    /// sees (or delivers) the records of the one before.
    pub fn records_key(&self) -> String {
        format!("{}#{}", self.name, self.created_ms)
    }
}
