//! The platform operator's tenant management, and users created ahead of time.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{CallerOrPlatform, JsonBody, Platform};
use crate::app::App;
use crate::domain::{Tenant, TenantId, User, UserId};
use crate::usecases::tenants;
use crate::usecases::users::{self, UserAdmin};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(create_tenant)).routes(routes!(update_tenant)).routes(routes!(upsert_user))
}

/// Creates a tenant (the platform operator).
#[utoipa::path(post, path = "/v1/admin/tenants", tag = "operator", security(("platformKey" = [])), request_body = tenants::NewTenant, responses(
    (status = 201, body = Tenant),
    (status = 409, description = "The id is taken", body = super::extract::ErrorBody),
))]
pub(super) async fn create_tenant(
    State(app): State<Arc<App>>,
    _: Platform,
    JsonBody(body): JsonBody<tenants::NewTenant>,
) -> Result<impl IntoResponse, AppError> {
    let result = tenants::create_tenant(&app, body).await?;
    if !result.created {
        return Err(AppError::Conflict(format!("tenant {} exists already", result.value.id)));
    }
    Ok((StatusCode::CREATED, Json(result.value)))
}

/// Changes a tenant, or suspends it (`status`).
#[utoipa::path(patch, path = "/v1/admin/tenants/{id}", tag = "operator", security(("platformKey" = [])), params(("id" = String, Path)), request_body = tenants::TenantPatch, responses((status = 200, body = Tenant)))]
pub(super) async fn update_tenant(
    State(app): State<Arc<App>>,
    _: Platform,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<tenants::TenantPatch>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(tenants::update_tenant(&app, &TenantId::lookup(&id)?, body).await?))
}

/// Creates or updates a user ahead of their first connection, or suspends them (a tenant
/// admin, or the platform key with `tenantId`).
#[utoipa::path(put, path = "/v1/admin/users/{userId}", tag = "directory", security(("bearer" = []), ("platformKey" = [])), params(("userId" = String, Path)), request_body = users::UserUpsert, responses(
    (status = 201, description = "Created", body = User),
    (status = 200, description = "Updated", body = User),
))]
pub(super) async fn upsert_user(
    State(app): State<Arc<App>>,
    by: CallerOrPlatform,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody<users::UserUpsert>,
) -> Result<impl IntoResponse, AppError> {
    let by = match &by {
        CallerOrPlatform::Caller(who) => UserAdmin::TenantAdmin(who),
        CallerOrPlatform::Platform => UserAdmin::Platform,
    };
    let (user, created) = users::upsert_user(&app, by, &UserId::parse(user_id)?, body).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(user)))
}
