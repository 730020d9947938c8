//! Small per-user documents: preferences, notifications waiting for an e-mail, reminders,
//! push devices, uploads.

use chrono::{Duration, Utc};
use missive::domain::*;
use missive::ports::*;

use super::*;

async fn preferences_are_kept_per_user<S: PreferenceStore + ?Sized>(store: &S) {
    assert!(store.get_preferences(&tid("t1"), &uid("u1")).await.unwrap().is_none(), "never set");
    let prefs = Preferences { email_mode: EmailMode::Digest, ..Default::default() };
    store.put_preferences(&tid("t1"), &uid("u1"), &prefs).await.unwrap();
    assert_eq!(store.get_preferences(&tid("t1"), &uid("u1")).await.unwrap(), Some(prefs.clone()));
    let off = Preferences { email_mode: EmailMode::Off, ..prefs };
    store.put_preferences(&tid("t1"), &uid("u1"), &off).await.unwrap();
    assert_eq!(store.get_preferences(&tid("t1"), &uid("u1")).await.unwrap(), Some(off), "replaced");
    assert!(store.get_preferences(&tid("t1"), &uid("u2")).await.unwrap().is_none(), "users are apart");
    assert!(store.get_preferences(&tid("t2"), &uid("u1")).await.unwrap().is_none(), "tenants are apart");
    assert!(store.delete_preferences(&tid("t1"), &uid("u1")).await.unwrap());
    assert!(store.get_preferences(&tid("t1"), &uid("u1")).await.unwrap().is_none(), "deleted");
    assert!(!store.delete_preferences(&tid("t1"), &uid("u1")).await.unwrap());
}

fn pending(tenant: &str, user: &str, id: &str) -> PendingEmail {
    let notification = Notification {
        tenant_id: tid(tenant),
        id: NotificationId::parse(id).unwrap(),
        user_id: uid(user),
        kind: NotificationType::Message,
        title: format!("n {id}"),
        body: String::new(),
        action_url: None,
        action_label: None,
        conversation_id: None,
        message_id: None,
        priority: Priority::Normal,
        created_at: Utc::now(),
        read_at: None,
    };
    PendingEmail { notification, in_app: true }
}

async fn pending_emails_wait_in_order_until_deleted<S: PendingEmailStore + ?Sized>(store: &S) {
    for id in ["01B", "01A", "01C"] {
        store.put_pending_email(&pending("t1", "u1", id)).await.unwrap();
    }
    store.put_pending_email(&pending("t1", "u2", "01D")).await.unwrap();
    store.put_pending_email(&pending("t2", "u1", "01E")).await.unwrap();
    let ids =
        |waiting: Vec<PendingEmail>| waiting.into_iter().map(|p| p.notification.id.to_string()).collect::<Vec<_>>();
    assert_eq!(
        ids(store.list_pending_emails(&tid("t1"), &uid("u1"), 10).await.unwrap()),
        ["01A", "01B", "01C"],
        "oldest first"
    );
    assert_eq!(ids(store.list_pending_emails(&tid("t1"), &uid("u1"), 2).await.unwrap()), ["01A", "01B"]);
    let first = store.list_pending_emails(&tid("t1"), &uid("u1"), 1).await.unwrap().remove(0);
    let mut expected = pending("t1", "u1", "01A");
    expected.notification.created_at = first.notification.created_at;
    assert_eq!(first, expected, "the record comes back as it was written");
    assert!(store.delete_pending_email(&tid("t1"), &uid("u1"), &NotificationId::parse("01A").unwrap()).await.unwrap());
    assert!(
        !store.delete_pending_email(&tid("t1"), &uid("u1"), &NotificationId::parse("01A").unwrap()).await.unwrap(),
        "once"
    );
    assert_eq!(ids(store.list_pending_emails(&tid("t1"), &uid("u1"), 10).await.unwrap()), ["01B", "01C"]);
    assert_eq!(ids(store.list_pending_emails(&tid("t2"), &uid("u1"), 10).await.unwrap()), ["01E"], "tenants are apart");
}

fn reminder(creator: &str, id: &str, at: chrono::DateTime<Utc>) -> Reminder {
    Reminder {
        tenant_id: tid("t1"),
        id: ReminderId::parse(id).unwrap(),
        created_by: uid(creator),
        at,
        title: format!("r {id}"),
        body: String::new(),
        users: vec![uid(creator)],
        conversation_id: None,
        action_url: None,
        action_label: None,
        status: ReminderStatus::Pending,
        fired_at: None,
        created_at: Utc::now(),
    }
}

async fn reminders_are_listed_by_creator_and_forgotten_after_their_time<S: ReminderStore + ?Sized>(store: &S) {
    let soon = Utc::now() + Duration::hours(1);
    for id in ["01B", "01A", "01C"] {
        store.put_reminder(&reminder("u1", id, soon)).await.unwrap();
    }
    // Forgotten 30 days after its time: this one's time was 31 days ago.
    store.put_reminder(&reminder("u1", "01D", Utc::now() - Duration::days(31))).await.unwrap();
    store.put_reminder(&reminder("u2", "01E", soon)).await.unwrap();
    let ids = |page: Page<Reminder>| {
        (page.items.into_iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), page.next_cursor.is_some())
    };
    let first = store.list_reminders(&tid("t1"), &uid("u1"), None, 2).await.unwrap();
    let after = ReminderId::parse(first.next_cursor.clone().unwrap()).unwrap();
    assert_eq!(ids(first), (vec!["01A".into(), "01B".into()], true));
    assert_eq!(
        ids(store.list_reminders(&tid("t1"), &uid("u1"), Some(&after), 10).await.unwrap()),
        (vec!["01C".into()], false),
        "the forgotten one is left out"
    );
    let a = ReminderId::parse("01A").unwrap();
    let mut fired = store.get_reminder(&tid("t1"), &uid("u1"), &a).await.unwrap().unwrap();
    fired.status = ReminderStatus::Fired;
    store.put_reminder(&fired).await.unwrap();
    assert_eq!(store.get_reminder(&tid("t1"), &uid("u1"), &a).await.unwrap().unwrap().status, ReminderStatus::Fired);
    assert!(
        store.get_reminder(&tid("t1"), &uid("u1"), &ReminderId::parse("01D").unwrap()).await.unwrap().is_none(),
        "forgotten"
    );
    assert!(store.get_reminder(&tid("t1"), &uid("u2"), &a).await.unwrap().is_none(), "creators are apart");
    assert!(store.get_reminder(&tid("t2"), &uid("u1"), &a).await.unwrap().is_none(), "tenants are apart");
    assert!(store.delete_reminder(&tid("t1"), &uid("u1"), &a).await.unwrap());
    assert!(!store.delete_reminder(&tid("t1"), &uid("u1"), &a).await.unwrap(), "once");
}

async fn uploads_are_found_by_id_within_their_tenant_until_they_expire<S: UploadStore + ?Sized>(store: &S) {
    let upload = Upload {
        tenant_id: tid("t1"),
        conversation_id: ConversationId::parse("c1").unwrap(),
        id: UploadId::parse("01UPLOAD").unwrap(),
        uploaded_by: uid("u1"),
        name: FileName::parse("devis.pdf").unwrap(),
        content_type: FileType::parse("application/pdf").unwrap(),
        size: 1234,
        created_at: Utc::now(),
        message_id: None,
    };
    store.put_upload(&upload, Some(Utc::now() + Duration::hours(24))).await.unwrap();
    assert_eq!(store.get_upload(&tid("t1"), &upload.id).await.unwrap(), Some(upload.clone()));
    assert_eq!(store.get_upload(&tid("t2"), &upload.id).await.unwrap(), None, "tenants are apart");
    let attached = Upload { message_id: Some(MessageId::parse("m1").unwrap()), ..upload.clone() };
    store.put_upload(&attached, None).await.unwrap();
    assert_eq!(store.get_upload(&tid("t1"), &upload.id).await.unwrap(), Some(attached), "replaced, kept");
    let late = Upload { id: UploadId::parse("01LATE").unwrap(), ..upload };
    store.put_upload(&late, Some(Utc::now() - Duration::seconds(1))).await.unwrap();
    assert_eq!(store.get_upload(&tid("t1"), &late.id).await.unwrap(), None, "expired");
}

async fn devices_are_kept_per_user_until_removed<S: DeviceStore + ?Sized>(store: &S) {
    let device = |user: &str, token: &str| Device {
        tenant_id: tid("t1"),
        user_id: uid(user),
        id: format!("d-{token}"),
        target: PushTarget::Apns { token: token.repeat(64) },
        created_at: Utc::now(),
    };
    for (user, token) in [("u1", "b"), ("u1", "a"), ("u2", "c")] {
        store.put_device(&device(user, token)).await.unwrap();
    }
    let ids = |devices: Vec<Device>| devices.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids(store.list_devices(&tid("t1"), &uid("u1"), 20).await.unwrap()), ["d-a", "d-b"]);
    assert!(store.list_devices(&tid("t2"), &uid("u1"), 20).await.unwrap().is_empty(), "tenants are apart");
    assert!(store.delete_device(&tid("t1"), &uid("u1"), "d-a").await.unwrap());
    assert!(!store.delete_device(&tid("t1"), &uid("u1"), "d-a").await.unwrap(), "gone already");
    assert!(!store.delete_device(&tid("t1"), &uid("u1"), "d-c").await.unwrap(), "another user's");
    assert_eq!(ids(store.list_devices(&tid("t1"), &uid("u1"), 20).await.unwrap()), ["d-b"]);
}

async fn exports_are_kept_until_they_expire<S: ExportStore + ?Sized>(store: &S) {
    let now = Utc::now();
    let pending = Export::pending(ulid::Ulid::new().to_string(), tid("t1"), uid("u1"), now);
    store.put_export(&pending).await.unwrap();
    assert_eq!(store.get_export(&tid("t1"), &pending.id).await.unwrap(), Some(pending.clone()));
    assert_eq!(store.get_export(&tid("t2"), &pending.id).await.unwrap(), None, "tenants are apart");
    let ready = pending.clone().ready(3, 120, now);
    store.put_export(&ready).await.unwrap();
    assert_eq!(store.get_export(&tid("t1"), &ready.id).await.unwrap(), Some(ready.clone()), "replaced");
    let expired = Export { expires_at: now - Duration::seconds(1), ..ready };
    store.put_export(&expired).await.unwrap();
    assert_eq!(store.get_export(&tid("t1"), &expired.id).await.unwrap(), None, "read as gone once expired");
}

conforms!(
    exports_are_kept_until_they_expire,
    devices_are_kept_per_user_until_removed,
    preferences_are_kept_per_user,
    pending_emails_wait_in_order_until_deleted,
    reminders_are_listed_by_creator_and_forgotten_after_their_time,
    uploads_are_found_by_id_within_their_tenant_until_they_expire
);
