//! `/v1/me/devices`: where the caller's notifications are pushed.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Caller, JsonBody};
use crate::app::App;
use crate::domain::DeviceView;
use crate::usecases::devices::{DeviceList, NewDevice};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(list, register)).routes(routes!(remove))
}

/// Registers a device of the caller's: a browser's push subscription (`kind: webpush`, with
/// `subscription` as `PushSubscription.toJSON()` gives it) or a phone's token (`kind: fcm` or
/// `apns`, with `token`). At most 20 per user: one more drops the oldest.
#[utoipa::path(post, path = "/v1/me/devices", tag = "push", request_body = NewDevice, responses(
    (status = 201, description = "Registered", body = DeviceView),
    (status = 200, description = "Registered already: the same device", body = DeviceView),
    (status = 400, description = "A field that no push service would take, named", body = super::extract::ErrorBody),
))]
pub(super) async fn register(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<NewDevice>,
) -> Result<impl IntoResponse, AppError> {
    let registered = app.devices.register(&who, body).await?;
    let status = if registered.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(registered.value)))
}

/// The caller's devices, the oldest first; never their keys.
#[utoipa::path(get, path = "/v1/me/devices", tag = "push", responses((status = 200, body = DeviceList)))]
pub(super) async fn list(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.devices.list(&who).await?))
}

/// Forgets one of the caller's devices.
#[utoipa::path(delete, path = "/v1/me/devices/{id}", tag = "push", params(("id" = String, Path)), responses(
    (status = 204, description = "Forgotten"),
    (status = 404, description = "Not a device of the caller's", body = super::extract::ErrorBody),
))]
pub(super) async fn remove(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    app.devices.remove(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
