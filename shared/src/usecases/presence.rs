//! Presence: a user is online while one of their connections is live. Who shares a
//! conversation with them hears when that changes; `GET /v1/users` shows it.

use super::delivery::DeliveryUseCases;
use super::signals::SignalsUseCases;
use crate::ports::{Clock, ConnectionStore, ConversationStore, Ids, JobQueue, UserStore};
use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::identity::Identity;
use crate::domain::{AnnouncePresence, Connection, ConnectionId, Job, JobId, Task, TenantId, UserId};
use crate::protocol::Event;
use crate::AppError;

/// How many of a user's most recent conversations define who hears of their presence, and
/// how many people that can be at most: presence is a courtesy, not worth a fan-out to a
/// whole tenant.
const PRESENCE_CONVERSATIONS: usize = 50;
const PRESENCE_AUDIENCE: usize = 500;

/// The presence use cases, with the ports they use.
#[derive(Clone)]
pub struct PresenceUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) connections: Arc<dyn ConnectionStore>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) delivery: DeliveryUseCases,
    pub(crate) signals: SignalsUseCases,
}

impl PresenceUseCases {
    /// After `$connect`, given the user's live connections: if this is the only one, they just
    /// came online. The news goes out through the fan-out queue, so that connecting costs
    /// one store call whoever the user's contacts are.
    pub async fn connected(&self, who: &Identity, connection: &ConnectionId, live: &[Connection]) {
        if who.conversation_scope.is_some() {
            return; // guests come and go without telling anyone
        }
        if live.iter().all(|c| c.id == *connection) {
            self.queue_announcement(who, true, None).await;
        }
    }

    /// After `$disconnect`, given the user's connections left: with none, the user is offline as
    /// of `now`.
    pub async fn disconnected(&self, who: &Identity, left: &[Connection], now: DateTime<Utc>) -> Result<(), AppError> {
        if left.is_empty() {
            self.users.put_last_seen(&who.tenant_id, &who.user_id, now).await?;
            if who.conversation_scope.is_none() {
                self.queue_announcement(who, false, Some(now)).await;
            }
        }
        Ok(())
    }

    /// Presence is a courtesy: a queue that refuses the announcement is logged, the connection
    /// stands.
    async fn queue_announcement(&self, who: &Identity, online: bool, last_seen_at: Option<DateTime<Utc>>) {
        let announcement = AnnouncePresence { user_id: who.user_id.clone(), online, last_seen_at };
        let id = JobId::of("presence", &[who.user_id.as_str(), &self.ids.ulid()]);
        let job = Job::new(&who.tenant_id, id, Task::AnnouncePresence(announcement));
        if let Err(e) = self.jobs.enqueue(&job, None).await {
            tracing::warn!(tenant = %who.tenant_id, error = %e, "could not queue a presence announcement");
        }
    }

    /// The `announcePresence` job: a `presence` event to those who share one of the user's
    /// recent conversations.
    pub async fn announce(&self, tenant: &TenantId, presence: &AnnouncePresence) -> Result<(), AppError> {
        let page =
            self.conversations.list_user_conversations(tenant, &presence.user_id, None, PRESENCE_CONVERSATIONS).await?;
        let mut audience: Vec<UserId> = Vec::new();
        // A large group's members are not each other's audience: everyone coming online would
        // be members² pushes. Its members see who is online in the directory (`GET /v1/users`).
        for entry in page.items.iter().filter(|e| !self.signals.coalesced(&e.conversation)) {
            for p in &entry.conversation.participants {
                if p.user_id != presence.user_id && !audience.contains(&p.user_id) && audience.len() < PRESENCE_AUDIENCE
                {
                    audience.push(p.user_id.clone());
                }
            }
        }
        let event = Event::Presence {
            user_id: presence.user_id.as_str(),
            online: presence.online,
            last_seen_at: presence.last_seen_at,
        };
        self.delivery.deliver_to_users(tenant, &audience, &event.to_json(), None).await.map(|_| ())
    }

    /// Whether each user is online now, and when each was last seen.
    pub async fn presence_of(
        &self,
        who: &Identity,
        users: &[UserId],
    ) -> Result<Vec<(bool, Option<DateTime<Utc>>)>, AppError> {
        let (live, seen) = tokio::join!(
            self.connections.list_users_connections(&who.tenant_id, users, self.clock.now()),
            self.users.get_last_seen(&who.tenant_id, users)
        );
        let (live, seen) = (live?, seen?);
        Ok(users
            .iter()
            .map(|u| {
                let last_seen = seen.iter().find(|(id, _)| id == u).map(|(_, at)| *at);
                (live.iter().any(|c| c.user_id == *u), last_seen)
            })
            .collect())
    }
}
