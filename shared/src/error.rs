//! One error type for every expected failure, mapped once to an HTTP status and to a
//! WebSocket `error` frame code. Internal details stay in the logs, never in a response.

use http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// Something existed once and is no longer kept (an expired sync cursor).
    #[error("{0}")]
    Gone(String),
    #[error("too many requests, slow down")]
    RateLimited,
    /// The tenant used its quota for the window: nothing was done; `retry_after` seconds later
    /// the window has moved on.
    #[error("the tenant's quota ({}) is used up", quota.name())]
    QuotaExceeded { quota: crate::domain::Quota, retry_after: u64 },
    /// The tenant's moderation refused the message: nothing was stored; `reason` says what
    /// matched (or that the tenant's pre-send hook said no), the message tells the sender.
    #[error("{message}")]
    Moderated { reason: crate::domain::ModerationReason, message: String },
    /// A transient fault of the cloud outlasted the server's retries: nothing was done, or
    /// what was is safe to repeat (a send with its `clientMessageId`). Retry after a moment.
    #[error("the service is busy, try again in a moment")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn invalid(msg: impl Into<String>) -> Self {
        AppError::InvalidInput(msg.into())
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        AppError::Forbidden(msg.into())
    }
    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what} not found"))
    }
    /// A failure that is not the caller's: `unavailable` when it is a transient fault of the
    /// cloud that outlasted the retries ([`crate::faults`]), `internal` otherwise.
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        let e = e.into();
        if crate::faults::is_transient(&e) {
            AppError::Unavailable(e)
        } else {
            AppError::Internal(e)
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::InvalidInput(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::RateLimited | AppError::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Moderated { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code used in REST errors and WebSocket `error` frames.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidInput(_) => "invalid_request",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::Gone(_) => "sync_expired",
            AppError::RateLimited => "rate_limited",
            AppError::QuotaExceeded { .. } => "quota_exceeded",
            AppError::Moderated { .. } => "moderated",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// What a client may read. `Internal` never shows its cause.
    pub fn public_message(&self) -> String {
        self.to_string()
    }

    /// Logs an internal error with its cause chain, a transient fault that outlasted the
    /// retries as a warning; expected errors are not worth a log line.
    pub fn log_if_internal(&self) {
        match self {
            AppError::Internal(e) => tracing::error!(error = format!("{e:#}"), "internal error"),
            AppError::Unavailable(e) => {
                tracing::warn!(error = format!("{e:#}"), "transient fault outlasted the retries")
            }
            _ => {}
        }
    }

    /// What was moderated, for `moderated` errors: a client says why in its own words.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            AppError::Moderated { reason, .. } => Some(reason.as_str()),
            _ => None,
        }
    }

    /// For `quota_exceeded` errors: which quota, and in how many seconds to try again.
    pub fn quota(&self) -> Option<(&'static str, u64)> {
        match self {
            AppError::QuotaExceeded { quota, retry_after } => Some((quota.name(), *retry_after)),
            _ => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut error = serde_json::json!({ "code": self.code(), "message": self.public_message() });
        if let Some(reason) = self.reason() {
            error["reason"] = reason.into();
        }
        if let Some((quota, retry_after)) = self.quota() {
            error["quota"] = quota.into();
            error["retryAfter"] = retry_after.into();
        }
        serde_json::json!({ "error": error })
    }
}

/// A storage backend failure. Expected outcomes (not found, already exists) are values in
/// the port's return types; this is what is left: the backend failed.
#[derive(Debug, thiserror::Error)]
#[error("storage failure: {0:#}")]
pub struct StoreError(#[from] pub anyhow::Error);

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::internal(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = AppError::internal(anyhow::anyhow!("table missive at 10.0.0.1 is gone"));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.public_message(), "internal error");
        assert!(!e.to_json().to_string().contains("10.0.0.1"));
    }

    #[cfg(feature = "aws")]
    #[test]
    fn a_transient_fault_that_outlasted_the_retries_is_unavailable_not_internal() {
        let throttled = aws_smithy_types::error::ErrorMetadata::builder()
            .code("ProvisionedThroughputExceededException")
            .message("table missive at capacity")
            .build();
        let e: AppError = StoreError(anyhow::Error::new(throttled).context("appending a message")).into();
        assert_eq!((e.status(), e.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"));
        assert!(!e.to_json().to_string().contains("missive"), "no detail reaches the client");
    }
}
