//! The `lakestack` binary: one process, one port, every service.

mod bus;
mod config;
mod demo;
mod events_host;
mod firehose_host;
mod integrations;
mod lake;
mod lambda_host;
mod notify;
mod queue_source;
mod router;
mod service_events;
mod service_logs;
mod sns_host;
mod stream_source;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime};

use anyhow::Context as _;
use clap::Parser;
use lakestack_aws_protocol::{Clock, Registry};
use lakestack_catalog::CatalogSettings;
use lakestack_s3_api::{AuthMode, KeyLookup, S3Service, S3Settings};
use lakestack_storage::Storage;

use crate::config::{Auth, Config};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The stack of every worker thread.
const WORKER_STACK: usize = 16 << 20;

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let wall_start = SystemTime::now();
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                // The demo prints its own story; the server's log would bury it.
                let quiet = matches!(config.command, Some(config::Command::Demo(_)));
                tracing_subscriber::EnvFilter::new(if quiet { "warn" } else { "info,s3s=warn" })
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    // Parsers bound their depth, but a bound that is safe in a 2 MiB stack
    // is a small one; 16 MiB (address space, touched only when used) leaves
    // room for legitimately deep SQL and for dropping deep trees.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(WORKER_STACK)
        .enable_all()
        .build()?;
    runtime.block_on(run(config, started, wall_start))
}

async fn run(config: Config, started: Instant, wall_start: SystemTime) -> anyhow::Result<()> {
    if let Some(config::Command::Demo(args)) = &config.command {
        return demo::run(&config, args).await;
    }
    // Held for the life of the process: dropping it removes the ephemeral state.
    let ephemeral = if config.ephemeral {
        Some(tempfile::Builder::new().prefix("lakestack-").tempdir()?)
    } else {
        None
    };
    let data_dir = ephemeral
        .as_ref()
        .map_or_else(|| config.data_dir.clone(), |t| t.path().to_owned());
    let Stack {
        app,
        storage,
        endpoint,
        notifier,
    } = build(&config, &data_dir, started)?;
    let listener = tokio::net::TcpListener::bind((config.host, config.port))
        .await
        .with_context(|| format!("binding {}:{}", config.host, config.port))?;
    let addr = listener.local_addr()?;
    // Functions reach us on the loopback interface even when we listen on all.
    let reachable = if addr.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    };
    let _ = endpoint.set(format!("http://{reachable}"));
    // Sweeping leftovers of a crash runs after we listen, so start-up stays fast.
    let sweeper = Arc::clone(&storage);
    tokio::task::spawn_blocking(move || match sweeper.sweep(wall_start) {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "swept unreferenced blobs"),
        Err(e) => tracing::warn!(error = %e, "sweep failed"),
    });
    // Tests and scripts read this line to learn the port.
    println!(
        "lakestack ready on http://{addr} ({} ms)",
        started.elapsed().as_millis()
    );
    tracing::info!(%addr, data_dir = %data_dir.display(), "lakestack listening");
    // After the ready line, as the sweep: events the last run left in the
    // outbox go out first, then every new one as it is written.
    notifier.spawn();
    // Without TCP_NODELAY a response written as headers then body waits out
    // the peer's delayed ACK (~40 ms) on every small GET.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    drop(ephemeral);
    Ok(())
}

/// The mock configuration named by `--mock-config`: a file that does not
/// parse stops the server at start, naming what is wrong.
fn mock_config(path: Option<&std::path::Path>) -> anyhow::Result<Option<Arc<lakestack_stepfn::mock::MockConfig>>> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let config =
        lakestack_stepfn::mock::MockConfig::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(Some(Arc::new(config)))
}

/// How Glue's Python shell jobs run here: with `python3`, pointed back at
/// this server, signing with the first configured key pair under `--auth
/// strict` (any pair passes otherwise).
fn glue_jobs(config: &Config, endpoint: &Arc<OnceLock<String>>) -> anyhow::Result<lakestack_catalog::JobSettings> {
    let (access_key_id, secret_access_key) = match config.auth {
        Auth::Strict => config.key_pairs()?.into_iter().next().unwrap_or_default(),
        Auth::Permissive => ("test".into(), "test".into()),
    };
    Ok(lakestack_catalog::JobSettings {
        endpoint: Arc::clone(endpoint),
        access_key_id,
        secret_access_key,
        ..Default::default()
    })
}

/// Every service over one data directory, behind the one router.
struct Stack {
    app: axum::Router,
    storage: Arc<Storage>,
    /// lakestack's own URL, set once the server listens.
    endpoint: Arc<OnceLock<String>>,
    /// S3's event delivery, started once the server listens (the demo starts it itself).
    notifier: lakestack_s3_api::notify::Notifier,
}

fn build(config: &Config, data_dir: &std::path::Path, started: Instant) -> anyhow::Result<Stack> {
    let storage = Arc::new(
        Storage::open(&data_dir.join("s3")).with_context(|| format!("opening storage under {}", data_dir.display()))?,
    );
    let bus = bus::Bus::new();
    bus.attach_storage(&storage);
    let endpoint = Arc::new(OnceLock::new());
    // The one clock every service keeps time by (docs/clock.md).
    let clock = match config.clock_start {
        Some(start) => Clock::starting_at(config.wait_time_scale, start),
        None => Clock::scaled(config.wait_time_scale),
    };
    let lake = lake::LakeCell::new(lake::Settings {
        data_dir: data_dir.to_owned(),
        clock: clock.clone(),
        events_max_entry_bytes: config.events_max_entry_bytes,
        objects: Arc::new(storage.object_store()),
        bus,
        catalog: CatalogSettings {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            clock: clock.clone(),
            jobs: glue_jobs(config, &endpoint)?,
        },
        query_limits: config.query_limits(),
        states: lakestack_stepfn::Settings {
            region: config.region.clone(),
            account: config.account_id.clone(),
            clock: clock.clone(),
            mock: mock_config(config.mock_config.as_deref())?,
        },
        lambda: lake::LambdaSettings {
            interpreters: Arc::new(lakestack_lambda::runtime::Interpreters::new(
                config.lambda_interpreters()?,
            )),
            max_processes: config.lambda_max_processes.max(1),
            idle_timeout: config.lambda_idle_timeout,
        },
        endpoint: Arc::clone(&endpoint),
    });
    let keys: Option<KeyLookup> = match config.auth {
        Auth::Permissive => None,
        Auth::Strict => {
            let pairs = config.key_pairs()?;
            anyhow::ensure!(!pairs.is_empty(), "--auth strict needs at least one --keys AKID:SECRET");
            let configured: HashMap<String, String> = pairs.into_iter().collect();
            let lake = Arc::clone(&lake);
            // The configured pairs, then the keys IAM and STS have issued.
            Some(Arc::new(move |akid: &str| {
                configured
                    .get(akid)
                    .cloned()
                    .or_else(|| lake.iam()?.secret_for(akid).map(|k| k.secret_access_key))
            }))
        }
    };
    let auth = keys.clone().map_or(AuthMode::Permissive, AuthMode::Strict);
    let s3 = S3Service::build(
        Arc::clone(&storage),
        S3Settings {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            auth,
            hosts: config.s3_hosts.clone(),
            destinations: Some(Arc::new(notify::S3Destinations {
                lake: Arc::clone(&lake),
            })),
        },
    );
    let notifier = lakestack_s3_api::notify::Notifier {
        storage: Arc::clone(&storage),
        destinations: Arc::new(notify::S3Destinations {
            lake: Arc::clone(&lake),
        }),
        identity: lakestack_s3_api::notify::Identity {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
        },
    };
    if lake.has_state() {
        lake.open_now()?;
    }
    let services = lake.services().into_iter().fold(Registry::new(), Registry::register);
    let app = router::router(router::AppState {
        s3,
        services,
        keys,
        started: Arc::new(started),
        lake: Arc::clone(&lake),
        clock,
        strict: matches!(config.auth, Auth::Strict),
    });
    Ok(Stack {
        app,
        storage,
        endpoint,
        notifier,
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
