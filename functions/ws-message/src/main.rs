//! The WebSocket API's every other WebSocket route (sendMessage, ping, $default) (missive::ws::api_gateway::message).

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    // The webhook sender asks a tenant's pre-send moderation hook about each message.
    let app = missive::lambda::LambdaApp::from_env()
        .await?
        .with_push()?
        .with_jobs()?
        .with_files()?
        .with_webhook_sender()?
        .build();
    lambda_runtime::run(service_fn(|event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| {
        let app = app.clone();
        async move { Ok::<_, Error>(missive::ws::api_gateway::message(&app, &event.payload).await) }
    }))
    .await
}
