//! `GET /local/outbox` lists the e-mails the local mailer wrote; `POST /local/outbox/failures`
//! tells it to fail its next sends or every send, for trying retries and dead letters, and
//! `GET /local/outbox/failures` tells how many are still to come.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use missive::adapters::local::{Outbox, OutboxEntry};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Failures {
    /// Fail this many next sends.
    #[serde(default)]
    next: u32,
    /// Fail every send until told otherwise.
    #[serde(default)]
    always: bool,
}

/// `GET /local/outbox` and `GET`/`POST /local/outbox/failures` (the local runtime only).
pub fn routes(outbox: Arc<Outbox>) -> Router {
    Router::new()
        .route("/local/outbox", get(list))
        .route("/local/outbox/failures", post(set_failures).get(failures))
        .with_state(outbox)
}

async fn list(State(outbox): State<Arc<Outbox>>) -> Result<Json<Vec<OutboxEntry>>, (axum::http::StatusCode, String)> {
    outbox.list().map(Json).map_err(|e| (axum::http::StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")))
}

async fn failures(State(outbox): State<Arc<Outbox>>) -> Json<serde_json::Value> {
    let (next, always) = outbox.failures();
    Json(serde_json::json!({ "next": next, "always": always }))
}

async fn set_failures(State(outbox): State<Arc<Outbox>>, Json(f): Json<Failures>) -> Json<serde_json::Value> {
    outbox.set_failures(f.next, f.always);
    Json(serde_json::json!({ "next": f.next, "always": f.always }))
}
