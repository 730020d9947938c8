//! The job queue: each job waits on its kind's queue, delayed ones are counted apart, a batch
//! is taken whole, and no adapter takes a delay SQS would refuse. Run on the local runtime's
//! in-process queue (in memory, and journaled in the embedded store) and on SQS (moto, fresh
//! queues).

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
    async fn on_the_durable_local_queue() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(missive::adapters::embedded::EmbeddedStore::open(dir.path()).unwrap());
        jobs_wait_on_their_queue_and_delayed_ones_are_counted_apart(&LocalQueue::durable(store).unwrap()).await;
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

/// The durable local queue after a crash: every job is back as it was — a delayed one still
/// delayed, a failed one waiting out its backoff, a dead letter dead — and runs once.
#[tokio::test]
async fn the_durable_local_queue_keeps_its_jobs_across_a_restart() {
    use missive::adapters::embedded::EmbeddedStore;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    {
        let queue = LocalQueue::durable(Arc::new(EmbeddedStore::open(dir.path()).unwrap())).unwrap();
        queue.enqueue(&email_job("delayed"), Some(Duration::from_secs(600))).await.unwrap();
        queue.enqueue(&email_job("failing"), None).await.unwrap();
        let (failing, _) = queue.receive(QueueName::Emails).unwrap();
        queue.settle(QueueName::Emails, &failing.id, Err(()), Duration::from_secs(600));
        queue.enqueue(&email_job("dead"), None).await.unwrap();
        for _ in 0..missive::ports::MAX_RECEIVES {
            let (job, _) = queue.receive(QueueName::Emails).unwrap();
            assert_eq!(job.id.as_str(), "dead");
            queue.settle(QueueName::Emails, &job.id, Err(()), Duration::ZERO);
        }
        queue.enqueue(&reminder_job("done"), None).await.unwrap();
        let (done, _) = queue.receive(QueueName::Notifications).unwrap();
        queue.settle(QueueName::Notifications, &done.id, Ok(()), Duration::ZERO);
        queue.enqueue(&reminder_job("running"), None).await.unwrap();
        queue.receive(QueueName::Notifications).unwrap();
        let presence =
            Task::AnnouncePresence(AnnouncePresence { user_id: uid("u1"), online: true, last_seen_at: None });
        queue.enqueue(&Job::new(&tid("t1"), JobId::parse("presence").unwrap(), presence), None).await.unwrap();
        // The process dies here: nothing is closed or flushed.
    }
    let queue = LocalQueue::durable(Arc::new(EmbeddedStore::open(dir.path()).unwrap())).unwrap();
    let emails = queue.stats(QueueName::Emails).await.unwrap();
    assert_eq!(
        (emails.visible, emails.delayed, emails.in_flight, emails.dead_lettered),
        (0, 1, 1, 1),
        "the delayed job, the failed one waiting for its retry, the dead letter: {emails:?}"
    );
    let notifications = queue.stats(QueueName::Notifications).await.unwrap();
    assert_eq!(
        (notifications.visible, notifications.in_flight),
        (1, 0),
        "the finished job is gone; the one that was running is visible at once (its worker is gone); a \
         presence announcement dies with the connections: {notifications:?}"
    );
    let (running, receives) = queue.receive(QueueName::Notifications).unwrap();
    assert_eq!((running.id.as_str(), receives), ("running", 2), "its receive counts");
    queue.settle(QueueName::Notifications, &running.id, Ok(()), Duration::ZERO);
    assert_eq!(queue.redrive(QueueName::Emails).await.unwrap(), 1);
    let (redriven, receives) = queue.receive(QueueName::Emails).unwrap();
    assert_eq!((redriven.id.as_str(), receives), ("dead", 1), "a redriven job starts again");
    queue.settle(QueueName::Emails, &redriven.id, Ok(()), Duration::ZERO);
    assert!(queue.receive(QueueName::Emails).is_err(), "nothing else is due now");
}
