//! `/v1/notifications`: the bell — the caller's notifications, their count, marking them
//! read — and notifying users.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cursors;
use super::extract::{page_limit, Caller, CallerOrPlatform, JsonBody, QueryParams};
use crate::app::App;
use crate::domain::{Notification, NotificationId};
use crate::usecases::notifications::{self, NewNotifications, NotificationPage, Notifier};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(unread_count))
        .routes(routes!(read_all))
        .routes(routes!(read_one))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// `true`: the unread ones only.
    #[serde(default)]
    unread: bool,
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 100; 20 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// The caller's bell, newest first.
#[utoipa::path(get, operation_id = "list_notifications", path = "/v1/notifications", tag = "notifications", params(ListQuery), responses((status = 200, body = NotificationPage)))]
pub(super) async fn list(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<ListQuery>,
) -> Result<impl IntoResponse, AppError> {
    // Cursors are the ULIDs of earlier pages' notifications.
    let before = cursors::notification(q.cursor.as_deref())?;
    let limit = page_limit(q.limit, notifications::DEFAULT_PAGE, notifications::MAX_PAGE)?;
    Ok(Json(app.notifications.list(&who, q.unread, before.as_ref(), Some(limit)).await?))
}

#[derive(Serialize, ToSchema)]
pub struct UnreadCount {
    count: u64,
}

/// The bell's counter.
#[utoipa::path(get, path = "/v1/notifications/unread-count", tag = "notifications", responses((status = 200, body = UnreadCount)))]
pub(super) async fn unread_count(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
) -> Result<Json<UnreadCount>, AppError> {
    Ok(Json(UnreadCount { count: app.notifications.unread_count(&who).await? }))
}

/// Marks one of the caller's notifications read (again is fine).
#[utoipa::path(post, path = "/v1/notifications/{id}/read", tag = "notifications", params(("id" = String, Path)), responses((status = 200, body = Notification)))]
pub(super) async fn read_one(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.notifications.mark_read(&who, &NotificationId::lookup(&id)?).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Marked {
    /// How many were unread.
    marked: u64,
}

/// Marks every notification of the caller read.
#[utoipa::path(post, path = "/v1/notifications/read-all", tag = "notifications", responses((status = 200, body = Marked)))]
pub(super) async fn read_all(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<Json<Marked>, AppError> {
    Ok(Json(Marked { marked: app.notifications.mark_all_read(&who).await? }))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedNotifications {
    notifications: Vec<Notification>,
}

/// Notifies users (a tenant admin, or the platform key with `tenantId`), each as their
/// preferences say.
#[utoipa::path(post, operation_id = "create_notifications", path = "/v1/notifications", tag = "notifications", request_body = NewNotifications, responses((status = 201, body = CreatedNotifications)))]
pub(super) async fn create(
    State(app): State<Arc<App>>,
    by: CallerOrPlatform,
    JsonBody(body): JsonBody<NewNotifications>,
) -> Result<impl IntoResponse, AppError> {
    let by = match &by {
        CallerOrPlatform::Caller(who) => Notifier::Admin(who),
        CallerOrPlatform::Platform => Notifier::Platform,
    };
    let created = app.notifications.create(by, body).await?;
    Ok((StatusCode::CREATED, Json(CreatedNotifications { notifications: created })))
}
