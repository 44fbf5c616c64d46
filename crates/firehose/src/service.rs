//! The Firehose service: delivery streams (in memory, a copy of the file)
//! and the records they hold until delivery. A put commits its records
//! before it answers; each stream's runner (`engine`) then processes and
//! delivers them as its buffers fill or age, on the server's clock.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine as _;
use lakestack_aws_protocol::{Arn, Clock, ServiceSettings};
use lakestack_catalog::Catalog;
use lakestack_sqlite::{Shared, Writer};
use object_store::ObjectStore;

use crate::api::dto::ExtendedS3Destination;
use crate::engine::Runner;
use crate::error::{FirehoseError, Result};
use crate::host::Host;
use crate::model::{DeliveryStream, Source};
use crate::plan::{self, Plan};
use crate::store::{self, NewRow};

/// Delivery streams per account and region.
pub const STREAM_LIMIT: usize = 5000;

pub struct Firehose {
    pub(crate) account: String,
    pub(crate) region: String,
    pub(crate) clock: Clock,
    pub(crate) writer: Writer,
    pub(crate) reader: Arc<Shared>,
    pub(crate) objects: Arc<dyn ObjectStore>,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) host: Arc<dyn Host>,
    /// Where objects are composed before they are uploaded.
    pub(crate) work_dir: PathBuf,
    state: Mutex<BTreeMap<String, Entry>>,
}

#[derive(Clone)]
pub(crate) struct Entry {
    pub stream: DeliveryStream,
    pub plan: Arc<Plan>,
    pub runner: Arc<Runner>,
}

impl Firehose {
    /// Opens (or creates) `firehose.sqlite` in the settings' directory.
    pub fn open(
        settings: ServiceSettings,
        objects: Arc<dyn ObjectStore>,
        catalog: Arc<Catalog>,
        host: Arc<dyn Host>,
    ) -> Result<Arc<Self>> {
        let dir = settings
            .dir
            .clone()
            .ok_or_else(|| FirehoseError::internal("Firehose keeps its records in a file: it needs a directory"))?;
        let work_dir = dir.join("work");
        std::fs::create_dir_all(&work_dir)?;
        let path = dir.join("firehose.sqlite");
        let conn = lakestack_sqlite::open(&path, &store::SCHEMA)?;
        let mut streams = BTreeMap::new();
        for body in store::load_streams(&conn)? {
            let mut s: DeliveryStream = match serde_json::from_str(&body) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "a delivery stream in firehose.sqlite is unreadable; skipped");
                    continue;
                }
            };
            let plan = match plan::compile(&mut s.destination, &settings.region) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(stream = s.name, error = %e, "a delivery stream's destination no longer compiles; skipped");
                    continue;
                }
            };
            let runner = Arc::new(Runner::default());
            runner.load(store::buffers(&conn, &s.records_key())?);
            streams.insert(
                s.name.clone(),
                Entry {
                    stream: s,
                    plan: Arc::new(plan),
                    runner,
                },
            );
        }
        let writer = Writer::start("firehose", conn).map_err(|e| FirehoseError::Internal(Box::new(e)))?;
        let reader = Arc::new(Shared::open(&path, &store::SCHEMA)?);
        Ok(Arc::new(Self {
            account: settings.account_id,
            region: settings.region,
            clock: settings.clock,
            writer,
            reader,
            objects,
            catalog,
            host,
            work_dir,
            state: Mutex::new(streams),
        }))
    }

    /// Starts every stream's runner (at open).
    pub fn start(self: &Arc<Self>) {
        let entries: Vec<Entry> = self.lock().values().cloned().collect();
        for e in entries {
            crate::engine::spawn(self, &e);
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Entry>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn stream_arn(&self, name: &str) -> String {
        Arn::new(
            "firehose",
            &self.region,
            &self.account,
            format!("deliverystream/{name}"),
        )
        .to_string()
    }

    pub(crate) fn limit_error(&self, message: String) -> FirehoseError {
        FirehoseError::LimitExceeded(message)
    }

    pub(crate) fn not_found(&self, name: &str) -> FirehoseError {
        FirehoseError::NotFound {
            stream: name.into(),
            account: self.account.clone(),
        }
    }

    pub(crate) fn entry(&self, name: &str) -> Result<Entry> {
        self.lock().get(name).cloned().ok_or_else(|| self.not_found(name))
    }

    /// The entry if the stream still exists with this runner.
    pub(crate) fn current(&self, name: &str, runner: &Arc<Runner>) -> Option<Entry> {
        self.lock()
            .get(name)
            .filter(|e| Arc::ptr_eq(&e.runner, runner))
            .cloned()
    }

    pub fn stream(&self, name: &str) -> Result<DeliveryStream> {
        Ok(self.entry(name)?.stream)
    }

    pub fn streams(&self) -> Vec<DeliveryStream> {
        self.lock().values().map(|e| e.stream.clone()).collect()
    }

    /// Queues the write of a stream's description. Called under the state
    /// lock, so the file keeps changes in the order memory made them.
    fn queue_save(&self, s: &DeliveryStream) -> Result<lakestack_sqlite::Pending> {
        let body = serde_json::to_string(s)?;
        let name = s.name.clone();
        Ok(self
            .writer
            .enqueue(Box::new(move |c| store::put_stream(c, &name, &body))))
    }

    pub async fn create(
        self: &Arc<Self>,
        name: &str,
        source: Source,
        mut destination: ExtendedS3Destination,
        tags: BTreeMap<String, String>,
    ) -> Result<DeliveryStream> {
        let plan = plan::compile(&mut destination, &self.region)?;
        if let Source::Kinesis { stream_arn, .. } = &source
            && !self.host.stream_exists(stream_arn)
        {
            return Err(FirehoseError::InvalidArgument(format!(
                "Kinesis stream {stream_arn} does not exist or is not accessible."
            )));
        }
        let now = self.clock.now_ms();
        let stream = DeliveryStream {
            name: name.into(),
            arn: self.stream_arn(name),
            source,
            version: 1,
            created_ms: now,
            updated_ms: now,
            destination,
            encryption: None,
            tags,
        };
        let entry = Entry {
            stream: stream.clone(),
            plan: Arc::new(plan),
            runner: Arc::new(Runner::default()),
        };
        let pending = {
            let mut st = self.lock();
            if st.contains_key(name) {
                return Err(FirehoseError::Exists {
                    stream: name.into(),
                    account: self.account.clone(),
                });
            }
            if st.len() >= STREAM_LIMIT {
                return Err(FirehoseError::LimitExceeded(format!(
                    "You have already consumed your firehose quota of {STREAM_LIMIT} hoses. Firehose names: {name}"
                )));
            }
            st.insert(name.into(), entry.clone());
            self.queue_save(&stream)?
        };
        if let Err(e) = pending.wait().await {
            self.lock().remove(name);
            return Err(e.into());
        }
        crate::engine::spawn(self, &entry);
        Ok(stream)
    }

    pub async fn delete(&self, name: &str) -> Result<()> {
        let (e, pending) = {
            let mut st = self.lock();
            let e = st.remove(name).ok_or_else(|| self.not_found(name))?;
            let (name, key) = (name.to_owned(), e.stream.records_key());
            let pending = self
                .writer
                .enqueue(Box::new(move |c| store::delete_stream(c, &name, &key)));
            (e, pending)
        };
        e.runner.stop();
        pending.wait().await?;
        if matches!(e.stream.source, Source::Kinesis { .. }) {
            self.host.forget_reader(&crate::engine::reader_of(&e.stream)).await;
        }
        Ok(())
    }

    /// Changes a stream's description (not its destination) and saves it.
    pub async fn modify(&self, name: &str, f: impl FnOnce(&mut DeliveryStream)) -> Result<DeliveryStream> {
        let (s, pending) = {
            let mut st = self.lock();
            let e = st.get_mut(name).ok_or_else(|| self.not_found(name))?;
            f(&mut e.stream);
            (e.stream.clone(), self.queue_save(&e.stream)?)
        };
        pending.wait().await?;
        Ok(s)
    }

    /// UpdateDestination: merges `update` into the destination, recompiles
    /// it and bumps the version.
    pub async fn update_destination(&self, name: &str, version: &str, update: ExtendedS3Destination) -> Result<()> {
        let s = {
            let mut st = self.lock();
            let e = st.get_mut(name).ok_or_else(|| self.not_found(name))?;
            if version != e.stream.version.to_string() {
                return Err(FirehoseError::ConcurrentModification(format!(
                    "Cannot update firehose: {name} since the current version id: {} and specified version id: {version} do not match",
                    e.stream.version
                )));
            }
            let mut merged = merge(&e.stream.destination, update)?;
            let plan = plan::compile(&mut merged, &self.region)?;
            if e.plan.backup.is_some() && plan.backup.is_none() {
                return Err(FirehoseError::InvalidArgument(
                    "S3BackupMode can't be changed from Enabled to Disabled once source record backup is enabled."
                        .into(),
                ));
            }
            if plan.dynamic && !e.plan.dynamic {
                return Err(FirehoseError::InvalidArgument(
                    "Dynamic partitioning can't be enabled on an existing Firehose stream.".into(),
                ));
            }
            e.stream.destination = merged;
            e.stream.version += 1;
            e.stream.updated_ms = self.clock.now_ms();
            e.plan = Arc::new(plan);
            e.runner.wake();
            self.queue_save(&e.stream)?
        };
        s.wait().await?;
        Ok(())
    }

    /// Accepts records for a stream: committed before this answers; their
    /// record ids.
    pub async fn put(&self, name: &str, records: Vec<Vec<u8>>) -> Result<Vec<String>> {
        let e = self.entry(name)?;
        if matches!(e.stream.source, Source::Kinesis { .. }) {
            return Err(FirehoseError::InvalidArgument(format!(
                "This operation is not permitted on KinesisStreamAsSource delivery stream type. Firehose {name} under account {} is of type KinesisStreamAsSource.",
                self.account
            )));
        }
        let now = self.clock.now_ms();
        let n = records.len();
        let incoming = records.into_iter().map(|data| (data, now, None)).collect();
        self.ingest(&e, incoming).await?;
        Ok((0..n).map(|_| record_id()).collect())
    }

    /// Stores incoming records (data, arrival, source metadata) in the
    /// buffers they belong to, and wakes the runner if one is full.
    pub(crate) async fn ingest(&self, e: &Entry, incoming: Vec<(Vec<u8>, i64, Option<String>)>) -> Result<()> {
        let mut rows = Vec::with_capacity(incoming.len());
        for (data, arrival_ms, meta) in incoming {
            if e.plan.backup.is_some() {
                rows.push(NewRow {
                    stage: store::BACKUP,
                    part: String::new(),
                    arrival_ms,
                    data: data.clone(),
                    meta: None,
                });
            }
            if e.plan.lambda.is_some() {
                rows.push(NewRow {
                    stage: store::RECEIVED,
                    part: String::new(),
                    arrival_ms,
                    data,
                    meta,
                });
            } else {
                rows.push(crate::engine::place(
                    &e.plan,
                    data,
                    arrival_ms,
                    meta.as_deref(),
                    None,
                    self.clock.now_ms(),
                ));
            }
        }
        e.runner.limit_partitions(&mut rows, self.clock.now_ms());
        let summary = crate::engine::summarize(&rows);
        let stream = e.stream.records_key();
        let rows = Arc::new(rows);
        self.writer
            .write(Box::new(move |c| store::insert(c, &stream, &rows)))
            .await?;
        e.runner.added(summary);
        Ok(())
    }
}

/// A record id: unique, opaque, of the length AWS's have.
pub(crate) fn record_id() -> String {
    let mut bytes = Vec::with_capacity(48);
    for _ in 0..3 {
        bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An `ExtendedS3DestinationUpdate` applied over a destination: members
/// given replace the ones there.
fn merge(current: &ExtendedS3Destination, mut update: ExtendedS3Destination) -> Result<ExtendedS3Destination> {
    // The update names the backup bucket's changes `S3BackupUpdate`.
    let backup_update = update.s3_backup_update.take();
    let mut base = serde_json::to_value(current)?;
    let patch = serde_json::to_value(update)?;
    if let (Some(b), serde_json::Value::Object(p)) = (base.as_object_mut(), patch) {
        for (k, v) in p {
            b.insert(k, v);
        }
    }
    let mut merged: ExtendedS3Destination = serde_json::from_value(base)?;
    if let Some(u) = backup_update {
        let mut backup = serde_json::to_value(merged.s3_backup_configuration.take().unwrap_or_default())?;
        if let (Some(b), serde_json::Value::Object(p)) = (backup.as_object_mut(), serde_json::to_value(u)?) {
            for (k, v) in p {
                b.insert(k, v);
            }
        }
        merged.s3_backup_configuration = Some(serde_json::from_value(backup)?);
    }
    Ok(merged)
}
