//! Transient faults of the cloud: a request DynamoDB, SQS or API Gateway refused for now —
//! a transaction that conflicted with another, a throttle, a 5xx, a connection that broke —
//! and that the same request can pass a moment later. The AWS adapters retry them with
//! bounded, jittered backoff (`adapters::aws::retries`); one that outlasts that budget
//! reaches the caller as `unavailable` (retryable), never as `internal`. This module only
//! tells them apart, for the retries and for [`crate::AppError`]'s mapping.

/// Whether a failure, or any cause in its chain, is a transient fault of a cloud service.
pub fn is_transient(e: &anyhow::Error) -> bool {
    e.chain().any(transient_cause)
}

/// [`is_transient`] for a plain error and its sources (an SDK operation's error).
pub fn is_transient_error(e: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(e), |e| e.source()).any(transient_cause)
}

/// The error codes a throttled or momentarily failing AWS call answers with, whatever the
/// service (the SDK's own throttling list, and the 5xx codes).
#[cfg(feature = "aws")]
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "TransactionConflictException",
    "TransactionInProgressException",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "RequestTimeout",
    "RequestTimeoutException",
    "SlowDown",
    "AWS.SimpleQueueService.RequestThrottled",
];

/// The reasons a cancelled DynamoDB transaction gives for an item that a retry can pass.
#[cfg(feature = "dynamodb")]
const TRANSIENT_CANCELLATIONS: &[&str] = &["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"];

#[cfg(feature = "aws")]
pub fn is_transient_code(code: &str) -> bool {
    TRANSIENT_CODES.contains(&code)
}

/// A cancelled transaction a retry can pass: some item was cancelled by a conflict or a
/// throttle, and none by its condition or anything else (`None` marks an item that was fine).
#[cfg(feature = "dynamodb")]
pub fn cancelled_by_faults(reasons: &[aws_sdk_dynamodb::types::CancellationReason]) -> bool {
    let code = |r: &aws_sdk_dynamodb::types::CancellationReason| r.code().unwrap_or("None").to_string();
    reasons.iter().any(|r| TRANSIENT_CANCELLATIONS.contains(&code(r).as_str()))
        && reasons.iter().all(|r| code(r) == "None" || TRANSIENT_CANCELLATIONS.contains(&code(r).as_str()))
}

#[cfg(not(feature = "aws"))]
fn transient_cause(_: &(dyn std::error::Error + 'static)) -> bool {
    false
}

/// One link of an error's chain. An SDK error's chain holds the service's modeled exception,
/// or for an unmodeled one its metadata (code and message), or the connector's error.
#[cfg(feature = "aws")]
fn transient_cause(cause: &(dyn std::error::Error + 'static)) -> bool {
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::error::ErrorMetadata;

    if let Some(meta) = cause.downcast_ref::<ErrorMetadata>() {
        return meta.code().is_some_and(is_transient_code);
    }
    if let Some(connector) = cause.downcast_ref::<ConnectorError>() {
        return connector.is_timeout() || connector.is_io();
    }
    /// Whether `cause` is one of the modeled exceptions that are transient by nature.
    macro_rules! modeled {
        ($($t:ty),* $(,)?) => {
            $(if cause.is::<$t>() {
                return true;
            })*
        };
    }
    #[cfg(feature = "dynamodb")]
    {
        use aws_sdk_dynamodb::types::error as ddb;
        if let Some(cancelled) = cause.downcast_ref::<ddb::TransactionCanceledException>() {
            return cancelled_by_faults(cancelled.cancellation_reasons());
        }
        modeled!(
            ddb::ProvisionedThroughputExceededException,
            ddb::RequestLimitExceeded,
            ddb::ThrottlingException,
            ddb::TransactionConflictException,
            ddb::TransactionInProgressException,
            ddb::InternalServerError,
        );
    }
    #[cfg(feature = "apigw")]
    {
        use aws_sdk_apigatewaymanagement::types::error as apigw;
        modeled!(apigw::LimitExceededException);
    }
    #[cfg(feature = "ses")]
    {
        use aws_sdk_sesv2::types::error as ses;
        modeled!(ses::TooManyRequestsException, ses::LimitExceededException);
    }
    #[cfg(feature = "sqs")]
    {
        use aws_sdk_sqs::types::error as sqs;
        modeled!(sqs::RequestThrottled);
    }
    false
}

#[cfg(all(test, feature = "dynamodb"))]
mod tests {
    use aws_sdk_dynamodb::types::CancellationReason;

    use super::*;

    fn reasons(codes: &[&str]) -> Vec<CancellationReason> {
        codes.iter().map(|c| CancellationReason::builder().code(*c).build()).collect()
    }

    #[test]
    fn a_transaction_cancelled_by_a_conflict_or_a_throttle_is_worth_retrying() {
        assert!(cancelled_by_faults(&reasons(&["None", "TransactionConflict", "None"])));
        assert!(cancelled_by_faults(&reasons(&["ThrottlingError", "None"])));
        assert!(cancelled_by_faults(&reasons(&["ProvisionedThroughputExceeded"])));
    }

    #[test]
    fn a_failed_condition_is_an_answer_not_a_fault() {
        assert!(!cancelled_by_faults(&reasons(&["ConditionalCheckFailed", "TransactionConflict"])));
        assert!(!cancelled_by_faults(&reasons(&["None", "ValidationError"])));
        assert!(!cancelled_by_faults(&reasons(&["None", "None"])));
    }

    #[test]
    fn throttling_is_transient_and_a_validation_error_is_not() {
        let throttled = aws_smithy_types::error::ErrorMetadata::builder().code("ThrottlingException").build();
        assert!(is_transient(&anyhow::Error::new(throttled).context("reading")));
        let invalid = aws_smithy_types::error::ErrorMetadata::builder().code("ValidationException").build();
        assert!(!is_transient(&anyhow::Error::new(invalid)));
        assert!(!is_transient(&anyhow::anyhow!("a record that does not decode")));
    }
}
