//! Read receipts and typing in a large group, coalesced. In a group of n, everyone reading a
//! message would be n `read` events to n members each — n² pushes, 250,000 for 500 members —
//! and typing the same. Above `Limits::signal_summary_above` members, a signal instead writes
//! only the signaller's own state (their read marker, their `typingUntil`) and makes sure one
//! summary job is due for the conversation within `Limits::signal_window`: the first signal of
//! a window claims it and queues the job, the others ride along. The job reads the members
//! once and pushes one `read.summary` or `typing.summary` to each: n pushes per window,
//! whatever the number of signals in it.

use super::delivery::DeliveryUseCases;
use crate::config::Limits;
use crate::domain::{Conversation, ConversationKind, Job, JobId, SignalKind, Summarize, Task, TenantId, UserId};
use crate::ports::{Clock, ConversationStore, Ids, JobQueue, ThrottleStore};
use crate::protocol::{Event, ReadMark, Typer};
use crate::AppError;
use std::sync::Arc;

/// The signals use cases, with the ports they use.
#[derive(Clone)]
pub struct SignalsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) throttles: Arc<dyn ThrottleStore>,
    pub(crate) limits: Limits,
    pub(crate) delivery: DeliveryUseCases,
}

impl SignalsUseCases {
    /// Whether the conversation's read receipts and typing go out as summaries.
    pub fn coalesced(&self, conversation: &Conversation) -> bool {
        conversation.kind == ConversationKind::Group
            && conversation.participants.len() > self.limits.signal_summary_above
    }

    /// A member's signal of `kind` changed their state (stored already): a summary is due within
    /// the window. The first signal of a window queues it; the others find it queued.
    pub async fn signal(&self, conversation: &Conversation, kind: SignalKind) -> Result<(), AppError> {
        let now = self.clock.now();
        let window = self.limits.signal_window;
        let until = now + chrono::Duration::from_std(window).map_err(AppError::internal)?;
        let key = format!("summary:{}:{}", kind.as_str(), conversation.id);
        if !self.throttles.try_claim(&conversation.tenant_id, &key, now, until).await? {
            return Ok(());
        }
        let summary = Summarize { conversation_id: conversation.id.clone(), kind, since: now };
        let id = JobId::of("summary", &[kind.as_str(), conversation.id.as_str(), &self.ids.ulid()]);
        let job = Job::new(&conversation.tenant_id, id, Task::Summarize(summary));
        self.jobs.enqueue(&job, Some(window)).await?;
        Ok(())
    }

    /// The `summarize` job: the window's signals, read from the members, to every member.
    ///
    /// Read summaries go into the conversation's log like any event (one entry per window, not
    /// per reader), so a client that was away finds them in `sync`; typing is only pushed.
    pub async fn summarize(&self, tenant: &TenantId, job: &Summarize) -> Result<(), AppError> {
        let Some((conversation, members)) =
            self.conversations.get_conversation_with_members(tenant, &job.conversation_id).await?
        else {
            return Ok(()); // deleted since
        };
        let users: Vec<UserId> = members.iter().map(|m| m.user_id.clone()).collect();
        let now = self.clock.now();
        match job.kind {
            SignalKind::Read => {
                // From the window before this one's start as well: a marker whose write ended
                // after that window's summary read the members is not left out.
                let window = chrono::Duration::from_std(self.limits.signal_window).map_err(AppError::internal)?;
                let from = job.since - window;
                let reads: Vec<ReadMark> = members
                    .iter()
                    .filter_map(|m| {
                        Some(ReadMark {
                            user_id: m.user_id.clone(),
                            last_read_message_id: m.last_read_message_id.clone()?,
                            last_read_at: m.last_read_at.filter(|at| *at >= from)?,
                        })
                    })
                    .collect();
                if reads.is_empty() {
                    return Ok(());
                }
                let event =
                    Event::ReadSummary { conversation_id: conversation.id.as_str(), reads: &reads, cursor: None };
                self.delivery.publish_to_conversation(&conversation, &users, event, None, None).await?;
            }
            SignalKind::Typing => {
                let name = |user: &UserId| {
                    conversation
                        .participants
                        .iter()
                        .find(|p| p.user_id == *user)
                        .map(|p| p.name.clone())
                        .unwrap_or_default()
                };
                let typing: Vec<Typer> = members
                    .iter()
                    .filter_map(|m| {
                        let until = m.typing_until.filter(|until| *until > now)?;
                        Some(Typer {
                            user_id: m.user_id.clone(),
                            name: name(&m.user_id),
                            expires_in_ms: (until - now).num_milliseconds().max(0) as u64,
                        })
                    })
                    .collect();
                let event = Event::TypingSummary { conversation_id: conversation.id.as_str(), typing: &typing };
                self.delivery.deliver_to_users(tenant, &users, &event.to_json(), None).await?;
            }
        }
        Ok(())
    }
}
