//! `/v1/attachments`: a message's files, handed out as short-lived links to storage — the
//! bytes never go through the API.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::Caller;
use crate::app::App;
use crate::usecases::attachments::{FileLink, Rendition};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(original)).routes(routes!(thumbnail))
}

/// An attachment's file: a `302` to a link valid 5 minutes (images shown in the page, other
/// files saved under their name), or that link as JSON with `Accept: application/json` — what
/// a page does to put it in an `<img>`, which cannot send the caller's token.
#[utoipa::path(get, path = "/v1/attachments/{id}", tag = "files", params(("id" = String, Path)), responses(
    (status = 302, description = "To the file, for 5 minutes (`Location`)"),
    (status = 200, description = "With `Accept: application/json`: the link", body = FileLink),
    (status = 404, description = "No such attachment the caller may read", body = super::extract::ErrorBody),
))]
pub(super) async fn original(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let link = app.attachments.link(&who, &id, Rendition::Original).await?;
    Ok(answer(&headers, link))
}

/// An image attachment's thumbnail (a JPEG at most 320 pixels wide and high, without the
/// original's metadata), as `GET /v1/attachments/{id}`; the message's attachment says
/// `thumbnail: true` once it is made.
#[utoipa::path(get, path = "/v1/attachments/{id}/thumbnail", tag = "files", params(("id" = String, Path)), responses(
    (status = 302, description = "To the thumbnail, for 5 minutes (`Location`)"),
    (status = 200, description = "With `Accept: application/json`: the link", body = FileLink),
    (status = 404, description = "No such attachment the caller may read, or not an image", body = super::extract::ErrorBody),
))]
pub(super) async fn thumbnail(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let link = app.attachments.link(&who, &id, Rendition::Thumbnail).await?;
    Ok(answer(&headers, link))
}

/// A redirect, or the link itself for a caller that asks for JSON. Either is the caller's
/// alone (`private`), kept less long than the link lives.
fn answer(headers: &HeaderMap, link: FileLink) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    let mut response = if wants_json {
        Json(link).into_response()
    } else {
        match HeaderValue::from_str(&link.url) {
            Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
            Err(e) => {
                return AppError::internal(anyhow::anyhow!("a download link is not a header value: {e}"))
                    .into_response()
            }
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=240"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
