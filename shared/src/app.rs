//! The application: its configuration, its ports and its runtime services, wired once per
//! process (per cold start on Lambda) and shared by every handler.

use std::sync::Arc;

use crate::adapters::system::{SystemClock, UlidIds};
use crate::auth::TokenVerifier;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::ports::{
    Clock, ConnectionStore, ConversationStore, EffectStore, EventFeed, Ids, JobQueue, Mailer, MessageStore,
    NotificationStore, PendingEmailStore, PreferenceStore, Push, ReminderStore, ScheduleStore, Store, StoreHealth,
    StorefrontStore, TenantStore, ThrottleStore, UserStore,
};
use crate::runtime::{DirectoryCache, FrameRate};

pub struct App {
    pub config: Config,
    pub ports: Ports,
    pub services: Services,
}

/// What the use cases reach outside the process, one field per role (`ports/`): a use case
/// names the role it uses (`app.ports.messages`), whichever adapter the process wired.
pub struct Ports {
    pub tenants: Arc<dyn TenantStore>,
    pub users: Arc<dyn UserStore>,
    pub storefronts: Arc<dyn StorefrontStore>,
    pub conversations: Arc<dyn ConversationStore>,
    pub messages: Arc<dyn MessageStore>,
    pub events: Arc<dyn EventFeed>,
    pub connections: Arc<dyn ConnectionStore>,
    pub notifications: Arc<dyn NotificationStore>,
    pub preferences: Arc<dyn PreferenceStore>,
    pub pending_emails: Arc<dyn PendingEmailStore>,
    pub reminders: Arc<dyn ReminderStore>,
    pub schedule: Arc<dyn ScheduleStore>,
    pub effects: Arc<dyn EffectStore>,
    pub throttles: Arc<dyn ThrottleStore>,
    /// Whether storage answers at all (`/v1/health`).
    pub storage: Arc<dyn StoreHealth>,
    pub push: Arc<dyn Push>,
    pub jobs: Arc<dyn JobQueue>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
}

impl Ports {
    /// Every storage role from one store (redb and DynamoDB each implement them all), beside
    /// the other ports; the real clock and ids.
    pub fn new(store: Arc<dyn Store>, push: Arc<dyn Push>, jobs: Arc<dyn JobQueue>, mailer: Arc<dyn Mailer>) -> Self {
        Self {
            tenants: store.clone(),
            users: store.clone(),
            storefronts: store.clone(),
            conversations: store.clone(),
            messages: store.clone(),
            events: store.clone(),
            connections: store.clone(),
            notifications: store.clone(),
            preferences: store.clone(),
            pending_emails: store.clone(),
            reminders: store.clone(),
            schedule: store.clone(),
            effects: store.clone(),
            throttles: store.clone(),
            storage: store,
            push,
            jobs,
            mailer,
            clock: Arc::new(SystemClock),
            ids: Arc::new(UlidIds::default()),
        }
    }
}

/// What the process keeps and does in memory beside its ports: token verification (with an
/// identity provider's keys, fetched and cached), each connection's frame budget, the
/// directory cache, and the operational counts.
pub struct Services {
    pub tokens: TokenVerifier,
    /// Each connection's frame budget, in this process.
    pub frame_rate: FrameRate,
    /// Tenants and users recently read, for authentication (`Limits::directory_cache_ttl`).
    pub directory: DirectoryCache,
    /// Operational counts (CloudWatch Embedded Metric Format on Lambda; off locally unless asked).
    pub metrics: Metrics,
}

impl Services {
    fn new(config: &Config) -> Self {
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
        Self {
            tokens,
            frame_rate: FrameRate::new(config.limits.max_frames_per_window, config.limits.rate_window),
            directory: DirectoryCache::new(config.limits.directory_cache_ttl),
            metrics: Metrics::off(),
        }
    }
}

impl App {
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        push: Arc<dyn Push>,
        jobs: Arc<dyn JobQueue>,
        mailer: Arc<dyn Mailer>,
    ) -> Self {
        let services = Services::new(&config);
        Self { config, ports: Ports::new(store, push, jobs, mailer), services }
    }

    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.services.metrics = metrics;
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.ports.clock = clock;
        self
    }
}
