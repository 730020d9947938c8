//! Health, the caller, the tenant directory, storefronts and guest sessions.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{bad_cursor, page_limit, Caller, JsonBody, QueryParams};
use crate::app::App;
use crate::domain::{Branding, ConversationId, Locale, Role, Storefront, StorefrontId, TenantId, User, UserId};
use crate::usecases::sync::SyncPage;
use crate::usecases::users::DirectoryEntry;
use crate::usecases::{guests, operations, storefronts, users};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(me))
        .routes(routes!(list_users))
        .routes(routes!(sync))
        .routes(routes!(create_storefront))
        .routes(routes!(get_storefront))
        .routes(routes!(open_guest_session))
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
    let storage = operations::storage_answers(&app).await;
    let status = if storage { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = Health {
        status: if storage { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        checks: HealthChecks { storage: if storage { "ok" } else { "unavailable" } },
    };
    (status, Json(body))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    user: User,
    role: Role,
    /// A guest's one conversation.
    #[schema(required = true)]
    conversation_scope: Option<ConversationId>,
    tenant: TenantSummary,
}

#[derive(Serialize, ToSchema)]
pub struct TenantSummary {
    id: TenantId,
    name: String,
    locale: Locale,
    branding: Branding,
}

/// The caller: their user, role and tenant.
#[utoipa::path(get, path = "/v1/me", tag = "directory", responses((status = 200, body = Me)))]
pub(super) async fn me(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<Json<Me>, AppError> {
    let (user, tenant) = users::me(&app, &who).await?;
    Ok(Json(Me {
        user,
        role: who.role,
        conversation_scope: who.conversation_scope,
        tenant: TenantSummary { id: tenant.id, name: tenant.name, locale: tenant.locale, branding: tenant.branding },
    }))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Filters names and ids (case- and accent-insensitive) within the page read.
    q: Option<String>,
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 100; 100 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersPage {
    users: Vec<DirectoryEntry>,
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// The tenant directory, in id order, with who is online.
#[utoipa::path(get, path = "/v1/users", tag = "directory", params(ListQuery), responses((status = 200, body = UsersPage)))]
pub(super) async fn list_users(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<impl IntoResponse, AppError> {
    let after = query.cursor.map(|c| UserId::parse(c).map_err(|_| bad_cursor())).transpose()?;
    let limit = page_limit(query.limit, users::MAX_PAGE, users::MAX_PAGE)?;
    let page = users::list_users(&app, &who, query.q.as_deref(), after.as_ref(), limit).await?;
    Ok(Json(UsersPage { users: page.items, next_cursor: page.next_cursor }))
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
    let storefront = storefronts::create_storefront(&app, &who, body).await?;
    Ok((StatusCode::CREATED, Json(storefront)))
}

#[utoipa::path(get, path = "/v1/storefronts/{id}", tag = "storefronts", params(("id" = String, Path)), responses((status = 200, body = Storefront)))]
pub(super) async fn get_storefront(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(storefronts::get_storefront(&app, &who, &StorefrontId::lookup(&id)?).await?))
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
    let session = guests::open_guest_session(&app, &StorefrontId::lookup(&id)?, origin, body).await?;
    Ok((StatusCode::CREATED, Json(session)))
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
    Ok(Json(crate::usecases::sync::sync(&app, &who, &query.since).await?))
}
