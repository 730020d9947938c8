//! The `pushNotification` job against a push service that answers each device as scripted:
//! what each answer does to the device and the counts (`PushesSent`, `PushesFailed`,
//! `DevicesRemoved`), each device pushed once however often the job runs, a passing failure
//! retried for its device alone, and nothing pushed to a connected user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Utc;
use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::metrics::Metrics;
use missive::ports::*;
use missive::usecases::devices::NewDevice;
use missive::usecases::notifications::{NewNotifications, Notifier};
use missive::usecases::Identity;
use missive::App;

use crate::conformance::user;
use crate::fakes::{RecordingMailer, RecordingPush, RecordingQueue};

/// How the fake push service answers a device (by its endpoint's last segment).
#[derive(Clone, Copy)]
enum Answer {
    Accept,
    Gone,
    Refuse,
    Fail,
}

#[derive(Default)]
struct ScriptedPushService {
    answers: Mutex<HashMap<String, Answer>>,
    sent: Mutex<Vec<String>>,
}

#[async_trait]
impl PushService for ScriptedPushService {
    async fn send(&self, _: &TenantId, device: &Device, push: &DevicePush) -> Result<(), PushServiceError> {
        let PushTarget::Webpush { subscription } = &device.target else { panic!("browsers only here") };
        let name = subscription.endpoint.rsplit('/').next().unwrap().to_string();
        assert_eq!(push.payload["notification"]["userId"], "ann");
        let answer = self.answers.lock().unwrap()[&name];
        match answer {
            Answer::Accept => {
                self.sent.lock().unwrap().push(name);
                Ok(())
            }
            Answer::Gone => Err(PushServiceError::Gone),
            Answer::Refuse => Err(PushServiceError::Rejected("403".into())),
            Answer::Fail => Err(PushServiceError::Failed(anyhow::anyhow!("503"))),
        }
    }
}

fn browser(name: &str) -> NewDevice {
    let subscription = WebPushSubscription {
        endpoint: format!("https://push.example/{name}"),
        keys: WebPushKeys {
            p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4".into(),
            auth: "BTBZMqHH6r4Tts7J_aSIgg".into(),
        },
    };
    NewDevice(PushTarget::Webpush { subscription })
}

/// The counts recorded since `from`, by metric name.
fn counted(app: &App, from: usize) -> HashMap<String, u64> {
    let mut totals = HashMap::new();
    for line in &app.services.metrics.recorded()[from..] {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let name = v["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"].as_str().unwrap().to_string();
        *totals.entry(name.clone()).or_default() += v[&name].as_u64().unwrap();
    }
    totals
}

#[tokio::test]
async fn each_answer_does_what_it_says_each_device_once_and_a_connected_user_none() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let queue = Arc::new(RecordingQueue::default());
    let service = Arc::new(ScriptedPushService::default());
    let app = App::new(
        Config::new("pushes-test-secret-0123", "pk"),
        store.clone(),
        Arc::new(RecordingPush::default()),
        queue.clone(),
        Arc::new(RecordingMailer::default()),
    )
    .with_metrics(Metrics::recording("test-stack"))
    .with_push_services(service.clone());
    let tenant = TenantId::parse("acme").unwrap();
    store.create_tenant(&Tenant::new(tenant.clone(), "Acme", Utc::now())).await.unwrap();
    store.put_user(&user("acme", "ann")).await.unwrap();
    let ann = Identity {
        tenant_id: tenant.clone(),
        user_id: UserId::parse("ann").unwrap(),
        role: Role::Member,
        name: "ann".into(),
        conversation_scope: None,
    };
    for (name, answer) in [("a", Answer::Accept), ("g", Answer::Gone), ("r", Answer::Refuse), ("f", Answer::Fail)] {
        app.devices.register(&ann, browser(name)).await.unwrap();
        service.answers.lock().unwrap().insert(name.into(), answer);
    }

    let notice = |title: &str| -> NewNotifications {
        serde_json::from_value(
            serde_json::json!({ "tenantId": "acme", "users": ["ann"], "type": "event", "title": title }),
        )
        .unwrap()
    };
    // The push job, on the notifications queue (beside the e-mail's on its own).
    let push_job = |jobs: Vec<(QueueName, Job)>| {
        let mut pushes = jobs.into_iter().filter(|(_, j)| matches!(j.task, Task::PushNotification(_)));
        let (queue, job) = pushes.next().expect("a push job");
        assert!(pushes.next().is_none() && queue == QueueName::Notifications);
        let Task::PushNotification(push) = job.task.clone() else { unreachable!() };
        (job, push)
    };
    app.notifications.create(Notifier::Platform, notice("Exercice")).await.unwrap();
    let (job, push) = push_job(queue.take());
    let push = &push;
    let from = app.services.metrics.recorded().len();

    // The failing device fails the job (to be retried); the others are settled.
    assert!(app.pushes.push(&tenant, push, &job.id).await.is_err());
    assert_eq!(*service.sent.lock().unwrap(), ["a"]);
    let counts = counted(&app, from);
    assert_eq!((counts["PushesSent"], counts["PushesFailed"], counts["DevicesRemoved"]), (1, 2, 1), "{counts:?}");
    let left: Vec<String> = app.devices.list(&ann).await.unwrap().devices.into_iter().map(|d| d.label).collect();
    assert_eq!(left.len(), 3, "the gone one was removed: {left:?}");

    // The retry pushes to the device that failed, and to no other.
    service.answers.lock().unwrap().insert("f".into(), Answer::Accept);
    app.pushes.push(&tenant, push, &job.id).await.unwrap();
    app.pushes.push(&tenant, push, &job.id).await.unwrap();
    assert_eq!(*service.sent.lock().unwrap(), ["a", "f"], "each device once");

    // Connected, ann is not pushed.
    let now = Utc::now();
    store
        .put_connection(&Connection {
            tenant_id: tenant.clone(),
            user_id: ann.user_id.clone(),
            id: ConnectionId::parse("ann-1").unwrap(),
            connected_at: now,
            last_seen_at: now,
            expires_at: now + chrono::Duration::hours(1),
        })
        .await
        .unwrap();
    app.notifications.create(Notifier::Platform, notice("Réunion")).await.unwrap();
    let (job, push) = push_job(queue.take());
    app.pushes.push(&tenant, &push, &job.id).await.unwrap();
    assert_eq!(service.sent.lock().unwrap().len(), 2, "nothing more");
}
