//! A large conversation's event, pushed by queue workers a hundred members per job (see
//! [`super::delivery::publish_to_conversation`]; it is in the conversation's log already),
//! then the offline members' notifications, as a delivery in the request path does them.

use super::{delivery, notifications};
use crate::app::App;
use crate::domain::{FanOut, JobId, TenantId};
use crate::AppError;

/// The `fanOut` job: live connections, then notifications for a new message's members who
/// had no live connection.
pub async fn fan_out(app: &App, tenant: &TenantId, job: &JobId, fan_out: &FanOut) -> Result<(), AppError> {
    let offline =
        delivery::deliver_to_users(app, tenant, &fan_out.users, &fan_out.event.frame, fan_out.skip.as_ref()).await?;
    if let Some(message) = &fan_out.message {
        notifications::message_reached_offline(app, tenant, message, &offline, job.as_str()).await;
    }
    Ok(())
}
