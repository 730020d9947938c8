//! Webhooks: a tenant's endpoints that hear of what happens (an event filter, a signing secret
//! that rotates with an overlap), each event's deliveries (attempts, answers), and how a
//! request is signed — the Standard Webhooks specification (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

use super::TenantId;
use crate::error::AppError;

/// The most endpoints one tenant keeps.
pub const MAX_WEBHOOKS: usize = 20;
/// How long a receiver has to answer an attempt.
pub const WEBHOOK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// How long a rotated-out secret still signs (both are sent meanwhile).
pub const SECRET_OVERLAP_HOURS: i64 = 24;
/// How long deliveries are kept for the log.
pub const DELIVERY_RETENTION_DAYS: i64 = 7;
/// How long an event is retried before it is given up.
pub const RETRY_FOR_HOURS: i64 = 24;
/// An endpoint failing this long (every delivery since given up or failing) is disabled.
pub const DISABLE_AFTER_FAILING_DAYS: i64 = 3;

/// What an endpoint may hear of. An empty filter hears everything, future types included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum WebhookEventType {
    #[serde(rename = "message.created")]
    MessageCreated,
    #[serde(rename = "message.updated")]
    MessageUpdated,
    #[serde(rename = "message.deleted")]
    MessageDeleted,
    #[serde(rename = "conversation.created")]
    ConversationCreated,
    #[serde(rename = "conversation.updated")]
    ConversationUpdated,
    #[serde(rename = "member.added")]
    MemberAdded,
    #[serde(rename = "member.removed")]
    MemberRemoved,
    #[serde(rename = "storefront.session.created")]
    StorefrontSessionCreated,
    #[serde(rename = "notification.created")]
    NotificationCreated,
    #[serde(rename = "email.failed")]
    EmailFailed,
    #[serde(rename = "user.erased")]
    UserErased,
    /// `POST /v1/webhooks/{id}/test`: sent to that endpoint whatever its filter.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl WebhookEventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MessageCreated => "message.created",
            Self::MessageUpdated => "message.updated",
            Self::MessageDeleted => "message.deleted",
            Self::ConversationCreated => "conversation.created",
            Self::ConversationUpdated => "conversation.updated",
            Self::MemberAdded => "member.added",
            Self::MemberRemoved => "member.removed",
            Self::StorefrontSessionCreated => "storefront.session.created",
            Self::NotificationCreated => "notification.created",
            Self::EmailFailed => "email.failed",
            Self::UserErased => "user.erased",
            Self::WebhookTest => "webhook.test",
        }
    }
}

/// A signing secret: `whsec_` and 24 random bytes in base64, as the specification's libraries
/// take it. One that was rotated out keeps signing until `expires_at`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningSecret {
    pub secret: String,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A tenant's endpoint.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub tenant_id: TenantId,
    pub id: String,
    pub url: String,
    /// Empty: every event, future ones included.
    pub events: Vec<WebhookEventType>,
    pub description: String,
    /// The current secret first; rotated-out ones after it, until they expire.
    pub secrets: Vec<SigningSecret>,
    #[serde(default)]
    pub disabled: Option<Disabled>,
    /// Since when every delivery has failed (cleared by a success).
    #[serde(default)]
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why an endpoint stopped receiving: its receiver answered 410, it failed for three days, or
/// an admin said so (`PATCH` with `enabled: false`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Disabled {
    pub at: DateTime<Utc>,
    pub reason: String,
}

impl Webhook {
    /// Whether it hears of `kind` now.
    pub fn wants(&self, kind: WebhookEventType) -> bool {
        self.disabled.is_none() && (self.events.is_empty() || self.events.contains(&kind))
    }

    /// The secrets that sign at `now`: the current one and those still overlapping.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> impl Iterator<Item = &str> {
        self.secrets.iter().filter(move |s| s.expires_at.is_none_or(|at| at > now)).map(|s| s.secret.as_str())
    }

    pub fn view(&self) -> WebhookView {
        WebhookView {
            id: self.id.clone(),
            url: self.url.clone(),
            events: self.events.clone(),
            description: self.description.clone(),
            enabled: self.disabled.is_none(),
            disabled: self.disabled.clone(),
            failing_since: self.failing_since,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// An endpoint as it is shown: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<WebhookEventType>,
    pub description: String,
    pub enabled: bool,
    #[schema(required = true)]
    pub disabled: Option<Disabled>,
    #[schema(required = true)]
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new signing secret: `whsec_` and 24 random bytes (from two ULIDs' randomness, 160 bits).
pub fn new_secret() -> String {
    let mut bytes = Vec::with_capacity(24);
    for _ in 0..2 {
        bytes.extend_from_slice(&ulid::Ulid::new().random().to_be_bytes()[4..]);
    }
    bytes.truncate(24);
    format!("whsec_{}", STANDARD.encode(&bytes))
}

/// The `webhook-signature` header for `body` sent as event `id` at `timestamp` (seconds):
/// `v1,<signature>` per secret, space-separated.
pub fn signature<'a>(secrets: impl Iterator<Item = &'a str>, id: &str, timestamp: i64, body: &str) -> String {
    let signed = format!("{id}.{timestamp}.{body}");
    let mut parts = Vec::new();
    for secret in secrets {
        let key = STANDARD.decode(secret.trim_start_matches("whsec_")).unwrap_or_else(|_| secret.as_bytes().to_vec());
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
        mac.update(signed.as_bytes());
        parts.push(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())));
    }
    parts.join(" ")
}

/// The host a URL names, for records that must not keep the rest of it (a path or a query may
/// carry a receiver's token).
pub fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    host_of(rest.split(['/', '?', '#']).next().unwrap_or_default())
}

/// What `url` must be: `https://` with a host (or `http://` to a loopback host where the process
/// allows it: the local runtime), no credentials, at most 2,000 characters. An address literal
/// in a range no webhook may reach is refused at once; a host name is checked again when it is
/// resolved, at each delivery.
pub fn check_url(url: &str, loopback_allowed: bool) -> Result<String, AppError> {
    let invalid = |why: &str| AppError::invalid(format!("url: {why}"));
    let url = url.trim();
    if url.len() > 2000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("at most 2000 characters, no spaces"));
    }
    let (scheme, rest) = url.split_once("://").ok_or_else(|| invalid("an https URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(invalid("no credentials in the URL (the signature authenticates Missive)"));
    }
    let host = host_of(authority);
    if host.is_empty() {
        return Err(invalid("an https URL with a host"));
    }
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match scheme {
        "https" => {}
        "http" if loopback && loopback_allowed => {}
        _ => return Err(invalid("an https URL (plain http only to this machine, in local mode)")),
    }
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        if forbidden_address(ip) && !(loopback && loopback_allowed) {
            return Err(invalid("an address webhooks may not reach (private, loopback, link-local or metadata)"));
        }
    }
    Ok(url.to_string())
}

/// Whether a webhook may not reach `ip`: loopback, private (RFC 1918, IPv6 unique local),
/// link-local (which holds the clouds' metadata services, 169.254.169.254 and fd00:ec2::254
/// being in these ranges too), shared address space (CGNAT, 100.64/10), unspecified, multicast,
/// broadcast, documentation and benchmarking ranges; an IPv4-mapped IPv6 address as its IPv4.
pub fn forbidden_address(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
        }
    }
}

/// The host of `host[:port]`, an IPv6 literal without its brackets.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    authority.rsplit_once(':').map_or(authority, |(host, _)| host)
}

/// One event's delivery to one endpoint: what was sent and how its attempts went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    /// Sorts newest first.
    pub id: String,
    pub webhook_id: String,
    /// `webhook-id`: the event's, the same in every attempt and for every endpoint.
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: WebhookEventType,
    /// The body sent, as sent.
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    #[schema(required = true)]
    pub last_attempt: Option<Attempt>,
    /// When it is tried next (while `retrying`).
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum DeliveryStatus {
    /// Not tried yet.
    Pending,
    Delivered,
    /// Failed; tried again at `nextAttemptAt`.
    Retrying,
    /// Failed for 24 hours, or the endpoint was disabled: no more attempts (but by hand).
    Failed,
}

/// One attempt: the answer's status (none when there was no answer), how long it took, and
/// what went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub at: DateTime<Utc>,
    #[schema(required = true)]
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    #[schema(required = true)]
    pub error: Option<String>,
}

impl WebhookDelivery {
    /// A delivery id that sorts newest first (listed in id order): the time inverted, then
    /// randomness.
    pub fn new_id(now: DateTime<Utc>) -> String {
        super::newest_first_id(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_the_specification_s() {
        // The Standard Webhooks specification's own example.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let header = signature([secret].into_iter(), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let two = signature([secret, "whsec_bm90IHRoZSBzYW1lIHNlY3JldA=="].into_iter(), "msg_1", 1, "{}");
        assert_eq!(two.split(' ').count(), 2, "both secrets sign during an overlap");
        assert!(new_secret().starts_with("whsec_") && STANDARD.decode(&new_secret()[6..]).unwrap().len() == 24);
    }

    #[test]
    fn forbidden_ranges_are_refused_and_public_addresses_are_not() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
        ] {
            assert!(forbidden_address(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "100.128.0.1"] {
            assert!(!forbidden_address(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_https_with_a_host_and_no_forbidden_literal() {
        assert!(check_url("https://hooks.example.com/missive?x=1", false).is_ok());
        for bad in [
            "http://hooks.example.com/x",
            "ftp://hooks.example.com",
            "https://user:pw@hooks.example.com/",
            "https://10.0.0.8/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]:8443/",
            "https://100.64.1.1/",
            "https:///path",
            "http://127.0.0.1:9000/hook",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok(), "to this machine, in local mode");
        assert!(check_url("http://localhost:9000/hook", true).is_ok());
        assert!(check_url("http://10.0.0.8/hook", true).is_err(), "loopback only");
    }
}
