//! Inbound hooks: a group's owner makes and stops them; another system posts through one with
//! its secret in the `Authorization` header (never in the URL: request logs keep URLs).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Caller, ErrorBody, JsonBody};
use crate::app::App;
use crate::domain::{ConversationId, Message};
use crate::usecases::hooks::{CreatedHook, HookMessage, NewHook};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(create)).routes(routes!(delete)).routes(routes!(post))
}

/// Makes an inbound hook into this group (its owner): a bot of the group named `name`, and a
/// secret answered this once.
#[utoipa::path(post, operation_id = "create_hook", path = "/v1/conversations/{id}/hooks", tag = "bots", params(("id" = String, Path)), request_body = NewHook, responses(
    (status = 201, body = CreatedHook),
    (status = 403, description = "Not the group's owner", body = ErrorBody),
))]
pub(super) async fn create(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NewHook>,
) -> Result<impl IntoResponse, AppError> {
    let created = app.hooks.create(&who, &ConversationId::lookup(&id)?, body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Stops a hook (the group's owner); its bot stays a member, silent.
#[utoipa::path(delete, operation_id = "delete_hook", path = "/v1/conversations/{id}/hooks/{hookId}", tag = "bots", params(("id" = String, Path), ("hookId" = String, Path)), responses(
    (status = 204, description = "Stopped"),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn delete(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, hook)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    app.hooks.delete(&who, &ConversationId::lookup(&id)?, &hook).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Posts a message into the hook's group as its bot. `Authorization: Bearer {secret}`; one
/// message a second at most (429 beyond).
#[utoipa::path(post, operation_id = "post_to_hook", path = "/v1/hooks/{hookId}", tag = "bots", security(()), params(("hookId" = String, Path)), request_body = HookMessage, responses(
    (status = 201, body = Message),
    (status = 401, description = "An unknown hook or a wrong secret", body = ErrorBody),
    (status = 429, description = "More than one message a second", body = ErrorBody),
))]
pub(super) async fn post(
    State(app): State<Arc<App>>,
    Path(hook): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<HookMessage>,
) -> Result<impl IntoResponse, AppError> {
    let secret = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    Ok((StatusCode::CREATED, Json(app.hooks.post(&hook, secret, body).await?)))
}
