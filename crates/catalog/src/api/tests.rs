//! The Glue edge through the kit's in-process `invoke`. Exact answers (errors
//! as AWS words them, paging, times, tags) are transcripts in `tests/wire/`
//! (see `lakestack_aws_protocol::transcript`; `BLESS=1` rewrites them).

use std::path::Path;
use std::sync::Arc;

use lakestack_aws_protocol::{ServiceError, invoke, transcript};
use serde_json::json;

use super::{GlueOp, GlueService};
use crate::{Catalog, CatalogSettings};

/// Members whose values differ from run to run.
const VOLATILE: transcript::Volatile<'_> = transcript::Volatile {
    hidden: &[
        "CreateTime",
        "UpdateTime",
        "CreationTime",
        "LastUpdated",
        "CreatedOn",
        "LastModifiedOn",
        "StartedOn",
        "CompletedOn",
        "ExecutionTime",
    ],
    numbered: &[
        "NextToken",
        "JobRunId",
        "Id",
        "PreviousRunId",
        "WorkflowRunId",
        "UniqueId",
    ],
};

/// A Glue whose object store holds the job scripts of `tests/jobs/` under
/// `s3://scripts/jobs/`.
fn glue() -> GlueService {
    use object_store::ObjectStoreExt as _;
    let objects = object_store::memory::InMemory::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jobs");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let key = format!("scripts/jobs/{}", path.file_name().unwrap().to_string_lossy());
        let bytes = std::fs::read(&path).unwrap();
        // The in-memory store answers at once: no runtime is needed to fill it.
        futures::executor::block_on(objects.put(&object_store::path::Path::from(key), bytes.into())).unwrap();
    }
    GlueService::new(Catalog::in_memory(Arc::new(objects), CatalogSettings::default()).unwrap())
}

#[tokio::test]
async fn wire_transcripts() {
    if let Err(report) = transcript::check_dir(Path::new("tests/wire"), VOLATILE, glue).await {
        panic!("{report}");
    }
}

#[test]
fn every_operation_parses_by_its_name() {
    for op in GlueOp::ALL {
        assert_eq!(op.name().parse::<GlueOp>(), Ok(*op));
    }
    assert_eq!(GlueOp::ALL.len(), 81);
}

#[tokio::test]
async fn times_are_epoch_seconds() {
    let g = glue();
    invoke(&g, "CreateDatabase", &json!({"DatabaseInput": {"Name": "db"}}))
        .await
        .unwrap();
    let got = invoke(&g, "GetDatabase", &json!({"Name": "db"})).await.unwrap();
    let created = got["Database"]["CreateTime"].as_f64().unwrap();
    assert!(created > 1.7e9 && created < 1e11, "{created}");
}

#[test]
fn the_edge_and_the_catalog_answer_a_bad_token_alike() {
    assert_eq!(
        super::SPEC.invalid_token("***"),
        ServiceError::from(crate::paging::invalid_token())
    );
}
