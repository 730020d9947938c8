//! The job queue: each job waits on its kind's queue, delayed ones are counted apart, a batch
//! is taken whole, and no adapter takes a delay SQS would refuse. Run on the local runtime's
//! in-process queue and on SQS (moto, fresh queues).

use std::time::Duration;

use missive::adapters::aws::provision::create_queues;
use missive::adapters::aws::sqs_queue::SqsQueue;
use missive::adapters::local::LocalQueue;
use missive::domain::*;
use missive::ports::JobQueue;

use super::*;

fn email_job(id: &str) -> Job {
    let task = Task::SendEmails(SendEmails { user_id: uid("u1"), digest: false });
    Job::new(&tid("t1"), JobId::parse(id).unwrap(), task)
}

fn reminder_job(id: &str) -> Job {
    let task = Task::FireReminder(FireReminder { created_by: uid("u1"), reminder_id: ReminderId::parse(id).unwrap() });
    Job::new(&tid("t1"), JobId::parse(id).unwrap(), task)
}

async fn jobs_wait_on_their_queue_and_delayed_ones_are_counted_apart<Q: JobQueue + ?Sized>(queue: &Q) {
    for name in QueueName::ALL {
        let empty = queue.stats(name).await.unwrap();
        assert_eq!((empty.name.as_str(), empty.visible, empty.delayed, empty.dead_lettered), (name.as_str(), 0, 0, 0));
    }
    queue.enqueue(&reminder_job("r0"), None).await.unwrap();
    queue.enqueue(&email_job("now"), None).await.unwrap();
    // Delayed far beyond any test's run: still delayed when counted.
    queue.enqueue(&email_job("later"), Some(Duration::from_secs(600))).await.unwrap();
    let mut batch: Vec<Job> = (1..=23).map(|i| reminder_job(&format!("r{i}"))).collect();
    batch.push(email_job("batched"));
    queue.enqueue_batch(&batch).await.unwrap();

    let notifications = queue.stats(QueueName::Notifications).await.unwrap();
    assert_eq!(
        (notifications.visible, notifications.delayed, notifications.in_flight),
        (24, 0, 0),
        "{notifications:?}"
    );
    let emails = queue.stats(QueueName::Emails).await.unwrap();
    assert_eq!(
        (emails.visible, emails.delayed, emails.in_flight),
        (2, 1, 0),
        "each job on its kind's queue: {emails:?}"
    );
    assert_eq!(queue.redrive(QueueName::Emails).await.unwrap(), 0, "nothing dead-lettered to move back");
    assert!(
        queue.enqueue(&email_job("too-late"), Some(Duration::from_secs(901))).await.is_err(),
        "over SQS's 15 minutes"
    );
    assert_eq!(
        queue.stats(QueueName::Emails).await.unwrap().visible + queue.stats(QueueName::Emails).await.unwrap().delayed,
        3
    );
}

mod jobs_wait_on_their_queue_and_delayed_ones_are_counted_apart {
    use super::*;

    #[tokio::test]
    async fn on_the_local_queue() {
        jobs_wait_on_their_queue_and_delayed_ones_are_counted_apart(&LocalQueue::default()).await;
    }

    #[tokio::test]
    async fn on_sqs() {
        let sdk = crate::aws_support::sdk_config().await;
        let urls = create_queues(&sdk, &crate::aws_support::unique_name("conformance")).await.unwrap();
        jobs_wait_on_their_queue_and_delayed_ones_are_counted_apart(&SqsQueue::new(
            aws_sdk_sqs::Client::new(&sdk),
            urls,
        ))
        .await;
    }
}
