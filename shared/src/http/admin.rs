//! `/v1/admin`: the platform operator's tenant management, users created ahead of time, and
//! the job queues' dashboard.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{page_limit, CallerOrPlatform, JsonBody, Platform, QueryParams};
use crate::app::App;
use crate::domain::{Export, PushCredentials, PushCredentialsView, QueueName, Tenant, TenantId, User, UserId};
use crate::ports::QueueStats;
use crate::usecases::audit::{self, AuditPage, AuditReader};
use crate::usecases::erasure::Erasure;
use crate::usecases::exports::ExportView;
use crate::usecases::offboarding::OffboardingStatus;
use crate::usecases::tenants;
use crate::usecases::users::{self, UserAdmin};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_tenant))
        .routes(routes!(update_tenant, offboard_tenant))
        .routes(routes!(offboarding))
        .routes(routes!(upsert_user, erase_user))
        .routes(routes!(get_push_credentials, set_push_credentials))
        .routes(routes!(request_export))
        .routes(routes!(get_export))
        .routes(routes!(audit_log))
        .routes(routes!(queues))
        .routes(routes!(redrive))
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
    let result = app.tenants.create_tenant(body).await?;
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
    Ok(Json(app.tenants.update_tenant(&TenantId::lookup(&id)?, body).await?))
}

/// Removes a tenant and everything of it (its offboarding): only a suspended one. The removal
/// runs in the background; `GET /v1/admin/tenants/{id}/offboarding` tells how it goes and when
/// it is done. Asked again while it runs, answers the same offboarding.
#[utoipa::path(delete, path = "/v1/admin/tenants/{id}", tag = "operator", security(("platformKey" = [])), params(("id" = String, Path)), responses(
    (status = 202, body = OffboardingStatus),
    (status = 404, description = "No such tenant", body = super::extract::ErrorBody),
    (status = 409, description = "The tenant is not suspended", body = super::extract::ErrorBody),
))]
pub(super) async fn offboard_tenant(
    State(app): State<Arc<App>>,
    _: Platform,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok((StatusCode::ACCEPTED, Json(app.offboarding.request(&TenantId::lookup(&id)?).await?)))
}

/// How a tenant's offboarding goes: `none` (never asked for), `running` (records and files
/// removed so far), `done` (`completedAt`: nothing of the tenant is left). Kept after the
/// tenant is gone.
#[utoipa::path(get, path = "/v1/admin/tenants/{id}/offboarding", tag = "operator", security(("platformKey" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = OffboardingStatus),
    (status = 404, description = "No such tenant, and none offboarded", body = super::extract::ErrorBody),
))]
pub(super) async fn offboarding(
    State(app): State<Arc<App>>,
    _: Platform,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.offboarding.status(&TenantId::lookup(&id)?).await?))
}

/// Sets a tenant's credentials for the phones' push services: `fcm` (the Firebase service
/// account's key file) and `apns` (an APNs key: `teamId`, `keyId`, `privateKey` — the `.p8` —,
/// `bundleId`, `environment`). A service left out is removed. Kept in Secrets Manager (locally
/// the data directory); answered without the keys.
#[utoipa::path(put, path = "/v1/admin/tenants/{id}/push-credentials", tag = "operator", security(("platformKey" = [])), params(("id" = String, Path)), request_body = PushCredentials, responses(
    (status = 200, body = PushCredentialsView),
    (status = 400, description = "A key no push service would take, named", body = super::extract::ErrorBody),
    (status = 404, description = "No such tenant", body = super::extract::ErrorBody),
))]
pub(super) async fn set_push_credentials(
    State(app): State<Arc<App>>,
    _: Platform,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PushCredentials>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.push_credentials.set(&TenantId::lookup(&id)?, body).await?))
}

/// Which of a tenant's push credentials are set (never a key).
#[utoipa::path(get, path = "/v1/admin/tenants/{id}/push-credentials", tag = "operator", security(("platformKey" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = PushCredentialsView),
    (status = 404, description = "No such tenant", body = super::extract::ErrorBody),
))]
pub(super) async fn get_push_credentials(
    State(app): State<Arc<App>>,
    _: Platform,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.push_credentials.get(&TenantId::lookup(&id)?).await?))
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
    let (user, created) = app.users.upsert_user(by.user_admin(), &UserId::parse(user_id)?, body).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(user)))
}

impl CallerOrPlatform {
    /// The caller as a manager of users.
    fn user_admin(&self) -> UserAdmin<'_> {
        match self {
            CallerOrPlatform::Caller(who) => UserAdmin::TenantAdmin(who),
            CallerOrPlatform::Platform => UserAdmin::Platform,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TenantQuery {
    /// The tenant, with the platform key; a tenant admin's own otherwise.
    tenant_id: Option<String>,
}

/// Erases a person (GDPR's right to erasure): their record at once — their tokens are refused
/// from then on (403 `user erased`) unless the platform creates them again with `PUT
/// /v1/admin/users/{userId}` — and the rest in the background: their messages become
/// tombstones of no one (`senderId` `~erased`; the conversations stay readable for the others),
/// their reactions are taken back, their memberships, notifications, preferences, waiting
/// e-mails, reminders, devices and connections go; `user.erased` tells the tenant's webhooks
/// when done. A tenant admin (not of themself), or the platform key with `tenantId`; audited.
#[utoipa::path(delete, path = "/v1/admin/users/{userId}", tag = "directory", security(("bearer" = []), ("platformKey" = [])), params(("userId" = String, Path), TenantQuery), responses(
    (status = 202, description = "Erased; the rest of their data follows", body = Erasure),
    (status = 400, description = "An admin erasing themself, or a bot", body = super::extract::ErrorBody),
    (status = 403, description = "Not a tenant admin", body = super::extract::ErrorBody),
    (status = 404, description = "No such user", body = super::extract::ErrorBody),
))]
pub(super) async fn erase_user(
    State(app): State<Arc<App>>,
    by: CallerOrPlatform,
    Path(user_id): Path<String>,
    QueryParams(q): QueryParams<TenantQuery>,
) -> Result<impl IntoResponse, AppError> {
    let erasure =
        app.erasure.request_erasure(by.user_admin(), q.tenant_id.as_deref(), &UserId::parse(user_id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(erasure)))
}

/// Asks for an export of a person's data (GDPR's right of access): made in the background as
/// JSON Lines — their record, preferences, devices, reminders, notifications, conversations
/// and the messages they sent — then downloadable for 24 hours through `GET
/// /v1/admin/exports/{id}`. A tenant admin, or the platform key with `tenantId`; audited.
#[utoipa::path(post, path = "/v1/admin/users/{userId}/export", tag = "directory", security(("bearer" = []), ("platformKey" = [])), params(("userId" = String, Path), TenantQuery), responses(
    (status = 202, description = "Asked for: `pending` until made", body = Export),
    (status = 403, description = "Not a tenant admin", body = super::extract::ErrorBody),
    (status = 404, description = "No such user", body = super::extract::ErrorBody),
))]
pub(super) async fn request_export(
    State(app): State<Arc<App>>,
    by: CallerOrPlatform,
    Path(user_id): Path<String>,
    QueryParams(q): QueryParams<TenantQuery>,
) -> Result<impl IntoResponse, AppError> {
    let export = app.exports.request_export(by.user_admin(), q.tenant_id.as_deref(), &UserId::parse(user_id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(export)))
}

/// An export: `pending`, or `ready` with a link that downloads it until `expiresAt` (a day
/// after it was made; then it is gone: 404).
#[utoipa::path(get, path = "/v1/admin/exports/{id}", tag = "directory", security(("bearer" = []), ("platformKey" = [])), params(("id" = String, Path), TenantQuery), responses(
    (status = 200, body = ExportView),
    (status = 403, description = "Not a tenant admin", body = super::extract::ErrorBody),
    (status = 404, description = "No such export, or expired", body = super::extract::ErrorBody),
))]
pub(super) async fn get_export(
    State(app): State<Arc<App>>,
    by: CallerOrPlatform,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<TenantQuery>,
) -> Result<Json<ExportView>, AppError> {
    Ok(Json(app.exports.get_export(by.user_admin(), q.tenant_id.as_deref(), &id).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The tenant, with the platform key; a tenant admin reads their own.
    tenant_id: Option<String>,
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 100; 50 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// A tenant's audit log, newest first: who did which administrative act, when (a tenant
/// admin, or the platform key with `tenantId`). Acts are kept 400 days.
#[utoipa::path(get, operation_id = "audit_log", path = "/v1/admin/audit", tag = "directory", security(("bearer" = []), ("platformKey" = [])), params(AuditQuery), responses(
    (status = 200, body = AuditPage),
    (status = 403, description = "Not a tenant admin", body = super::extract::ErrorBody),
))]
pub(super) async fn audit_log(
    State(app): State<Arc<App>>,
    by: CallerOrPlatform,
    QueryParams(q): QueryParams<AuditQuery>,
) -> Result<impl IntoResponse, AppError> {
    let limit = page_limit(q.limit, 50, audit::MAX_PAGE)?;
    let reader = match &by {
        CallerOrPlatform::Caller(who) => {
            if q.tenant_id.as_deref().is_some_and(|t| t != who.tenant_id.as_str()) {
                return Err(AppError::forbidden("admins read their own tenant's log only"));
            }
            AuditReader::TenantAdmin(who)
        }
        CallerOrPlatform::Platform => {
            let tenant = q.tenant_id.ok_or_else(|| AppError::invalid("missing query parameter `tenantId`"))?;
            AuditReader::Platform(TenantId::lookup(&tenant)?)
        }
    };
    Ok(Json(app.audit.list(reader, q.cursor.as_deref(), limit).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Queues {
    queues: Vec<QueueStats>,
}

/// The job queues' depths. Queues are shared by every tenant, so they are the platform
/// operator's alone (a tenant admin must not redrive other tenants' jobs); no job's content
/// is shown.
#[utoipa::path(get, path = "/v1/admin/queues", tag = "operator", security(("platformKey" = [])), responses((status = 200, body = Queues)))]
pub(super) async fn queues(State(app): State<Arc<App>>, _: Platform) -> Result<Json<Queues>, AppError> {
    Ok(Json(Queues { queues: app.operations.queue_stats().await? }))
}

#[derive(Serialize, ToSchema)]
pub struct Redriven {
    queue: &'static str,
    /// Jobs moved back from the dead-letter queue.
    moved: u64,
}

/// Moves a queue's dead-lettered jobs back to it (the platform operator).
#[utoipa::path(post, path = "/v1/admin/queues/{name}/redrive", tag = "operator", security(("platformKey" = [])),
    params(("name" = String, Path, description = "`notifications` or `emails`")), responses((status = 200, body = Redriven)))]
pub(super) async fn redrive(
    State(app): State<Arc<App>>,
    _: Platform,
    Path(name): Path<String>,
) -> Result<Json<Redriven>, AppError> {
    let queue = QueueName::parse(&name).ok_or_else(|| AppError::not_found("queue"))?;
    let moved = app.operations.redrive(queue).await?;
    Ok(Json(Redriven { queue: queue.as_str(), moved }))
}
