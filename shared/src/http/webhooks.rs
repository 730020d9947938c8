//! `/v1/webhooks`: a tenant admin's endpoints, their secrets, tests and delivery logs.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Caller, ErrorBody, JsonBody, QueryParams};
use crate::app::App;
use crate::domain::{WebhookDelivery, WebhookView};
use crate::usecases::webhooks::{CreatedWebhook, DeliveryPage, NewWebhook, RotatedSecret, WebhookList, WebhookPatch};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(rotate_secret))
        .routes(routes!(test))
        .routes(routes!(deliveries))
        .routes(routes!(retry))
}

/// Creates an endpoint: `https` (plain `http` to this machine in local mode only), hearing of
/// `events` (none: every event, future ones included). Its signing secret is answered this once.
#[utoipa::path(post, operation_id = "create_webhook", path = "/v1/webhooks", tag = "webhooks", request_body = NewWebhook, responses(
    (status = 201, body = CreatedWebhook),
    (status = 400, description = "A URL webhooks may not reach, an unknown event, more than 20 endpoints", body = ErrorBody),
    (status = 403, description = "Not a tenant admin", body = ErrorBody),
))]
pub(super) async fn create(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<NewWebhook>,
) -> Result<impl IntoResponse, AppError> {
    Ok((StatusCode::CREATED, Json(app.webhooks.create(&who, body).await?)))
}

/// The tenant's endpoints, the oldest first; never their secrets.
#[utoipa::path(get, operation_id = "list_webhooks", path = "/v1/webhooks", tag = "webhooks", responses((status = 200, body = WebhookList)))]
pub(super) async fn list(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.webhooks.list(&who).await?))
}

#[utoipa::path(get, operation_id = "get_webhook", path = "/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)), responses(
    (status = 200, body = WebhookView),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn get_one(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.webhooks.get(&who, &id).await?))
}

/// Changes what is given; `enabled: true` enables a disabled endpoint again.
#[utoipa::path(patch, operation_id = "update_webhook", path = "/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)), request_body = WebhookPatch, responses(
    (status = 200, body = WebhookView),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn update(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<WebhookPatch>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.webhooks.update(&who, &id, body).await?))
}

#[utoipa::path(delete, operation_id = "delete_webhook", path = "/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)), responses(
    (status = 204, description = "Deleted; its deliveries in the log expire with the week"),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn delete(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    app.webhooks.delete(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, answered once; the previous one keeps signing for 24 hours (both
/// signatures are sent meanwhile).
#[utoipa::path(post, operation_id = "rotate_webhook_secret", path = "/v1/webhooks/{id}/rotate-secret", tag = "webhooks", params(("id" = String, Path)), responses(
    (status = 200, body = RotatedSecret),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn rotate_secret(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.webhooks.rotate_secret(&who, &id).await?))
}

/// Sends a `webhook.test` event to the endpoint (whatever its filter); the delivery answered
/// is followed in the log.
#[utoipa::path(post, operation_id = "test_webhook", path = "/v1/webhooks/{id}/test", tag = "webhooks", params(("id" = String, Path)), responses(
    (status = 202, body = WebhookDelivery),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn test(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok((StatusCode::ACCEPTED, Json(app.webhooks.test(&who, &id).await?)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct DeliveriesQuery {
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 100; 20 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// The endpoint's deliveries of the last 7 days, newest first: each event, its status, its
/// attempts and the last one's answer code, duration and error.
#[utoipa::path(get, operation_id = "list_webhook_deliveries", path = "/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = String, Path), DeliveriesQuery), responses(
    (status = 200, body = DeliveryPage),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn deliveries(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<DeliveriesQuery>,
) -> Result<impl IntoResponse, AppError> {
    let limit = super::extract::page_limit(q.limit, 20, 100)?;
    Ok(Json(app.webhooks.deliveries(&who, &id, q.cursor.as_deref(), Some(limit)).await?))
}

/// Tries a delivery again now (same event id, a new attempt).
#[utoipa::path(post, operation_id = "retry_webhook_delivery", path = "/v1/webhooks/{id}/deliveries/{deliveryId}/retry", tag = "webhooks", params(("id" = String, Path), ("deliveryId" = String, Path)), responses(
    (status = 202, body = WebhookDelivery),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn retry(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, delivery_id)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    Ok((StatusCode::ACCEPTED, Json(app.webhooks.retry(&who, &id, &delivery_id).await?)))
}
