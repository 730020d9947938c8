//! The HTTP API: every REST route, through the one router (missive::http::router), with the
//! stage taken off the path (missive::http::lambda).

use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = missive::lambda::LambdaApp::from_env()
        .await?
        .with_push()?
        .with_jobs()?
        .with_files()?
        .with_push_credentials()
        // Asks a tenant's pre-send moderation hook about each message.
        .with_webhook_sender()?
        .build();
    lambda_http::run(missive::http::lambda::service(app)).await
}
