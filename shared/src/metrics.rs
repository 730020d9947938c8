//! Operational counts as CloudWatch Embedded Metric Format: one JSON line on stdout per count,
//! which CloudWatch Logs turns into metrics of the namespace `Missive` (the dashboard and the
//! alarms of template.yaml read them). One dimension, `Stack` (the stack's name), so that two
//! stacks in one account stay apart; the tenant rides along as a property — searchable in the
//! logs, never a dimension, whose every value would be a billed metric.

use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::domain::TenantId;

pub const NAMESPACE: &str = "Missive";

/// What is counted (docs/operations.md says what each means).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Messages stored.
    MessagesSent,
    /// Frames pushed to connections.
    Deliveries,
    /// Connections found gone by a push, and forgotten.
    StaleConnectionsRemoved,
    /// Notifications written to bells.
    NotificationsCreated,
    /// E-mails the provider accepted.
    EmailsSent,
    /// E-mails the provider refused or failed to take.
    EmailsFailed,
    /// E-mails held back because the provider paused their tenant's sending (SES: the tenant's
    /// reputation), each tried again an hour later.
    EmailsPaused,
    /// Pushes a device's push service accepted.
    PushesSent,
    /// Pushes a push service refused or failed to take (a passing failure is retried).
    PushesFailed,
    /// Devices their push service said were gone, and forgotten.
    DevicesRemoved,
    /// Webhook attempts a receiver answered with a 2xx.
    WebhooksDelivered,
    /// Webhook attempts that failed (another status, no answer, an address refused).
    WebhooksFailed,
    /// Failed job attempts: retried after their backoff, or dead-lettered after the last.
    JobRetries,
    /// `sync` actions and `GET /v1/sync` requests.
    SyncRequests,
    /// Frames refused by a connection's rate limit.
    RateLimitedFrames,
    /// AWS calls attempted again after a transient fault (a conflict, a throttle, a 5xx).
    TransientRetries,
    /// Bytes of files messages attached (each tenant's, as a property): what it stores grows.
    FileBytesAttached,
    /// Bytes of a deleted message's files, deleted: what the tenant stores shrinks.
    FileBytesDeleted,
    /// Messages (and edits) the tenant's moderation refused: nothing stored.
    MessagesBlocked,
    /// Messages (and edits) sent with something masked by the tenant's moderation.
    MessagesMasked,
    /// Pre-send hook calls without a usable answer in time (then the tenant's fail-open or
    /// fail-closed choice applied).
    PreSendHookFailures,
    /// Socket actions that failed on Missive's side (`internal`, or `unavailable` after the
    /// retries), answered with an `error` frame; by `Code` too.
    ActionsFailed,
    /// Uses refused by a tenant's quota (`quota_exceeded`); by `Quota` too, the tenant as a
    /// property (the Contributor Insights rule of template.yaml ranks tenants by it).
    QuotaExceeded,
    /// The synthetic canary's runs (deploy's `canary` function): 1 failed, 0 passed — written
    /// either way, so that a canary that stops running is missing data, which its alarm reads
    /// as failing.
    CanaryFailures,
    /// Milliseconds the canary's message took from its send to the other socket.
    CanaryLatency,
    /// Milliseconds from a `sendMessage` frame's arrival (API Gateway's request time; the local
    /// gateway's reading) to its answer pushed to the sender: what a sender waits for their ack.
    AckLatency,
    /// Milliseconds from an event's cursor (its creation: a message's id is its cursor) to its
    /// push to the recipients' connections, once per push (a direct send, each fan-out job):
    /// what a recipient waits, queues included.
    DeliveryLatency,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::MessagesSent => "MessagesSent",
            Metric::Deliveries => "Deliveries",
            Metric::StaleConnectionsRemoved => "StaleConnectionsRemoved",
            Metric::NotificationsCreated => "NotificationsCreated",
            Metric::EmailsSent => "EmailsSent",
            Metric::EmailsFailed => "EmailsFailed",
            Metric::EmailsPaused => "EmailsPaused",
            Metric::PushesSent => "PushesSent",
            Metric::PushesFailed => "PushesFailed",
            Metric::DevicesRemoved => "DevicesRemoved",
            Metric::WebhooksDelivered => "WebhooksDelivered",
            Metric::WebhooksFailed => "WebhooksFailed",
            Metric::JobRetries => "JobRetries",
            Metric::SyncRequests => "SyncRequests",
            Metric::RateLimitedFrames => "RateLimitedFrames",
            Metric::TransientRetries => "TransientRetries",
            Metric::FileBytesAttached => "FileBytesAttached",
            Metric::FileBytesDeleted => "FileBytesDeleted",
            Metric::MessagesBlocked => "MessagesBlocked",
            Metric::MessagesMasked => "MessagesMasked",
            Metric::PreSendHookFailures => "PreSendHookFailures",
            Metric::ActionsFailed => "ActionsFailed",
            Metric::QuotaExceeded => "QuotaExceeded",
            Metric::CanaryFailures => "CanaryFailures",
            Metric::CanaryLatency => "CanaryLatency",
            Metric::AckLatency => "AckLatency",
            Metric::DeliveryLatency => "DeliveryLatency",
        }
    }

    /// Its CloudWatch unit.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::AckLatency | Metric::DeliveryLatency | Metric::CanaryLatency => "Milliseconds",
            _ => "Count",
        }
    }
}

/// Where counts go: nowhere (the local runtime, unless asked), stdout (Lambda), or a list
/// (tests). A clone writes to the same place.
#[derive(Clone)]
pub struct Metrics {
    stack: String,
    output: Output,
}

#[derive(Clone)]
enum Output {
    Off,
    Stdout,
    Recorded(Arc<Mutex<Vec<String>>>),
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").field("stack", &self.stack).finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn off() -> Self {
        Self { stack: String::new(), output: Output::Off }
    }

    /// EMF lines on stdout, under the dimension `Stack` = `stack`.
    pub fn stdout(stack: impl Into<String>) -> Self {
        Self { stack: stack.into(), output: Output::Stdout }
    }

    /// EMF lines kept in memory, for tests (`recorded`).
    pub fn recording(stack: impl Into<String>) -> Self {
        Self { stack: stack.into(), output: Output::Recorded(Arc::default()) }
    }

    pub fn recorded(&self) -> Vec<String> {
        match &self.output {
            Output::Recorded(lines) => lines.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            _ => Vec::new(),
        }
    }

    /// Counts `n` of `metric` for `tenant`, at `now`. Nothing is written for 0.
    pub fn count(&self, metric: Metric, n: u64, tenant: Option<&TenantId>, now: DateTime<Utc>) {
        self.count_by(metric, n, tenant, None, now);
    }

    /// A duration of `metric` (a latency), in milliseconds; 0 is a value like any other.
    pub fn latency(&self, metric: Metric, millis: u64, tenant: &TenantId, now: DateTime<Utc>) {
        self.value(metric, millis, Some(tenant), now);
    }

    /// `value` of `metric`, written even when 0 (a run that passed, a latency of 0 ms).
    pub fn value(&self, metric: Metric, value: u64, tenant: Option<&TenantId>, now: DateTime<Utc>) {
        if matches!(self.output, Output::Off) {
            return;
        }
        self.write(self.line(metric, value, tenant, None, now));
    }

    /// A use refused by `tenant`'s `quota`: counted in all and by quota.
    pub fn count_quota_exceeded(&self, quota: crate::domain::Quota, tenant: &TenantId, now: DateTime<Utc>) {
        self.count_by(Metric::QuotaExceeded, 1, Some(tenant), Some(("Quota", quota.name())), now);
    }

    /// Counts `n` of `metric`, in all and, with `by` (a dimension of few values: a code, a
    /// quota's name), by that value too.
    pub fn count_by(
        &self,
        metric: Metric,
        n: u64,
        tenant: Option<&TenantId>,
        by: Option<(&str, &str)>,
        now: DateTime<Utc>,
    ) {
        if n == 0 || matches!(self.output, Output::Off) {
            return;
        }
        self.write(self.line(metric, n, tenant, by, now));
    }

    fn write(&self, line: String) {
        match &self.output {
            Output::Off => {}
            // One write of the whole line, so that lines from concurrent tasks never interleave.
            Output::Stdout => {
                let _ = std::io::stdout().lock().write_all(format!("{line}\n").as_bytes());
            }
            Output::Recorded(lines) => lines.lock().unwrap_or_else(|e| e.into_inner()).push(line),
        }
    }

    fn line(
        &self,
        metric: Metric,
        n: u64,
        tenant: Option<&TenantId>,
        by: Option<(&str, &str)>,
        now: DateTime<Utc>,
    ) -> String {
        let name = metric.name();
        let dimensions = match by {
            Some((dimension, _)) => json!([["Stack"], ["Stack", dimension]]),
            None => json!([["Stack"]]),
        };
        let mut line = json!({
            "_aws": {
                "Timestamp": now.timestamp_millis(),
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": dimensions,
                    "Metrics": [{ "Name": name, "Unit": metric.unit() }],
                }],
            },
            "Stack": self.stack,
            name: n,
        });
        if let Some((dimension, value)) = by {
            line[dimension] = json!(value);
        }
        if let Some(tenant) = tenant {
            line["tenant"] = json!(tenant.as_str());
        }
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The EMF specification's rules for one line: the `_aws` envelope with an integer
    /// timestamp, each directive's namespace, dimension sets naming root string members (at
    /// most 30), and metrics naming root numeric members with a CloudWatch unit.
    fn assert_valid_emf(line: &str) -> Value {
        let root: Value = serde_json::from_str(line).expect("one JSON object per line");
        assert!(!line.contains('\n'));
        let aws = &root["_aws"];
        assert!(aws["Timestamp"].is_i64(), "{line}");
        let directives = aws["CloudWatchMetrics"].as_array().expect("CloudWatchMetrics");
        assert!(!directives.is_empty());
        for directive in directives {
            let namespace = directive["Namespace"].as_str().expect("Namespace");
            assert!(!namespace.is_empty() && namespace.len() <= 255);
            for set in directive["Dimensions"].as_array().expect("Dimensions") {
                let set = set.as_array().expect("a dimension set is an array");
                assert!(set.len() <= 30);
                for key in set {
                    let key = key.as_str().expect("a dimension is a name");
                    assert!(root[key].is_string(), "dimension {key} is a root string member: {line}");
                }
            }
            for metric in directive["Metrics"].as_array().expect("Metrics") {
                let name = metric["Name"].as_str().expect("Name");
                assert!(root[name].is_number(), "metric {name} is a root number: {line}");
                assert!(["Count", "Milliseconds"].contains(&metric["Unit"].as_str().unwrap_or_default()), "{line}");
            }
        }
        root
    }

    #[test]
    fn counts_are_valid_emf_lines_with_the_stack_as_their_one_dimension_and_the_tenant_as_a_property() {
        let metrics = Metrics::recording("missive-prod");
        let tenant = TenantId::parse("acme").unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().with_timezone(&Utc);
        metrics.count(Metric::MessagesSent, 1, Some(&tenant), now);
        metrics.count(Metric::Deliveries, 40, Some(&tenant), now);
        metrics.count(Metric::JobRetries, 2, None, now);
        metrics.count(Metric::EmailsFailed, 0, None, now);
        let lines = metrics.recorded();
        assert_eq!(lines.len(), 3, "a count of 0 writes nothing");
        let first = assert_valid_emf(&lines[0]);
        assert_eq!(
            (first["Stack"].as_str(), first["MessagesSent"].as_u64(), first["tenant"].as_str()),
            (Some("missive-prod"), Some(1), Some("acme"))
        );
        assert_eq!(first["_aws"]["Timestamp"], 1_795_694_400_000_i64);
        assert_eq!(first["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["Stack"]]));
        assert_eq!(assert_valid_emf(&lines[1])["Deliveries"], 40);
        assert!(assert_valid_emf(&lines[2])["tenant"].is_null());
    }

    #[test]
    fn a_count_by_a_value_is_counted_in_all_and_by_that_value() {
        let metrics = Metrics::recording("missive-prod");
        let tenant = TenantId::parse("acme").unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().with_timezone(&Utc);
        metrics.count_quota_exceeded(crate::domain::Quota::MessagesPerMinute, &tenant, now);
        let line = assert_valid_emf(&metrics.recorded()[0]);
        assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["Stack"], ["Stack", "Quota"]]));
        assert_eq!((line["Quota"].as_str(), line["QuotaExceeded"].as_u64()), (Some("messagesPerMinute"), Some(1)));
        assert_eq!(line["tenant"], "acme");
    }

    #[test]
    fn a_latency_is_in_milliseconds_and_zero_is_written() {
        let metrics = Metrics::recording("missive-prod");
        let tenant = TenantId::parse("acme").unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().with_timezone(&Utc);
        metrics.latency(Metric::AckLatency, 0, &tenant, now);
        metrics.latency(Metric::DeliveryLatency, 42, &tenant, now);
        let lines = metrics.recorded();
        let ack = assert_valid_emf(&lines[0]);
        assert_eq!(ack["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "Milliseconds");
        assert_eq!(ack["AckLatency"], 0);
        assert_eq!(assert_valid_emf(&lines[1])["DeliveryLatency"], 42);
    }

    #[test]
    fn every_metric_has_the_name_the_dashboard_and_alarms_read() {
        let template = include_str!("../../template.yaml");
        for metric in [
            Metric::MessagesSent,
            Metric::Deliveries,
            Metric::StaleConnectionsRemoved,
            Metric::NotificationsCreated,
            Metric::EmailsSent,
            Metric::EmailsFailed,
            Metric::EmailsPaused,
            Metric::PushesSent,
            Metric::PushesFailed,
            Metric::DevicesRemoved,
            Metric::WebhooksDelivered,
            Metric::WebhooksFailed,
            Metric::JobRetries,
            Metric::SyncRequests,
            Metric::RateLimitedFrames,
            Metric::TransientRetries,
            Metric::FileBytesAttached,
            Metric::FileBytesDeleted,
            Metric::MessagesBlocked,
            Metric::MessagesMasked,
            Metric::PreSendHookFailures,
            Metric::ActionsFailed,
            Metric::QuotaExceeded,
            Metric::AckLatency,
            Metric::DeliveryLatency,
            Metric::CanaryFailures,
            Metric::CanaryLatency,
        ] {
            assert!(template.contains(&format!("\"{}\"", metric.name())), "{} is not on the dashboard", metric.name());
        }
    }
}
