//! Glue, Athena, Step Functions, Lambda, CloudWatch Logs, IAM, STS, SQS,
//! SNS, EventBridge, EventBridge Scheduler, Kinesis and Firehose, opened on
//! their first request.
//!
//! A fresh data directory serves S3 alone until someone calls one of them:
//! their files, the crawler scheduler and the query engine cost nothing at
//! start (docs/bench.md, "Footprint"). A directory that already holds their
//! state opens them at start instead, so scheduled crawlers run, executions
//! interrupted by the last stop are marked, and queued asynchronous
//! invocations resume at once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use lakestack_aws_protocol::{Call, Clock, Output, Service, ServiceError, ServiceSpec};
use lakestack_catalog::{Catalog, CatalogSettings, GlueService};
use lakestack_events::{Events, EventsApi, SchedulerApi};
use lakestack_firehose::{Firehose, FirehoseApi};
use lakestack_iam::{Iam, IamApi, StsApi};
use lakestack_kinesis::{Kinesis, KinesisApi};
use lakestack_lambda::runtime::Interpreters;
use lakestack_lambda::{Lambda, LambdaApi};
use lakestack_logs::{Logs, LogsApi};
use lakestack_query::{AthenaService, QueryEngine, QueryLimits};
use lakestack_sns::{Sns, SnsApi};
use lakestack_sqs::{Sqs, SqsApi};
use lakestack_stepfn::{StepFunctions, StepFunctionsApi};
use tokio::sync::OnceCell;

use crate::{bus, events_host, firehose_host, integrations, lambda_host, service_events, service_logs, sns_host};

/// The lake's services, once open.
pub struct Lake {
    glue: GlueService,
    athena: AthenaService,
    states: StepFunctionsApi,
    iam: Arc<Iam>,
    iam_api: IamApi,
    sts_api: StsApi,
    logs_api: LogsApi,
    lambda_api: LambdaApi,
    sqs_api: SqsApi,
    sns_api: SnsApi,
    events_api: EventsApi,
    scheduler_api: SchedulerApi,
    kinesis_api: KinesisApi,
    firehose_api: FirehoseApi,
}

impl Lake {
    pub fn events(&self) -> &Arc<Events> {
        self.events_api.events()
    }

    pub fn sqs(&self) -> &Arc<Sqs> {
        self.sqs_api.service()
    }

    pub fn sns(&self) -> &Arc<Sns> {
        self.sns_api.service()
    }

    pub fn lambda(&self) -> &Arc<Lambda> {
        self.lambda_api.service()
    }
}

/// How Lambda runs functions on this machine.
pub struct LambdaSettings {
    pub interpreters: Arc<Interpreters>,
    pub max_processes: usize,
    pub idle_timeout: Duration,
}

/// What opening the lake needs; all of it is known at start.
pub struct Settings {
    pub data_dir: PathBuf,
    /// The server's one clock, shared by every service.
    pub clock: Clock,
    /// EventBridge's largest PutEvents entry.
    pub events_max_entry_bytes: usize,
    pub objects: Arc<dyn object_store::ObjectStore>,
    pub bus: bus::Bus,
    pub catalog: CatalogSettings,
    pub query_limits: QueryLimits,
    pub states: lakestack_stepfn::Settings,
    pub lambda: LambdaSettings,
    /// lakestack's own URL, for functions' SDKs, once the server listens.
    pub endpoint: Arc<OnceLock<String>>,
}

/// The directories the lake keeps under the data directory.
const DIRS: [&str; 11] = [
    "glue",
    "athena",
    "stepfunctions",
    "iam",
    "logs",
    "lambda",
    "sqs",
    "sns",
    "events",
    "kinesis",
    "firehose",
];

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
                tracing::error!(error = format!("{e:#}"), "opening the lake's services failed");
                spec.internal_error()
            })
    }

    /// The lake, opened now if it is not yet (for work that comes from S3,
    /// not from a request to one of the lake's services); None if it fails.
    pub async fn opened(&self) -> Option<&Lake> {
        self.get(&lakestack_sqs::SQS_SPEC).await.ok()
    }

    /// Lambda, if the lake is open.
    pub fn lambda(&self) -> Option<&Arc<Lambda>> {
        self.lake.get().map(|l| l.lambda_api.service())
    }

    /// SNS, if the lake is open.
    pub fn sns(&self) -> Option<&Arc<Sns>> {
        self.lake.get().map(Lake::sns)
    }

    /// IAM, if the lake is open: the keys it issued sign requests too.
    pub fn iam(&self) -> Option<&Arc<Iam>> {
        self.lake.get().map(|l| &l.iam)
    }

    /// The stand-ins to register for the lake's services.
    pub fn services(self: &Arc<Self>) -> [Arc<dyn Service>; 13] {
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
            one(&lakestack_lambda::LAMBDA_SPEC, |l| &l.lambda_api),
            one(&lakestack_logs::LOGS_SPEC, |l| &l.logs_api),
            one(&lakestack_iam::IAM_SPEC, |l| &l.iam_api),
            one(&lakestack_iam::STS_SPEC, |l| &l.sts_api),
            one(&lakestack_sqs::SQS_SPEC, |l| &l.sqs_api),
            one(&lakestack_sns::SNS_SPEC, |l| &l.sns_api),
            one(&lakestack_events::EVENTS_SPEC, |l| &l.events_api),
            one(&lakestack_events::SCHEDULER_SPEC, |l| &l.scheduler_api),
            one(&lakestack_kinesis::KINESIS_SPEC, |l| &l.kinesis_api),
            one(&lakestack_firehose::FIREHOSE_SPEC, |l| &l.firehose_api),
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
    let (region, account) = (s.catalog.region.clone(), s.catalog.account_id.clone());
    let clock = s.clock.clone();
    let iam = Arc::new(
        Iam::open(lakestack_iam::Settings {
            account_id: account.clone(),
            region: region.clone(),
            dir: Some(dir.join("iam")),
            clock: clock.clone(),
        })
        .with_context(|| format!("opening IAM's state under {}", dir.display()))?,
    );
    let logs = Logs::open(
        Some(&dir.join("logs")),
        lakestack_logs::Settings {
            account_id: account.clone(),
            region: region.clone(),
            clock: clock.clone(),
        },
    )
    .with_context(|| format!("opening CloudWatch Logs' state under {}", dir.display()))?;
    let sqs = Sqs::open(lakestack_sqs::Settings {
        account_id: account.clone(),
        region: region.clone(),
        dir: Some(dir.join("sqs")),
        clock: clock.clone(),
    })
    .with_context(|| format!("opening SQS's state under {}", dir.display()))?;
    let kinesis = Kinesis::open(lakestack_aws_protocol::ServiceSettings {
        account_id: account.clone(),
        region: region.clone(),
        dir: Some(dir.join("kinesis")),
        clock: clock.clone(),
    })
    .with_context(|| format!("opening Kinesis' state under {}", dir.display()))?;
    let host = Arc::new(lambda_host::LambdaHost {
        endpoint: Arc::clone(&s.endpoint),
        iam: Arc::clone(&iam),
        logs: Arc::clone(&logs),
        sqs: Arc::clone(&sqs),
        sns: OnceLock::new(),
        kinesis: Arc::clone(&kinesis),
    });
    let lambda = Lambda::open(
        lakestack_lambda::Settings {
            region: region.clone(),
            account_id: account.clone(),
            dir: dir.join("lambda"),
            clock: clock.clone(),
            interpreters: Arc::clone(&s.lambda.interpreters),
            max_processes: s.lambda.max_processes,
            idle_timeout: s.lambda.idle_timeout,
        },
        Arc::clone(&host) as _,
        Arc::clone(&s.objects),
    )
    .with_context(|| format!("opening Lambda's state under {}", dir.display()))?;
    let sns = Sns::open(
        lakestack_sns::Settings {
            account_id: account.clone(),
            region: region.clone(),
            dir: Some(dir.join("sns")),
            clock: clock.clone(),
        },
        Arc::new(sns_host::SnsHost {
            endpoint: Arc::clone(&s.endpoint),
            sqs: Arc::clone(&sqs),
            lambda: Arc::clone(&lambda),
        }),
    )
    .with_context(|| format!("opening SNS's state under {}", dir.display()))?;
    let _ = host.sns.set(Arc::clone(&sns));
    let events_host = Arc::new(events_host::EventsHost {
        sqs: Arc::clone(&sqs),
        sns: Arc::clone(&sns),
        lambda: Arc::clone(&lambda),
        logs: Arc::clone(&logs),
        glue: glue.clone(),
        athena: athena.clone(),
        sqs_api: SqsApi::new(Arc::clone(&sqs)),
        states_api: OnceLock::new(),
        clock: clock.clone(),
        catalog: Arc::clone(&catalog),
    });
    let events = Events::open(
        lakestack_events::Settings {
            account_id: account,
            region,
            dir: Some(dir.join("events")),
            clock,
            max_entry_bytes: s.events_max_entry_bytes,
        },
        Arc::clone(&events_host) as _,
    )
    .with_context(|| format!("opening EventBridge's state under {}", dir.display()))?;
    let states = StepFunctions::open(
        Some(&dir.join("stepfunctions")),
        s.states.clone(),
        Arc::new(integrations::Services {
            glue: glue.clone(),
            athena: athena.clone(),
            sqs: SqsApi::new(Arc::clone(&sqs)),
            sns: Arc::clone(&sns),
            lambda: Arc::clone(&lambda),
            logs: Arc::clone(&logs),
            objects: Arc::clone(&s.objects),
            bus: s.bus.clone(),
        }),
    )
    .with_context(|| format!("opening Step Functions' state under {}", dir.display()))?;
    let _ = events_host.states_api.set(StepFunctionsApi::new(Arc::clone(&states)));
    let firehose = Firehose::open(
        lakestack_aws_protocol::ServiceSettings {
            account_id: s.catalog.account_id.clone(),
            region: s.catalog.region.clone(),
            dir: Some(dir.join("firehose")),
            clock: s.clock.clone(),
        },
        Arc::clone(&s.objects),
        Arc::clone(&catalog),
        Arc::new(firehose_host::FirehoseHost {
            lambda: Arc::clone(&lambda),
            kinesis: Arc::clone(&kinesis),
            logs: Arc::clone(&logs),
        }),
    )
    .with_context(|| format!("opening Firehose's state under {}", dir.display()))?;
    service_logs::attach_crawlers(&s.bus, &catalog, &logs);
    catalog.set_job_logs(Arc::new(service_logs::JobOutput(Arc::clone(&logs))));
    service_events::attach(&s.bus, &events, &catalog);
    s.bus.attach_catalog(&catalog);
    s.bus.attach_queries(athena.engine());
    s.bus.attach_states(&states);
    catalog.start_scheduler();
    sqs.start();
    lambda
        .start()
        .with_context(|| format!("resuming Lambda's queued invocations under {}", dir.display()))?;
    sns.start();
    events.start();
    kinesis.start();
    firehose.start();
    tracing::debug!("the lake's services are open");
    Ok(Lake {
        glue,
        athena,
        states: StepFunctionsApi::new(states),
        iam_api: IamApi::new(Arc::clone(&iam)),
        sts_api: StsApi::new(Arc::clone(&iam)),
        iam,
        logs_api: LogsApi::new(logs),
        lambda_api: LambdaApi::new(lambda),
        sqs_api: SqsApi::new(sqs),
        sns_api: SnsApi::new(sns),
        scheduler_api: SchedulerApi::new(Arc::clone(&events)),
        events_api: EventsApi::new(events),
        kinesis_api: KinesisApi::new(kinesis),
        firehose_api: FirehoseApi::new(firehose),
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
