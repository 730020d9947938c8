//! How every AWS client of Missive retries: the SDK's standard strategy (exponential backoff
//! with full jitter, and its retry quota that stops retry storms), with a budget that fits
//! well inside a request function's 10 s, taught the faults the SDK does not retry on its own
//! (a DynamoDB transaction cancelled by a conflict or a throttled item,
//! `TransactionConflictException`), and with every retry counted (`TransientRetries`).
//!
//! Worst case, a call waits 0.04 + 0.08 + 0.16 + 0.32 + 0.64 s ≈ 1.2 s in backoff over its six
//! attempts before its fault reaches the caller, as `unavailable`.

use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::RetryConfig;

use crate::faults::is_transient_error;
use crate::metrics::{Metric, Metrics};

/// Attempts of one call, the first included.
pub const MAX_ATTEMPTS: u32 = 6;
const INITIAL_BACKOFF: Duration = Duration::from_millis(40);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// The retry budget of every client.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF)
}

/// Retries what [`crate::faults`] calls transient and the SDK's own classifiers do not
/// know: a transaction cancelled only by conflicts or throttled items, a write that met a
/// transaction in progress. A cancellation with a failed condition is an answer: never retried
/// here (the adapter reads which condition failed).
#[derive(Debug)]
pub struct TransientFaults;

impl ClassifyRetry for TransientFaults {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e)) => match e.as_operation_error() {
                Some(e) if is_transient_error(e) => RetryAction::throttling_error(),
                _ => RetryAction::NoActionIndicated,
            },
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "Missive transient faults"
    }
}

/// Counts each attempt after a call's first as one `TransientRetries`.
#[derive(Debug)]
pub struct CountRetries {
    metrics: Metrics,
}

impl CountRetries {
    pub fn new(metrics: Metrics) -> Self {
        Self { metrics }
    }
}

impl Intercept for CountRetries {
    fn name(&self) -> &'static str {
        "Missive retry counter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<RequestAttempts>().is_some_and(|a| a.attempts() > 1) {
            self.metrics.count(Metric::TransientRetries, 1, None, chrono::Utc::now());
        }
        Ok(())
    }
}
