//! Request extractors that turn every rejection into Missive's JSON error format.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::app::App;
use crate::usecases::Identity;
use crate::AppError;

/// Every error's body as `AppError` answers it (docs/api.md, "Errors"), for the OpenAPI
/// document.
#[derive(serde::Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// `invalid_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `method_not_allowed`, `sync_expired`, `too_large`, `rate_limited`, `quota_exceeded`,
    /// `moderated`, `unavailable` or `internal`.
    code: String,
    /// For people: names the parameter or field at fault; never a detail of Missive's own.
    message: String,
    /// For `moderated` only: what the tenant's moderation found.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<crate::domain::ModerationReason>,
    /// For `quota_exceeded` only: the tenant's quota used up (`messagesPerMinute`,
    /// `connections`, `emailsPerDay`, `uploadBytesPerDay`).
    #[serde(skip_serializing_if = "Option::is_none")]
    quota: Option<String>,
    /// For `quota_exceeded` only: seconds until its window moves on (the `Retry-After` header's).
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        let mut response = (self.status(), axum::Json(self.to_json())).into_response();
        if let AppError::Unavailable(_) = self {
            // The retries already waited about a second; as long again is a fair first wait.
            response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("1"));
        }
        if let Some((_, seconds)) = self.quota() {
            response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}

fn bearer(parts: &Parts) -> Result<&str, AppError> {
    let header =
        parts.headers.get(http::header::AUTHORIZATION).ok_or(AppError::Unauthorized("missing bearer token"))?;
    header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthorized("missing bearer token"))
}

/// The authenticated caller of a REST request (`Authorization: Bearer <token>`).
pub struct Caller(pub Identity);

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, AppError> {
        let token = bearer(parts)?;
        let identity = app.identity.authenticate(token).await?;
        tracing::Span::current().record("tenant", identity.tenant_id.as_str());
        if let Some(caller) = parts.extensions.get::<super::cors::CallerTenant>() {
            caller.set(&identity.tenant_id);
        }
        Ok(Caller(identity))
    }
}

/// The platform operator (`Authorization: Bearer <MISSIVE_PLATFORM_KEY>`).
pub struct Platform;

impl FromRequestParts<Arc<App>> for Platform {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, AppError> {
        app.identity.authenticate_platform(bearer(parts)?)?;
        Ok(Platform)
    }
}

/// Either a tenant's user or the platform operator, for routes open to both.
pub enum CallerOrPlatform {
    Caller(Identity),
    Platform,
}

impl FromRequestParts<Arc<App>> for CallerOrPlatform {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, AppError> {
        let token = bearer(parts)?;
        if app.identity.authenticate_platform(token).is_ok() {
            return Ok(CallerOrPlatform::Platform);
        }
        let Caller(identity) = Caller::from_request_parts(parts, app).await?;
        Ok(CallerOrPlatform::Caller(identity))
    }
}

/// A JSON body; a malformed or oversized one is a 400 or 413 in Missive's format.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(AppError::invalid(serde_detail(&e.body_text()))),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(AppError::invalid("request body is not valid JSON")),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::invalid("expected a JSON body with Content-Type: application/json"))
            }
            Err(e) if e.status() == http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::TooLarge("request body is too large".into()))
            }
            Err(_) => Err(AppError::invalid("could not read the request body")),
        }
    }
}

/// A page size from the query string: absent, the route's `default`; otherwise from 1 to
/// `max`, or a 400 naming `limit`.
pub fn page_limit(value: Option<usize>, default: usize, max: usize) -> Result<usize, AppError> {
    match value {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid(format!("limit: must be from 1 to {max}"))),
    }
}

/// Query parameters (their structs deny unknown fields); an unparsable or unknown one is a
/// 400 naming it.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(q)| QueryParams(q))
            .map_err(|e| AppError::invalid(serde_detail(&e.body_text())))
    }
}

/// axum prefixes serde's message ("Failed to deserialize the JSON body into the target
/// type: missing field `name` at line 1 column 2"); the client needs the part after it.
fn serde_detail(text: &str) -> String {
    // Keep the field's path ("quietHours.start: invalid type…") that follows the prefix.
    let detail = match text.strip_prefix("Failed to deserialize") {
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, d)| d),
        None => text,
    };
    match detail.find(" at line ") {
        Some(i) => detail[..i].to_string(),
        None => detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_refusal_says_which_quota_and_when_to_try_again() {
        let e = AppError::QuotaExceeded { quota: crate::domain::Quota::MessagesPerMinute, retry_after: 17 };
        let response = e.into_response();
        assert_eq!(response.status(), http::StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[http::header::RETRY_AFTER], "17");
        let body = AppError::QuotaExceeded { quota: crate::domain::Quota::Connections, retry_after: 60 }.to_json();
        assert_eq!(
            body,
            serde_json::json!({ "error": {
                "code": "quota_exceeded",
                "message": "the tenant's quota (connections) is used up",
                "quota": "connections",
                "retryAfter": 60,
            } })
        );
    }
}
