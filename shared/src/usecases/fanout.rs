//! A large conversation's event, pushed by queue workers a hundred members per job (see
//! [`super::delivery::publish_to_conversation`]; it is in the conversation's log already),
//! then the offline members' notifications, as a delivery in the request path does them.

use super::delivery::DeliveryUseCases;
use super::notifications::NotificationsUseCases;
use crate::domain::{FanOut, JobId, TenantId};
use crate::AppError;

/// The fanout use cases, with the ports they use.
#[derive(Clone)]
pub struct FanoutUseCases {
    pub(crate) delivery: DeliveryUseCases,
    pub(crate) notifications: NotificationsUseCases,
}

impl FanoutUseCases {
    /// The `fanOut` job: live connections, then notifications for a new message's members who
    /// had no live connection.
    pub async fn fan_out(&self, tenant: &TenantId, job: &JobId, fan_out: &FanOut) -> Result<(), AppError> {
        let offline =
            self.delivery.deliver_logged(tenant, &fan_out.users, &fan_out.event, fan_out.skip.as_ref()).await?;
        if let Some(message) = &fan_out.message {
            self.notifications.message_reached_offline(tenant, message, &offline, job.as_str()).await;
        }
        Ok(())
    }
}
