//! `/v1/reminders`: reminders for users or a conversation's members, at a time.

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
use super::extract::{page_limit, Caller, JsonBody, QueryParams};
use crate::app::App;
use crate::domain::{Reminder, ReminderId};
use crate::usecases::reminders;
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(list_reminders, create_reminder)).routes(routes!(delete_reminder))
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
    let after = cursors::reminder(q.cursor.as_deref())?;
    let limit = page_limit(q.limit, reminders::DEFAULT_PAGE, reminders::MAX_PAGE)?;
    let page = app.reminders.list(&who, after.as_ref(), Some(limit)).await?;
    Ok(Json(RemindersPage { reminders: page.items, next_cursor: page.next_cursor }))
}

/// A reminder for users or for a conversation's members, at a time.
#[utoipa::path(post, path = "/v1/reminders", tag = "reminders", request_body = reminders::NewReminder, responses((status = 201, body = Reminder)))]
pub(super) async fn create_reminder(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<reminders::NewReminder>,
) -> Result<impl IntoResponse, AppError> {
    Ok((StatusCode::CREATED, Json(app.reminders.create(&who, body).await?)))
}

/// Cancels a reminder (its creator).
#[utoipa::path(delete, path = "/v1/reminders/{id}", tag = "reminders", params(("id" = String, Path)), responses((status = 204, description = "Cancelled")))]
pub(super) async fn delete_reminder(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    app.reminders.delete(&who, &ReminderId::lookup(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
