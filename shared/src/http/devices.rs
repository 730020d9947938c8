//! `/v1/me/devices`: where the caller's notifications are pushed; `/v1/push/vapid-public-key`:
//! what a browser subscribes with.

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
    OpenApiRouter::new().routes(routes!(list, register)).routes(routes!(remove)).routes(routes!(vapid_public_key))
}

/// The stack's VAPID public key.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VapidPublicKey {
    /// The uncompressed P-256 point, base64url: `pushManager.subscribe`'s `applicationServerKey`.
    pub public_key: String,
}

/// The key a browser's push subscription is made with (`applicationServerKey`). Public: a
/// page asks for it before anyone signs in.
#[utoipa::path(get, path = "/v1/push/vapid-public-key", tag = "push", security(()), responses(
    (status = 200, body = VapidPublicKey),
))]
pub(super) async fn vapid_public_key(State(app): State<Arc<App>>) -> impl IntoResponse {
    let key = VapidPublicKey { public_key: app.config.push.vapid.public_key() };
    ([(axum::http::header::CACHE_CONTROL, "public, max-age=3600")], Json(key))
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
