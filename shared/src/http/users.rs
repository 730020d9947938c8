//! `/v1/users` and `/v1/me`: the tenant directory, and the caller in it.

use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cursors;
use super::extract::{page_limit, Caller, QueryParams};
use crate::app::App;
use crate::domain::{Branding, ConversationId, Locale, Role, TenantId, User};
use crate::usecases::member_settings::{UnreadMessages, UnreadTotals};
use crate::usecases::users;
use crate::usecases::users::DirectoryEntry;
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(me)).routes(routes!(unread)).routes(routes!(list_users))
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
/// What waits for the caller: conversations with unread messages (muted ones left out), those
/// messages, and unread notifications — a tab title's or an app badge's numbers.
#[utoipa::path(get, operation_id = "get_unread_totals", path = "/v1/me/unread", tag = "directory", responses((status = 200, body = UnreadTotals)))]
pub(super) async fn unread(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<impl IntoResponse, AppError> {
    let (notifications, unread) =
        tokio::join!(app.notifications.unread_count(&who), app.conversations.unread_messages(&who));
    let UnreadMessages { conversations, messages } = unread?;
    Ok(Json(UnreadTotals { conversations, messages, notifications: notifications? }))
}

#[utoipa::path(get, path = "/v1/me", tag = "directory", responses((status = 200, body = Me)))]
pub(super) async fn me(State(app): State<Arc<App>>, Caller(who): Caller) -> Result<Json<Me>, AppError> {
    let (user, tenant) = app.users.me(&who).await?;
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
    let after = cursors::user(query.cursor.as_deref())?;
    let limit = page_limit(query.limit, users::MAX_PAGE, users::MAX_PAGE)?;
    let page = app.users.list_users(&who, query.q.as_deref(), after.as_ref(), limit).await?;
    Ok(Json(UsersPage { users: page.items, next_cursor: page.next_cursor }))
}
