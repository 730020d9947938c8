//! The `fanout` and `notifications` queues' worker (two event sources, each with its own
//! concurrency cap): runs each job of an SQS batch with the worker of the queue it came from
//! and reports the failed ones (missive::workers::handle_batch).

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use missive::adapters::aws::settings::AwsSettings;
use missive::domain::QueueName;
use missive::workers::{from_queue, handle_batch, FanoutWorker, NotificationsWorker};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let fanout_url = AwsSettings::from_env()?.require_queue_urls()?.remove(&QueueName::Fanout).unwrap_or_default();
    let app = missive::lambda::LambdaApp::from_env()
        .await?
        .with_push()?
        .with_jobs()?
        .with_files()?
        .with_push_credentials()
        .with_push_services()?
        .with_webhook_sender()?
        .build();
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let (app, fanout_url) = (app.clone(), fanout_url.clone());
        async move {
            let batch = event.payload;
            Ok::<_, Error>(if from_queue(&batch, &fanout_url) {
                handle_batch(&FanoutWorker, &app, batch).await
            } else {
                handle_batch(&NotificationsWorker, &app, batch).await
            })
        }
    }))
    .await
}
