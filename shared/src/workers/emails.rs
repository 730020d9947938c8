//! The e-mails queue's worker: sends what waits for a user.

use super::{misrouted, Worker};
use crate::app::App;
use crate::domain::{Job, QueueName, Task};
use crate::AppError;

pub struct EmailsWorker;

impl Worker for EmailsWorker {
    const QUEUE: QueueName = QueueName::Emails;

    async fn perform(&self, app: &App, job: &Job) -> Result<(), AppError> {
        match &job.task {
            Task::SendEmails(send) => app.email_sending.send_pending(&job.tenant_id, send, &job.id).await,
            Task::FanOut(_)
            | Task::NotifyMessage(_)
            | Task::PushNotification(_)
            | Task::DeliverWebhook(_)
            | Task::EmitWebhookEvent(_)
            | Task::FireReminder(_)
            | Task::AnnouncePresence(_)
            | Task::Summarize(_)
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
