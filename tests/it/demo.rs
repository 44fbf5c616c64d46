//! `lakestack demo`: the whole pipeline runs offline, and what it prints is
//! what it published to S3, which a real client then reads from the kept
//! data directory.

use std::process::Command;

use crate::common::{Server, temp_dir};

#[tokio::test]
async fn the_demo_runs_the_pipeline_and_publishes_its_rows() {
    let dir = temp_dir();
    let data = dir.path().join("demo");
    let out = Command::new(env!("CARGO_BIN_EXE_lakestack"))
        .args(["demo", "--dir"])
        .arg(&data)
        .output()
        .expect("lakestack demo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for state in [
        "StartCrawler",
        "WaitForCrawler",
        "GetCrawler",
        "CrawlerDone",
        "BuildCuratedTable",
        "Publish",
    ] {
        assert!(stdout.contains(state), "{state} not in:\n{stdout}");
    }
    assert!(stdout.contains("the pipeline SUCCEEDED"), "{stdout}");
    // The second act: the upload's event starts the other pipeline, which counts April.
    assert!(stdout.contains("started by EventBridge"), "{stdout}");
    assert!(
        stdout.contains(
            "SUCCEEDED: 250 rows for month=04 after the upload of events/year=2024/month=04/day=01/part-00000.parquet"
        ),
        "{stdout}"
    );

    // The third act: every click the producers put on Kinesis reached the
    // lake through Firehose as Parquet, and Athena counted them all.
    assert!(stdout.contains("wrote 3 Parquet objects, one per kind"), "{stdout}");
    assert!(stdout.contains("counted every click put: cart="), "{stdout}");
    assert!(stdout.contains("(1000 in all)"), "{stdout}");

    // The printed table: a header, a rule, then month | kind | events | revenue.
    let table: Vec<Vec<String>> = stdout
        .lines()
        .filter(|l| l.contains(" | "))
        .map(|l| l.split(" | ").map(|c| c.trim().to_owned()).collect())
        .collect();
    assert_eq!(table[0], ["month", "kind", "events", "revenue"]);
    let rows = &table[1..];
    let keys: Vec<(&str, &str)> = rows.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(
        keys,
        [
            ("01", "cart"),
            ("01", "purchase"),
            ("01", "view"),
            ("02", "cart"),
            ("02", "purchase"),
            ("02", "view"),
            ("03", "cart"),
            ("03", "purchase"),
            ("03", "view"),
        ]
    );
    // 12 files of 250 events, every one counted once.
    let events: u64 = rows.iter().map(|r| r[2].parse::<u64>().unwrap()).sum();
    assert_eq!(events, 3000);
    for r in rows {
        let revenue: f64 = r[3].parse().unwrap();
        assert_eq!(revenue > 0.0, r[1] == "purchase", "{r:?}");
    }

    // The same rows are in S3, read back by aws-sdk-rust from the kept directory.
    let server = Server::start_in(&data);
    let s3 = server.client();
    let published = s3
        .get_object()
        .bucket("demo-lake")
        .key("published/revenue_by_kind.json")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value =
        serde_json::from_slice(&published.body.collect().await.unwrap().into_bytes()).unwrap();
    let stored: Vec<Vec<String>> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["Data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["VarCharValue"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(stored, table);

    // A directory the demo already used is refused rather than mixed into.
    let again = Command::new(env!("CARGO_BIN_EXE_lakestack"))
        .args(["demo", "--dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
}
