//! `/v1/bots`: a tenant admin's bots and their API keys.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Caller, ErrorBody, JsonBody};
use crate::app::App;
use crate::usecases::bots::{BotApiKey, BotList, CreatedBot, NewBot};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(rotate_key)).routes(routes!(revoke_key))
}

/// Creates a bot: a user of the tenant (role `bot`) and its API key, answered this once. The
/// key is the bearer token of its REST calls, in the conversations it is added to.
#[utoipa::path(post, operation_id = "create_bot", path = "/v1/bots", tag = "bots", request_body = NewBot, responses(
    (status = 201, body = CreatedBot),
    (status = 409, description = "A user of that id exists", body = ErrorBody),
))]
pub(super) async fn create(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<NewBot>,
) -> Result<impl IntoResponse, AppError> {
    Ok((StatusCode::CREATED, Json(app.bots.create(&who, body).await?)))
}

/// The tenant's bots; never a key.
#[utoipa::path(get, operation_id = "list_bots", path = "/v1/bots", tag = "bots", responses((status = 200, body = BotList)))]
pub(super) async fn list(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.bots.list(&who).await?))
}

/// A new API key, answered once; the previous one stops working at once.
#[utoipa::path(post, operation_id = "rotate_bot_key", path = "/v1/bots/{id}/rotate-key", tag = "bots", params(("id" = String, Path)), responses(
    (status = 200, body = BotApiKey),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn rotate_key(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.bots.rotate_key(&who, &id).await?))
}

/// Revokes the bot's key: its calls are refused from now on.
#[utoipa::path(delete, operation_id = "revoke_bot_key", path = "/v1/bots/{id}/key", tag = "bots", params(("id" = String, Path)), responses(
    (status = 204, description = "Revoked"),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn revoke_key(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    app.bots.revoke_key(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
