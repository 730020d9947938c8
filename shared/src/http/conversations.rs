//! Conversations and their messages.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::extract::{bad_cursor, page_limit, Caller, JsonBody, QueryParams};
use crate::app::App;
use crate::domain::{ConversationId, ConversationKind, MessageId, UserId};
use crate::usecases::{conversations, groups, messages, reads};
use crate::AppError;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/conversations", get(list).post(create))
        .route("/v1/conversations/{id}", get(details).patch(rename))
        .route("/v1/conversations/{id}/members", axum::routing::post(add_members))
        .route("/v1/conversations/{id}/members/{user_id}", axum::routing::delete(remove_member))
        .route("/v1/conversations/{id}/messages", get(history).post(send))
        .route("/v1/conversations/{id}/messages/{message_id}", axum::routing::patch(edit).delete(delete))
        .route("/v1/conversations/{id}/read", axum::routing::post(mark_read))
}

fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    cursor: Option<String>,
    limit: Option<usize>,
    kind: Option<ConversationKind>,
    q: Option<String>,
}

/// A list's cursor is `{activity}.{conversationId}`, both ULIDs.
fn check_list_cursor(cursor: Option<&str>) -> Result<(), AppError> {
    let Some(cursor) = cursor else { return Ok(()) };
    let (activity, id) = cursor.split_once('.').ok_or_else(bad_cursor)?;
    ulid::Ulid::from_string(activity).map_err(|_| bad_cursor())?;
    ConversationId::parse(id).map_err(|_| bad_cursor())?;
    Ok(())
}

async fn list(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<impl IntoResponse, AppError> {
    check_list_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit, 50, conversations::MAX_PAGE)?;
    let filter = conversations::ListFilter { kind: query.kind, q: query.q };
    let page = conversations::list_conversations(&app, &who, &filter, query.cursor.as_deref(), limit).await?;
    Ok(Json(json!({ "conversations": page.items, "nextCursor": page.next_cursor })))
}

async fn create(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<conversations::NewConversation>,
) -> Result<impl IntoResponse, AppError> {
    let result = conversations::create_conversation(&app, &who, body).await?;
    Ok((created_or_ok(result.created), Json(result.value)))
}

async fn details(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(conversations::get_conversation(&app, &who, &ConversationId::lookup(&id)?).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    before: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
    q: Option<String>,
}

async fn history(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> Result<impl IntoResponse, AppError> {
    let id = ConversationId::lookup(&id)?;
    let limit = Some(page_limit(q.limit, messages::DEFAULT_HISTORY_PAGE, messages::MAX_HISTORY_PAGE)?);
    let page = match (q.q.as_deref(), q.after.is_some()) {
        (Some(_), true) => return Err(AppError::invalid("a search walks back in time: use `before`, not `after`")),
        (Some(text), false) => messages::search(&app, &who, &id, text, q.before.as_deref(), limit).await?,
        (None, _) => messages::history(&app, &who, &id, q.before.as_deref(), q.after.as_deref(), limit).await?,
    };
    Ok(Json(page))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SendBody {
    body: String,
    client_message_id: Option<String>,
}

async fn send(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SendBody>,
) -> Result<impl IntoResponse, AppError> {
    let id = ConversationId::lookup(&id)?;
    let (stored, _) =
        messages::send_message(&app, &who, &id, &body.body, body.client_message_id.as_deref(), None).await?;
    Ok((created_or_ok(stored.created), Json(stored.value)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReadBody {
    message_id: String,
}

async fn mark_read(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReadBody>,
) -> Result<impl IntoResponse, AppError> {
    let (id, message_id) = (ConversationId::lookup(&id)?, MessageId::lookup(&body.message_id)?);
    Ok(Json(reads::mark_read(&app, &who, &id, &message_id, None).await?.0))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditBody {
    body: String,
}

async fn edit(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, message_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<EditBody>,
) -> Result<impl IntoResponse, AppError> {
    let (id, message_id) = (ConversationId::lookup(&id)?, MessageId::lookup(&message_id)?);
    Ok(Json(messages::edit_message(&app, &who, &id, &message_id, &body.body, None).await?.0))
}

async fn delete(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, message_id)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    let (id, message_id) = (ConversationId::lookup(&id)?, MessageId::lookup(&message_id)?);
    Ok(Json(messages::delete_message(&app, &who, &id, &message_id, None).await?.0))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    title: String,
}

async fn rename(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RenameBody>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(groups::rename(&app, &who, &ConversationId::lookup(&id)?, &body.title).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AddMembersBody {
    user_ids: Vec<String>,
}

async fn add_members(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AddMembersBody>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(groups::add_members(&app, &who, &ConversationId::lookup(&id)?, &body.user_ids).await?))
}

async fn remove_member(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    let id = ConversationId::lookup(&id)?;
    let user_id = UserId::parse(user_id).map_err(|_| AppError::not_found("member"))?;
    Ok(Json(groups::remove_member(&app, &who, &id, &user_id).await?))
}
