//! The WebSocket API's `$connect` authorizer: verifies `?token=` (missive::ws::api_gateway::authorize).

use aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest;
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let app = missive::lambda::LambdaApp::from_env().await?.build();
    lambda_runtime::run(service_fn(|event: LambdaEvent<ApiGatewayCustomAuthorizerRequestTypeRequest>| {
        let app = app.clone();
        async move { missive::ws::api_gateway::authorize_for_api_gateway(&app, &event.payload).await.map_err(Error::from) }
    }))
    .await
}
