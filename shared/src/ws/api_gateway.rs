//! API Gateway's WebSocket API as a transport of the realtime core: the `$connect` REQUEST
//! authorizer and its policy, the identity it hands to every later route as context, and the
//! `$connect`, `$disconnect` and message route events decoded into the core's calls. The
//! Lambda functions call these; nothing else knows API Gateway's shapes.

use std::collections::HashMap;

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse,
    ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use serde_json::Value;

use crate::app::App;
use crate::domain::{ConnectionId, ConversationId, Role, TenantId, UserId};
use crate::usecases::Identity;
use crate::AppError;

/// The `$connect` authorizer: verifies `?token=` and, when it is good, allows the connection
/// with the caller's identity as context. On AWS an `Err(Unauthorized)` becomes the
/// "Unauthorized" error (401) and an `Err(Forbidden)` a deny policy (403).
pub async fn authorize(
    app: &App,
    event: &ApiGatewayCustomAuthorizerRequestTypeRequest,
) -> Result<ApiGatewayCustomAuthorizerResponse, AppError> {
    let token = event.query_string_parameters.first("token").ok_or(AppError::Unauthorized("missing token"))?;
    let identity = app.identity.authenticate(token).await?;
    let context = Value::Object(authorizer_context(&identity));
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

/// The fields the authorizer hands to every later route of a connection.
pub fn authorizer_context(who: &Identity) -> serde_json::Map<String, Value> {
    let mut ctx = serde_json::Map::new();
    ctx.insert("tenantId".into(), who.tenant_id.as_str().into());
    ctx.insert("userId".into(), who.user_id.as_str().into());
    ctx.insert("role".into(), who.role.as_str().into());
    ctx.insert("name".into(), who.name.clone().into());
    if let Some(cid) = &who.conversation_scope {
        ctx.insert("conversationId".into(), cid.as_str().into());
    }
    ctx
}

/// The identity a route event carries in `requestContext.authorizer`.
pub fn identity_from_authorizer(fields: &HashMap<String, Value>) -> Result<Identity, AppError> {
    let text = |k: &str| fields.get(k).and_then(Value::as_str);
    let missing = || AppError::Unauthorized("connection is not authorized");
    Ok(Identity {
        tenant_id: TenantId::parse(text("tenantId").ok_or_else(missing)?).map_err(|_| missing())?,
        user_id: UserId::parse(text("userId").ok_or_else(missing)?).map_err(|_| missing())?,
        role: Role::parse(text("role").ok_or_else(missing)?).map_err(|_| missing())?,
        name: text("name").unwrap_or_default().to_string(),
        conversation_scope: text("conversationId").map(ConversationId::parse).transpose().map_err(|_| missing())?,
    })
}

/// `$connect`: records the connection.
pub async fn connect(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let result = async {
        let (who, connection) = caller(event)?;
        super::connect(app, &who, &connection).await
    };
    respond(result.await)
}

/// `$disconnect`: forgets the connection.
pub async fn disconnect(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let result = async {
        let (who, connection) = caller(event)?;
        super::disconnect(app, &who, &connection).await
    };
    respond(result.await)
}

/// Every other route (`sendMessage`, `ping`, `$default`): the frame, answered to the caller.
pub async fn message(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    match caller(event) {
        Ok((who, connection)) => {
            // When API Gateway received the frame: the ack's wait includes Lambda's.
            let epoch = event.request_context.request_time_epoch;
            let received_at = (epoch > 0)
                .then(|| chrono::DateTime::from_timestamp_millis(epoch))
                .flatten()
                .unwrap_or_else(|| app.ports.clock.now());
            super::frame(app, &who, &connection, event.body.as_deref().unwrap_or_default(), received_at).await;
            respond(Ok(()))
        }
        Err(e) => respond(Err(e)),
    }
}

/// The caller of a route event: the identity the authorizer attached and the connection id.
fn caller(event: &ApiGatewayWebsocketProxyRequest) -> Result<(Identity, ConnectionId), AppError> {
    let who = identity_from_authorizer(&event.request_context.authorizer.fields)?;
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
