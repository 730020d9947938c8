//! Conversations and their messages.

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
use super::extract::{page_limit, Caller, ErrorBody, JsonBody, QueryParams};
use crate::app::App;
use crate::domain::Message;
use crate::domain::{ConversationId, ConversationKind, MessageId, UserId};
use crate::domain::{ConversationView, ReadState};
use crate::usecases::attachments::{NewUpload, UploadTicket};
use crate::usecases::conversations::ConversationListItem;
use crate::usecases::member_settings::MySettings;
use crate::usecases::messages::{HistoryPage, Outgoing};
use crate::usecases::reactions::Reacted;
use crate::usecases::{conversations, messages};
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(details, rename))
        .routes(routes!(add_members))
        .routes(routes!(remove_member))
        .routes(routes!(history, send))
        .routes(routes!(edit, delete))
        .routes(routes!(react))
        .routes(routes!(mark_read))
        .routes(routes!(my_settings, set_my_settings))
        .routes(routes!(upload))
}

fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 100; 50 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
    /// Only this kind (`storefront`: the partner inbox).
    #[param(inline)]
    kind: Option<ConversationKind>,
    /// Titles and participants' names, case- and accent-insensitive.
    q: Option<String>,
    /// `true`: the caller's archived conversations only; otherwise they are left out.
    archived: Option<bool>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationsPage {
    conversations: Vec<ConversationListItem>,
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// The caller's conversations, most recent activity first, with unread counts.
#[utoipa::path(get, operation_id = "list_conversations", path = "/v1/conversations", tag = "conversations", params(ListQuery), responses((status = 200, body = ConversationsPage)))]
pub(super) async fn list(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<impl IntoResponse, AppError> {
    cursors::check_conversation_list(query.cursor.as_deref())?;
    let limit = page_limit(query.limit, 50, conversations::MAX_PAGE)?;
    let filter = conversations::ListFilter { kind: query.kind, q: query.q, archived: query.archived };
    let page = app.conversations.list_conversations(&who, &filter, query.cursor.as_deref(), limit).await?;
    Ok(Json(ConversationsPage { conversations: page.items, next_cursor: page.next_cursor }))
}

/// Opens a direct conversation (one per pair), a group, or a storefront conversation.
#[utoipa::path(post, operation_id = "create_conversation", path = "/v1/conversations", tag = "conversations", request_body = conversations::NewConversation, responses(
    (status = 201, description = "Created", body = ConversationView),
    (status = 200, description = "The existing direct or storefront conversation", body = ConversationView),
))]
pub(super) async fn create(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<conversations::NewConversation>,
) -> Result<impl IntoResponse, AppError> {
    let result = app.conversations.create_conversation(&who, body).await?;
    Ok((created_or_ok(result.created), Json(result.value)))
}

/// A conversation with its members and their read markers.
#[utoipa::path(get, path = "/v1/conversations/{id}", tag = "conversations", params(("id" = String, Path)), responses((status = 200, body = ConversationView)))]
pub(super) async fn details(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.conversations.get_conversation(&who, &ConversationId::lookup(&id)?).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct HistoryQuery {
    /// A message id: the page before it (`olderCursor`).
    before: Option<String>,
    /// A message id: the page after it (`newerCursor`); `0` starts at the first message.
    after: Option<String>,
    /// 1 to 100; 50 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
    /// Search: messages containing this text (case- and accent-insensitive), walking back.
    q: Option<String>,
}

/// History, oldest first in each page, or a search with `q`.
#[utoipa::path(get, path = "/v1/conversations/{id}/messages", tag = "messages", params(("id" = String, Path), HistoryQuery), responses((status = 200, body = HistoryPage)))]
pub(super) async fn history(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> Result<impl IntoResponse, AppError> {
    let id = ConversationId::lookup(&id)?;
    let limit = Some(page_limit(q.limit, messages::DEFAULT_HISTORY_PAGE, messages::MAX_HISTORY_PAGE)?);
    let page = match (q.q.as_deref(), q.after.is_some()) {
        (Some(_), true) => return Err(AppError::invalid("a search walks back in time: use `before`, not `after`")),
        (Some(text), false) => app.messages.search(&who, &id, text, q.before.as_deref(), limit).await?,
        (None, _) => app.messages.history(&who, &id, q.before.as_deref(), q.after.as_deref(), limit).await?,
    };
    Ok(Json(page))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendBody {
    /// 1 to 4,000 characters; optional (or empty) with attachments.
    body: Option<String>,
    /// Upload ids (`POST /v1/conversations/{id}/uploads`), at most 10, in the order shown.
    #[serde(default)]
    attachments: Vec<String>,
    /// The client's own id: a repeated send answers the first message instead of a second.
    client_message_id: Option<String>,
    /// A reply: the message it answers (a reply to a reply joins the same thread).
    parent_id: Option<String>,
    /// A reply also shown in the conversation; by default only in its thread.
    #[serde(default)]
    also_in_conversation: bool,
}

/// Sends a message, as the `sendMessage` action.
#[utoipa::path(post, path = "/v1/conversations/{id}/messages", tag = "messages", params(("id" = String, Path)), request_body = SendBody, responses(
    (status = 201, description = "Sent", body = Message),
    (status = 200, description = "The message first sent with this `clientMessageId`", body = Message),
    (status = 404, description = "The conversation, or the message `parentId` names, is not there (it is not in this conversation)", body = ErrorBody),
    (status = 409, description = "`parentId` names a deleted message", body = ErrorBody),
    (status = 422, description = "`moderated`: the tenant's moderation refused it (`reason` says why); nothing stored", body = ErrorBody),
))]
pub(super) async fn send(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SendBody>,
) -> Result<impl IntoResponse, AppError> {
    let id = ConversationId::lookup(&id)?;
    let outgoing = Outgoing {
        body: body.body,
        attachments: body.attachments,
        client_message_id: body.client_message_id,
        parent_id: body.parent_id,
        also_in_conversation: body.also_in_conversation,
    };
    let (stored, _) = app.messages.send_message(&who, &id, &outgoing, None).await?;
    Ok((created_or_ok(stored.created), Json(stored.value)))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReadBody {
    message_id: String,
}

/// Moves the caller's read marker forward, as the `markRead` action.
#[utoipa::path(post, path = "/v1/conversations/{id}/read", tag = "messages", params(("id" = String, Path)), request_body = ReadBody, responses((status = 200, body = ReadState)))]
pub(super) async fn mark_read(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReadBody>,
) -> Result<impl IntoResponse, AppError> {
    let (id, message_id) = (ConversationId::lookup(&id)?, MessageId::lookup(&body.message_id)?);
    Ok(Json(app.reads.mark_read(&who, &id, &message_id, None).await?.0))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    body: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReactBody {
    /// One emoji (`👍`, `🇫🇷`, `👩🏽‍🚒`) or a `:short_name:`.
    emoji: String,
    /// `false` takes the caller's reaction back; absent, `true`.
    #[serde(default = "reacting")]
    on: bool,
}

fn reacting() -> bool {
    true
}

/// Reacts to a message, or takes the reaction back, as the `react` action: the message's
/// reactions after it; `reaction.updated` reaches the members.
#[utoipa::path(post, operation_id = "react", path = "/v1/conversations/{id}/messages/{messageId}/reactions", tag = "messages", params(("id" = String, Path), ("messageId" = String, Path)), request_body = ReactBody, responses(
    (status = 200, body = Reacted),
    (status = 400, description = "Not one emoji, or a 21st different one on the message", body = ErrorBody),
    (status = 409, description = "The message is deleted", body = ErrorBody),
))]
pub(super) async fn react(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, message_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ReactBody>,
) -> Result<impl IntoResponse, AppError> {
    let id = ConversationId::lookup(&id)?;
    Ok(Json(app.reactions.react(&who, &id, &message_id, &body.emoji, body.on, None).await?))
}

/// The caller's own settings of a conversation: muted until when, archived or not.
#[utoipa::path(get, operation_id = "get_my_conversation_settings", path = "/v1/conversations/{id}/me", tag = "conversations", params(("id" = String, Path)), responses((status = 200, body = MySettings)))]
pub(super) async fn my_settings(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.conversations.my_settings(&who, &ConversationId::lookup(&id)?).await?))
}

/// Replaces the caller's own settings of a conversation: muted until a time (no `message`
/// notifications; mentions still come), archived (out of the list until its next message).
#[utoipa::path(put, operation_id = "set_my_conversation_settings", path = "/v1/conversations/{id}/me", tag = "conversations", params(("id" = String, Path)), request_body = MySettings, responses(
    (status = 200, body = MySettings),
    (status = 400, description = "`mutedUntil` not in the future, or beyond ten years", body = ErrorBody),
))]
pub(super) async fn set_my_settings(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<MySettings>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.conversations.set_my_settings(&who, &ConversationId::lookup(&id)?, body).await?))
}

/// Edits one of the caller's messages, as the `editMessage` action.
#[utoipa::path(patch, path = "/v1/conversations/{id}/messages/{messageId}", tag = "messages", params(("id" = String, Path), ("messageId" = String, Path)), request_body = EditBody, responses(
    (status = 200, body = Message),
    (status = 422, description = "`moderated`: the tenant's moderation refused the new text; the message is unchanged", body = ErrorBody),
))]
pub(super) async fn edit(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, message_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<EditBody>,
) -> Result<impl IntoResponse, AppError> {
    let (id, message_id) = (ConversationId::lookup(&id)?, MessageId::lookup(&message_id)?);
    Ok(Json(app.messages.edit_message(&who, &id, &message_id, &body.body, None).await?.0))
}

/// Deletes one of the caller's messages (a tombstone stays), as the `deleteMessage` action.
#[utoipa::path(delete, path = "/v1/conversations/{id}/messages/{messageId}", tag = "messages", params(("id" = String, Path), ("messageId" = String, Path)), responses((status = 200, body = Message)))]
pub(super) async fn delete(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, message_id)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    let (id, message_id) = (ConversationId::lookup(&id)?, MessageId::lookup(&message_id)?);
    Ok(Json(app.messages.delete_message(&who, &id, &message_id, None).await?.0))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameBody {
    title: String,
}

/// Renames a group (its owner).
#[utoipa::path(patch, path = "/v1/conversations/{id}", tag = "conversations", params(("id" = String, Path)), request_body = RenameBody, responses((status = 200, body = ConversationView)))]
pub(super) async fn rename(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RenameBody>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.groups.rename(&who, &ConversationId::lookup(&id)?, &body.title).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddMembersBody {
    user_ids: Vec<String>,
}

/// Adds members to a group (its owner).
#[utoipa::path(post, path = "/v1/conversations/{id}/members", tag = "conversations", params(("id" = String, Path)), request_body = AddMembersBody, responses((status = 200, body = ConversationView)))]
pub(super) async fn add_members(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AddMembersBody>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(app.groups.add_members(&who, &ConversationId::lookup(&id)?, &body.user_ids).await?))
}

/// Removes a member of a group (its owner), or leaves it (anyone, for themself).
#[utoipa::path(delete, path = "/v1/conversations/{id}/members/{userId}", tag = "conversations", params(("id" = String, Path), ("userId" = String, Path)), responses((status = 200, body = ConversationView)))]
pub(super) async fn remove_member(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    let id = ConversationId::lookup(&id)?;
    let user_id = UserId::parse(user_id).map_err(|_| AppError::not_found("member"))?;
    Ok(Json(app.groups.remove_member(&who, &id, &user_id).await?))
}

/// Declares a file to upload to the conversation and answers the form that stores it: post
/// `fields` then the file (as `file`, last) to `url` before `expiresAt`. The form takes that
/// file only: its type, at most its size, under a key bound to the tenant, the conversation
/// and the upload. A message then attaches it by `uploadId`.
#[utoipa::path(post, path = "/v1/conversations/{id}/uploads", tag = "files", params(("id" = String, Path)), request_body = NewUpload, responses(
    (status = 201, description = "The upload form", body = UploadTicket),
    (status = 400, description = "A name, type or size refused (HTML, SVG and scripts never are accepted)"),
    (status = 404, description = "Not a conversation of the caller's"),
))]
pub(super) async fn upload(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NewUpload>,
) -> Result<impl IntoResponse, AppError> {
    let id = ConversationId::lookup(&id)?;
    Ok((StatusCode::CREATED, Json(app.attachments.create_upload(&who, &id, body).await?)))
}
