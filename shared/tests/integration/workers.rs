//! The workers' AWS path against moto: a job on a real SQS queue, the e-mail worker's batch
//! handler on DynamoDB, SES sending through moto. And the scheduler running twice.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use chrono::Utc;
use missive::adapters::aws::provision::{create_queues, create_table};
use missive::adapters::aws::ses_mailer::SesMailer;
use missive::adapters::aws::sqs_queue::SqsQueue;
use missive::adapters::dynamo::DynamoStore;
use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::ports::*;
use missive::usecases::notifications::Notifier;
use missive::workers::{backoff, handle_batch, EmailsWorker};
use missive::App;
use serde_json::json;

use crate::fakes::{RecordingMailer, RecordingPush, RecordingQueue};

/// The real mailer, counting what it sent.
struct Counting(SesMailer, Mutex<Vec<Email>>);

#[async_trait]
impl Mailer for Counting {
    async fn send_email(&self, email: &Email) -> Result<String, MailError> {
        let id = self.0.send_email(email).await?;
        self.1.lock().unwrap().push(email.clone());
        Ok(id)
    }
}

fn record(m: &aws_sdk_sqs::types::Message) -> SqsMessage {
    let mut r = SqsMessage::default();
    r.message_id = m.message_id.clone();
    r.receipt_handle = m.receipt_handle.clone();
    r.body = m.body.clone();
    for (k, v) in m.attributes.iter().flatten() {
        r.attributes.insert(k.as_str().to_string(), v.clone());
    }
    r
}

#[tokio::test]
async fn the_email_worker_sends_once_for_a_duplicated_job_and_reports_only_the_poison_record() {
    let sdk = crate::aws_support::sdk_config().await;
    let table = crate::aws_support::unique_name("workers");
    create_table(&sdk, &table).await.unwrap();
    let urls = create_queues(&sdk, &table).await.unwrap();
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    ses.create_email_identity().email_identity("brigade@missive.test").send().await.unwrap();
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let store = Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table));
    let mailer = Arc::new(Counting(SesMailer::new(ses), Mutex::default()));
    let mut config = Config::new("workers-test-secret-0123", "pk");
    config.public_url = Some("https://missive.test".into());
    config.email_from = Some("no-reply@missive.test".into());
    let app = App::new(
        config,
        store.clone(),
        Arc::new(RecordingPush::default()),
        Arc::new(SqsQueue::new(sqs.clone(), urls.clone())),
        mailer.clone(),
    );
    let tenant = TenantId::parse("brigade").unwrap();
    let mut t = Tenant::new(tenant.clone(), "Brigade", Utc::now());
    t.email_from = Some("brigade@missive.test".into());
    store.create_tenant(&t).await.unwrap();
    let now = Utc::now();
    let bob = User {
        tenant_id: tenant.clone(),
        id: UserId::parse("bob").unwrap(),
        name: DisplayName::parse("Bob").unwrap(),
        email: Some("bob@example.com".into()),
        locale: Locale::En,
        role: Role::Member,
        created_at: now,
        updated_at: now,
        suspended: false,
    };
    store.put_user(&bob).await.unwrap();

    let body = json!({ "tenantId": "brigade", "users": ["bob"], "type": "event", "title": "Drill at 8", "body": "Bring your gear" });
    app.notifications.create(Notifier::Platform, serde_json::from_value(body).unwrap()).await.unwrap();
    let received = sqs
        .receive_message()
        .queue_url(&urls[&QueueName::Emails])
        .max_number_of_messages(10)
        .wait_time_seconds(2)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .unwrap();
    let messages = received.messages();
    assert_eq!(messages.len(), 1, "one sendEmails job on the emails queue");
    let job: Job = serde_json::from_str(messages[0].body().unwrap()).unwrap();
    assert_eq!(job.task.kind(), "sendEmails");

    // The same job twice in a batch (SQS delivers at least once) and a poison record.
    let fixture =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/example-sqs-event.json")).unwrap();
    let poison = serde_json::from_str::<SqsEvent>(&fixture).unwrap().records[0].clone();
    let mut duplicate = record(&messages[0]);
    duplicate.message_id = Some("duplicate".into());
    let mut event = SqsEvent::default();
    event.records = vec![record(&messages[0]), duplicate, poison.clone()];
    let response = handle_batch(&EmailsWorker, &app, event).await;
    let failed: Vec<_> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, [poison.message_id.as_deref().unwrap()], "only the poison record fails");
    let sent = mailer.1.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "one e-mail for the two deliveries");
    assert_eq!((sent[0].to.as_str(), sent[0].subject.as_str()), ("bob@example.com", "Drill at 8"));
    assert!(sent[0].text.contains("Bring your gear") && sent[0].html.contains("Bring your gear"));
    assert!(sent[0].unsubscribe_url.as_deref().unwrap().contains("/v1/email/unsubscribe?token="));

    // Redelivered later (its deletion was lost): done already, nothing sent.
    let mut again = SqsEvent::default();
    again.records = vec![record(&messages[0])];
    assert!(handle_batch(&EmailsWorker, &app, again).await.batch_item_failures.is_empty());
    assert_eq!(mailer.1.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_failed_job_is_given_an_exponential_backoff_with_jitter() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let queue = Arc::new(RecordingQueue::default());
    let mut config = Config::new("workers-test-secret-0123", "pk");
    config.limits.retry_base = std::time::Duration::from_secs(10);
    let app = App::new(
        config,
        store,
        Arc::new(RecordingPush::default()),
        queue.clone(),
        Arc::new(RecordingMailer::default()),
    );
    for (receives, low, high) in [(1, 5, 10), (2, 10, 20), (3, 20, 40), (8, 450, 900), (20, 450, 900)] {
        let d = backoff(&app, receives).as_secs_f64();
        assert!(d >= low as f64 && d <= high as f64, "attempt {receives}: {d}s not in {low}..{high}");
    }
}

#[tokio::test]
async fn a_scheduler_running_twice_enqueues_each_due_job_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let queue = Arc::new(RecordingQueue::default());
    let app = App::new(
        Config::new("workers-test-secret-0123", "pk"),
        store.clone(),
        Arc::new(RecordingPush::default()),
        queue.clone(),
        Arc::new(RecordingMailer::default()),
    );
    let tenant = TenantId::parse("acme").unwrap();
    for (id, minutes) in [("due-1", -2), ("due-2", -1), ("later", 60)] {
        let fire =
            FireReminder { created_by: UserId::parse("ann").unwrap(), reminder_id: ReminderId::parse(id).unwrap() };
        let job = Job::new(&tenant, JobId::parse(id).unwrap(), Task::FireReminder(fire));
        store
            .schedule_job(&ScheduledJob { job, due_at: Utc::now() + chrono::Duration::minutes(minutes) })
            .await
            .unwrap();
    }
    let (a, b) = tokio::join!(app.scheduling.run_scheduler(), app.scheduling.run_scheduler());
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    let mut ids: Vec<String> = queue.take().into_iter().map(|(_, j)| j.id.to_string()).collect();
    ids.sort();
    assert_eq!(ids, ["due-1", "due-2"], "each due job once, the later one kept");
    assert_eq!(app.scheduling.run_scheduler().await.unwrap(), 0);
}
