//! A tenant's quotas: how much of the platform one tenant may use, so that one tenant's burst
//! (or a compromised integration's flood) cannot take what the others need. Each quota counts
//! over a window; the platform sets defaults (`MISSIVE_QUOTA_*`) and each tenant may have its
//! own.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};

/// What a quota counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quota {
    /// Messages sent (by members, bots and hooks) per minute.
    MessagesPerMinute,
    /// WebSocket connections open at once.
    Connections,
    /// E-mails sent per day (UTC).
    EmailsPerDay,
    /// Bytes of files uploaded per day (UTC), as declared when the upload is asked for.
    UploadBytesPerDay,
}

impl Quota {
    pub const ALL: [Quota; 4] =
        [Quota::MessagesPerMinute, Quota::Connections, Quota::EmailsPerDay, Quota::UploadBytesPerDay];

    /// Its name in the API (`Tenant.quotas`) and in `quota_exceeded` errors.
    pub fn name(self) -> &'static str {
        match self {
            Quota::MessagesPerMinute => "messagesPerMinute",
            Quota::Connections => "connections",
            Quota::EmailsPerDay => "emailsPerDay",
            Quota::UploadBytesPerDay => "uploadBytesPerDay",
        }
    }

    /// The window a count of this quota is made over, at `now`.
    pub fn window(self, now: DateTime<Utc>) -> Window {
        let span = match self {
            Quota::MessagesPerMinute => Duration::minutes(1),
            Quota::EmailsPerDay | Quota::UploadBytesPerDay => Duration::days(1),
            // Open connections are counted in the slots of their opening (`connection_slot`);
            // a refused one may try again in a minute, as connections close all the time.
            Quota::Connections => Duration::minutes(1),
        };
        let start = now.duration_trunc(span).unwrap_or(now);
        Window { start, end: start + span }
    }
}

/// A quota's window: the count starts again at `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Window {
    /// Whole seconds until the window ends (at least 1): a refused caller's `retryAfter`.
    pub fn seconds_left(&self, now: DateTime<Utc>) -> u64 {
        let millis = (self.end - now).num_milliseconds().max(0) as u64;
        millis.div_ceil(1000).max(1)
    }
}

/// A tenant's own quotas; one left out is the platform's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantQuotas {
    /// Messages per minute (members', bots' and hooks' together).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_per_minute: Option<u64>,
    /// WebSocket connections open at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<u64>,
    /// E-mails per day (UTC); those over it wait for the next day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails_per_day: Option<u64>,
    /// Bytes of uploads per day (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_bytes_per_day: Option<u64>,
}

impl TenantQuotas {
    pub fn get(&self, quota: Quota) -> Option<u64> {
        match quota {
            Quota::MessagesPerMinute => self.messages_per_minute,
            Quota::Connections => self.connections,
            Quota::EmailsPerDay => self.emails_per_day,
            Quota::UploadBytesPerDay => self.upload_bytes_per_day,
        }
    }

    fn slot(&mut self, quota: Quota) -> &mut Option<u64> {
        match quota {
            Quota::MessagesPerMinute => &mut self.messages_per_minute,
            Quota::Connections => &mut self.connections,
            Quota::EmailsPerDay => &mut self.emails_per_day,
            Quota::UploadBytesPerDay => &mut self.upload_bytes_per_day,
        }
    }

    /// `patch` applied: a quota it names is set, `0` back to the platform's default.
    pub fn patched(&self, patch: &TenantQuotas) -> TenantQuotas {
        let mut quotas = self.clone();
        for quota in Quota::ALL {
            if let Some(value) = patch.get(quota) {
                *quotas.slot(quota) = (value > 0).then_some(value);
            }
        }
        quotas
    }

    pub fn is_empty(&self) -> bool {
        Quota::ALL.iter().all(|q| self.get(*q).is_none())
    }
}

/// The slot of a connection opened at `at`: open connections are counted per slot of their
/// opening, and a slot stops counting once every connection opened in it has expired (API
/// Gateway closes a connection after two hours), so that a connection whose close was never
/// heard (a `$disconnect` lost, a process killed) is counted no longer than that.
pub fn connection_slot(at: DateTime<Utc>, connection_ttl: Duration) -> i64 {
    let width = (connection_ttl.num_seconds() / 2).max(1);
    at.timestamp().div_euclid(width)
}

/// The slots whose connections may still be open at `now`: the current one and those of the
/// last `connection_ttl`.
pub fn live_connection_slots(now: DateTime<Utc>, connection_ttl: Duration) -> [i64; 3] {
    let current = connection_slot(now, connection_ttl);
    [current - 2, current - 1, current]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_on_the_minute_or_the_day_and_say_how_long_is_left() {
        let now: DateTime<Utc> = "2026-12-06T23:41:20.500Z".parse().unwrap();
        let minute = Quota::MessagesPerMinute.window(now);
        assert_eq!(minute.start, "2026-12-06T23:41:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(minute.seconds_left(now), 40);
        let day = Quota::EmailsPerDay.window(now);
        assert_eq!(day.end, "2026-12-07T00:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(day.seconds_left(day.end), 1, "never 0");
    }

    #[test]
    fn a_patch_sets_what_it_names_and_zero_goes_back_to_the_default() {
        let quotas = TenantQuotas { messages_per_minute: Some(10), connections: Some(5), ..Default::default() };
        let patched = quotas.patched(&TenantQuotas {
            messages_per_minute: Some(0),
            emails_per_day: Some(100),
            ..Default::default()
        });
        assert_eq!(patched, TenantQuotas { connections: Some(5), emails_per_day: Some(100), ..Default::default() });
        assert!(quotas
            .patched(&TenantQuotas { messages_per_minute: Some(0), connections: Some(0), ..Default::default() })
            .is_empty());
    }

    #[test]
    fn a_connection_counts_in_the_slots_of_its_lifetime_only() {
        let ttl = Duration::hours(2);
        let opened: DateTime<Utc> = "2026-12-06T10:59:00Z".parse().unwrap();
        let slot = connection_slot(opened, ttl);
        assert!(live_connection_slots(opened + ttl - Duration::minutes(1), ttl).contains(&slot));
        assert!(!live_connection_slots(opened + ttl + Duration::hours(1), ttl).contains(&slot));
    }
}
