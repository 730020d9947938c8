//! The push adapter for AWS: API Gateway's management API (`PostToConnection`).

use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_sdk_apigatewaymanagement::Client;

use super::retries;
use crate::domain::ConnectionId;
use crate::metrics::Metrics;
use crate::ports::{Push, PushError};

pub struct ApiGatewayPush {
    client: Client,
}

impl ApiGatewayPush {
    /// `endpoint` is the WebSocket API's management endpoint,
    /// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`. A push that fails with
    /// a throttle (429) or a 5xx is retried with the budget of [`retries`], each retry counted
    /// in `metrics`; "Gone" is final at once.
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: &str, metrics: Metrics) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
            .endpoint_url(endpoint)
            .retry_config(retries::retry_config())
            .interceptor(retries::CountRetries::new(metrics))
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
