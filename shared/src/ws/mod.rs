//! The WebSocket handlers, taking the events API Gateway sends. The Lambda functions and the
//! local runtime (which builds the same events) both call these.
//!
//! Routes: a REQUEST authorizer on `$connect` verifies the token (`?token=`) and hands its
//! context to every later route of the connection; `$connect` records the connection;
//! `$disconnect` forgets it; every other route (`sendMessage`, `ping`, `$default`) goes to
//! [`message`], which runs the frame's action ([`actions`]). Answers (`ack`, `error`,
//! `pong`) are pushed to the caller's connection.

mod actions;

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse,
    ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use serde_json::Value;
use tracing::Instrument;

use crate::app::App;
use crate::domain::{Connection, ConnectionId};
use crate::protocol::Frame;
use crate::usecases::{self, Identity};
use crate::AppError;

/// The `$connect` authorizer: verifies `?token=` and, when it is good, allows the connection
/// with the caller's identity as context. On AWS an `Err(Unauthorized)` becomes the
/// "Unauthorized" error (401) and an `Err(Forbidden)` a deny policy (403).
pub async fn authorize(
    app: &App,
    event: &ApiGatewayCustomAuthorizerRequestTypeRequest,
) -> Result<ApiGatewayCustomAuthorizerResponse, AppError> {
    let token = event.query_string_parameters.first("token").ok_or(AppError::Unauthorized("missing token"))?;
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
        let live = app.store.put_connection(&connection).await?;
        tracing::info!(tenant = %who.tenant_id, user = %who.user_id, connection = %connection.id, "connected");
        usecases::presence::connected(app, &who, &connection.id, &live).await;
        Ok::<_, AppError>(())
    };
    respond(result.await)
}

/// `$disconnect`: forgets the connection.
pub async fn disconnect(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let result = async {
        let (who, connection_id) = caller(event)?;
        let now = app.clock.now();
        let left = app.store.delete_connection(&who.tenant_id, &who.user_id, &connection_id, now).await?;
        app.frame_rate.forget(&connection_id);
        tracing::info!(tenant = %who.tenant_id, connection = %connection_id, "disconnected");
        usecases::presence::disconnected(app, &who, &left, now).await?;
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
    let answer = actions::run(app, &who, &connection_id, &frame).instrument(span).await;
    if let Err(e) = app.push.push_to_connection(&connection_id, &answer).await {
        tracing::info!(connection = %connection_id, error = %e, "could not answer the caller");
    }
    respond(Ok(()))
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
