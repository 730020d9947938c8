//! A large audience's event, delivered by queue workers a hundred recipients per job (see
//! [`super::delivery::publish`]), then the offline members' notifications, as a delivery
//! in the request path does them.

use super::{delivery, notifications};
use crate::app::App;
use crate::domain::{FanOut, JobId, TenantId};
use crate::AppError;

/// The `fanOut` job: feeds, then live connections, then notifications for a new message's
/// members who had no live connection.
pub async fn fan_out(app: &App, tenant: &TenantId, job: &JobId, fan_out: &FanOut) -> Result<(), AppError> {
    let offline = delivery::feed_and_push(app, tenant, &fan_out.users, &fan_out.event, fan_out.skip.as_ref()).await?;
    if let Some(message) = &fan_out.message {
        notifications::message_reached_offline(app, tenant, message, &offline, job.as_str()).await;
    }
    Ok(())
}
