//! The audit log: acts listed newest first, page by page, each tenant's apart.

use chrono::{Duration, Utc};
use missive::domain::*;
use missive::ports::*;

use super::*;

fn act(minutes_ago: i64, action: AuditAction) -> AuditEntry {
    let at = Utc::now() - Duration::minutes(minutes_ago);
    AuditEntry {
        id: AuditEntry::new_id(at),
        at,
        actor: AuditActor::User { user_id: uid("ada"), name: "Ada".into() },
        action,
        target: Some(format!("target-{minutes_ago}")),
        details: Some(serde_json::json!({ "fields": ["name"] })),
    }
}

async fn acts_are_listed_newest_first_page_by_page_per_tenant<S: AuditStore + ?Sized>(store: &S) {
    let oldest = act(30, AuditAction::WebhookCreated);
    let middle = act(20, AuditAction::UserRoleChanged);
    let newest = act(10, AuditAction::TenantSuspended);
    for entry in [&middle, &oldest, &newest] {
        store.append_audit(&tid("t1"), entry).await.unwrap();
    }
    store.append_audit(&tid("t2"), &act(5, AuditAction::BotCreated)).await.unwrap();

    let first = store.list_audit(&tid("t1"), None, 2).await.unwrap();
    assert_eq!(first.items, [newest, middle]);
    let cursor = first.next_cursor.expect("an older page");
    let second = store.list_audit(&tid("t1"), Some(&cursor), 2).await.unwrap();
    assert_eq!((second.items, second.next_cursor), (vec![oldest], None));
    let other = store.list_audit(&tid("t2"), None, 10).await.unwrap();
    assert_eq!(other.items.len(), 1, "another tenant's log is its own");
}

conforms!(acts_are_listed_newest_first_page_by_page_per_tenant);
