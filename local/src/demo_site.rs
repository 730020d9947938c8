//! The demo app (clients/demo) served at `/demo/` (`/` leads there), and its sign-in: `GET /local/demo/session?as=`
//! answers a token of a demo user, `GET /local/demo/operator` the platform key, so that a
//! person can try every role from a browser. Mounted only with the demo tenant and only on a
//! loopback address: those answers are the keys to the whole install.

use std::path::{Path, PathBuf};

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::demo::{self, DEMO_STOREFRONT, DEMO_TENANT, DEMO_USERS};

/// Where the built demo is, unless `MISSIVE_DEMO_DIR` says otherwise: the repository's copy.
pub const DEFAULT_DEMO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../clients/demo/dist");

#[derive(Clone)]
struct Keys {
    jwt_secret: String,
    platform_key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionQuery {
    #[serde(rename = "as")]
    user: String,
}

/// The demo's routes and files.
pub fn routes(dir: &Path, jwt_secret: &str, platform_key: &str) -> Router {
    let keys = Keys { jwt_secret: jwt_secret.into(), platform_key: platform_key.into() };
    // The files under `/demo/`; the page must be there (with the slash) for its relative
    // addresses to resolve under it, so `/` and `/demo` lead to it.
    let files = ServeDir::new(PathBuf::from(dir)).append_index_html_on_directories(true);
    let files = files.map_request(|mut request: Request| {
        let path = request.uri().path().strip_prefix("/demo").unwrap_or("/").to_string();
        if let Ok(uri) = path.parse() {
            *request.uri_mut() = uri;
        }
        request
    });
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/demo/") }))
        .route("/demo", get(|| async { Redirect::permanent("/demo/") }))
        .route_service("/demo/", files.clone())
        .route_service("/demo/{*file}", files)
        .route("/local/demo/session", get(session))
        .route("/local/demo/operator", get(operator))
        .with_state(keys)
}

async fn session(State(keys): State<Keys>, Query(q): Query<SessionQuery>) -> Response {
    let Some((id, name, role)) = DEMO_USERS.iter().find(|(id, _, _)| *id == q.user) else {
        let known: Vec<&str> = DEMO_USERS.iter().map(|(id, _, _)| *id).collect();
        let message = format!("no demo user `{}`: one of {}", q.user, known.join(", "));
        return (StatusCode::NOT_FOUND, Json(json!({ "error": { "code": "not_found", "message": message } })))
            .into_response();
    };
    match demo::demo_user_token(&keys.jwt_secret, (id, name, *role)) {
        Ok(token) => Json(json!({
            "token": token,
            "tenantId": DEMO_TENANT,
            "storefrontId": DEMO_STOREFRONT,
            "user": { "id": id, "name": name, "role": role.as_str() },
        }))
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "signing a demo token");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn operator(State(keys): State<Keys>) -> Json<serde_json::Value> {
    Json(json!({ "platformKey": keys.platform_key }))
}
