//! The `notifications` queue's worker: runs each job of an SQS batch and reports the failed
//! ones (missive::jobs::handle_batch).

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use missive::ports::QueueName;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let app = missive::adapters::aws::lambda_app().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let app = app.clone();
        async move { Ok::<_, Error>(missive::jobs::handle_batch(&app, QueueName::Notifications, event.payload).await) }
    }))
    .await
}
