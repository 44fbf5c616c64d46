//! Glue jobs: definitions (CreateJob, UpdateJob, GetJob, DeleteJob...), their
//! runs (`runs`: Python shell scripts that really run, as local processes),
//! and the bookmarks Glue keeps for Spark jobs.

mod awsglue;
mod output;
mod process;
mod runs;
mod script;
mod settings;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use tokio::sync::watch;

use crate::Catalog;
use crate::error::{CatalogError, Result};
use crate::model::{Job, JobBookmark};
use crate::store::Store;

pub use output::{ERROR_GROUP, OUTPUT_GROUP};
pub use runs::{JobRunRequest, JobRunStopError};
pub use settings::{JobLogs, JobSettings, NoJobLogs};

pub(crate) fn not_found(name: &str) -> CatalogError {
    CatalogError::NotFound(format!("Job with name: {name} not found."))
}

fn no_bookmark(name: &str) -> CatalogError {
    CatalogError::NotFound(format!("Continuation for job {name} not found"))
}

/// Where runs happen, and the runs under way.
pub(crate) struct Runtime {
    /// Run directories and the `awsglue` package live here.
    work_dir: PathBuf,
    /// Owns `work_dir` when it is a temporary directory (in-memory catalogs).
    _temporary: Option<tempfile::TempDir>,
    /// The directory put on `PYTHONPATH`, once the package is written.
    python_path: OnceLock<PathBuf>,
    logs: RwLock<Arc<dyn JobLogs>>,
    /// Runs under way by id: their job, and the flag that stops them.
    live: Mutex<HashMap<String, (String, watch::Sender<bool>)>>,
}

impl Runtime {
    /// Runs work under `dir`, or under a temporary directory when `None`.
    pub(crate) fn new(dir: Option<PathBuf>) -> Result<Self> {
        let (work_dir, temporary) = match dir {
            Some(d) => (d, None),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("lakestack-glue-jobs-")
                    .tempdir()
                    .map_err(|e| CatalogError::Internal(Box::new(e)))?;
                (t.path().to_owned(), Some(t))
            }
        };
        Ok(Self {
            work_dir,
            _temporary: temporary,
            python_path: OnceLock::new(),
            logs: RwLock::new(Arc::new(NoJobLogs)),
            live: Mutex::new(HashMap::new()),
        })
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, watch::Sender<bool>)>> {
        self.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn logs(&self) -> Arc<dyn JobLogs> {
        Arc::clone(&self.logs.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

impl Catalog {
    /// Where job runs' output lines go from now on (CloudWatch Logs in the
    /// server); until set, nowhere.
    pub fn set_job_logs(&self, logs: Arc<dyn JobLogs>) {
        *self
            .jobs
            .logs
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = logs;
    }

    pub fn create_job(&self, mut job: Job, tags: Vec<(String, String)>) -> Result<()> {
        validate::job(&job)?;
        let now = self.now_ms();
        job.created_on = now;
        job.last_modified_on = now;
        let arn = self.job_arn(&job.name);
        self.store.write(|tx| {
            if Store::get_job(tx, &job.name)?.is_some() {
                return Err(CatalogError::AlreadyExists(format!("{} already exists.", job.name)));
            }
            Store::put_job(tx, &job)?;
            for (k, v) in &tags {
                Store::set_tag(tx, &arn, k, v)?;
            }
            Ok(())
        })
    }

    /// Replaces the definition of job `name` with `job` (UpdateJob's
    /// `JobUpdate`: what it leaves out is reset to Glue's defaults).
    pub fn update_job(&self, name: &str, mut job: Job) -> Result<()> {
        job.name = name.to_owned();
        validate::job(&job)?;
        let now = self.now_ms();
        self.store.write(|tx| {
            let current = Store::get_job(tx, name)?.ok_or_else(|| not_found(name))?;
            job.created_on = current.created_on;
            job.last_modified_on = now;
            Store::put_job(tx, &job)
        })
    }

    pub fn get_job(&self, name: &str) -> Result<Job> {
        self.store
            .read(|c| Store::get_job(c, name))?
            .ok_or_else(|| not_found(name))
    }

    /// Every job, in name order.
    pub fn list_jobs(&self) -> Result<Vec<Job>> {
        self.store.read(Store::list_jobs)
    }

    /// Deletes a job with its runs, bookmark and tags; a job that does not
    /// exist is no error (Glue answers DeleteJob with the name either way).
    /// Its runs under way are stopped.
    pub fn delete_job(&self, name: &str) -> Result<()> {
        let arn = self.job_arn(name);
        self.store.write(|tx| {
            Store::delete_job(tx, name)?;
            Store::remove_tags_under(tx, &arn)
        })?;
        for (job, stop) in self.jobs.live().values() {
            if job == name {
                stop.send_replace(true);
            }
        }
        Ok(())
    }

    /// The bookmark of a Spark job; Glue keeps none for other jobs, nor for
    /// a Spark job that never ran with `--job-bookmark-option job-bookmark-enable`.
    pub fn get_job_bookmark(&self, name: &str) -> Result<JobBookmark> {
        self.store.read(|c| {
            let job = Store::get_job(c, name)?.ok_or_else(|| not_found(name))?;
            if !job.has_bookmarks() {
                return Err(no_bookmark(name));
            }
            Store::get_job_bookmark(c, name)?.ok_or_else(|| no_bookmark(name))
        })
    }

    /// Forgets what the bookmark of a Spark job has processed; answers the
    /// bookmark as reset.
    pub fn reset_job_bookmark(&self, name: &str, run_id: Option<&str>) -> Result<JobBookmark> {
        self.store.write(|tx| {
            let job = Store::get_job(tx, name)?.ok_or_else(|| not_found(name))?;
            if !job.has_bookmarks() {
                return Err(no_bookmark(name));
            }
            let mut bookmark = Store::get_job_bookmark(tx, name)?.ok_or_else(|| no_bookmark(name))?;
            if let Some(id) = run_id {
                bookmark.run_id = Some(id.to_owned());
            }
            bookmark.version += 1;
            bookmark.job_bookmark = "{}".into();
            Store::put_job_bookmark(tx, &bookmark)?;
            Ok(bookmark)
        })
    }

    /// The catalog clock's now, in milliseconds since the epoch.
    pub(crate) fn now_ms(&self) -> i64 {
        self.settings.clock.now().timestamp_millis()
    }
}
