//! `missive-local`: the whole of Missive in one process, on an embedded durable store.

mod demo;
mod demo_site;
mod gateway;
mod outbox;
mod queue;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use clap::{Args, Parser, Subcommand};
use missive::adapters::aws::push_credentials::SecretsManagerPushCredentials;
use missive::adapters::aws::s3_files::S3Files;
use missive::adapters::aws::sqs_queue::SqsQueue;
use missive::adapters::aws::{provision, sdk_config};
use missive::adapters::dynamo::DynamoStore;
use missive::adapters::embedded::EmbeddedStore;
use missive::adapters::local::{LocalFiles, LocalPush, LocalPushCredentials, LocalQueue, Outbox};
use missive::adapters::push::PushServices;
use missive::adapters::webhooks::HttpWebhooks;
use missive::config::Config;
use missive::domain::QueueName;
use missive::metrics::Metrics;
use missive::ports::JobQueue;
use missive::usecases::thumbnails::thumbnail_job;
use missive::workers::{EmailsWorker, FanoutWorker, NotificationsWorker};
use missive::App;
use tokio::sync::watch;

use crate::gateway::{Gateway, GatewayLimits};

/// A frame is allocated on one thread and freed on another (the socket's writer), events and
/// records are many small allocations: mimalloc's thread-local heaps serve them without the
/// locks and consolidation of glibc's arenas (docs/performance.md, "Same load client").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Development defaults, printed when used. Never use them beyond a laptop.
const DEV_JWT_SECRET: &str = "missive-dev-secret-change-me";
const DEV_PLATFORM_KEY: &str = "missive-dev-platform-key";
/// The local runtime's sender of e-mails when `MISSIVE_EMAIL_FROM` is not set.
const DEV_EMAIL_FROM: &str = "Missive <no-reply@missive.local>";

#[derive(Parser)]
#[command(name = "missive-local", version, about = "Missive in one process: REST, WebSocket and an embedded store")]
/// The serving flags are global: `missive-local --port 0` and `missive-local serve --port 0`
/// mean the same.
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    secrets: SecretArgs,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST API and the WebSocket endpoint (the default).
    Serve,
    /// Print a platform token signed with the JWT secret, as a platform's backend would.
    Token(TokenArgs),
    /// Create the DynamoDB table (with its index, TTL and point-in-time recovery) and the
    /// queues (each with its dead-letter queue) at the configured AWS endpoint, for
    /// `--backend aws`. Queues are named after the table. Safe to run again.
    SetupAws,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Backend {
    /// redb in the data directory.
    Embedded,
    /// DynamoDB at the standard AWS configuration's endpoint (`AWS_ENDPOINT_URL`…).
    Aws,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum MailerKind {
    /// Write each e-mail as an .eml file in DATA_DIR/outbox (listed at GET /local/outbox).
    Outbox,
    /// Send through SES (API v2) at the standard AWS configuration's endpoint.
    Ses,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum MetricsOutput {
    Off,
    /// One CloudWatch Embedded Metric Format line per count on stdout.
    Emf,
}

#[derive(Args)]
struct SecretArgs {
    /// HS256 secret of platform tokens.
    #[arg(long, env = "MISSIVE_JWT_SECRET", hide_env_values = true, global = true)]
    jwt_secret: Option<String>,
    /// The platform operator's key, for /v1/admin/tenants.
    #[arg(long, env = "MISSIVE_PLATFORM_KEY", hide_env_values = true, global = true)]
    platform_key: Option<String>,
}

#[derive(Args)]
struct ServeArgs {
    #[arg(long, env = "MISSIVE_HOST", default_value = "127.0.0.1", global = true)]
    host: String,
    /// 0 picks a free port (printed on start).
    #[arg(long, env = "MISSIVE_PORT", default_value_t = 3000, global = true)]
    port: u16,
    #[arg(long, env = "MISSIVE_DATA_DIR", default_value = "./.missive", global = true)]
    data_dir: PathBuf,
    /// Where data lives.
    #[arg(long, env = "MISSIVE_BACKEND", value_enum, default_value = "embedded", global = true)]
    backend: Backend,
    /// The DynamoDB table, with `--backend aws`.
    #[arg(long, env = "MISSIVE_TABLE", default_value = "missive", global = true)]
    table: String,
    /// Do not create the demo tenant, print its tokens nor serve the demo app.
    #[arg(long, global = true)]
    no_demo: bool,
    /// The built demo app served at `/demo/` (with the demo, on a loopback address only).
    #[arg(long, env = "MISSIVE_DEMO_DIR", default_value = demo_site::DEFAULT_DEMO_DIR, global = true)]
    demo_dir: PathBuf,
    /// Close a WebSocket after this many seconds without traffic (API Gateway: 600).
    #[arg(long, env = "MISSIVE_IDLE_TIMEOUT_SECS", default_value_t = 600, global = true)]
    idle_timeout_secs: u64,
    /// How e-mails leave: `.eml` files in DATA_DIR/outbox, or SES at the AWS endpoint.
    #[arg(long, env = "MISSIVE_MAILER", value_enum, default_value = "outbox", global = true)]
    mailer: MailerKind,
    /// The embedded store's page cache, in MiB: what the store keeps in memory at most.
    #[arg(long, env = "MISSIVE_STORE_CACHE_MIB", default_value_t = 64, global = true)]
    store_cache_mib: usize,
    /// How often the scheduler looks for due jobs (on AWS: every minute).
    #[arg(long, env = "MISSIVE_SCHEDULER_INTERVAL_MS", default_value_t = 1000, global = true)]
    scheduler_interval_ms: u64,
    /// Operational counts: none, or CloudWatch embedded metric lines on stdout.
    #[arg(long, env = "MISSIVE_METRICS", value_enum, default_value = "off", global = true)]
    metrics: MetricsOutput,
    /// Close a WebSocket this many seconds after it opened (API Gateway: 7200).
    #[arg(long, env = "MISSIVE_MAX_CONNECTION_SECS", default_value_t = 7200, global = true)]
    max_connection_secs: u64,
}

#[derive(Args)]
struct TokenArgs {
    #[arg(long, default_value = demo::DEMO_TENANT)]
    tenant: String,
    #[arg(long)]
    user: String,
    /// member, partner or admin.
    #[arg(long, default_value = "member")]
    role: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    locale: Option<String>,
    #[arg(long, default_value_t = 24)]
    ttl_hours: i64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Token(args)) => {
            let secret = cli.secrets.jwt_secret.as_deref().unwrap_or(DEV_JWT_SECRET);
            let token = demo::token(
                secret,
                &demo::TokenRequest {
                    tenant: &args.tenant,
                    user: &args.user,
                    role: &args.role,
                    name: args.name.as_deref(),
                    email: args.email.as_deref(),
                    locale: args.locale.as_deref(),
                    ttl_hours: args.ttl_hours,
                },
            )?;
            println!("{token}");
            Ok(())
        }
        Some(Command::SetupAws) => {
            init_logging();
            let sdk = sdk_config().await;
            let created = provision::create_table(&sdk, &cli.serve.table).await?;
            println!("table {}: {}", cli.serve.table, if created { "created" } else { "exists already" });
            let mut queues: Vec<_> = provision::create_queues(&sdk, &cli.serve.table).await?.into_iter().collect();
            queues.sort_by_key(|(name, _)| name.as_str());
            for (name, url) in queues {
                println!("queue {}: {url}", name.as_str());
            }
            let bucket = provision::files_bucket(&cli.serve.table);
            let created = provision::create_bucket(&sdk, &bucket).await?;
            println!("bucket {bucket}: {}", if created { "created" } else { "exists already" });
            let urls = provision::queue_urls(&sdk, &cli.serve.table).await?;
            provision::notify_uploads(&sdk, &bucket, &urls[&QueueName::Notifications]).await?;
            println!("bucket {bucket}: uploads told to the notifications queue");
            Ok(())
        }
        None | Some(Command::Serve) => serve(&cli).await,
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("MISSIVE_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

/// The configuration the Lambda functions read from the environment, with the flags and
/// the development defaults laid over it.
fn config(secrets: &SecretArgs) -> anyhow::Result<Config> {
    let jwt_secret = secrets.jwt_secret.clone().unwrap_or_else(|| {
        tracing::warn!("MISSIVE_JWT_SECRET not set: using the development secret `{DEV_JWT_SECRET}`");
        DEV_JWT_SECRET.into()
    });
    let platform_key = secrets.platform_key.clone().unwrap_or_else(|| {
        tracing::warn!("MISSIVE_PLATFORM_KEY not set: using the development key `{DEV_PLATFORM_KEY}`");
        DEV_PLATFORM_KEY.into()
    });
    Config::from_lookup(|name| match name {
        "MISSIVE_JWT_SECRET" => Some(jwt_secret.clone()),
        "MISSIVE_PLATFORM_KEY" => Some(platform_key.clone()),
        // A laptop's receivers listen on it: webhooks may go to this machine over plain http.
        "MISSIVE_WEBHOOKS_ALLOW_LOOPBACK" => Some(std::env::var(name).unwrap_or_else(|_| "true".into())),
        other => std::env::var(other).ok(),
    })
    .context("invalid configuration")
}

/// Connections waiting to be accepted: a burst of clients connecting together (a reconnect
/// storm, a benchmark's 500 at once) overflows the default of 128, and the kernel makes the
/// overflow retry after a second.
const LISTEN_BACKLOG: u32 = 1024;

async fn listen(host: &str, port: u16) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for addr in tokio::net::lookup_host((host, port)).await? {
        let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
        socket.set_reuseaddr(true)?;
        match socket.bind(addr).and_then(|()| socket.listen(LISTEN_BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no address to listen on")))
}

async fn serve(cli: &Cli) -> anyhow::Result<()> {
    init_logging();
    let args = &cli.serve;
    let mut config = config(&cli.secrets)?;
    let listener =
        listen(&args.host, args.port).await.with_context(|| format!("binding {}:{}", args.host, args.port))?;
    let addr: SocketAddr = listener.local_addr()?;
    // Frames are small and follow each other: without TCP_NODELAY, Nagle's algorithm holds a
    // frame sent while the previous one is unacknowledged, and the client's delayed ACK makes
    // that up to 40 ms.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY on a connection");
        }
    });
    let base = format!("http://{addr}");
    config.public_url.get_or_insert_with(|| base.clone());
    config.email_from.get_or_insert_with(|| DEV_EMAIL_FROM.into());
    let jwt_secret = config.jwt_secret.clone();
    let platform_key = config.platform_key.clone();
    let push = Arc::new(LocalPush::default());
    let outbox = Arc::new(Outbox::open(args.data_dir.join("outbox"))?);
    // Attachments in the data directory, behind this runtime's own signed URLs (with
    // `--backend aws`, in S3 instead).
    let public_url = config.public_url.clone().unwrap_or_else(|| base.clone());
    let local_files = Arc::new(LocalFiles::open(args.data_dir.join("files"), public_url)?);
    let (stop, stopped) = watch::channel(false);
    let sdk = match (args.backend, args.mailer) {
        (Backend::Embedded, MailerKind::Outbox) => None,
        _ => Some(sdk_config().await),
    };
    let mailer: Arc<dyn missive::ports::Mailer> = match (args.mailer, &sdk) {
        (MailerKind::Ses, Some(sdk)) => Arc::new(missive::adapters::aws::ses_mailer::SesMailer::from_sdk(
            sdk,
            std::env::var("MISSIVE_SES_CONFIGURATION_SET").ok(),
            std::env::var("MISSIVE_SES_TENANT_PREFIX").ok().filter(|p| !p.is_empty()),
        )),
        _ => outbox.clone(),
    };
    // Tenants' FCM and APNs credentials: in Secrets Manager with `--backend aws` (named after
    // the table, as a stack's are after the stack), otherwise in the data directory.
    let push_credentials: Arc<dyn missive::ports::PushCredentialStore> = match (args.backend, &sdk) {
        (Backend::Aws, Some(sdk)) => Arc::new(SecretsManagerPushCredentials::from_sdk(sdk, &args.table)),
        _ => Arc::new(LocalPushCredentials::new(args.data_dir.join("push-credentials"))),
    };
    let webhooks = Arc::new(
        HttpWebhooks::new(config.webhooks_loopback_allowed, config.webhook_timeout).context("setting up webhooks")?,
    );
    let push_services: Arc<dyn missive::ports::PushService> =
        Arc::new(PushServices::new(&config, push_credentials.clone()).context("setting up the push services")?);
    let app = match (args.backend, &sdk) {
        (Backend::Aws, Some(sdk)) => {
            tracing::info!(table = %args.table, "using DynamoDB and SQS");
            let metrics = metrics(args);
            let store = Arc::new(DynamoStore::from_sdk(sdk, &args.table, metrics.clone()));
            let urls = provision::queue_urls(sdk, &args.table).await?;
            let jobs = Arc::new(SqsQueue::from_sdk(sdk, urls.clone(), metrics.clone()));
            let sqs = jobs.client().clone();
            let files = S3Files::from_sdk(sdk, provision::files_bucket(&args.table), None)?;
            let app = App::new(config, store, push.clone(), jobs, mailer).with_metrics(metrics);
            let app = Arc::new(
                app.with_files(Arc::new(files))
                    .with_push_services(push_services)
                    .with_push_credentials(push_credentials)
                    .with_webhook_sender(webhooks.clone()),
            );
            let url = |queue: QueueName| urls[&queue].clone();
            tokio::spawn(queue::poll_sqs(
                FanoutWorker,
                app.clone(),
                sqs.clone(),
                url(QueueName::Fanout),
                stopped.clone(),
            ));
            tokio::spawn(queue::poll_sqs(
                NotificationsWorker,
                app.clone(),
                sqs.clone(),
                url(QueueName::Notifications),
                stopped.clone(),
            ));
            tokio::spawn(queue::poll_sqs(
                EmailsWorker,
                app.clone(),
                sqs.clone(),
                url(QueueName::Emails),
                stopped.clone(),
            ));
            app
        }
        _ => {
            let cache = args.store_cache_mib.saturating_mul(1024 * 1024);
            let store = Arc::new(EmbeddedStore::open_with_cache(&args.data_dir, cache)?);
            // The jobs live in the store too: a restart finds them where they were.
            let jobs = Arc::new(LocalQueue::durable(store.clone())?);
            let app = App::new(config, store, push.clone(), jobs.clone(), mailer).with_metrics(metrics(args));
            let app = Arc::new(
                app.with_files(local_files.clone())
                    .with_push_services(push_services)
                    .with_push_credentials(push_credentials)
                    .with_webhook_sender(webhooks.clone()),
            );
            // An upload stored is a thumbnail to make, as S3's event makes it on AWS.
            let queue = jobs.clone();
            local_files.when_uploaded(Box::new(move |key| {
                if let Some(job) = thumbnail_job(key.as_str()) {
                    let queue = queue.clone();
                    tokio::spawn(async move {
                        if let Err(e) = queue.enqueue(&job, None).await {
                            tracing::error!(error = %e, "could not queue a thumbnail");
                        }
                    });
                }
            }));
            tokio::spawn(queue::work(FanoutWorker, app.clone(), jobs.clone(), stopped.clone()));
            tokio::spawn(queue::work(NotificationsWorker, app.clone(), jobs.clone(), stopped.clone()));
            tokio::spawn(queue::work(EmailsWorker, app.clone(), jobs.clone(), stopped.clone()));
            app
        }
    };
    tokio::spawn(schedule(app.clone(), Duration::from_millis(args.scheduler_interval_ms.max(10)), stopped.clone()));
    if !args.no_demo && demo::seed(&app).await? {
        tracing::info!("created the demo tenant `{}`", demo::DEMO_TENANT);
    }

    let gateway = Gateway {
        app: app.clone(),
        push,
        limits: GatewayLimits {
            idle_timeout: Duration::from_secs(args.idle_timeout_secs),
            max_lifetime: Duration::from_secs(args.max_connection_secs),
        },
        shutdown: stopped,
        open_sockets: Default::default(),
    };
    let open_sockets = gateway.open_sockets.clone();
    let mut router = Router::new()
        .route("/ws", get(gateway::endpoint))
        .with_state(gateway)
        .merge(outbox::routes(outbox))
        .merge(missive::adapters::local::files::routes(local_files))
        .merge(missive::http::router(app));
    // The demo hands out tokens and the platform key: never beyond this machine.
    let serve_demo_app = !args.no_demo && addr.ip().is_loopback();
    if serve_demo_app {
        router = router.merge(demo_site::routes(&args.demo_dir, jwt_secret.expose(), platform_key.expose()));
    } else if !args.no_demo {
        tracing::info!("not serving the demo app: {} is not a loopback address", addr.ip());
    }

    println!("Missive listening on {base}");
    if serve_demo_app {
        println!("Demo app: {base}/demo/");
    }
    if !args.no_demo {
        print!("{}", demo::banner(jwt_secret.expose(), &base)?);
    }

    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            wait_for_signal().await;
            tracing::info!("shutting down");
            let _ = stop.send(true);
        })
        .await?;
    Gateway::drain(&open_sockets).await;
    Ok(())
}

/// CloudWatch embedded metrics on stdout with `--metrics emf` (as the Lambda functions write
/// them, under the stack `local`); none by default.
fn metrics(args: &ServeArgs) -> Metrics {
    match args.metrics {
        MetricsOutput::Off => Metrics::off(),
        MetricsOutput::Emf => Metrics::stdout("local"),
    }
}

/// The scheduler: the same pass as the `scheduler` Lambda function, on a timer.
async fn schedule(app: Arc<App>, every: Duration, mut shutdown: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if let Err(e) = app.scheduling.run_scheduler().await {
                    e.log_if_internal();
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command};

    #[test]
    fn serving_flags_go_before_or_after_serve() {
        for args in
            [&["missive-local", "--port", "0", "serve"][..], &["missive-local", "serve", "--port", "0", "--no-demo"]]
        {
            let cli = Cli::try_parse_from(args).unwrap();
            assert!(matches!(cli.command, Some(Command::Serve)));
            assert_eq!(cli.serve.port, 0, "{args:?}");
        }
        let cli = Cli::try_parse_from(["missive-local", "setup-aws", "--table", "t1"]).unwrap();
        assert_eq!(cli.serve.table, "t1");
    }
}
