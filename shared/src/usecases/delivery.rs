//! Publishing events. A conversation's event is written once, to the conversation's log,
//! then pushed to its members' live connections; an event for particular users goes into
//! each one's feed, then to their connections. Either way the store first, the push second:
//! a client that connects and then syncs misses nothing in between. Ephemeral signals
//! (typing, presence) are only pushed. This is transport: what a delivery means (who to
//! notify when no one was online) is the callers' business.

use super::quotas::QuotaUseCases;
use crate::config::Limits;
use crate::metrics::Metrics;
use crate::ports::{Clock, ConnectionStore, ConversationStore, EventFeed, Ids, JobQueue, Push};
use futures_util::future::join_all;
use std::sync::Arc;

use crate::domain::{
    Connection, ConnectionId, Conversation, EventId, FanOut, Job, JobId, LoggedEvent, Message, MessageRef, Task,
    TenantId, UserId,
};
use crate::metrics::Metric;
use crate::ports::PushError;
use crate::protocol::Event;
use crate::AppError;

/// Recipients per fan-out job.
const FAN_OUT_CHUNK: usize = 100;

/// What became of a published event.
#[derive(Debug)]
pub struct Published {
    /// The event's cursor.
    pub cursor: EventId,
    /// The recipients who had no live connection, when the event was pushed here; `None`
    /// when queue workers push it (a large audience), who then know it instead.
    pub offline: Option<Vec<UserId>>,
}

/// The delivery use cases, with the ports they use.
#[derive(Clone)]
pub struct DeliveryUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) connections: Arc<dyn ConnectionStore>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) events: Arc<dyn EventFeed>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) push: Arc<dyn Push>,
    pub(crate) metrics: Metrics,
    pub(crate) limits: Limits,
    /// Behind an Arc: delivery is held by most areas, and this is its rare path.
    pub(crate) quotas: Arc<QuotaUseCases>,
}

impl DeliveryUseCases {
    /// The user ids of a conversation's members.
    pub async fn member_ids(&self, conversation: &Conversation) -> Result<Vec<UserId>, AppError> {
        let members = self.conversations.list_members(&conversation.tenant_id, &conversation.id).await?;
        Ok(members.into_iter().map(|m| m.user_id).collect())
    }

    /// Publishes a conversation's event to its current members. See [`publish_to_conversation`].
    pub async fn publish_to_members(
        &self,
        conversation: &Conversation,
        event: Event<'_>,
        skip: Option<&ConnectionId>,
    ) -> Result<EventId, AppError> {
        let members = self.member_ids(conversation).await?;
        Ok(self.publish_to_conversation(conversation, &members, event, skip, None).await?.cursor)
    }

    /// Gives a conversation's `event` a cursor, appends it to the conversation's log — once,
    /// whatever the number of members — and pushes it to the live connections of `members`
    /// except `skip`.
    ///
    /// For more members than the fan-out threshold, queue workers push it, a hundred members per
    /// job, so that the sender's answer does not wait; `message` rides along for the
    /// notifications of the members they find offline.
    pub async fn publish_to_conversation(
        &self,
        conversation: &Conversation,
        members: &[UserId],
        event: Event<'_>,
        skip: Option<&ConnectionId>,
        message: Option<&MessageRef>,
    ) -> Result<Published, AppError> {
        let logged = self.new_event(event)?;
        self.events.append_conversation_event(&conversation.tenant_id, &conversation.id, &logged).await?;
        self.push_to_members(conversation, members, logged, skip, message).await
    }

    /// Pushes a conversation's event, in its log already, to the live connections of `members`
    /// except `skip` — through queue workers for more members than the fan-out threshold.
    /// The connections are read now, after the event was stored (see `messages::send_message`).
    pub async fn push_to_members(
        &self,
        conversation: &Conversation,
        members: &[UserId],
        logged: LoggedEvent,
        skip: Option<&ConnectionId>,
        message: Option<&MessageRef>,
    ) -> Result<Published, AppError> {
        let tenant = &conversation.tenant_id;
        let cursor = logged.id.clone();
        if members.len() > self.limits.fan_out_threshold {
            let jobs: Vec<Job> = members
                .chunks(FAN_OUT_CHUNK)
                .enumerate()
                .map(|(i, chunk)| {
                    let fan_out = FanOut {
                        users: chunk.to_vec(),
                        event: logged.clone(),
                        skip: skip.cloned(),
                        message: message.cloned(),
                    };
                    Job::new(tenant, JobId::of("fanout", &[cursor.as_str(), &i.to_string()]), Task::FanOut(fan_out))
                })
                .collect();
            self.jobs.enqueue_batch(&jobs).await?;
            return Ok(Published { cursor, offline: None });
        }
        let offline = self.deliver_logged(tenant, members, &logged, skip).await?;
        Ok(Published { cursor, offline: Some(offline) })
    }

    /// Gives `event` a cursor, adds it to the feed of each of `users` (events that concern them
    /// and no conversation they are in: a notification, a conversation they just left), then
    /// pushes it to their live connections.
    pub async fn publish_to_users(
        &self,
        tenant: &TenantId,
        users: &[UserId],
        event: Event<'_>,
    ) -> Result<EventId, AppError> {
        let logged = self.new_event(event)?;
        self.events.append_user_events(tenant, users, &logged).await?;
        self.deliver_logged(tenant, users, &logged, None).await?;
        Ok(logged.id)
    }

    /// [`Self::deliver_to_users`] for a logged event, timed from its cursor (its creation) to
    /// its push (`DeliveryLatency`).
    pub async fn deliver_logged(
        &self,
        tenant: &TenantId,
        users: &[UserId],
        logged: &LoggedEvent,
        skip: Option<&ConnectionId>,
    ) -> Result<Vec<UserId>, AppError> {
        let offline = self.deliver_to_users(tenant, users, &logged.frame, skip).await?;
        let now = self.clock.now();
        if let Ok(created) = ulid::Ulid::from_string(logged.id.as_str()) {
            let created: chrono::DateTime<chrono::Utc> = created.datetime().into();
            let millis = (now - created).num_milliseconds().max(0) as u64;
            self.metrics.latency(Metric::DeliveryLatency, millis, tenant, now);
        }
        Ok(offline)
    }

    /// The event with a new cursor, as it is kept (for the retention period) and pushed.
    pub fn new_event(&self, event: Event<'_>) -> Result<LoggedEvent, AppError> {
        self.logged_as(EventId::parse(self.ids.ulid())?, event)
    }

    /// A new message's `message.new`, whose cursor is the message's id: stores may keep the
    /// message and its event as one record.
    pub fn message_event(&self, message: &Message) -> Result<LoggedEvent, AppError> {
        let event = Event::MessageNew { conversation_id: message.conversation_id.as_str(), message, cursor: None };
        self.logged_as(EventId::parse(message.id.as_str())?, event)
    }

    fn logged_as(&self, cursor: EventId, event: Event<'_>) -> Result<LoggedEvent, AppError> {
        let frame = event.with_cursor(cursor.as_str()).to_json();
        let retention = chrono::Duration::from_std(self.limits.event_retention).map_err(AppError::internal)?;
        Ok(LoggedEvent { id: cursor, frame, expires_at: self.clock.now() + retention })
    }

    /// Sends `frame` to every live connection of `users`, except `skip`. Each connection
    /// receives it once. A connection found gone is deleted (that one, not the sender's).
    /// Returns the users it reached on no connection: those with none, and those whose every
    /// connection turned out gone (a `$disconnect` lost to a throttle or a crash leaves its record
    /// behind) — they did not get it live, so they are the ones to notify.
    pub async fn deliver_to_users(
        &self,
        tenant: &TenantId,
        users: &[UserId],
        frame: &str,
        skip: Option<&ConnectionId>,
    ) -> Result<Vec<UserId>, AppError> {
        let found = self.connections.list_users_connections(tenant, users, self.clock.now()).await?;
        let connections: Vec<&Connection> = found.iter().filter(|c| Some(&c.id) != skip).collect();
        let ids: Vec<&ConnectionId> = connections.iter().map(|c| &c.id).collect();
        let pushed = self.push.push_to_connections(&ids, frame).await;
        let outcomes = join_all(connections.iter().zip(pushed).map(|(c, result)| self.settle(c, result))).await;
        // The skipped connection is the sender's own: they have it.
        let mut online: std::collections::HashSet<&UserId> =
            found.iter().filter(|c| Some(&c.id) == skip).map(|c| &c.user_id).collect();
        online.extend(connections.iter().zip(&outcomes).filter(|(_, o)| **o != Pushed::Gone).map(|(c, _)| &c.user_id));
        let offline = users.iter().filter(|u| !online.contains(u)).cloned().collect();
        let count = |wanted: Pushed| outcomes.iter().filter(|o| **o == wanted).count() as u64;
        let now = self.clock.now();
        self.metrics.count(Metric::Deliveries, count(Pushed::Delivered), Some(tenant), now);
        self.metrics.count(Metric::StaleConnectionsRemoved, count(Pushed::Gone), Some(tenant), now);
        Ok(offline)
    }

    /// What a push's `result` means for `connection`; a gone connection's record is deleted.
    async fn settle(&self, connection: &Connection, result: Result<(), PushError>) -> Pushed {
        match result {
            Ok(()) => Pushed::Delivered,
            Err(PushError::Gone) if self.clock.now() - connection.connected_at < CONNECT_GRACE => {
                tracing::info!(connection = %connection.id, "connection not open yet, frame skipped");
                Pushed::Opening
            }
            Err(PushError::Gone) => {
                tracing::info!(connection = %connection.id, "connection gone, removing it");
                let (tenant, user, now) = (&connection.tenant_id, &connection.user_id, self.clock.now());
                match self.connections.delete_connection(tenant, user, &connection.id, now).await {
                    // Whichever path forgets a connection gives it back to the tenant's count
                    // (its `$disconnect`, coming later, finds nothing to give back).
                    Ok(gone) => {
                        if let Some(removed) = &gone.removed {
                            self.quotas.close_connection(removed).await;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(connection = %connection.id, error = %e, "could not remove a gone connection")
                    }
                }
                Pushed::Gone
            }
            Err(e) => {
                tracing::warn!(connection = %connection.id, error = %e, "push failed");
                Pushed::Failed
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pushed {
    Delivered,
    Gone,
    /// Not open yet: its `$connect` is still running.
    Opening,
    Failed,
}

/// API Gateway answers 410 Gone to a push until the connection's `$connect` integration has
/// returned (at most 29 s): a connection recorded more recently than this may be opening, not
/// gone. It misses the frame (its client syncs once connected) but is not forgotten.
const CONNECT_GRACE: chrono::Duration = chrono::Duration::seconds(30);
