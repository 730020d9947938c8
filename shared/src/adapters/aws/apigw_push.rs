//! The push adapter for AWS: API Gateway's management API (`PostToConnection`).

use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::config::retry::RetryConfig;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_sdk_apigatewaymanagement::Client;

use crate::domain::ConnectionId;
use crate::ports::{Push, PushError};

/// Attempts for a push that fails with a retryable error (throttling, a 5xx), with the SDK's
/// exponential backoff and jitter between them. "Gone" is final at once.
const ATTEMPTS: u32 = 3;

pub struct ApiGatewayPush {
    client: Client,
}

impl ApiGatewayPush {
    /// `endpoint` is the WebSocket API's management endpoint,
    /// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`.
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
            .endpoint_url(endpoint)
            .retry_config(RetryConfig::standard().with_max_attempts(ATTEMPTS))
            .build();
        Self { client: Client::from_conf(config) }
    }

    pub fn from_client(client: Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl Push for ApiGatewayPush {
    async fn push_to_connection(&self, connection: &ConnectionId, frame: &str) -> Result<(), PushError> {
        let result = self
            .client
            .post_to_connection()
            .connection_id(connection.as_str())
            .data(Blob::new(frame.as_bytes()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.as_service_error(), Some(PostToConnectionError::GoneException(_))) => {
                Err(PushError::Gone)
            }
            Err(e) => Err(PushError::Failed(e.into())),
        }
    }
}
