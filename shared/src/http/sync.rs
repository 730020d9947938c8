//! `/v1/sync`: the events a caller missed, over REST.

use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Caller, QueryParams};
use crate::app::App;
use crate::usecases::sync::SyncPage;
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(sync))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct SyncQuery {
    /// A `cursor` from an event, an ack or a previous sync; `0` for every event kept.
    since: String,
}

/// The events the caller missed after a cursor, as the `sync` action (docs/protocol.md).
#[utoipa::path(get, path = "/v1/sync", tag = "sync", params(SyncQuery), responses(
    (status = 200, body = SyncPage),
    (status = 410, description = "`sync_expired`: the cursor is older than the events kept", body = super::extract::ErrorBody),
))]
pub(super) async fn sync(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    QueryParams(query): QueryParams<SyncQuery>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.sync.sync(&who, &query.since).await?))
}
