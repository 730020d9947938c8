//! `/v1/health`: whether Missive and its storage answer.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::App;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(health))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` (with status 503) when storage fails.
    status: &'static str,
    version: &'static str,
    checks: HealthChecks,
}

#[derive(Serialize, ToSchema)]
pub struct HealthChecks {
    /// `ok` or `unavailable`.
    storage: &'static str,
}

/// Whether Missive and its storage answer.
#[utoipa::path(get, path = "/v1/health", tag = "health", security(()), responses(
    (status = 200, description = "Missive and its storage answer", body = Health),
    (status = 503, description = "Storage does not answer", body = Health),
))]
pub(super) async fn health(State(app): State<Arc<App>>) -> impl IntoResponse {
    let storage = app.operations.storage_answers().await;
    let status = if storage { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = Health {
        status: if storage { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        checks: HealthChecks { storage: if storage { "ok" } else { "unavailable" } },
    };
    (status, Json(body))
}
