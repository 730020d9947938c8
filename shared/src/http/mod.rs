//! The REST API under `/v1`: one axum router, served by the HTTP Lambda function (through
//! `lambda_http`) and by the local runtime alike. One file per URL prefix (`/v1/<area>` in
//! `<area>.rs`), calling the use cases of that area.

mod admin;
mod attachments;
mod bots;
mod conversations;
pub mod cors;
mod cursors;
mod devices;
mod email;
pub mod extract;
mod health;
mod hooks;
#[cfg(feature = "lambda-http")]
pub mod lambda;
mod moderation;
mod notifications;
pub mod openapi;
mod pins;
mod reminders;
mod settings;
mod storefronts;
mod sync;
mod threads;
mod users;
mod webhooks;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::Router;
use tracing::Instrument;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::App;
use crate::AppError;

/// Every route, each declared once with its OpenAPI entry (`#[utoipa::path]` on its handler):
/// the router serves them and the document describes them, from this one list.
fn api() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::routes())
        .merge(users::routes())
        .merge(devices::routes())
        .merge(conversations::routes())
        .merge(pins::routes())
        .merge(threads::routes())
        .merge(attachments::routes())
        .merge(storefronts::routes())
        .merge(sync::routes())
        .merge(notifications::routes())
        .merge(reminders::routes())
        .merge(settings::routes())
        .merge(email::routes())
        .merge(webhooks::routes())
        .merge(bots::routes())
        .merge(hooks::routes())
        .merge(moderation::routes())
        .merge(admin::routes())
        .routes(routes!(openapi::document))
        .routes(routes!(openapi::protocol_schema))
}

pub fn router(app: Arc<App>) -> Router {
    let body_limit = app.config.limits.max_body_bytes;
    let (routes, _) = api().split_for_parts();
    routes
        .fallback(|| async { AppError::not_found("route") })
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(app.clone(), cors::cors))
        .layer(axum::middleware::from_fn(trace_request))
        .with_state(app)
}

/// A method the route does not take: 405, with the `Allow` header axum adds to it.
async fn method_not_allowed() -> axum::response::Response {
    use axum::response::IntoResponse;
    let body =
        serde_json::json!({ "error": { "code": "method_not_allowed", "message": "method not allowed on this route" } });
    (http::StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}

/// One span per request with the method and the route, never the query string (it may
/// hold a token) nor the body.
async fn trace_request(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    let span = tracing::info_span!(
        "http",
        method = %req.method(),
        path = req.uri().path(),
        tenant = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let response = next.run(req).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request")
    });
    response
}
