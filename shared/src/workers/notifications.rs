//! The notifications queue's worker: large audiences' events, offline members'
//! notifications, reminders, presence, large groups' read and typing summaries.

use super::{misrouted, Worker};
use crate::app::App;
use crate::domain::{Job, QueueName, Task};
use crate::usecases::{fanout, notifications, presence, reminders, signals};
use crate::AppError;

pub struct NotificationsWorker;

impl Worker for NotificationsWorker {
    const QUEUE: QueueName = QueueName::Notifications;

    async fn perform(&self, app: &App, job: &Job) -> Result<(), AppError> {
        let tenant = &job.tenant_id;
        match &job.task {
            Task::FanOut(fan_out) => fanout::fan_out(app, tenant, &job.id, fan_out).await,
            Task::NotifyMessage(notice) => notifications::notify_message(app, tenant, notice).await,
            Task::FireReminder(fire) => reminders::fire(app, tenant, fire).await,
            Task::AnnouncePresence(presence) => presence::announce(app, tenant, presence).await,
            Task::Summarize(summary) => signals::summarize(app, tenant, summary).await,
            Task::SendEmails(_) => Err(misrouted(Self::QUEUE, job)),
        }
    }
}
