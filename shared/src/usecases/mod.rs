//! The use cases: what Missive does, written against the ports only. Entry points (the
//! WebSocket handlers, the REST routes, the queue workers) call them with typed values.

pub mod connections;
pub mod conversations;
pub mod delivery;
pub mod effects;
pub mod email_queue;
#[cfg(feature = "email")]
pub mod email_sending;
pub mod fanout;
pub mod groups;
pub mod guests;
pub mod identity;
pub mod messages;
pub mod notifications;
pub mod operations;
pub mod preferences;
pub mod presence;
pub mod reads;
pub mod reminders;
pub mod scheduling;
pub mod signals;
pub mod storefronts;
pub mod sync;
pub mod tenants;
pub mod typing;
pub mod users;

pub use connections::ConnectionsUseCases;
pub use conversations::ConversationsUseCases;
pub use delivery::DeliveryUseCases;
pub use effects::EffectsUseCases;
pub use email_queue::EmailQueueUseCases;
#[cfg(feature = "email")]
pub use email_sending::EmailSendingUseCases;
pub use fanout::FanoutUseCases;
pub use groups::GroupsUseCases;
pub use guests::GuestsUseCases;
pub use identity::Identity;
pub use identity::IdentityUseCases;
pub use messages::MessagesUseCases;
pub use notifications::NotificationsUseCases;
pub use operations::OperationsUseCases;
pub use preferences::PreferencesUseCases;
pub use presence::PresenceUseCases;
pub use reads::ReadsUseCases;
pub use reminders::RemindersUseCases;
pub use scheduling::SchedulingUseCases;
pub use signals::SignalsUseCases;
pub use storefronts::StorefrontsUseCases;
pub use sync::SyncUseCases;
pub use tenants::TenantsUseCases;
pub use typing::TypingUseCases;
pub use users::UsersUseCases;

/// Every area's use cases, built once per process (per cold start on Lambda) with the ports
/// each area uses; the entry points reach an area through its field (`use_cases.messages`).
#[derive(Clone)]
pub struct UseCases {
    pub connections: ConnectionsUseCases,
    pub conversations: ConversationsUseCases,
    pub delivery: DeliveryUseCases,
    pub effects: EffectsUseCases,
    pub email_queue: EmailQueueUseCases,
    #[cfg(feature = "email")]
    pub email_sending: EmailSendingUseCases,
    pub fanout: FanoutUseCases,
    pub groups: GroupsUseCases,
    pub guests: GuestsUseCases,
    pub identity: IdentityUseCases,
    pub messages: MessagesUseCases,
    pub notifications: NotificationsUseCases,
    pub operations: OperationsUseCases,
    pub preferences: PreferencesUseCases,
    pub presence: PresenceUseCases,
    pub reads: ReadsUseCases,
    pub reminders: RemindersUseCases,
    pub scheduling: SchedulingUseCases,
    pub signals: SignalsUseCases,
    pub storefronts: StorefrontsUseCases,
    pub sync: SyncUseCases,
    pub tenants: TenantsUseCases,
    pub typing: TypingUseCases,
    pub users: UsersUseCases,
}
