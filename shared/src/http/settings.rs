//! `/v1/settings`: the caller's notification preferences.

use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Caller, JsonBody};
use crate::app::App;
use crate::domain::Preferences;
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(get_preferences, put_preferences))
}

/// The caller's notification preferences (the defaults until set).
#[utoipa::path(get, path = "/v1/settings/notifications", tag = "notifications", responses((status = 200, body = Preferences)))]
pub(super) async fn get_preferences(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.preferences.get(&who).await?))
}

/// Replaces the caller's notification preferences; absent fields take their defaults.
#[utoipa::path(put, path = "/v1/settings/notifications", tag = "notifications", request_body = Preferences, responses((status = 200, body = Preferences)))]
pub(super) async fn put_preferences(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<Preferences>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.preferences.put(&who, body).await?))
}
