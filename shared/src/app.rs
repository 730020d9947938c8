//! The application: configuration and the ports, wired once per process (per cold start on
//! Lambda) and shared by every handler.

use std::sync::Arc;

use crate::adapters::system::{SystemClock, UlidIds};
use crate::auth::TokenVerifier;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::ports::{Clock, Ids, JobQueue, Mailer, Push, Store};
use crate::runtime::{DirectoryCache, FrameRate};

pub struct App {
    pub config: Config,
    pub tokens: TokenVerifier,
    pub store: Arc<dyn Store>,
    pub push: Arc<dyn Push>,
    pub jobs: Arc<dyn JobQueue>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    /// Each connection's frame budget, in this process.
    pub frame_rate: FrameRate,
    /// Tenants and users recently read, for authentication (`Limits::directory_cache_ttl`).
    pub directory: DirectoryCache,
    /// Operational counts (CloudWatch Embedded Metric Format on Lambda; off locally unless asked).
    pub metrics: Metrics,
}

impl App {
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        push: Arc<dyn Push>,
        jobs: Arc<dyn JobQueue>,
        mailer: Arc<dyn Mailer>,
    ) -> Self {
        let tokens = TokenVerifier::new(
            config.jwt_secret.expose().as_bytes(),
            config.guest_secret.expose().as_bytes(),
            config.jwt_issuer.as_deref(),
            config.jwt_audience.as_deref(),
        );
        #[cfg(feature = "jwks")]
        let tokens = match config.jwks_url.as_deref().map(crate::jwks::Jwks::new) {
            Some(Ok(keys)) => tokens.with_provider_keys(keys),
            Some(Err(e)) => {
                // Fails closed: the provider's tokens are refused, the platform's HS256 ones work.
                tracing::error!(error = %e, "could not set up reading MISSIVE_JWKS_URL");
                tokens
            }
            None => tokens,
        };
        let frame_rate = FrameRate::new(config.limits.max_frames_per_window, config.limits.rate_window);
        let directory = DirectoryCache::new(config.limits.directory_cache_ttl);
        Self {
            frame_rate,
            directory,
            config,
            tokens,
            store,
            push,
            jobs,
            mailer,
            clock: Arc::new(SystemClock),
            ids: Arc::new(UlidIds::default()),
            metrics: Metrics::off(),
        }
    }

    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}
