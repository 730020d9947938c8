//! The bell, notification preferences, reminders, one-click unsubscribe and the queue
//! dashboard.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::extract::{bad_cursor, page_limit, Caller, CallerOrPlatform, JsonBody, QueryParams};
use crate::app::App;
use crate::domain::{NotificationId, Preferences, QueueName, ReminderId, Role};
use crate::usecases::notifications::{self, NewNotifications, Notifier};
use crate::usecases::{email_queue, preferences, reminders};
use crate::AppError;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/notifications", get(list).post(create))
        .route("/v1/notifications/unread-count", get(unread_count))
        .route("/v1/notifications/read-all", post(read_all))
        .route("/v1/notifications/{id}/read", post(read_one))
        .route("/v1/settings/notifications", get(get_preferences).put(put_preferences))
        .route("/v1/reminders", get(list_reminders).post(create_reminder))
        .route("/v1/reminders/{id}", delete(delete_reminder))
        .route("/v1/email/unsubscribe", get(unsubscribe).post(unsubscribe))
        .route("/v1/admin/queues", get(queues))
        .route("/v1/admin/queues/{name}/redrive", post(redrive))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    unread: bool,
    cursor: Option<String>,
    limit: Option<usize>,
}

async fn list(
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

async fn unread_count(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "count": notifications::unread_count(&app, &who).await? })))
}

async fn read_one(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(notifications::mark_read(&app, &who, &NotificationId::lookup(&id)?).await?))
}

async fn read_all(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "marked": notifications::mark_all_read(&app, &who).await? })))
}

async fn create(
    State(app): State<Arc<App>>,
    by: CallerOrPlatform,
    JsonBody(body): JsonBody<NewNotifications>,
) -> Result<impl IntoResponse, AppError> {
    let by = match &by {
        CallerOrPlatform::Caller(who) => Notifier::Admin(who),
        CallerOrPlatform::Platform => Notifier::Platform,
    };
    let created = notifications::create(&app, by, body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "notifications": created }))))
}

async fn get_preferences(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<impl IntoResponse, AppError> {
    Ok(Json(preferences::get(&app, &who).await?))
}

async fn put_preferences(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<Preferences>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(preferences::put(&app, &who, body).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    cursor: Option<String>,
    limit: Option<usize>,
}

async fn list_reminders(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<PageQuery>,
) -> Result<impl IntoResponse, AppError> {
    let after = q.cursor.map(|c| ReminderId::parse(c).map_err(|_| bad_cursor())).transpose()?;
    let limit = page_limit(q.limit, reminders::DEFAULT_PAGE, reminders::MAX_PAGE)?;
    let page = reminders::list(&app, &who, after.as_ref(), Some(limit)).await?;
    Ok(Json(json!({ "reminders": page.items, "nextCursor": page.next_cursor })))
}

async fn create_reminder(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<reminders::NewReminder>,
) -> Result<impl IntoResponse, AppError> {
    Ok((StatusCode::CREATED, Json(reminders::create(&app, &who, body).await?)))
}

async fn delete_reminder(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    reminders::delete(&app, &who, &ReminderId::lookup(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnsubscribeQuery {
    token: String,
}

/// Opened from the e-mail's link (GET) or by the mail client's one-click button (POST,
/// RFC 8058); both turn e-mails off. No bearer token: the signed link is the proof.
async fn unsubscribe(
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

/// Queues are shared by every tenant: their depths are the platform's, and no job's content
/// is shown. A tenant admin or the platform operator may look and redrive.
fn require_queue_admin(by: &CallerOrPlatform) -> Result<(), AppError> {
    match by {
        CallerOrPlatform::Platform => Ok(()),
        CallerOrPlatform::Caller(who) => who.require_role(&[Role::Admin]),
    }
}

async fn queues(State(app): State<Arc<App>>, by: CallerOrPlatform) -> Result<impl IntoResponse, AppError> {
    require_queue_admin(&by)?;
    let mut queues = Vec::new();
    for queue in QueueName::ALL {
        queues.push(app.jobs.stats(queue).await?);
    }
    Ok(Json(json!({ "queues": queues })))
}

async fn redrive(
    State(app): State<Arc<App>>,
    by: CallerOrPlatform,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    require_queue_admin(&by)?;
    let queue = QueueName::parse(&name).ok_or_else(|| AppError::not_found("queue"))?;
    let moved = app.jobs.redrive(queue).await?;
    tracing::info!(queue = queue.as_str(), moved, "dead-lettered jobs redriven");
    Ok(Json(json!({ "queue": queue.as_str(), "moved": moved })))
}
