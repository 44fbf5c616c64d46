//! Runs the sqllogictest files in `tests/slt/` through the Trino layer on a
//! plain DataFusion session, rendering values as Athena prints them.

use std::path::PathBuf;

use async_trait::async_trait;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use sqllogictest::{AsyncDB, DBOutput, DefaultColumnType, Runner, strict_column_validator};

use crate::errors::athena_error;
use crate::render;

#[derive(Debug)]
struct Failed(String);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

struct Trino(SessionContext);

fn column_type(t: &DataType) -> DefaultColumnType {
    if t.is_integer() {
        DefaultColumnType::Integer
    } else if t.is_floating() || matches!(t, DataType::Decimal128(..)) {
        DefaultColumnType::FloatingPoint
    } else {
        DefaultColumnType::Text
    }
}

#[async_trait]
impl AsyncDB for Trino {
    type Error = Failed;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, Failed> {
        let fail = |e: datafusion::error::DataFusionError| Failed(athena_error(&e, sql).message);
        // Fixture tables are made with DataFusion's own CREATE TABLE, which
        // the Trino layer refuses (see `sandbox`): test setup, not user SQL.
        let fixture = sql
            .trim_start()
            .get(..13)
            .is_some_and(|w| w.eq_ignore_ascii_case("create table "));
        let df = if fixture {
            self.0.sql(sql).await.map_err(fail)?
        } else {
            super::plan(&self.0, sql).await.map_err(fail)?
        };
        let types: Vec<DefaultColumnType> = df
            .schema()
            .fields()
            .iter()
            .map(|f| column_type(f.data_type()))
            .collect();
        let batches = df.collect().await.map_err(fail)?;
        if types.is_empty() {
            return Ok(DBOutput::StatementComplete(0));
        }
        let mut rows = Vec::new();
        for b in &batches {
            for r in 0..b.num_rows() {
                rows.push(
                    b.columns()
                        .iter()
                        .map(|c| match render::value(c, r) {
                            None => "NULL".to_owned(),
                            Some(v) if v.is_empty() => "(empty)".to_owned(),
                            Some(v) => v,
                        })
                        .collect(),
                );
            }
        }
        Ok(DBOutput::Rows { types, rows })
    }

    async fn shutdown(&mut self) {}
}

#[tokio::test]
async fn slt_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/slt exists")
        .map(|e| e.expect("readable dir").path())
        .filter(|p| p.extension().is_some_and(|x| x == "slt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .slt files in {}", dir.display());
    for file in files {
        let mut runner = Runner::new(|| async {
            let ctx = SessionContext::new();
            super::register(&ctx);
            Ok(Trino(ctx))
        });
        runner.with_column_validator(strict_column_validator);
        if let Err(e) = runner.run_file_async(&file).await {
            panic!("{}: {}", file.display(), e.display(true));
        }
    }
}
