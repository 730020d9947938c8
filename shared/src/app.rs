//! The application: its configuration, its ports and its runtime services, wired once per
//! process (per cold start on Lambda) and shared by every handler.

use std::sync::Arc;

use crate::adapters::system::{clock_offset_from_env, SystemClock, UlidIds};
use crate::auth::TokenVerifier;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::ports::{
    AuditStore, BotStore, Clock, ConnectionStore, ConversationStore, DeviceStore, EffectStore, ErasedUserStore,
    EventFeed, ExportStore, FileStore, Ids, JobQueue, Mailer, MessageStore, NotificationStore, PendingEmailStore,
    PinStore, PreferenceStore, Push, PushCredentialStore, PushService, ReactionStore, ReminderStore, ScheduleStore,
    Store, StoreHealth, StorefrontStore, TenantRemoval, TenantStore, ThrottleStore, UploadStore, UsageStore, UserStore,
    WebhookSender, WebhookStore,
};
use crate::runtime::{DirectoryCache, FrameRate, QuotaLeases};
use crate::usecases::attachments::AttachmentsUseCases;
use crate::usecases::audit::AuditUseCases;
use crate::usecases::bots::BotsUseCases;
use crate::usecases::connections::ConnectionsUseCases;
use crate::usecases::conversations::ConversationsUseCases;
use crate::usecases::delivery::DeliveryUseCases;
use crate::usecases::devices::DevicesUseCases;
use crate::usecases::effects::EffectsUseCases;
use crate::usecases::email_queue::EmailQueueUseCases;
#[cfg(feature = "email")]
use crate::usecases::email_sending::EmailSendingUseCases;
use crate::usecases::erasure::ErasureUseCases;
use crate::usecases::exports::ExportsUseCases;
use crate::usecases::fanout::FanoutUseCases;
use crate::usecases::groups::GroupsUseCases;
use crate::usecases::guests::GuestsUseCases;
use crate::usecases::hooks::HooksUseCases;
use crate::usecases::identity::IdentityUseCases;
use crate::usecases::messages::MessagesUseCases;
use crate::usecases::moderation::ModerationUseCases;
use crate::usecases::notifications::NotificationsUseCases;
use crate::usecases::offboarding::OffboardingUseCases;
use crate::usecases::operations::OperationsUseCases;
use crate::usecases::pins::PinsUseCases;
use crate::usecases::preferences::PreferencesUseCases;
use crate::usecases::presence::PresenceUseCases;
use crate::usecases::push_credentials::PushCredentialsUseCases;
use crate::usecases::pushes::PushesUseCases;
use crate::usecases::quotas::QuotaUseCases;
use crate::usecases::reactions::ReactionsUseCases;
use crate::usecases::reads::ReadsUseCases;
use crate::usecases::reminders::RemindersUseCases;
use crate::usecases::retention::RetentionUseCases;
use crate::usecases::scheduling::SchedulingUseCases;
use crate::usecases::signals::SignalsUseCases;
use crate::usecases::storefronts::StorefrontsUseCases;
use crate::usecases::sync::SyncUseCases;
use crate::usecases::tenants::TenantsUseCases;
use crate::usecases::thumbnails::ThumbnailsUseCases;
use crate::usecases::typing::TypingUseCases;
use crate::usecases::users::UsersUseCases;
use crate::usecases::webhook_events::WebhookEventsUseCases;
use crate::usecases::webhooks::WebhooksUseCases;

pub struct App {
    pub config: Config,
    pub ports: Ports,
    pub services: Services,
    // Every area's use cases, each holding only the ports, services and other areas it uses
    // (built once by `wire`): what the entry points call (`app.messages.send_message(…)`).
    pub attachments: AttachmentsUseCases,
    pub bots: BotsUseCases,
    pub connections: ConnectionsUseCases,
    pub quotas: QuotaUseCases,
    pub conversations: ConversationsUseCases,
    pub delivery: DeliveryUseCases,
    pub devices: DevicesUseCases,
    pub effects: EffectsUseCases,
    pub email_queue: EmailQueueUseCases,
    #[cfg(feature = "email")]
    pub email_sending: EmailSendingUseCases,
    pub erasure: ErasureUseCases,
    pub retention: RetentionUseCases,
    pub offboarding: OffboardingUseCases,
    pub exports: ExportsUseCases,
    pub fanout: FanoutUseCases,
    pub groups: GroupsUseCases,
    pub guests: GuestsUseCases,
    pub hooks: HooksUseCases,
    pub identity: IdentityUseCases,
    pub messages: MessagesUseCases,
    pub moderation: ModerationUseCases,
    pub notifications: NotificationsUseCases,
    pub operations: OperationsUseCases,
    pub pins: PinsUseCases,
    pub preferences: PreferencesUseCases,
    pub presence: PresenceUseCases,
    pub push_credentials: PushCredentialsUseCases,
    pub pushes: PushesUseCases,
    pub reactions: ReactionsUseCases,
    pub reads: ReadsUseCases,
    pub reminders: RemindersUseCases,
    pub scheduling: SchedulingUseCases,
    pub signals: SignalsUseCases,
    pub storefronts: StorefrontsUseCases,
    pub sync: SyncUseCases,
    pub tenants: TenantsUseCases,
    pub thumbnails: ThumbnailsUseCases,
    pub typing: TypingUseCases,
    pub users: UsersUseCases,
    pub webhook_events: WebhookEventsUseCases,
    pub webhooks: WebhooksUseCases,
    pub audit: AuditUseCases,
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
    pub uploads: Arc<dyn UploadStore>,
    /// The devices users' notifications are pushed to.
    pub devices: Arc<dyn DeviceStore>,
    /// Tenants' webhook endpoints and their deliveries.
    pub webhooks: Arc<dyn WebhookStore>,
    /// Bots and their API keys' hashes.
    pub bots: Arc<dyn BotStore>,
    /// Tenants' audit logs.
    pub audit: Arc<dyn AuditStore>,
    /// People's data exports.
    pub exports: Arc<dyn ExportStore>,
    /// The people erased (so that their tokens do not bring them back).
    pub erased: Arc<dyn ErasedUserStore>,
    /// Tenants' removal (offboarding).
    pub removal: Arc<dyn TenantRemoval>,
    /// Reactions to messages and their counts.
    pub reactions: Arc<dyn ReactionStore>,
    /// Conversations' pinned messages.
    pub pins: Arc<dyn PinStore>,
    pub schedule: Arc<dyn ScheduleStore>,
    pub effects: Arc<dyn EffectStore>,
    pub throttles: Arc<dyn ThrottleStore>,
    /// Tenants' usage counts, against their quotas.
    pub usage: Arc<dyn UsageStore>,
    /// Whether storage answers at all (`/v1/health`).
    pub storage: Arc<dyn StoreHealth>,
    /// Files' bytes (attachments): `Unwired` until a process wires storage for them.
    pub files: Arc<dyn FileStore>,
    pub push: Arc<dyn Push>,
    /// The push services devices are reached through: `Unwired` until a process wires them.
    pub push_services: Arc<dyn PushService>,
    /// Tenants' FCM and APNs credentials: `Unwired` until a process wires where they are kept.
    pub push_credentials: Arc<dyn PushCredentialStore>,
    /// Posts webhooks: `Unwired` until a process that delivers them wires it.
    pub webhook_sender: Arc<dyn WebhookSender>,
    pub jobs: Arc<dyn JobQueue>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
}

impl Ports {
    /// Every storage role from one store (redb and DynamoDB each implement them all), beside
    /// the other ports; the real clock and ids (ahead by a test's offset, if one is set).
    pub fn new(store: Arc<dyn Store>, push: Arc<dyn Push>, jobs: Arc<dyn JobQueue>, mailer: Arc<dyn Mailer>) -> Self {
        let clock_offset = clock_offset_from_env();
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
            uploads: store.clone(),
            devices: store.clone(),
            webhooks: store.clone(),
            bots: store.clone(),
            audit: store.clone(),
            exports: store.clone(),
            erased: store.clone(),
            removal: store.clone(),
            reactions: store.clone(),
            pins: store.clone(),
            schedule: store.clone(),
            effects: store.clone(),
            throttles: store.clone(),
            usage: store.clone(),
            storage: store,
            files: Arc::new(crate::adapters::unwired::Unwired),
            push,
            push_services: Arc::new(crate::adapters::unwired::Unwired),
            push_credentials: Arc::new(crate::adapters::unwired::Unwired),
            webhook_sender: Arc::new(crate::adapters::unwired::Unwired),
            jobs,
            mailer,
            clock: Arc::new(SystemClock { offset: clock_offset }),
            ids: Arc::new(UlidIds::with_offset(clock_offset)),
        }
    }
}

/// What the process keeps and does in memory beside its ports: token verification (with an
/// identity provider's keys, fetched and cached), each connection's frame budget, the
/// directory cache, and the operational counts.
pub struct Services {
    pub tokens: Arc<TokenVerifier>,
    /// Each connection's frame budget, in this process.
    pub frame_rate: FrameRate,
    /// What this process leased of tenants' quotas and has not used yet.
    pub quota_leases: Arc<QuotaLeases>,
    /// Tenants and users recently read, for authentication (`Limits::directory_cache_ttl`).
    pub directory: Arc<DirectoryCache>,
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
            tokens: Arc::new(tokens),
            frame_rate: FrameRate::new(config.limits.max_frames_per_window, config.limits.rate_window),
            directory: Arc::new(DirectoryCache::new(config.limits.directory_cache_ttl)),
            quota_leases: Arc::default(),
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
        wire(config, Ports::new(store, push, jobs, mailer), services)
    }

    pub fn with_metrics(self, metrics: Metrics) -> Self {
        let Self { config, ports, mut services, .. } = self;
        services.metrics = metrics;
        wire(config, ports, services)
    }

    /// Where files' bytes go (S3, the local runtime's data directory).
    pub fn with_files(self, files: Arc<dyn FileStore>) -> Self {
        let Self { config, mut ports, services, .. } = self;
        ports.files = files;
        wire(config, ports, services)
    }

    /// How devices are reached (Web Push; FCM and APNs with the tenant's credentials).
    pub fn with_push_services(self, services: Arc<dyn PushService>) -> Self {
        let Self { config, mut ports, services: process, .. } = self;
        ports.push_services = services;
        wire(config, ports, process)
    }

    /// Where tenants' push credentials are kept (Secrets Manager, the data directory).
    pub fn with_push_credentials(self, credentials: Arc<dyn PushCredentialStore>) -> Self {
        let Self { config, mut ports, services, .. } = self;
        ports.push_credentials = credentials;
        wire(config, ports, services)
    }

    /// How webhooks are posted (reqwest, every address checked as it resolves).
    pub fn with_webhook_sender(self, sender: Arc<dyn WebhookSender>) -> Self {
        let Self { config, mut ports, services, .. } = self;
        ports.webhook_sender = sender;
        wire(config, ports, services)
    }

    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        let Self { config, mut ports, services, .. } = self;
        ports.clock = clock;
        wire(config, ports, services)
    }
}

/// The composition's last step, the same in every process: each area's use cases are built
/// once with the ports, services and limits they use; an area that relies on another
/// (messages on delivery, say) holds that area's use cases.
fn wire(config: Config, ports: Ports, services: Services) -> App {
    let audit = AuditUseCases { clock: ports.clock.clone(), audit: ports.audit.clone() };
    let scheduling = SchedulingUseCases {
        clock: ports.clock.clone(),
        jobs: ports.jobs.clone(),
        schedule: ports.schedule.clone(),
        limits: config.limits.clone(),
    };
    let webhook_events = WebhookEventsUseCases {
        clock: ports.clock.clone(),
        webhooks: ports.webhooks.clone(),
        directory: services.directory.clone(),
        scheduling: scheduling.clone(),
    };
    let identity = IdentityUseCases {
        clock: ports.clock.clone(),
        tenants: ports.tenants.clone(),
        users: ports.users.clone(),
        directory: services.directory.clone(),
        tokens: services.tokens.clone(),
        platform_key: config.platform_key.clone(),
        bots: ports.bots.clone(),
        erased: ports.erased.clone(),
    };
    let quotas = QuotaUseCases {
        clock: ports.clock.clone(),
        usage: ports.usage.clone(),
        leases: services.quota_leases.clone(),
        metrics: services.metrics.clone(),
        limits: config.limits.clone(),
        identity: identity.clone(),
    };
    let delivery = DeliveryUseCases {
        clock: ports.clock.clone(),
        connections: ports.connections.clone(),
        conversations: ports.conversations.clone(),
        events: ports.events.clone(),
        ids: ports.ids.clone(),
        jobs: ports.jobs.clone(),
        push: ports.push.clone(),
        metrics: services.metrics.clone(),
        limits: config.limits.clone(),
        quotas: Arc::new(quotas.clone()),
    };
    let signals = SignalsUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        ids: ports.ids.clone(),
        jobs: ports.jobs.clone(),
        throttles: ports.throttles.clone(),
        limits: config.limits.clone(),
        delivery: delivery.clone(),
    };
    let presence = PresenceUseCases {
        clock: ports.clock.clone(),
        connections: ports.connections.clone(),
        conversations: ports.conversations.clone(),
        ids: ports.ids.clone(),
        jobs: ports.jobs.clone(),
        users: ports.users.clone(),
        delivery: delivery.clone(),
        signals: signals.clone(),
    };
    let connections = ConnectionsUseCases {
        clock: ports.clock.clone(),
        connections: ports.connections.clone(),
        limits: config.limits.clone(),
        presence: presence.clone(),
        quotas: quotas.clone(),
    };
    let storefronts = StorefrontsUseCases {
        clock: ports.clock.clone(),
        ids: ports.ids.clone(),
        storefronts: ports.storefronts.clone(),
        users: ports.users.clone(),
    };
    let conversations = ConversationsUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        ids: ports.ids.clone(),
        users: ports.users.clone(),
        limits: config.limits.clone(),
        delivery: delivery.clone(),
        storefronts: storefronts.clone(),
        webhook_events: webhook_events.clone(),
    };
    let effects = EffectsUseCases { clock: ports.clock.clone(), effects: ports.effects.clone() };
    let preferences = PreferencesUseCases { preferences: ports.preferences.clone() };
    let devices = DevicesUseCases { clock: ports.clock.clone(), devices: ports.devices.clone() };
    let bots = BotsUseCases {
        clock: ports.clock.clone(),
        bots: ports.bots.clone(),
        tenants: ports.tenants.clone(),
        users: ports.users.clone(),
        audit: audit.clone(),
    };
    let attachments = AttachmentsUseCases {
        clock: ports.clock.clone(),
        ids: ports.ids.clone(),
        uploads: ports.uploads.clone(),
        files: ports.files.clone(),
        jobs: ports.jobs.clone(),
        metrics: services.metrics.clone(),
        limits: config.limits.clone(),
        conversation_cases: conversations.clone(),
        identity: identity.clone(),
        scheduling: scheduling.clone(),
        quotas: quotas.clone(),
    };
    let email_queue = EmailQueueUseCases {
        clock: ports.clock.clone(),
        pending_emails: ports.pending_emails.clone(),
        throttles: ports.throttles.clone(),
        users: ports.users.clone(),
        tokens: services.tokens.clone(),
        limits: config.limits.clone(),
        preferences: preferences.clone(),
        scheduling: scheduling.clone(),
    };
    #[cfg(feature = "email")]
    let email_sending = EmailSendingUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        mailer: ports.mailer.clone(),
        notifications: ports.notifications.clone(),
        pending_emails: ports.pending_emails.clone(),
        tenants: ports.tenants.clone(),
        users: ports.users.clone(),
        metrics: services.metrics.clone(),
        tokens: services.tokens.clone(),
        config: Arc::new(config.clone()),
        email_queue: email_queue.clone(),
        preferences: preferences.clone(),
        scheduling: scheduling.clone(),
        webhook_events: webhook_events.clone(),
        quotas: quotas.clone(),
    };
    let push_credentials = PushCredentialsUseCases {
        tenants: ports.tenants.clone(),
        credentials: ports.push_credentials.clone(),
        audit: audit.clone(),
    };
    let pushes = PushesUseCases {
        clock: ports.clock.clone(),
        connections: ports.connections.clone(),
        conversations: ports.conversations.clone(),
        devices: ports.devices.clone(),
        notifications: ports.notifications.clone(),
        services: ports.push_services.clone(),
        metrics: services.metrics.clone(),
        effects: effects.clone(),
        preferences: preferences.clone(),
        scheduling: scheduling.clone(),
    };
    let notifications = NotificationsUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        ids: ports.ids.clone(),
        jobs: ports.jobs.clone(),
        messages: ports.messages.clone(),
        notifications: ports.notifications.clone(),
        tenants: ports.tenants.clone(),
        users: ports.users.clone(),
        metrics: services.metrics.clone(),
        delivery: delivery.clone(),
        effects: effects.clone(),
        email_queue: email_queue.clone(),
        preferences: preferences.clone(),
        pushes: pushes.clone(),
        webhook_events: webhook_events.clone(),
    };
    let webhooks = WebhooksUseCases {
        clock: ports.clock.clone(),
        ids: ports.ids.clone(),
        users: ports.users.clone(),
        webhooks: ports.webhooks.clone(),
        sender: ports.webhook_sender.clone(),
        metrics: services.metrics.clone(),
        limits: config.limits.clone(),
        loopback_allowed: config.webhooks_loopback_allowed,
        events: webhook_events.clone(),
        notifications: notifications.clone(),
        audit: audit.clone(),
    };
    let fanout = FanoutUseCases { delivery: delivery.clone(), notifications: notifications.clone() };
    let groups = GroupsUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        ids: ports.ids.clone(),
        messages: ports.messages.clone(),
        tenants: ports.tenants.clone(),
        conversation_cases: conversations.clone(),
        delivery: delivery.clone(),
        webhook_events: webhook_events.clone(),
    };
    let pins = PinsUseCases {
        clock: ports.clock.clone(),
        messages: ports.messages.clone(),
        pins: ports.pins.clone(),
        conversation_cases: conversations.clone(),
        groups: groups.clone(),
    };
    let guests = GuestsUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        ids: ports.ids.clone(),
        storefronts: ports.storefronts.clone(),
        tenants: ports.tenants.clone(),
        users: ports.users.clone(),
        tokens: services.tokens.clone(),
        limits: config.limits.clone(),
        conversation_cases: conversations.clone(),
        webhook_events: webhook_events.clone(),
    };
    let moderation = ModerationUseCases {
        clock: ports.clock.clone(),
        ids: ports.ids.clone(),
        tenants: ports.tenants.clone(),
        directory: services.directory.clone(),
        sender: ports.webhook_sender.clone(),
        metrics: services.metrics.clone(),
        loopback_allowed: config.webhooks_loopback_allowed,
        audit: audit.clone(),
    };
    let reactions = ReactionsUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        messages: ports.messages.clone(),
        reactions: ports.reactions.clone(),
        delivery: delivery.clone(),
    };
    let messages = MessagesUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        ids: ports.ids.clone(),
        messages: ports.messages.clone(),
        reactions: ports.reactions.clone(),
        metrics: services.metrics.clone(),
        attachments: attachments.clone(),
        conversation_cases: conversations.clone(),
        delivery: delivery.clone(),
        moderation: moderation.clone(),
        notifications: notifications.clone(),
        webhook_events: webhook_events.clone(),
        quotas: quotas.clone(),
    };
    let erasure = ErasureUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        devices: ports.devices.clone(),
        erased: ports.erased.clone(),
        jobs: ports.jobs.clone(),
        messages: ports.messages.clone(),
        notifications: ports.notifications.clone(),
        pins: ports.pins.clone(),
        pending_emails: ports.pending_emails.clone(),
        preferences: ports.preferences.clone(),
        reactions: ports.reactions.clone(),
        reminders: ports.reminders.clone(),
        throttles: ports.throttles.clone(),
        users: ports.users.clone(),
        directory: services.directory.clone(),
        audit: audit.clone(),
        message_cases: messages.clone(),
        webhook_events: webhook_events.clone(),
    };
    let hooks = HooksUseCases {
        clock: ports.clock.clone(),
        ids: ports.ids.clone(),
        bots: ports.bots.clone(),
        tenants: ports.tenants.clone(),
        throttles: ports.throttles.clone(),
        users: ports.users.clone(),
        groups: groups.clone(),
        messages: messages.clone(),
        audit: audit.clone(),
    };
    let thumbnails = ThumbnailsUseCases {
        clock: ports.clock.clone(),
        uploads: ports.uploads.clone(),
        files: ports.files.clone(),
        limits: config.limits.clone(),
        messages: messages.clone(),
    };
    let exports = ExportsUseCases {
        clock: ports.clock.clone(),
        ids: ports.ids.clone(),
        conversations: ports.conversations.clone(),
        devices: ports.devices.clone(),
        exports: ports.exports.clone(),
        files: ports.files.clone(),
        jobs: ports.jobs.clone(),
        messages: ports.messages.clone(),
        notifications: ports.notifications.clone(),
        preferences: ports.preferences.clone(),
        reminders: ports.reminders.clone(),
        users: ports.users.clone(),
        audit: audit.clone(),
        scheduling: scheduling.clone(),
    };
    let operations = OperationsUseCases { jobs: ports.jobs.clone(), storage: ports.storage.clone() };
    let reads = ReadsUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        messages: ports.messages.clone(),
        conversation_cases: conversations.clone(),
        delivery: delivery.clone(),
        signals: signals.clone(),
    };
    let reminders = RemindersUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        ids: ports.ids.clone(),
        reminders: ports.reminders.clone(),
        schedule: ports.schedule.clone(),
        users: ports.users.clone(),
        conversation_cases: conversations.clone(),
        notifications: notifications.clone(),
        scheduling: scheduling.clone(),
    };
    let sync = SyncUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        events: ports.events.clone(),
        metrics: services.metrics.clone(),
        limits: config.limits.clone(),
    };
    let offboarding = OffboardingUseCases {
        clock: ports.clock.clone(),
        files: ports.files.clone(),
        jobs: ports.jobs.clone(),
        push_credentials: ports.push_credentials.clone(),
        removal: ports.removal.clone(),
        tenants: ports.tenants.clone(),
        directory: services.directory.clone(),
        limits: config.limits.clone(),
    };
    let retention = RetentionUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        messages: ports.messages.clone(),
        notifications: ports.notifications.clone(),
        pending_emails: ports.pending_emails.clone(),
        pins: ports.pins.clone(),
        reactions: ports.reactions.clone(),
        tenants: ports.tenants.clone(),
        users: ports.users.clone(),
        attachments: attachments.clone(),
        scheduling: scheduling.clone(),
        limits: config.limits.clone(),
    };
    let tenants = TenantsUseCases {
        clock: ports.clock.clone(),
        ids: ports.ids.clone(),
        tenants: ports.tenants.clone(),
        directory: services.directory.clone(),
        limits: config.limits.clone(),
        audit: audit.clone(),
        retention: retention.clone(),
        offboarding: offboarding.clone(),
    };
    let typing = TypingUseCases {
        clock: ports.clock.clone(),
        conversations: ports.conversations.clone(),
        throttles: ports.throttles.clone(),
        limits: config.limits.clone(),
        conversation_cases: conversations.clone(),
        delivery: delivery.clone(),
        signals: signals.clone(),
    };
    let users = UsersUseCases {
        clock: ports.clock.clone(),
        tenants: ports.tenants.clone(),
        users: ports.users.clone(),
        erased: ports.erased.clone(),
        directory: services.directory.clone(),
        presence: presence.clone(),
        audit: audit.clone(),
    };
    App {
        config,
        ports,
        services,
        attachments,
        bots,
        connections,
        quotas,
        conversations,
        delivery,
        devices,
        effects,
        email_queue,
        #[cfg(feature = "email")]
        email_sending,
        erasure,
        retention,
        offboarding,
        exports,
        fanout,
        groups,
        guests,
        hooks,
        identity,
        messages,
        moderation,
        notifications,
        operations,
        pins,
        preferences,
        presence,
        push_credentials,
        pushes,
        reactions,
        reads,
        reminders,
        scheduling,
        signals,
        storefronts,
        sync,
        tenants,
        thumbnails,
        typing,
        users,
        webhook_events,
        webhooks,
        audit,
    }
}
