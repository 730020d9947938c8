//! Large-group fan-out through the queue, and the SQS batch handler fed the captured SQS
//! event that aws_lambda_events ships.

use std::sync::Arc;

use aws_lambda_events::sqs::SqsEvent;
use chrono::Utc;
use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::ports::*;
use missive::usecases::messages::Outgoing;
use missive::usecases::Identity;
use missive::workers::{handle_batch, FanoutWorker, NotificationsWorker};
use missive::App;
use serde_json::json;

use crate::fakes::{RecordingPush, RecordingQueue};

#[tokio::test]
async fn a_large_group_s_message_is_published_by_the_worker_and_poison_records_alone_fail() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let push = Arc::new(RecordingPush::default());
    let queue = Arc::new(RecordingQueue::default());
    let mut config = Config::new("jobs-test-secret-01234", "pk");
    config.limits.fan_out_threshold = 2;
    let app = App::new(
        config,
        store.clone(),
        push.clone(),
        queue.clone(),
        Arc::new(crate::fakes::RecordingMailer::default()),
    );
    let tenant = TenantId::parse("acme").unwrap();
    store.create_tenant(&Tenant::new(tenant.clone(), "Acme", Utc::now())).await.unwrap();
    let now = Utc::now();
    for u in ["ann", "ben", "cat"] {
        let user = User {
            tenant_id: tenant.clone(),
            id: UserId::parse(u).unwrap(),
            name: DisplayName::parse(u).unwrap(),
            email: None,
            locale: Locale::Fr,
            role: Role::Member,
            created_at: now,
            updated_at: now,
            suspended: false,
        };
        store.put_user(&user).await.unwrap();
        let connection = Connection {
            tenant_id: tenant.clone(),
            user_id: user.id.clone(),
            id: ConnectionId::parse(format!("{u}-1")).unwrap(),
            connected_at: now,
            last_seen_at: now,
            expires_at: now + chrono::Duration::hours(1),
        };
        store.put_connection(&connection).await.unwrap();
    }
    let ann = Identity {
        tenant_id: tenant.clone(),
        user_id: UserId::parse("ann").unwrap(),
        role: Role::Member,
        name: "ann".into(),
        conversation_scope: None,
    };
    let group = app
        .conversations
        .create_conversation(
            &ann,
            serde_json::from_value(json!({ "kind": "group", "title": "G", "memberIds": ["ben", "cat"] })).unwrap(),
        )
        .await
        .unwrap()
        .value
        .conversation
        .id;
    queue.0.lock().unwrap().clear();
    push.0.lock().unwrap().clear();

    let skip = ConnectionId::parse("ann-1").unwrap();
    let (sent, cursor) = app.messages.send_message(&ann, &group, &Outgoing::text("à tous"), Some(&skip)).await.unwrap();
    let cursor = cursor.unwrap();
    assert!(push.0.lock().unwrap().is_empty(), "the sender's answer does not wait for the fan-out");
    let jobs = queue.0.lock().unwrap().clone();
    assert_eq!(jobs.len(), 1);
    assert_eq!((jobs[0].0, jobs[0].1.task.kind()), (QueueName::Fanout, "fanOut"));

    // The worker's batch: the job, and a record that is not a job at all.
    let fixture =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/example-sqs-event.json")).unwrap();
    let mut event: SqsEvent = serde_json::from_str(&fixture).unwrap();
    let poison = event.records[0].clone();
    let mut good = poison.clone();
    good.message_id = Some("job-1".into());
    good.body = Some(serde_json::to_string(&jobs[0].1).unwrap());
    event.records = vec![good.clone(), poison];
    let response = handle_batch(&FanoutWorker, &app, event).await;
    let failed: Vec<_> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, ["MessageID_1"], "only the poison record is reported");

    let pushed = push.0.lock().unwrap().clone();
    let mut to: Vec<_> = pushed.iter().map(|(c, _)| c.as_str()).collect();
    to.sort();
    assert_eq!(to, ["ben-1", "cat-1"], "every member's connection but the sender's socket");
    assert!(pushed.iter().all(|(_, f)| f["type"] == "message.new"
        && f["message"]["id"] == sent.value.id.as_str()
        && f["cursor"] == cursor.as_str()));
    let (log, _) = store.list_conversation_events(&tenant, &group, None, 50, Utc::now()).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.id == cursor).count(), 1, "written once, to the conversation's log");

    // The same job delivered again pushes again (pushes are at least once), the same frame
    // with the same cursor, which clients drop; nothing is stored again. Here it comes from the
    // notifications queue, as a version from before the fan-out queue queued it during a
    // deploy: done where it landed, not dead-lettered.
    let pushes = push.0.lock().unwrap().len();
    let mut again = SqsEvent::default();
    again.records = vec![good];
    assert!(handle_batch(&NotificationsWorker, &app, again).await.batch_item_failures.is_empty());
    let repeated = push.0.lock().unwrap()[pushes..].to_vec();
    assert_eq!(repeated.len(), 2);
    assert!(repeated.iter().all(|(_, f)| f["cursor"] == cursor.as_str()));
    let (log, _) = store.list_conversation_events(&tenant, &group, None, 50, Utc::now()).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.id == cursor).count(), 1);
}

/// A `notifyMessage` job cut short after a member's notification was written (here its
/// e-mail check could not be queued) runs again: still one notification, one e-mail waiting.
#[tokio::test]
async fn a_notification_job_run_again_after_a_partial_run_notifies_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let queue = Arc::new(RecordingQueue::default());
    let app = App::new(
        Config::new("jobs-test-secret-01234", "pk"),
        store.clone(),
        Arc::new(RecordingPush::default()),
        queue.clone(),
        Arc::new(crate::fakes::RecordingMailer::default()),
    );
    let people = crate::people::tenant_with_people(store.as_ref(), 2, "m", true).await;
    let (ann, tenant) = (&people[0], people[0].tenant_id.clone());
    let direct = app
        .conversations
        .create_conversation(ann, serde_json::from_value(json!({ "kind": "direct", "userId": "m1" })).unwrap())
        .await
        .unwrap()
        .value
        .conversation
        .id;
    app.messages.send_message(ann, &direct, &Outgoing::text("Bonjour"), None).await.unwrap();
    // m1 was offline: their notification is a job.
    let notice = queue
        .take()
        .into_iter()
        .find_map(|(_, job)| match job.task {
            Task::NotifyMessage(notice) => Some(notice),
            _ => None,
        })
        .expect("a notifyMessage job");

    *queue.2.lock().unwrap() = 1; // the e-mail check's job is refused: the run fails after the notification
    assert!(app.notifications.notify_message(&tenant, &notice).await.is_err());
    app.notifications.notify_message(&tenant, &notice).await.unwrap();

    let m1 = &people[1].user_id;
    let bell = store.list_notifications(&tenant, m1, false, None, 10).await.unwrap().items;
    assert_eq!(bell.len(), 1, "one notification: {bell:?}");
    assert_eq!(store.list_pending_emails(&tenant, m1, 10).await.unwrap().len(), 1, "one e-mail waiting");
    // Its check, refused in the first run, was arranged by the second (the claim given up).
    let checks = queue.take().into_iter().filter(|(_, job)| matches!(job.task, Task::SendEmails(_))).count();
    assert_eq!(checks, 1, "one e-mail check arranged");
}

/// An app that sends e-mails to a recording mailer, on a clock standing at today's noon, with
/// its metrics recorded.
struct Mailing {
    dir: tempfile::TempDir,
    store: Arc<EmbeddedStore>,
    queue: Arc<RecordingQueue>,
    mailer: Arc<crate::fakes::RecordingMailer>,
    clock: Arc<crate::fakes::ManualClock>,
    noon: chrono::DateTime<Utc>,
    app: App,
    metrics: missive::metrics::Metrics,
}

impl Mailing {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
        let queue = Arc::new(RecordingQueue::default());
        let mailer = Arc::new(crate::fakes::RecordingMailer::default());
        let noon = Utc::now().date_naive().and_hms_opt(12, 0, 0).unwrap().and_utc();
        let clock = Arc::new(crate::fakes::ManualClock::at(noon));
        let mut config = Config::new("jobs-test-secret-01234", "pk");
        config.public_url = Some("https://chat.example.com".into());
        config.email_from = Some("chat@example.com".into());
        let metrics = missive::metrics::Metrics::recording("missive-test");
        let app = App::new(config, store.clone(), Arc::new(RecordingPush::default()), queue.clone(), mailer.clone())
            .with_clock(clock.clone())
            .with_metrics(metrics.clone());
        Self { dir, store, queue, mailer, clock, noon, app, metrics }
    }
}

/// A tenant's e-mails of the day: the one over its quota waits for the next day (nothing is
/// dropped: it stays waiting, and goes then).
#[tokio::test]
async fn an_e_mail_over_the_tenant_s_daily_quota_waits_for_the_next_day() {
    let Mailing { dir: _dir, store, queue, mailer, clock, noon, app, .. } = Mailing::new();
    let people = crate::people::tenant_with_people(store.as_ref(), 3, "m", true).await;
    let (ann, tenant) = (&people[0], people[0].tenant_id.clone());
    let mut record = store.get_tenant(&tenant).await.unwrap().unwrap();
    record.quotas.emails_per_day = Some(1);
    store.put_tenant(&record).await.unwrap();

    // Ann writes to m1 and m2, both offline: each has an e-mail waiting.
    for other in ["m1", "m2"] {
        let new = serde_json::from_value(json!({ "kind": "direct", "userId": other })).unwrap();
        let direct = app.conversations.create_conversation(ann, new).await.unwrap().value.conversation.id;
        app.messages.send_message(ann, &direct, &Outgoing::text("Bonjour"), None).await.unwrap();
    }
    for (_, job) in queue.take() {
        if let Task::NotifyMessage(notice) = job.task {
            app.notifications.notify_message(&tenant, &notice).await.unwrap();
        }
    }
    clock.set(noon + chrono::Duration::minutes(11)); // past the unread message's delay
    let job_id = JobId::parse("sendEmails-test").unwrap();
    for user in ["m1", "m2"] {
        let send = SendEmails { user_id: UserId::parse(user).unwrap(), digest: false };
        app.email_sending.send_pending(&tenant, &send, &job_id).await.unwrap();
    }
    assert_eq!(mailer.sent.lock().unwrap().len(), 1, "the day's one e-mail");
    let m2 = UserId::parse("m2").unwrap();
    assert_eq!(store.list_pending_emails(&tenant, &m2, 10).await.unwrap().len(), 1, "m2's waits");

    // The next day, it goes.
    clock.set(noon + chrono::Duration::hours(13));
    app.email_sending.send_pending(&tenant, &SendEmails { user_id: m2.clone(), digest: false }, &job_id).await.unwrap();
    assert_eq!(mailer.sent.lock().unwrap().len(), 2);
    assert!(store.list_pending_emails(&tenant, &m2, 10).await.unwrap().is_empty());
}

/// SES paused the tenant's sending (its own reputation): its e-mail waits an hour at a time,
/// nothing is dropped or dead-lettered, and it goes once sending resumes.
#[tokio::test]
async fn an_e_mail_of_a_tenant_whose_sending_is_paused_waits_and_goes_once_it_resumes() {
    let Mailing { dir: _dir, store, queue, mailer, clock, noon, app, metrics } = Mailing::new();
    let people = crate::people::tenant_with_people(store.as_ref(), 2, "p", true).await;
    let (ann, tenant) = (&people[0], people[0].tenant_id.clone());
    let new = serde_json::from_value(json!({ "kind": "direct", "userId": "p1" })).unwrap();
    let direct = app.conversations.create_conversation(ann, new).await.unwrap().value.conversation.id;
    app.messages.send_message(ann, &direct, &Outgoing::text("Bonjour"), None).await.unwrap();
    for (_, job) in queue.take() {
        if let Task::NotifyMessage(notice) = job.task {
            app.notifications.notify_message(&tenant, &notice).await.unwrap();
        }
    }
    mailer.paused.lock().unwrap().push(tenant.clone());
    clock.set(noon + chrono::Duration::minutes(11)); // past the unread message's delay
    let (p1, job_id) = (UserId::parse("p1").unwrap(), JobId::parse("sendEmails-paused").unwrap());
    let send = SendEmails { user_id: p1.clone(), digest: false };
    app.email_sending.send_pending(&tenant, &send, &job_id).await.expect("a pause is no failure to retry");
    assert!(mailer.sent.lock().unwrap().is_empty());
    assert_eq!(store.list_pending_emails(&tenant, &p1, 10).await.unwrap().len(), 1, "the e-mail waits");
    assert!(metrics.recorded().iter().any(|line| line.contains("\"EmailsPaused\":1")), "counted for the alarm");
    let paused_at = noon + chrono::Duration::minutes(11);
    assert!(store.list_due_jobs(paused_at + chrono::Duration::minutes(59), 10).await.unwrap().is_empty());
    let due = store.list_due_jobs(paused_at + chrono::Duration::hours(1), 10).await.unwrap();
    assert!(matches!(due.as_slice(), [one] if matches!(one.job.task, Task::SendEmails(_))), "tried again in an hour");

    // Sending resumes: the next try sends it.
    mailer.paused.lock().unwrap().clear();
    clock.set(noon + chrono::Duration::minutes(71));
    app.email_sending.send_pending(&tenant, &send, &job_id).await.unwrap();
    assert_eq!(mailer.sent.lock().unwrap().len(), 1);
    assert!(store.list_pending_emails(&tenant, &p1, 10).await.unwrap().is_empty());
}
