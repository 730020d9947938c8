//! The scheduler, run every minute by an EventBridge schedule: moves the jobs that are due
//! from the store to their queues, once each (missive::usecases::scheduling::run_scheduler).

use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let app = missive::lambda::LambdaApp::from_env().await?.with_jobs()?.build();
    lambda_runtime::run(service_fn(|_: LambdaEvent<serde_json::Value>| {
        let app = app.clone();
        async move {
            let enqueued = app.scheduling.run_scheduler().await.map_err(|e| {
                e.log_if_internal();
                Error::from("the scheduler pass failed")
            })?;
            Ok::<_, Error>(serde_json::json!({ "enqueued": enqueued }))
        }
    }))
    .await
}
