//! `/v1/email`: the e-mails' one-click unsubscribe (RFC 8058).

use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::QueryParams;
use crate::app::App;
use crate::AppError;

pub fn routes() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(unsubscribe, unsubscribe_one_click))
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
    let locale = app.email_queue.unsubscribe(&q.token).await?;
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
