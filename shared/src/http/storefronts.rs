//! `/v1/storefronts` and `/v1/public/storefronts`: a partner's storefronts, and the guest
//! sessions their public pages open.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Caller, JsonBody};
use crate::app::App;
use crate::domain::{Storefront, StorefrontId};
use crate::usecases::{guests, storefronts};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_storefront))
        .routes(routes!(get_storefront))
        .routes(routes!(open_guest_session))
}

/// Creates a storefront (a partner's public page with its chat card).
#[utoipa::path(post, path = "/v1/storefronts", tag = "storefronts", request_body = storefronts::NewStorefront, responses(
    (status = 201, body = Storefront),
    (status = 409, description = "The id is taken", body = super::extract::ErrorBody),
))]
pub(super) async fn create_storefront(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<storefronts::NewStorefront>,
) -> Result<impl IntoResponse, AppError> {
    let storefront = app.storefronts.create_storefront(&who, body).await?;
    Ok((StatusCode::CREATED, Json(storefront)))
}

#[utoipa::path(get, path = "/v1/storefronts/{id}", tag = "storefronts", params(("id" = String, Path)), responses((status = 200, body = Storefront)))]
pub(super) async fn get_storefront(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.storefronts.get_storefront(&who, &StorefrontId::lookup(&id)?).await?))
}

/// A guest's session: a guest user, its conversation with the storefront's partners, and a
/// token for that conversation only.
#[utoipa::path(post, path = "/v1/public/storefronts/{id}/sessions", tag = "storefronts", security(()),
    params(("id" = String, Path)), request_body = guests::NewGuestSession,
    responses((status = 201, body = guests::GuestSession)))]
pub(super) async fn open_guest_session(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<guests::NewGuestSession>,
) -> Result<impl IntoResponse, AppError> {
    let origin = headers.get(http::header::ORIGIN).and_then(|o| o.to_str().ok());
    let session = app.guests.open_guest_session(&StorefrontId::lookup(&id)?, origin, body).await?;
    Ok((StatusCode::CREATED, Json(session)))
}
