//! The synthetic canary, run every five minutes by a schedule: what a user does, through the
//! stack's public endpoints — two people of a tenant of its own (`missive-canary`, which keeps
//! its messages a day) open a socket each, one sends a message over the socket, the other must
//! receive it within 10 s. Each run writes `CanaryFailures` (1 or 0) and, when it passed,
//! `CanaryLatency` (the send to the other socket, ms); CanaryFailedAlarm pages when runs fail
//! or stop. It signs its own tokens and creates its tenant with the stack's secrets.

mod journey;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use missive::metrics::Metric;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let lambda = missive::lambda::LambdaApp::from_env().await?;
    let endpoints = journey::Endpoints::from_env()?;
    let (config, metrics) = (lambda.config().clone(), lambda.metrics().clone());
    lambda_runtime::run(service_fn(|_: LambdaEvent<serde_json::Value>| {
        let (config, metrics, endpoints) = (config.clone(), metrics.clone(), endpoints.clone());
        async move {
            let outcome = tokio::time::timeout(journey::BUDGET, journey::run(&config, &endpoints)).await;
            let outcome = outcome.unwrap_or_else(|_| Err(format!("no end within {} s", journey::BUDGET.as_secs())));
            let now = chrono::Utc::now();
            let answer = match outcome {
                Ok(latency) => {
                    metrics.value(Metric::CanaryFailures, 0, None, now);
                    metrics.value(Metric::CanaryLatency, latency.as_millis() as u64, None, now);
                    tracing::info!(latency_ms = latency.as_millis() as u64, "canary passed");
                    serde_json::json!({ "passed": true, "latencyMs": latency.as_millis() as u64 })
                }
                Err(reason) => {
                    metrics.value(Metric::CanaryFailures, 1, None, now);
                    tracing::error!(reason, "canary failed");
                    serde_json::json!({ "passed": false, "reason": reason })
                }
            };
            // Answered either way: a failure is the metric's to tell, not Lambda's retries.
            Ok::<_, Error>(answer)
        }
    }))
    .await
}
