//! `/v1/conversations/{id}/messages/{messageId}/replies`: a message's thread.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{page_limit, Caller, ErrorBody, QueryParams};
use crate::app::App;
use crate::domain::{ConversationId, MessageId};
use crate::usecases::messages::{DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE};
use crate::usecases::threads::ThreadPage;
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(replies))
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RepliesQuery {
    /// A reply's id: the replies before it (`olderCursor`).
    before: Option<String>,
    /// A reply's id: the replies after it (`newerCursor`); `0` starts at the first reply.
    after: Option<String>,
    /// 1 to 100; 50 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// A page of a message's thread (named by its first message or by one of its replies): the
/// first message as it is now, and replies, oldest first — by default the newest replies.
#[utoipa::path(get, operation_id = "list_replies", path = "/v1/conversations/{id}/messages/{messageId}/replies", tag = "messages", params(("id" = String, Path), ("messageId" = String, Path), RepliesQuery), responses(
    (status = 200, body = ThreadPage),
    (status = 404, description = "No such message in this conversation", body = ErrorBody),
))]
pub(super) async fn replies(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    Path((id, message_id)): Path<(String, String)>,
    QueryParams(q): QueryParams<RepliesQuery>,
) -> Result<impl IntoResponse, AppError> {
    let (id, message_id) = (ConversationId::lookup(&id)?, MessageId::lookup(&message_id)?);
    let limit = Some(page_limit(q.limit, DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE)?);
    Ok(Json(app.messages.replies(&who, &id, &message_id, q.before.as_deref(), q.after.as_deref(), limit).await?))
}
