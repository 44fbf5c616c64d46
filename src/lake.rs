//! Glue, Athena and Step Functions, opened on their first request.
//!
//! A fresh data directory serves S3 alone until someone calls one of them:
//! their files, the crawler scheduler and the query engine cost nothing at
//! start (docs/bench.md, "Footprint"). A directory that already holds their
//! state opens them at start instead, so scheduled crawlers run and
//! executions interrupted by the last stop are marked at once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use async_trait::async_trait;
use lakestack_aws_protocol::{Call, Output, Service, ServiceError, ServiceSpec};
use lakestack_catalog::{Catalog, CatalogSettings, GlueService};
use lakestack_query::{AthenaService, QueryEngine, QueryLimits};
use lakestack_stepfn::{StepFunctions, StepFunctionsApi};
use tokio::sync::OnceCell;

use crate::{bus, integrations};

/// The lake's services, once open.
pub struct Lake {
    glue: GlueService,
    athena: AthenaService,
    states: StepFunctionsApi,
}

/// What opening the lake needs; all of it is known at start.
pub struct Settings {
    pub data_dir: PathBuf,
    pub objects: Arc<dyn object_store::ObjectStore>,
    pub bus: bus::Bus,
    pub catalog: CatalogSettings,
    pub query_limits: QueryLimits,
    pub states: lakestack_stepfn::Settings,
}

/// The directories the lake keeps under the data directory.
const DIRS: [&str; 3] = ["glue", "athena", "stepfunctions"];

pub struct LakeCell {
    settings: Settings,
    lake: OnceCell<Lake>,
}

impl LakeCell {
    pub fn new(settings: Settings) -> Arc<Self> {
        Arc::new(Self {
            settings,
            lake: OnceCell::new(),
        })
    }

    /// Whether the data directory already holds some of the lake's state.
    pub fn has_state(&self) -> bool {
        DIRS.iter().any(|d| self.settings.data_dir.join(d).exists())
    }

    /// Opens the lake now; a failure stops the server as any other start-up failure does.
    pub fn open_now(&self) -> anyhow::Result<()> {
        if self.lake.initialized() {
            return Ok(());
        }
        let lake = open(&self.settings)?;
        // Only the first caller's lake is kept; a racing open is dropped.
        let _ = self.lake.set(lake);
        Ok(())
    }

    async fn get(&self, spec: &'static ServiceSpec) -> Result<&Lake, ServiceError> {
        // The open is a few ms of file work: off the async workers, yet with
        // no await inside, so a request dropped meanwhile cannot abandon it
        // half-way and let a second one start.
        self.lake
            .get_or_try_init(|| async { tokio::task::block_in_place(|| open(&self.settings)) })
            .await
            .map_err(|e| {
                tracing::error!(
                    error = format!("{e:#}"),
                    "opening Glue, Athena and Step Functions failed"
                );
                spec.internal_error()
            })
    }

    /// The stand-ins to register for the lake's services.
    pub fn services(self: &Arc<Self>) -> [Arc<dyn Service>; 3] {
        let one = |spec, pick| -> Arc<dyn Service> {
            Arc::new(OnFirstUse {
                spec,
                lake: Arc::clone(self),
                pick,
            })
        };
        [
            one(&lakestack_catalog::GLUE_SPEC, |l| &l.glue),
            one(&lakestack_query::ATHENA_SPEC, |l| &l.athena),
            one(&lakestack_stepfn::STATES_SPEC, |l| &l.states),
        ]
    }
}

fn open(s: &Settings) -> anyhow::Result<Lake> {
    let dir: &Path = &s.data_dir;
    // Everything that can fail comes first: a failed open leaves nothing
    // running behind it (a scheduler, a bus forwarder), and the next request
    // tries again from nothing.
    let catalog = Catalog::open(&dir.join("glue"), Arc::clone(&s.objects), s.catalog.clone())
        .with_context(|| format!("opening the Glue catalog under {}", dir.display()))?;
    let engine = QueryEngine::open(
        &dir.join("athena"),
        Arc::clone(&catalog),
        Arc::clone(&s.objects),
        s.query_limits,
    )
    .with_context(|| format!("opening Athena's state under {}", dir.display()))?;
    let glue = GlueService::new(Arc::clone(&catalog));
    let athena = AthenaService::new(engine, Arc::clone(&catalog));
    let states = StepFunctions::open(
        Some(&dir.join("stepfunctions")),
        s.states.clone(),
        Arc::new(integrations::Services {
            glue: glue.clone(),
            athena: athena.clone(),
            objects: Arc::clone(&s.objects),
        }),
    )
    .with_context(|| format!("opening Step Functions' state under {}", dir.display()))?;
    s.bus.attach_catalog(&catalog);
    catalog.start_scheduler();
    tracing::debug!("Glue, Athena and Step Functions are open");
    Ok(Lake {
        glue,
        athena,
        states: StepFunctionsApi::new(states),
    })
}

/// One of the lake's services, standing in for it until the lake is open:
/// the router needs only its spec, which is known without opening anything.
struct OnFirstUse {
    spec: &'static ServiceSpec,
    lake: Arc<LakeCell>,
    pick: fn(&Lake) -> &dyn Service,
}

#[async_trait]
impl Service for OnFirstUse {
    fn spec(&self) -> &'static ServiceSpec {
        self.spec
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        let lake = self.lake.get(self.spec).await?;
        (self.pick)(lake).call(call).await
    }
}
