//! `/v1/conversations/{id}/pins`: a conversation's pinned messages.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Caller, ErrorBody, JsonBody};
use crate::app::App;
use crate::domain::{ConversationId, Pin};
use crate::usecases::pins::PinList;
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(list, pin)).routes(routes!(unpin))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PinBody {
    message_id: String,
}

/// The conversation's pins after a change, the newest first.
#[derive(Serialize, ToSchema)]
pub struct Pins {
    pins: Vec<Pin>,
}

/// The conversation's pins with their messages, the newest pin first.
#[utoipa::path(get, operation_id = "list_pins", path = "/v1/conversations/{id}/pins", tag = "messages", params(("id" = String, Path)), responses((status = 200, body = PinList)))]
pub(super) async fn list(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.pins.list(&who, &ConversationId::lookup(&id)?).await?))
}

/// Pins a message, as the `pinMessage` action: a system line says who pinned one.
#[utoipa::path(post, operation_id = "pin_message", path = "/v1/conversations/{id}/pins", tag = "messages", params(("id" = String, Path)), request_body = PinBody, responses(
    (status = 200, body = Pins),
    (status = 409, description = "The message is deleted, or the conversation holds 50 pins", body = ErrorBody),
))]
pub(super) async fn pin(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PinBody>,
) -> Result<impl IntoResponse, AppError> {
    let pins = app.pins.pin(&who, &ConversationId::lookup(&id)?, &body.message_id).await?;
    Ok(Json(Pins { pins }))
}

/// Unpins a message, as the `unpinMessage` action.
#[utoipa::path(delete, operation_id = "unpin_message", path = "/v1/conversations/{id}/pins/{messageId}", tag = "messages", params(("id" = String, Path), ("messageId" = String, Path)), responses((status = 200, body = Pins)))]
pub(super) async fn unpin(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, message_id)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    let pins = app.pins.unpin(&who, &ConversationId::lookup(&id)?, &message_id).await?;
    Ok(Json(Pins { pins }))
}
