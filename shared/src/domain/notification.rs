//! In-app notifications, what each user wants to receive and how, and reminders.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::{ConversationId, MessageId, NotificationId, ReminderId, TenantId, UserId};
use crate::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotificationType {
    Message,
    Mention,
    Reminder,
    Event,
    System,
}

impl NotificationType {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationType::Message => "message",
            NotificationType::Mention => "mention",
            NotificationType::Reminder => "reminder",
            NotificationType::Event => "event",
            NotificationType::System => "system",
        }
    }
}

/// How a notification reaches its user: `critical` (a call-out, sent by a tenant admin or the
/// platform) skips quiet hours and digests on every channel and is pushed with high urgency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    Normal,
    Critical,
}

impl Priority {
    pub fn is_normal(&self) -> bool {
        *self == Priority::Normal
    }
}

/// One line of a user's bell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub tenant_id: TenantId,
    /// A ULID: notifications sort by creation.
    pub id: NotificationId,
    pub user_id: UserId,
    #[serde(rename = "type")]
    pub kind: NotificationType,
    pub title: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_label: Option<String>,
    /// For `message` notifications: where the message is, so that reading it there
    /// settles the notification's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    /// Absent: `normal`.
    #[serde(default, skip_serializing_if = "Priority::is_normal")]
    pub priority: Priority,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    #[serde(default)]
    pub read_at: Option<DateTime<Utc>>,
}

/// A notification waiting to be e-mailed (immediately, after the unread delay, after quiet
/// hours, or in the next digest). Removed once sent, or once it turned out to be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingEmail {
    pub notification: Notification,
    /// Whether the bell holds it (its read state is then the notification's).
    pub in_app: bool,
}

/// On/off per channel for one notification type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Channels {
    pub in_app: bool,
    pub email: bool,
    /// Pushed to the user's devices (phones, browsers) when they have no live connection.
    /// Absent: the type's default (on, but for `system`); answered always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<bool>,
}

impl Default for Channels {
    fn default() -> Self {
        Channels { in_app: true, email: true, push: None }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TypeChannels {
    #[serde(default)]
    pub message: Channels,
    #[serde(default)]
    pub mention: Channels,
    #[serde(default)]
    pub reminder: Channels,
    #[serde(default)]
    pub event: Channels,
    #[serde(default)]
    pub system: Channels,
}

impl TypeChannels {
    /// Each type's `push` given: its default where it was not (on, but for `system`).
    pub fn with_push_defaults(mut self) -> Self {
        for (channels, default) in [
            (&mut self.message, true),
            (&mut self.mention, true),
            (&mut self.reminder, true),
            (&mut self.event, true),
            (&mut self.system, false),
        ] {
            channels.push.get_or_insert(default);
        }
        self
    }

    pub fn of(&self, kind: NotificationType) -> Channels {
        match kind {
            NotificationType::Message => self.message,
            NotificationType::Mention => self.mention,
            NotificationType::Reminder => self.reminder,
            NotificationType::Event => self.event,
            NotificationType::System => self.system,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EmailMode {
    /// Each e-mail goes as soon as it is due.
    #[default]
    Immediate,
    /// One e-mail per digest interval (hourly) with everything due.
    Digest,
    Off,
}

/// Quiet hours: e-mails due between `start` and `end` (local time in `time_zone`) wait for
/// `end`. `start` after `end` spans midnight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuietHours {
    pub start: String,
    pub end: String,
    pub time_zone: String,
}

impl QuietHours {
    fn parts(&self) -> Result<(NaiveTime, NaiveTime, chrono_tz::Tz), AppError> {
        let time = |field: &str, v: &str| {
            NaiveTime::parse_from_str(v, "%H:%M")
                .map_err(|_| AppError::invalid(format!("quietHours.{field}: expected HH:MM (24 h), got {v:?}")))
        };
        let start = time("start", &self.start)?;
        let end = time("end", &self.end)?;
        if start == end {
            return Err(AppError::invalid("quietHours.end: must differ from quietHours.start"));
        }
        let tz: chrono_tz::Tz = self
            .time_zone
            .parse()
            .map_err(|_| AppError::invalid(format!("quietHours.timeZone: unknown time zone {:?}", self.time_zone)))?;
        Ok((start, end, tz))
    }

    /// When the quiet period that contains `now` ends; `None` when `now` is not quiet.
    pub fn ends_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (start, end, tz) = self.parts().ok()?;
        let local = now.with_timezone(&tz);
        let t = local.time();
        let quiet = if start < end { t >= start && t < end } else { t >= start || t < end };
        if !quiet {
            return None;
        }
        let mut day = local.date_naive();
        if t >= end {
            day = day.succ_opt()?;
        }
        // On a daylight-saving jump the wall time may not exist: take the earliest valid one.
        let end_local = tz
            .from_local_datetime(&day.and_time(end))
            .earliest()
            .or_else(|| tz.from_local_datetime(&(day.and_time(end) + chrono::Duration::hours(1))).earliest())?;
        Some(end_local.with_timezone(&Utc))
    }
}

/// What a user wants: per type and channel, how e-mails go, and when they must wait.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preferences {
    #[serde(default)]
    pub types: TypeChannels,
    #[serde(default)]
    pub email_mode: EmailMode,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

impl Preferences {
    /// Refuses what cannot be honoured, naming the field.
    pub fn validate(&self) -> Result<(), AppError> {
        if !self.types.system.in_app {
            return Err(AppError::invalid("types.system.inApp: system notifications cannot be turned off in-app"));
        }
        if let Some(q) = &self.quiet_hours {
            q.parts()?;
        }
        Ok(())
    }

    /// Whether an e-mail may go for this type at all.
    pub fn emails(&self, kind: NotificationType) -> bool {
        self.email_mode != EmailMode::Off && self.types.of(kind).email
    }

    /// Whether notifications of `kind` are pushed to the user's devices.
    pub fn pushes(&self, kind: NotificationType) -> bool {
        self.types.with_push_defaults().of(kind).push.unwrap_or(true)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReminderStatus {
    Pending,
    Fired,
}

/// A notification scheduled for a time, for users or for a conversation's members (as they
/// are when it fires).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    pub tenant_id: TenantId,
    pub id: ReminderId,
    pub created_by: UserId,
    pub at: DateTime<Utc>,
    pub title: String,
    #[schema(required = true)]
    #[serde(default)]
    pub body: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_label: Option<String>,
    pub status: ReminderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Reminder {
    /// A reminder is kept this long after its time, then forgotten.
    pub const KEPT_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(30);

    pub fn forget_at(&self) -> DateTime<Utc> {
        self.at + Self::KEPT_AFTER
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet(start: &str, end: &str, tz: &str) -> QuietHours {
        QuietHours { start: start.into(), end: end.into(), time_zone: tz.into() }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn quiet_hours_across_midnight_end_the_next_morning_in_the_users_zone() {
        let q = quiet("22:00", "07:00", "Europe/Paris");
        // 23:30 in Paris (UTC+1 in November) is quiet until 07:00 Paris = 06:00 UTC.
        assert_eq!(q.ends_after(at("2026-11-24T22:30:00Z")), Some(at("2026-11-25T06:00:00Z")));
        // 05:00 Paris, same night.
        assert_eq!(q.ends_after(at("2026-11-25T04:00:00Z")), Some(at("2026-11-25T06:00:00Z")));
        // 12:00 Paris is not quiet.
        assert_eq!(q.ends_after(at("2026-11-25T11:00:00Z")), None);
    }

    #[test]
    fn quiet_hours_within_a_day() {
        let q = quiet("12:00", "14:00", "UTC");
        assert_eq!(q.ends_after(at("2026-11-24T13:59:00Z")), Some(at("2026-11-24T14:00:00Z")));
        assert_eq!(q.ends_after(at("2026-11-24T14:00:00Z")), None);
    }

    #[test]
    fn invalid_preferences_name_their_field() {
        let mut p = Preferences::default();
        p.types.system.in_app = false;
        assert!(p.validate().unwrap_err().to_string().starts_with("types.system.inApp"));
        let p = Preferences { quiet_hours: Some(quiet("25:00", "07:00", "UTC")), ..Default::default() };
        assert!(p.validate().unwrap_err().to_string().starts_with("quietHours.start"));
        let p = Preferences { quiet_hours: Some(quiet("22:00", "07:00", "Mars/Olympus")), ..Default::default() };
        assert!(p.validate().unwrap_err().to_string().starts_with("quietHours.timeZone"));
        assert!(Preferences::default().validate().is_ok());
    }

    #[test]
    fn pushes_are_on_by_default_but_for_system_ones_and_follow_the_user() {
        let types = TypeChannels::default().with_push_defaults();
        let push = |kind| types.of(kind).push;
        assert_eq!(push(NotificationType::Message), Some(true));
        assert_eq!(push(NotificationType::Event), Some(true));
        assert_eq!(push(NotificationType::System), Some(false));
        let mut chosen = TypeChannels::default();
        chosen.message.push = Some(false);
        chosen.system.push = Some(true);
        let chosen = chosen.with_push_defaults();
        assert_eq!((chosen.message.push, chosen.system.push), (Some(false), Some(true)), "a choice is kept");
    }
}
