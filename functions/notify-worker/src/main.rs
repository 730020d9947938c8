//! The `notifications` queue's worker: runs each job of an SQS batch and reports the failed
//! ones (missive::workers::handle_batch).

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use missive::workers::{handle_batch, NotificationsWorker};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let app = missive::lambda::LambdaApp::from_env().await?.with_push()?.with_jobs()?.build();
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let app = app.clone();
        async move { Ok::<_, Error>(handle_batch(&NotificationsWorker, &app, event.payload).await) }
    }))
    .await
}
