//! Notifications pushed to their user's devices (phones, browsers) when the user is not
//! connected: queued as a `pushNotification` job when the notification is made, pushed by the
//! job unless the user came online or read it meanwhile; held by quiet hours (but a critical
//! one); one push per device exactly once, however often the job runs; a device its push
//! service says is gone is forgotten.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::future::join_all;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::effects::EffectsUseCases;
use super::preferences::PreferencesUseCases;
use super::scheduling::SchedulingUseCases;
use super::seen::was_read;
use crate::domain::*;
use crate::metrics::{Metric, Metrics};
use crate::ports::{
    Clock, ConnectionStore, ConversationStore, DevicePush, DeviceStore, NotificationStore, PushService,
    PushServiceError, Urgency,
};
use crate::AppError;

/// A push shows this much of the notification's text (a push payload holds 4 KB at most).
const PUSH_BODY_CHARS: usize = 240;
/// How long a push service keeps a push for a device that is off.
const PUSH_TTL_SECS: u64 = 24 * 60 * 60;

/// The pushes use cases, with the ports they use.
#[derive(Clone)]
pub struct PushesUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) connections: Arc<dyn ConnectionStore>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) devices: Arc<dyn DeviceStore>,
    pub(crate) notifications: Arc<dyn NotificationStore>,
    pub(crate) services: Arc<dyn PushService>,
    pub(crate) metrics: Metrics,
    pub(crate) effects: EffectsUseCases,
    pub(crate) preferences: PreferencesUseCases,
    pub(crate) scheduling: SchedulingUseCases,
}

impl PushesUseCases {
    /// A notification whose type the user has pushed: a `pushNotification` job if they have a
    /// device (one read spares the queue a job for everyone who has none).
    pub async fn queue(&self, notification: &Notification, in_app: bool) -> Result<(), AppError> {
        let (tenant, user) = (&notification.tenant_id, &notification.user_id);
        if self.devices.list_devices(tenant, user, 1).await?.is_empty() {
            return Ok(());
        }
        let id = JobId::of("push", &[user.as_str(), notification.id.as_str()]);
        let task = Task::PushNotification(PushNotification { notification: notification.clone(), in_app });
        self.scheduling.enqueue_at(Job::new(tenant, id, task), self.clock.now()).await
    }

    /// The `pushNotification` job: one push to each of the user's devices, unless they turned
    /// the type's pushes off, are connected, or read it meanwhile; after their quiet hours when
    /// in them (a critical notification goes through). A device whose push failed for a
    /// passing reason makes the job fail, to be retried for that device alone.
    pub async fn push(&self, tenant: &TenantId, job: &PushNotification, job_id: &JobId) -> Result<(), AppError> {
        let n = &job.notification;
        let user = &n.user_id;
        let prefs = self.preferences.load(tenant, user).await?;
        if !prefs.pushes(n.kind) {
            return Ok(());
        }
        let now = self.clock.now();
        if !self.connections.list_user_connections(tenant, user, now).await?.is_empty() {
            tracing::info!(job = %job_id, "the user is connected: not pushed");
            return Ok(());
        }
        if was_read(&*self.conversations, &*self.notifications, n, job.in_app).await? {
            return Ok(());
        }
        if n.priority != Priority::Critical {
            if let Some(end) = prefs.quiet_hours.as_ref().and_then(|q| q.ends_after(now)) {
                tracing::info!(job = %job_id, until = %end, "quiet hours: the push waits");
                let later = job_id.derived(&format!("after:{}", end.timestamp()));
                let task = Task::PushNotification(job.clone());
                return self.scheduling.enqueue_at(Job::new(tenant, later, task), end).await;
            }
        }
        let devices = self.devices.list_devices(tenant, user, MAX_DEVICES).await?;
        if devices.is_empty() {
            return Ok(());
        }
        let badge = self.notifications.count_unread_notifications(tenant, user).await?;
        let push = &device_push(n, badge);
        let outcomes = join_all(devices.iter().map(|device| async move {
            let key = format!("push:{}:{}", n.id, device.id);
            self.effects.once(tenant, &key, self.push_to(tenant, device, push)).await
        }))
        .await;
        outcomes.into_iter().find_map(Result::err).map_or(Ok(()), Err)
    }

    /// One push to one device; a device gone is removed, a refused push dropped (neither is
    /// retried), a passing failure returned.
    async fn push_to(&self, tenant: &TenantId, device: &Device, push: &DevicePush) -> Result<(), AppError> {
        let count = |metric| self.metrics.count(metric, 1, Some(tenant), self.clock.now());
        match self.services.send(tenant, device, push).await {
            Ok(()) => {
                count(Metric::PushesSent);
                tracing::info!(tenant = %tenant, device = %device.id, kind = device.target.kind(), "pushed");
                Ok(())
            }
            Err(PushServiceError::Gone) => {
                self.devices.delete_device(tenant, &device.user_id, &device.id).await?;
                count(Metric::DevicesRemoved);
                tracing::info!(tenant = %tenant, device = %device.id, "the push service says the device is gone: removed");
                Ok(())
            }
            Err(PushServiceError::Rejected(why)) => {
                count(Metric::PushesFailed);
                tracing::warn!(tenant = %tenant, device = %device.id, why, "push refused, dropped");
                Ok(())
            }
            Err(PushServiceError::Failed(e)) => {
                count(Metric::PushesFailed);
                Err(AppError::internal(e.context("pushing to a device")))
            }
        }
    }
}

/// What a device is sent of a notification: its bell entry (the text cut to fit) and the
/// user's unread count; collapsed per conversation, urgent when critical.
fn device_push(n: &Notification, badge: u64) -> DevicePush {
    let mut shown = n.clone();
    let mut chars = n.body.chars();
    shown.body = chars.by_ref().take(PUSH_BODY_CHARS).collect();
    if chars.next().is_some() {
        shown.body.push('…');
    }
    let topic = n.conversation_id.as_ref().map(|conversation| {
        // A Topic is at most 32 characters of base64url: a hash of the conversation fits.
        URL_SAFE_NO_PAD.encode(&Sha256::digest(format!("{}/{conversation}", n.tenant_id))[..16])
    });
    DevicePush {
        payload: json!({ "notification": &shown, "badge": badge }),
        title: shown.title.clone(),
        body: shown.body.clone(),
        topic,
        urgency: if n.priority == Priority::Critical { Urgency::High } else { Urgency::Normal },
        ttl_secs: PUSH_TTL_SECS,
        badge,
    }
}
