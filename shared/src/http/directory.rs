//! Health, the caller, the tenant directory, storefronts and guest sessions.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::extract::{bad_cursor, page_limit, Caller, JsonBody, QueryParams};
use crate::app::App;
use crate::domain::{StorefrontId, UserId};
use crate::usecases::{guests, storefronts, users};
use crate::AppError;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/me", get(me))
        .route("/v1/users", get(list_users))
        .route("/v1/sync", get(sync))
        .route("/v1/storefronts", post(create_storefront))
        .route("/v1/storefronts/{id}", get(get_storefront))
        .route("/v1/public/storefronts/{id}/sessions", post(open_guest_session))
}

async fn health(State(app): State<Arc<App>>) -> impl IntoResponse {
    let storage = app.store.health().await;
    if let Err(e) = &storage {
        tracing::error!(error = %e, "storage health check failed");
    }
    let status = if storage.is_ok() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "status": if storage.is_ok() { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "checks": { "storage": if storage.is_ok() { "ok" } else { "unavailable" } },
    });
    (status, Json(body))
}

async fn me(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<impl IntoResponse, AppError> {
    let user = app.store.get_user(&who.tenant_id, &who.user_id).await?.ok_or_else(|| AppError::not_found("user"))?;
    let tenant = app.store.get_tenant(&who.tenant_id).await?.ok_or_else(|| AppError::not_found("tenant"))?;
    Ok(Json(json!({
        "user": user,
        "role": who.role,
        "conversationScope": who.conversation_scope,
        "tenant": {
            "id": tenant.id,
            "name": tenant.name,
            "locale": tenant.locale,
            "branding": tenant.branding,
        },
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

async fn list_users(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<impl IntoResponse, AppError> {
    let after = query.cursor.map(|c| UserId::parse(c).map_err(|_| bad_cursor())).transpose()?;
    let limit = page_limit(query.limit, users::MAX_PAGE, users::MAX_PAGE)?;
    let page = users::list_users(&app, &who, query.q.as_deref(), after.as_ref(), limit).await?;
    Ok(Json(json!({ "users": page.items, "nextCursor": page.next_cursor })))
}

async fn create_storefront(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<storefronts::NewStorefront>,
) -> Result<impl IntoResponse, AppError> {
    let storefront = storefronts::create_storefront(&app, &who, body).await?;
    Ok((StatusCode::CREATED, Json(storefront)))
}

async fn get_storefront(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(storefronts::get_storefront(&app, &who, &StorefrontId::lookup(&id)?).await?))
}

async fn open_guest_session(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<guests::NewGuestSession>,
) -> Result<impl IntoResponse, AppError> {
    let origin = headers.get(http::header::ORIGIN).and_then(|o| o.to_str().ok());
    let session = guests::open_guest_session(&app, &StorefrontId::lookup(&id)?, origin, body).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncQuery {
    since: String,
}

async fn sync(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    QueryParams(query): QueryParams<SyncQuery>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(crate::usecases::sync::sync(&app, &who, &query.since).await?))
}
