//! The fan-out queue's worker: live delivery's background work — a large audience's events,
//! a large group's read and typing summaries, presence announcements. Its own queue and its
//! own concurrency cap keep it clear of a backlog of notifications or e-mails.

use super::{misrouted, Worker};
use crate::app::App;
use crate::domain::{Job, QueueName, Task};
use crate::AppError;

pub struct FanoutWorker;

impl Worker for FanoutWorker {
    const QUEUE: QueueName = QueueName::Fanout;

    async fn perform(&self, app: &App, job: &Job) -> Result<(), AppError> {
        let tenant = &job.tenant_id;
        match &job.task {
            Task::FanOut(fan_out) => app.fanout.fan_out(tenant, &job.id, fan_out).await,
            Task::AnnouncePresence(presence) => app.presence.announce(tenant, presence).await,
            Task::Summarize(summary) => app.signals.summarize(tenant, summary).await,
            Task::NotifyMessage(_)
            | Task::PushNotification(_)
            | Task::DeliverWebhook(_)
            | Task::EmitWebhookEvent(_)
            | Task::FireReminder(_)
            | Task::SendEmails(_)
            | Task::MakeThumbnail(_)
            | Task::DiscardFiles(_)
            | Task::ExpireUpload(_)
            | Task::ExportUser(_)
            | Task::DiscardExport(_)
            | Task::EraseUser(_)
            | Task::SweepRetention(_)
            | Task::OffboardTenant(_) => Err(misrouted(Self::QUEUE, job)),
        }
    }
}
