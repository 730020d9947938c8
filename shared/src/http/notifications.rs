//! The bell, notification preferences, reminders, one-click unsubscribe and the queue
//! dashboard.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{bad_cursor, page_limit, Caller, CallerOrPlatform, JsonBody, Platform, QueryParams};
use crate::app::App;
use crate::domain::{Notification, NotificationId, Preferences, QueueName, Reminder, ReminderId};
use crate::ports::QueueStats;
use crate::usecases::notifications::{self, NewNotifications, NotificationPage, Notifier};
use crate::usecases::{email_queue, operations, preferences, reminders};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(unread_count))
        .routes(routes!(read_all))
        .routes(routes!(read_one))
        .routes(routes!(get_preferences, put_preferences))
        .routes(routes!(list_reminders, create_reminder))
        .routes(routes!(delete_reminder))
        .routes(routes!(unsubscribe, unsubscribe_one_click))
        .routes(routes!(queues))
        .routes(routes!(redrive))
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
    let before = match q.cursor.as_deref() {
        Some(c) if ulid::Ulid::from_string(c).is_ok() => Some(NotificationId::parse(c)?),
        Some(_) => return Err(bad_cursor()),
        None => None,
    };
    let limit = page_limit(q.limit, notifications::DEFAULT_PAGE, notifications::MAX_PAGE)?;
    Ok(Json(notifications::list(&app, &who, q.unread, before.as_ref(), Some(limit)).await?))
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
    Ok(Json(UnreadCount { count: notifications::unread_count(&app, &who).await? }))
}

/// Marks one of the caller's notifications read (again is fine).
#[utoipa::path(post, path = "/v1/notifications/{id}/read", tag = "notifications", params(("id" = String, Path)), responses((status = 200, body = Notification)))]
pub(super) async fn read_one(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(notifications::mark_read(&app, &who, &NotificationId::lookup(&id)?).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Marked {
    /// How many were unread.
    marked: u64,
}

/// Marks every notification of the caller read.
#[utoipa::path(post, path = "/v1/notifications/read-all", tag = "notifications", responses((status = 200, body = Marked)))]
pub(super) async fn read_all(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<Json<Marked>, AppError> {
    Ok(Json(Marked { marked: notifications::mark_all_read(&app, &who).await? }))
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
    let created = notifications::create(&app, by, body).await?;
    Ok((StatusCode::CREATED, Json(CreatedNotifications { notifications: created })))
}

/// The caller's notification preferences (the defaults until set).
#[utoipa::path(get, path = "/v1/settings/notifications", tag = "notifications", responses((status = 200, body = Preferences)))]
pub(super) async fn get_preferences(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(preferences::get(&app, &who).await?))
}

/// Replaces the caller's notification preferences; absent fields take their defaults.
#[utoipa::path(put, path = "/v1/settings/notifications", tag = "notifications", request_body = Preferences, responses((status = 200, body = Preferences)))]
pub(super) async fn put_preferences(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<Preferences>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(preferences::put(&app, &who, body).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct PageQuery {
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 100; 50 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RemindersPage {
    reminders: Vec<Reminder>,
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// The caller's reminders, pending and fired (kept 30 days after their time).
#[utoipa::path(get, path = "/v1/reminders", tag = "reminders", params(PageQuery), responses((status = 200, body = RemindersPage)))]
pub(super) async fn list_reminders(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<PageQuery>,
) -> Result<impl IntoResponse, AppError> {
    let after = q.cursor.map(|c| ReminderId::parse(c).map_err(|_| bad_cursor())).transpose()?;
    let limit = page_limit(q.limit, reminders::DEFAULT_PAGE, reminders::MAX_PAGE)?;
    let page = reminders::list(&app, &who, after.as_ref(), Some(limit)).await?;
    Ok(Json(RemindersPage { reminders: page.items, next_cursor: page.next_cursor }))
}

/// A reminder for users or for a conversation's members, at a time.
#[utoipa::path(post, path = "/v1/reminders", tag = "reminders", request_body = reminders::NewReminder, responses((status = 201, body = Reminder)))]
pub(super) async fn create_reminder(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<reminders::NewReminder>,
) -> Result<impl IntoResponse, AppError> {
    Ok((StatusCode::CREATED, Json(reminders::create(&app, &who, body).await?)))
}

/// Cancels a reminder (its creator).
#[utoipa::path(delete, path = "/v1/reminders/{id}", tag = "reminders", params(("id" = String, Path)), responses((status = 204, description = "Cancelled")))]
pub(super) async fn delete_reminder(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    reminders::delete(&app, &who, &ReminderId::lookup(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct UnsubscribeQuery {
    /// The signed token of the e-mail's link.
    token: String,
}

/// Opened from the e-mail's link (GET) or by the mail client's one-click button (POST,
/// RFC 8058); both turn e-mails off. No bearer token: the signed link is the proof.
#[utoipa::path(get, path = "/v1/email/unsubscribe", tag = "notifications", security(()), params(UnsubscribeQuery), responses(
    (status = 200, description = "E-mails are off; a short page in the user's language", body = String, content_type = "text/html"),
))]
pub(super) async fn unsubscribe(
    State(app): State<Arc<App>>,
    QueryParams(q): QueryParams<UnsubscribeQuery>,
) -> Result<impl IntoResponse, AppError> {
    let locale = email_queue::unsubscribe(&app, &q.token).await?;
    let lang = match locale {
        crate::domain::Locale::Fr => "fr",
        crate::domain::Locale::En => "en",
    };
    let text = crate::i18n::unsubscribed_page(locale);
    Ok(Html(format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>Missive</title></head>\
         <body style=\"font-family:sans-serif;max-width:32em;margin:4em auto\"><p>{text}</p></body></html>"
    )))
}

/// The same link, posted by a mail client's one-click unsubscribe (RFC 8058).
#[utoipa::path(post, path = "/v1/email/unsubscribe", tag = "notifications", security(()), params(UnsubscribeQuery), responses(
    (status = 200, description = "E-mails are off; a short page in the user's language", body = String, content_type = "text/html"),
))]
pub(super) async fn unsubscribe_one_click(
    app: State<Arc<App>>,
    query: QueryParams<UnsubscribeQuery>,
) -> Result<impl IntoResponse, AppError> {
    unsubscribe(app, query).await
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
    Ok(Json(Queues { queues: operations::queue_stats(&app).await? }))
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
    let moved = operations::redrive(&app, queue).await?;
    Ok(Json(Redriven { queue: queue.as_str(), moved }))
}
