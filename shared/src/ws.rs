//! The WebSocket handlers, taking the events API Gateway sends. The Lambda functions and the
//! local runtime (which builds the same events) both call these.
//!
//! Routes: a REQUEST authorizer on `$connect` verifies the token (`?token=`) and hands its
//! context to every later route of the connection; `$connect` records the connection;
//! `$disconnect` forgets it; every other route (`sendMessage`, `ping`, `$default`) goes to
//! [`message`]. Answers (`ack`, `error`, `pong`) are pushed to the caller's connection.

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequestTypeRequest,
    ApiGatewayCustomAuthorizerResponse, ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use serde_json::{json, Value};
use tracing::Instrument;

use crate::app::App;
use crate::domain::{Connection, ConnectionId};
use crate::protocol::{Action, Event, Frame};
use crate::usecases::{self, Identity};
use crate::AppError;

/// The `$connect` authorizer: verifies `?token=` and, when it is good, allows the connection
/// with the caller's identity as context. On AWS an `Err(Unauthorized)` becomes the
/// "Unauthorized" error (401) and an `Err(Forbidden)` a deny policy (403).
pub async fn authorize(
    app: &App,
    event: &ApiGatewayCustomAuthorizerRequestTypeRequest,
) -> Result<ApiGatewayCustomAuthorizerResponse, AppError> {
    let token = event
        .query_string_parameters
        .first("token")
        .ok_or(AppError::Unauthorized("missing token"))?;
    let identity = usecases::authenticate(app, token).await?;
    let context = Value::Object(identity.to_authorizer_context());
    Ok(policy(event, IamPolicyEffect::Allow, identity.user_id.as_str(), context))
}

/// The authorizer as API Gateway wants its answer: an allow policy; a deny policy for a
/// forbidden caller (API Gateway answers 403); the error "Unauthorized" for a bad or missing
/// token (API Gateway answers 401). Any other failure is an error API Gateway reports as 500.
pub async fn authorize_for_api_gateway(
    app: &App,
    event: &ApiGatewayCustomAuthorizerRequestTypeRequest,
) -> Result<ApiGatewayCustomAuthorizerResponse, &'static str> {
    match authorize(app, event).await {
        Ok(allowed) => Ok(allowed),
        Err(AppError::Unauthorized(_)) => Err("Unauthorized"),
        Err(AppError::Forbidden(_)) => Ok(policy(event, IamPolicyEffect::Deny, "forbidden", Value::Null)),
        Err(e) => {
            e.log_if_internal();
            Err("authorizer failure")
        }
    }
}

fn policy(
    event: &ApiGatewayCustomAuthorizerRequestTypeRequest,
    effect: IamPolicyEffect,
    principal: &str,
    context: Value,
) -> ApiGatewayCustomAuthorizerResponse {
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".into()];
    statement.effect = effect;
    statement.resource = vec![event.method_arn.clone().unwrap_or_else(|| "*".into())];
    let mut document = ApiGatewayCustomAuthorizerPolicy::default();
    document.version = Some("2012-10-17".into());
    document.statement = vec![statement];
    let mut response = ApiGatewayCustomAuthorizerResponse::default();
    response.principal_id = Some(principal.into());
    response.policy_document = document;
    response.context = context;
    response
}

/// `$connect`: records the connection, which expires like API Gateway's after two hours.
pub async fn connect(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let result = async {
        let (who, connection_id) = caller(event)?;
        let now = app.clock.now();
        let ttl = chrono::Duration::from_std(app.config.limits.connection_ttl).map_err(AppError::internal)?;
        let connection = Connection {
            tenant_id: who.tenant_id.clone(),
            user_id: who.user_id.clone(),
            id: connection_id,
            connected_at: now,
            last_seen_at: now,
            expires_at: now + ttl,
        };
        app.store.put_connection(&connection).await?;
        tracing::info!(tenant = %who.tenant_id, user = %who.user_id, connection = %connection.id, "connected");
        usecases::presence::connected(app, &who, &connection.id).await?;
        Ok::<_, AppError>(())
    };
    respond(result.await)
}

/// `$disconnect`: forgets the connection.
pub async fn disconnect(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let result = async {
        let (who, connection_id) = caller(event)?;
        app.store.delete_connection(&who.tenant_id, &who.user_id, &connection_id).await?;
        tracing::info!(tenant = %who.tenant_id, connection = %connection_id, "disconnected");
        usecases::presence::disconnected(app, &who).await?;
        Ok::<_, AppError>(())
    };
    respond(result.await)
}

/// Every other route: parses the frame, runs the action, pushes the answer to the caller.
pub async fn message(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let (who, connection_id) = match caller(event) {
        Ok(c) => c,
        Err(e) => return respond(Err(e)),
    };
    let frame = Frame::parse(event.body.as_deref().unwrap_or_default(), app.config.limits.max_frame_bytes);
    let span = tracing::info_span!(
        "ws_action",
        tenant = %who.tenant_id,
        user = %who.user_id,
        connection = %connection_id,
        route = event.request_context.route_key.as_deref().unwrap_or("$default"),
    );
    let answer = run_action(app, &who, &connection_id, &frame).instrument(span).await;
    if let Err(e) = app.push.send(&connection_id, &answer).await {
        tracing::info!(connection = %connection_id, error = %e, "could not answer the caller");
    }
    respond(Ok(()))
}

async fn run_action(app: &App, who: &Identity, connection_id: &ConnectionId, frame: &Frame) -> String {
    let request_id = frame.request_id.as_ref();
    if let Err(e) = within_rate(app, who, connection_id).await {
        e.log_if_internal();
        return Event::from_app_error(request_id, &e).to_json();
    }
    let action = match &frame.action {
        Ok(action) => action,
        Err(e) => {
            return Event::Error { request_id, code: e.code(), message: e.to_string() }.to_json();
        }
    };
    let result = match action {
        Action::Ping => return Event::Pong { request_id }.to_json(),
        Action::Sync(sync) => {
            return match usecases::sync::sync(app, who, &sync.since).await {
                Ok(page) => {
                    // The missed events first, in order, each as it was pushed; then the end.
                    for event in &page.events {
                        if let Err(e) = app.push.send(connection_id, &event.to_string()).await {
                            tracing::info!(connection = %connection_id, error = %e, "sync interrupted");
                            break;
                        }
                    }
                    Event::SyncDone { request_id, cursor: &page.cursor, more: page.more }.to_json()
                }
                Err(e) => Event::from_app_error(request_id, &e).to_json(),
            };
        }
        Action::SendMessage(send) => usecases::messages::send_message(
            app,
            who,
            &send.conversation_id,
            &send.body,
            send.client_message_id.as_deref(),
            Some(connection_id),
        )
        .await
        .map(|(stored, cursor)| json!({ "message": stored.value, "cursor": cursor })),
        Action::EditMessage(edit) => usecases::messages::edit_message(
            app,
            who,
            &edit.conversation_id,
            &edit.message_id,
            &edit.body,
            Some(connection_id),
        )
        .await
        .map(|(message, cursor)| json!({ "message": message, "cursor": cursor })),
        Action::DeleteMessage(delete) => {
            usecases::messages::delete_message(app, who, &delete.conversation_id, &delete.message_id, Some(connection_id))
                .await
                .map(|(message, cursor)| json!({ "message": message, "cursor": cursor }))
        }
        Action::Typing(typing) => usecases::typing::typing(app, who, &typing.conversation_id, typing.state)
            .await
            .map(|delivered| json!({ "delivered": delivered })),
        Action::MarkRead(read) => {
            usecases::reads::mark_read(app, who, &read.conversation_id, &read.message_id, Some(connection_id))
                .await
                .map(|(state, cursor)| json!({ "read": state, "cursor": cursor }))
        }
    };
    let result = result.map(|result| Event::Ack { request_id, result }.to_json());
    result.unwrap_or_else(|e| {
        e.log_if_internal();
        Event::from_app_error(request_id, &e).to_json()
    })
}

/// Per-connection rate limit: at most `max_frames_per_window` frames per window, counted in
/// the store so that every Lambda instance sees the same count.
async fn within_rate(app: &App, who: &Identity, connection_id: &ConnectionId) -> Result<(), AppError> {
    let limits = &app.config.limits;
    let key = format!("frames:{connection_id}");
    let hits = app.store.count_hit(&who.tenant_id, &key, limits.rate_window, app.clock.now()).await?;
    if hits > limits.max_frames_per_window {
        return Err(AppError::RateLimited);
    }
    Ok(())
}

/// The caller of a route event: the identity the authorizer attached and the connection id.
fn caller(event: &ApiGatewayWebsocketProxyRequest) -> Result<(Identity, ConnectionId), AppError> {
    let who = Identity::from_authorizer_fields(&event.request_context.authorizer.fields)?;
    let connection_id = event
        .request_context
        .connection_id
        .as_deref()
        .map(ConnectionId::parse)
        .transpose()?
        .ok_or(AppError::Unauthorized("missing connection id"))?;
    Ok((who, connection_id))
}

fn respond(result: Result<(), AppError>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    match result {
        Ok(()) => response.status_code = 200,
        Err(e) => {
            e.log_if_internal();
            response.status_code = i64::from(e.status().as_u16());
            response.body = Some(e.to_json().to_string().into());
        }
    }
    response
}
