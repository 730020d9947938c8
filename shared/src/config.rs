//! Typed configuration, read once from the environment. A missing required variable fails
//! fast with its name; secrets never appear in `Debug` output or logs.

use std::fmt;
use std::time::Duration;

/// A secret value: usable as bytes, never printed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("missing required environment variable {0}")]
    Missing(&'static str),
    #[error("invalid value for {0}: {1}")]
    Invalid(&'static str, String),
}

#[derive(Clone, Debug)]
pub struct Config {
    /// HS256 secret of the platform's tokens (`MISSIVE_JWT_SECRET`).
    pub jwt_secret: Secret,
    /// Signs Missive's own guest tokens (`MISSIVE_GUEST_SECRET`; by default derived from the
    /// JWT secret, so that no platform token can pass for a guest token).
    pub guest_secret: Secret,
    pub jwt_issuer: Option<String>,
    pub jwt_audience: Option<String>,
    /// An identity provider's JSON Web Key Set: its RS256/ES256 tokens are accepted too.
    pub jwks_url: Option<String>,
    /// The platform operator's key (`MISSIVE_PLATFORM_KEY`).
    pub platform_key: Secret,
    /// Where the REST API is reached from outside (`MISSIVE_PUBLIC_URL`): links in e-mails.
    /// Required where e-mails are sent; the local runtime defaults it to where it listens.
    pub public_url: Option<String>,
    /// The sender of e-mails for tenants without their own `emailFrom` (`MISSIVE_EMAIL_FROM`).
    /// Required where e-mails are sent; the local runtime has a development default.
    pub email_from: Option<String>,
    /// Pushing to devices (Web Push, FCM, APNs).
    pub push: PushSettings,
    /// Webhooks may be plain `http` to this machine (`MISSIVE_WEBHOOKS_ALLOW_LOOPBACK`: the local
    /// runtime's default; never on AWS, but for the emulated topology's tests).
    pub webhooks_loopback_allowed: bool,
    /// How long a webhook receiver has to answer (`MISSIVE_WEBHOOK_TIMEOUT_MS`, 10 s at most and
    /// by default; shorter in tests of receivers that never answer).
    pub webhook_timeout: Duration,
    pub limits: Limits,
}

/// What pushing to devices needs: the stack's VAPID key and who the push services may
/// contact; and, for tests only, where the push services are.
#[derive(Clone, Debug)]
pub struct PushSettings {
    /// `MISSIVE_VAPID_PRIVATE_KEY` (base64url); by default derived from the JWT secret.
    pub vapid: crate::vapid::VapidKey,
    /// The VAPID `sub` claim (`MISSIVE_VAPID_SUBJECT`, a `mailto:` or `https:` URL); by default
    /// the e-mail sender's address, else the public URL.
    pub subject: Option<String>,
    /// Tests only (`MISSIVE_WEBPUSH_URL`): every Web Push request goes to this origin instead
    /// of the subscription's (the path and the VAPID audience stay the subscription's), where a
    /// test's push service listens.
    pub webpush_origin: Option<String>,
    /// Tests only (`MISSIVE_FCM_URL`): FCM's API and the service account's token endpoint are
    /// reached at this origin instead of Google's (paths and token audience unchanged).
    pub fcm_origin: Option<String>,
    /// Tests only (`MISSIVE_APNS_URL`, `http://` meaning HTTP/2 without TLS): APNs instead of
    /// Apple's production or sandbox origin.
    pub apns_origin: Option<String>,
}

/// Limits that API Gateway or the product sets; configurable for tests and tuning.
#[derive(Clone, Debug)]
pub struct Limits {
    /// A connection's record expires this long after connect (API Gateway: 2 hours).
    pub connection_ttl: Duration,
    /// The largest WebSocket frame accepted (API Gateway: 32 KB).
    pub max_frame_bytes: usize,
    /// The largest REST request body accepted.
    pub max_body_bytes: usize,
    /// The most members a group may have (`MISSIVE_MAX_GROUP_MEMBERS`).
    pub max_group_members: usize,
    /// The largest file a member may upload (`MISSIVE_MAX_UPLOAD_BYTES`; 25 MB).
    pub max_upload_bytes: u64,
    /// The largest image (width × height) a thumbnail is made of (`MISSIVE_MAX_IMAGE_PIXELS`):
    /// decoding one takes 4 bytes a pixel (40 megapixels: 160 MB, which notify-worker's 512 MB
    /// hold). A larger one is shown without a thumbnail.
    pub max_image_pixels: u64,
    pub guest_token_ttl: Duration,
    /// How long a user's missed events are kept for `sync`.
    pub event_retention: Duration,
    /// The most events one `sync` returns; a client asks again from the cursor it got.
    pub max_sync_events: usize,
    /// How long an event may take to be written after it took its cursor (a ULID of the
    /// moment its publication started). The cursor a `sync` ends on stays this far behind the
    /// present, so that an event written late, with a cursor lower than ones already synced,
    /// is in the next sync rather than skipped; the events after that cursor come again and
    /// the client drops them by cursor.
    pub sync_settle: Duration,
    /// Frames one connection may send in a burst, and per `rate_window` after it, before
    /// `rate_limited` answers (a token bucket, see `runtime::FrameRate`).
    pub max_frames_per_window: u64,
    pub rate_window: Duration,
    /// One `typing` per user, conversation and state within this interval; more are dropped.
    pub typing_interval: Duration,
    /// How long clients show a `typing` start without a refresh.
    pub typing_expiry: Duration,
    /// Groups of more members than this get their read receipts and typing as one summary per
    /// `signal_window` (`read.summary`, `typing.summary`) instead of an event per signal, so
    /// that pushes grow with the group, not with its square (`MISSIVE_SIGNAL_SUMMARY_ABOVE`).
    pub signal_summary_above: usize,
    /// How long a large group's read receipts and typing wait to go out together (SQS counts
    /// delays in whole seconds).
    pub signal_window: Duration,
    /// Events for more recipients than this are published by a queue worker, so that the
    /// sender's answer does not wait for the fan-out.
    pub fan_out_threshold: usize,
    /// A message still unread this long after it reached an offline member is e-mailed.
    pub message_email_delay: Duration,
    /// How often a digest goes out to users in digest mode (hourly).
    pub digest_interval: Duration,
    /// The first retry of a failed job waits about this long; each next one twice as long.
    pub retry_base: Duration,
    /// How long a long background job (a retention sweep, an offboarding) works before it
    /// queues its continuation: well within a worker's timeout (30 s). Tests set 0 to make every
    /// page a step of its own (`MISSIVE_BACKGROUND_STEP_MS`).
    pub background_step: Duration,
    /// A failed webhook attempt's next one waits this long times its step (5 s: 5 s, 30 s,
    /// 2 min… 8 h; `MISSIVE_WEBHOOK_RETRY_BASE_MS`).
    pub webhook_retry_base: Duration,
    /// How long a process trusts a tenant or user it read for authentication: a suspension
    /// or a change made elsewhere is seen within this bound.
    pub directory_cache_ttl: Duration,
    /// Jobs due later than this are kept in the store until the scheduler enqueues them;
    /// sooner ones ride the queue's own delay (SQS: 15 minutes at most).
    pub max_queue_delay: Duration,
    /// The quotas of tenants without their own.
    pub quotas: QuotaDefaults,
}

/// The platform's quotas for a tenant without its own (`MISSIVE_QUOTA_*`): generous, so that
/// they stop a runaway integration rather than a busy tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaDefaults {
    /// `MISSIVE_QUOTA_MESSAGES_PER_MINUTE` (60,000: 1,000 a second).
    pub messages_per_minute: u64,
    /// `MISSIVE_QUOTA_CONNECTIONS` (100,000 open at once).
    pub connections: u64,
    /// `MISSIVE_QUOTA_EMAILS_PER_DAY` (100,000).
    pub emails_per_day: u64,
    /// `MISSIVE_QUOTA_UPLOAD_BYTES_PER_DAY` (10 GB).
    pub upload_bytes_per_day: u64,
}

impl Default for QuotaDefaults {
    fn default() -> Self {
        Self {
            messages_per_minute: 60_000,
            connections: 100_000,
            emails_per_day: 100_000,
            upload_bytes_per_day: 10_000_000_000,
        }
    }
}

impl QuotaDefaults {
    pub fn get(&self, quota: crate::domain::Quota) -> u64 {
        use crate::domain::Quota;
        match quota {
            Quota::MessagesPerMinute => self.messages_per_minute,
            Quota::Connections => self.connections,
            Quota::EmailsPerDay => self.emails_per_day,
            Quota::UploadBytesPerDay => self.upload_bytes_per_day,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connection_ttl: Duration::from_secs(2 * 60 * 60),
            max_frame_bytes: 32 * 1024,
            max_body_bytes: 64 * 1024,
            max_group_members: 1000,
            max_upload_bytes: 25 * 1000 * 1000,
            max_image_pixels: 40_000_000,
            guest_token_ttl: Duration::from_secs(7 * 24 * 60 * 60),
            event_retention: Duration::from_secs(7 * 24 * 60 * 60),
            max_sync_events: 500,
            sync_settle: Duration::from_secs(10),
            max_frames_per_window: 60,
            rate_window: Duration::from_secs(10),
            typing_interval: Duration::from_secs(2),
            typing_expiry: Duration::from_secs(6),
            signal_summary_above: 20,
            signal_window: Duration::from_secs(1),
            fan_out_threshold: 50,
            message_email_delay: Duration::from_secs(10 * 60),
            digest_interval: Duration::from_secs(60 * 60),
            retry_base: Duration::from_secs(10),
            background_step: Duration::from_secs(10),
            webhook_retry_base: Duration::from_secs(5),
            max_queue_delay: Duration::from_secs(15 * 60),
            directory_cache_ttl: Duration::from_secs(5),
            quotas: QuotaDefaults::default(),
        }
    }
}

impl Config {
    /// Builds a configuration from explicit values (tests, the local runtime's flags).
    pub fn new(jwt_secret: &str, platform_key: &str) -> Self {
        Self {
            jwt_secret: Secret::new(jwt_secret),
            guest_secret: Secret::new(format!("missive-guest:{jwt_secret}")),
            jwt_issuer: None,
            jwt_audience: None,
            jwks_url: None,
            platform_key: Secret::new(platform_key),
            public_url: None,
            email_from: None,
            push: PushSettings {
                vapid: crate::vapid::VapidKey::derive(jwt_secret),
                subject: None,
                webpush_origin: None,
                fcm_origin: None,
                apns_origin: None,
            },
            webhooks_loopback_allowed: false,
            webhook_timeout: crate::domain::WEBHOOK_TIMEOUT,
            limits: Limits::default(),
        }
    }

    /// Reads the configuration through `get` (the process environment in production).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let secret = non_empty("MISSIVE_JWT_SECRET").ok_or(ConfigError::Missing("MISSIVE_JWT_SECRET"))?;
        if secret.len() < 16 {
            return Err(ConfigError::Invalid("MISSIVE_JWT_SECRET", "use at least 16 characters".into()));
        }
        let platform_key = non_empty("MISSIVE_PLATFORM_KEY").ok_or(ConfigError::Missing("MISSIVE_PLATFORM_KEY"))?;
        let mut config = Config::new(&secret, &platform_key);
        if let Some(guest) = non_empty("MISSIVE_GUEST_SECRET") {
            config.guest_secret = Secret::new(guest);
        }
        config.jwt_issuer = non_empty("MISSIVE_JWT_ISSUER");
        config.jwt_audience = non_empty("MISSIVE_JWT_AUDIENCE");
        config.jwks_url = non_empty("MISSIVE_JWKS_URL");
        if let Some(n) = non_empty("MISSIVE_FANOUT_THRESHOLD") {
            config.limits.fan_out_threshold =
                n.parse().map_err(|_| ConfigError::Invalid("MISSIVE_FANOUT_THRESHOLD", "expected a number".into()))?;
        }
        for (name, limit) in [
            ("MISSIVE_MAX_GROUP_MEMBERS", &mut config.limits.max_group_members),
            ("MISSIVE_SIGNAL_SUMMARY_ABOVE", &mut config.limits.signal_summary_above),
        ] {
            if let Some(n) = non_empty(name) {
                *limit = n.parse().map_err(|_| ConfigError::Invalid(name, "expected a number".into()))?;
            }
        }
        let quotas = &mut config.limits.quotas;
        for (name, quota) in [
            ("MISSIVE_QUOTA_MESSAGES_PER_MINUTE", &mut quotas.messages_per_minute),
            ("MISSIVE_QUOTA_CONNECTIONS", &mut quotas.connections),
            ("MISSIVE_QUOTA_EMAILS_PER_DAY", &mut quotas.emails_per_day),
            ("MISSIVE_QUOTA_UPLOAD_BYTES_PER_DAY", &mut quotas.upload_bytes_per_day),
        ] {
            if let Some(n) = non_empty(name) {
                *quota = n
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(ConfigError::Invalid(name, "expected a number above 0".into()))?;
            }
        }
        if let Some(max) = non_empty("MISSIVE_MAX_UPLOAD_BYTES") {
            config.limits.max_upload_bytes =
                max.parse().map_err(|_| ConfigError::Invalid("MISSIVE_MAX_UPLOAD_BYTES", "expected bytes".into()))?;
        }
        if let Some(max) = non_empty("MISSIVE_MAX_IMAGE_PIXELS") {
            config.limits.max_image_pixels =
                max.parse().map_err(|_| ConfigError::Invalid("MISSIVE_MAX_IMAGE_PIXELS", "expected pixels".into()))?;
        }
        if let Some(max) = non_empty("MISSIVE_MAX_FRAMES_PER_10S") {
            config.limits.max_frames_per_window = max
                .parse()
                .map_err(|_| ConfigError::Invalid("MISSIVE_MAX_FRAMES_PER_10S", "expected a number".into()))?;
        }
        if let Some(url) = non_empty("MISSIVE_PUBLIC_URL") {
            config.public_url = Some(url.trim_end_matches('/').to_string());
        }
        if let Some(from) = non_empty("MISSIVE_EMAIL_FROM") {
            config.email_from = Some(from);
        }
        if let Some(key) = non_empty("MISSIVE_VAPID_PRIVATE_KEY") {
            config.push.vapid = crate::vapid::VapidKey::parse(&key)
                .map_err(|e| ConfigError::Invalid("MISSIVE_VAPID_PRIVATE_KEY", e))?;
        }
        if let Some(subject) = non_empty("MISSIVE_VAPID_SUBJECT") {
            if !(subject.starts_with("mailto:") || subject.starts_with("https://")) {
                return Err(ConfigError::Invalid("MISSIVE_VAPID_SUBJECT", "a mailto: or https: URL".into()));
            }
            config.push.subject = Some(subject);
        }
        let origin = |name: &str| non_empty(name).map(|url| url.trim_end_matches('/').to_string());
        config.push.webpush_origin = origin("MISSIVE_WEBPUSH_URL");
        config.push.fcm_origin = origin("MISSIVE_FCM_URL");
        config.push.apns_origin = origin("MISSIVE_APNS_URL");
        config.webhooks_loopback_allowed = non_empty("MISSIVE_WEBHOOKS_ALLOW_LOOPBACK").is_some_and(|v| v == "true");
        if let Some(ms) = non_empty("MISSIVE_WEBHOOK_TIMEOUT_MS") {
            let ms: u64 = ms
                .parse()
                .map_err(|_| ConfigError::Invalid("MISSIVE_WEBHOOK_TIMEOUT_MS", "expected milliseconds".into()))?;
            config.webhook_timeout = Duration::from_millis(ms.max(1)).min(crate::domain::WEBHOOK_TIMEOUT);
        }
        let seconds = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
            match non_empty(name) {
                Some(v) => v
                    .parse::<u64>()
                    .map(Duration::from_secs)
                    .map_err(|_| ConfigError::Invalid(name, "expected seconds".into())),
                None => Ok(default),
            }
        };
        let limits = &mut config.limits;
        limits.directory_cache_ttl = seconds("MISSIVE_DIRECTORY_CACHE_SECS", limits.directory_cache_ttl)?;
        limits.rate_window = seconds("MISSIVE_FRAME_WINDOW_SECS", limits.rate_window)?.max(Duration::from_secs(1));
        limits.message_email_delay = seconds("MISSIVE_MESSAGE_EMAIL_DELAY_SECS", limits.message_email_delay)?;
        limits.digest_interval =
            seconds("MISSIVE_DIGEST_INTERVAL_SECS", limits.digest_interval)?.max(Duration::from_secs(1));
        limits.max_queue_delay =
            seconds("MISSIVE_MAX_QUEUE_DELAY_SECS", limits.max_queue_delay)?.min(Duration::from_secs(15 * 60));
        if let Some(ms) = non_empty("MISSIVE_WEBHOOK_RETRY_BASE_MS") {
            limits.webhook_retry_base =
                Duration::from_millis(ms.parse().map_err(|_| {
                    ConfigError::Invalid("MISSIVE_WEBHOOK_RETRY_BASE_MS", "expected milliseconds".into())
                })?);
        }
        if let Some(ms) = non_empty("MISSIVE_BACKGROUND_STEP_MS") {
            let step = ms
                .parse()
                .map_err(|_| ConfigError::Invalid("MISSIVE_BACKGROUND_STEP_MS", "expected milliseconds".into()))?;
            limits.background_step = Duration::from_millis(step).min(Duration::from_secs(20));
        }
        if let Some(ms) = non_empty("MISSIVE_RETRY_BASE_MS") {
            limits.retry_base = Duration::from_millis(
                ms.parse()
                    .map_err(|_| ConfigError::Invalid("MISSIVE_RETRY_BASE_MS", "expected milliseconds".into()))?,
            );
        }
        Ok(config)
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The VAPID `sub` claim: the one configured, else the e-mail sender, else the public URL.
    pub fn vapid_subject(&self) -> String {
        if let Some(subject) = &self.push.subject {
            return subject.clone();
        }
        let address = self.email_from.as_deref().map(|from| match from.split_once('<') {
            Some((_, rest)) => rest.trim_end_matches('>').trim().to_string(),
            None => from.trim().to_string(),
        });
        match (address, &self.public_url) {
            (Some(address), _) => format!("mailto:{address}"),
            (None, Some(url)) if url.starts_with("https://") => url.clone(),
            _ => "mailto:push@missive.invalid".into(),
        }
    }

    /// What sending e-mails needs: where their links point and who sends them.
    pub fn require_email_settings(&self) -> Result<(&str, &str), ConfigError> {
        let public_url = self.public_url.as_deref().ok_or(ConfigError::Missing("MISSIVE_PUBLIC_URL"))?;
        let email_from = self.email_from.as_deref().ok_or(ConfigError::Missing("MISSIVE_EMAIL_FROM"))?;
        Ok((public_url, email_from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn fails_fast_on_a_missing_variable_and_hides_secrets() {
        let env: HashMap<&str, &str> = HashMap::from([("MISSIVE_JWT_SECRET", "0123456789abcdef!")]);
        let err = Config::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap_err();
        assert_eq!(err.to_string(), "missing required environment variable MISSIVE_PLATFORM_KEY");

        let env: HashMap<&str, &str> = HashMap::from([
            ("MISSIVE_JWT_SECRET", "0123456789abcdef!"),
            ("MISSIVE_PLATFORM_KEY", "pk-123"),
            ("MISSIVE_JWT_ISSUER", "https://idp"),
        ]);
        let config = Config::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(config.jwt_issuer.as_deref(), Some("https://idp"));
        let printed = format!("{config:?}");
        assert!(!printed.contains("0123456789abcdef") && !printed.contains("pk-123"));
        // No development default outside the local runtime: e-mail settings stay unset.
        assert_eq!(
            config.require_email_settings().unwrap_err().to_string(),
            "missing required environment variable MISSIVE_PUBLIC_URL"
        );
    }
}
