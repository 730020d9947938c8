//! `/v1/moderation`: a tenant admin's rules for what people may write, and its pre-send hook.

use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Caller, ErrorBody, JsonBody};
use crate::app::App;
use crate::domain::ModerationView;
use crate::usecases::moderation::{ModerationInput, ModerationTrial, SavedModeration, TrialOutcome};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(get_policy, set_policy)).routes(routes!(check))
}

/// The tenant's moderation: its rules and pre-send hook (empty while never set).
#[utoipa::path(get, operation_id = "get_moderation", path = "/v1/moderation", tag = "moderation", responses(
    (status = 200, body = ModerationView),
    (status = 403, description = "Not a tenant admin", body = ErrorBody),
))]
pub(super) async fn get_policy(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.moderation.policy(&who).await?))
}

/// Replaces the tenant's moderation. Applies to every message and edit people send (bots and
/// inbound hooks excepted), in every process within `MISSIVE_DIRECTORY_CACHE_SECS` (5 s). A
/// pre-send hook set where there was none gets a signing secret, answered this once.
#[utoipa::path(put, operation_id = "set_moderation", path = "/v1/moderation", tag = "moderation", request_body = ModerationInput, responses(
    (status = 200, body = SavedModeration),
    (status = 400, description = "A rule or hook Missive cannot take, named (`rules[0].patterns[1]: …`)", body = ErrorBody),
    (status = 403, description = "Not a tenant admin", body = ErrorBody),
))]
pub(super) async fn set_policy(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<ModerationInput>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.moderation.set_policy(&who, body).await?))
}

/// What the rules would make of a text in a conversation of that kind; nothing is sent and the
/// pre-send hook is not asked.
#[utoipa::path(post, operation_id = "check_moderation", path = "/v1/moderation/check", tag = "moderation", request_body = ModerationTrial, responses(
    (status = 200, body = TrialOutcome),
    (status = 403, description = "Not a tenant admin", body = ErrorBody),
))]
pub(super) async fn check(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<ModerationTrial>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.moderation.try_rules(&who, body).await?))
}
