//! The notifications queue's worker: offline members' notifications, pushes to devices,
//! webhook deliveries, reminders, files' background work (thumbnails, a deleted message's
//! files) and people's data exports and erasures.

use super::{misrouted, FanoutWorker, Worker};
use crate::app::App;
use crate::domain::{Job, QueueName, Task};
use crate::AppError;

pub struct NotificationsWorker;

impl Worker for NotificationsWorker {
    const QUEUE: QueueName = QueueName::Notifications;

    async fn perform(&self, app: &App, job: &Job) -> Result<(), AppError> {
        let tenant = &job.tenant_id;
        match &job.task {
            Task::NotifyMessage(notice) => app.notifications.notify_message(tenant, notice).await,
            Task::PushNotification(push) => app.pushes.push(tenant, push, &job.id).await,
            Task::DeliverWebhook(deliver) => app.webhooks.deliver(tenant, deliver).await,
            Task::EmitWebhookEvent(e) => app.webhook_events.emit(tenant, e.kind, &e.event_id, e.data.clone()).await,
            Task::FireReminder(fire) => app.reminders.fire(tenant, fire).await,
            Task::MakeThumbnail(make) => app.thumbnails.make_thumbnail(tenant, make).await,
            Task::DiscardFiles(discard) => app.attachments.discard_files(tenant, discard).await,
            Task::ExpireUpload(expire) => app.attachments.expire_upload(tenant, expire).await,
            Task::ExportUser(export) => app.exports.make_export(tenant, export).await,
            Task::DiscardExport(discard) => app.exports.discard_export(tenant, discard).await,
            Task::EraseUser(erase) => app.erasure.erase(tenant, erase).await,
            Task::SweepRetention(sweep) => app.retention.sweep(tenant, sweep).await,
            Task::OffboardTenant(step) => app.offboarding.step(step).await,
            // Queued here by a version from before the fan-out queue (a deploy's rollout): the
            // same work, done where it landed rather than dead-lettered.
            Task::FanOut(_) | Task::AnnouncePresence(_) | Task::Summarize(_) => FanoutWorker.perform(app, job).await,
            Task::SendEmails(_) => Err(misrouted(Self::QUEUE, job)),
        }
    }
}
