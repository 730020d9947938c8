//! Webhook endpoints and their deliveries: an endpoint replaced whole and deleted, a tenant's
//! apart from another's; deliveries listed newest first, page by page, and replaced in place.

use chrono::{Duration, Utc};
use missive::domain::*;
use missive::ports::*;

use super::*;

fn webhook(tenant: &str, id: &str) -> Webhook {
    let now = Utc::now();
    Webhook {
        tenant_id: tid(tenant),
        id: id.into(),
        url: format!("https://hooks.example/{id}"),
        events: vec![WebhookEventType::MessageCreated],
        description: String::new(),
        secrets: vec![SigningSecret { secret: "whsec_c2VjcmV0".into(), expires_at: None }],
        disabled: None,
        failing_since: None,
        created_at: now,
        updated_at: now,
    }
}

fn delivery(webhook: &str, minutes_ago: i64) -> WebhookDelivery {
    let at = Utc::now() - Duration::minutes(minutes_ago);
    WebhookDelivery {
        id: WebhookDelivery::new_id(at),
        webhook_id: webhook.into(),
        event_id: format!("msg_{minutes_ago}"),
        kind: WebhookEventType::WebhookTest,
        body: "{}".into(),
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_attempt: None,
        next_attempt_at: Some(at),
        created_at: at,
    }
}

async fn endpoints_and_their_deliveries_are_kept_per_tenant_newest_delivery_first<S: WebhookStore + ?Sized>(store: &S) {
    let (acme, globex) = (tid("acme"), tid("globex"));
    store.put_webhook(&webhook("acme", "w1")).await.unwrap();
    store.put_webhook(&webhook("acme", "w2")).await.unwrap();
    store.put_webhook(&webhook("globex", "w9")).await.unwrap();
    let ids: Vec<String> = store.list_webhooks(&acme, 20).await.unwrap().into_iter().map(|w| w.id).collect();
    assert_eq!(ids, ["w1", "w2"]);
    let mut changed = webhook("acme", "w1");
    changed.disabled = Some(Disabled { at: Utc::now(), reason: "410".into() });
    store.put_webhook(&changed).await.unwrap();
    assert!(store.get_webhook(&acme, "w1").await.unwrap().unwrap().disabled.is_some());
    assert!(store.get_webhook(&globex, "w1").await.unwrap().is_none(), "another tenant's are apart");
    assert!(store.delete_webhook(&acme, "w2").await.unwrap());
    assert!(!store.delete_webhook(&acme, "w2").await.unwrap());

    let (old, mid, new) = (delivery("w1", 30), delivery("w1", 20), delivery("w1", 10));
    for d in [&mid, &old, &new] {
        store.put_delivery(&acme, d).await.unwrap();
    }
    store.put_delivery(&acme, &delivery("w3", 5)).await.unwrap();
    let first = store.list_deliveries(&acme, "w1", None, 2).await.unwrap();
    let events: Vec<&str> = first.items.iter().map(|d| d.event_id.as_str()).collect();
    assert_eq!(events, ["msg_10", "msg_20"], "newest first");
    let rest = store.list_deliveries(&acme, "w1", first.next_cursor.as_deref(), 2).await.unwrap();
    assert_eq!(rest.items.iter().map(|d| d.event_id.as_str()).collect::<Vec<_>>(), ["msg_30"]);
    let mut delivered = new.clone();
    delivered.status = DeliveryStatus::Delivered;
    delivered.attempts = 1;
    store.put_delivery(&acme, &delivered).await.unwrap();
    assert_eq!(store.get_delivery(&acme, "w1", &new.id).await.unwrap(), Some(delivered));
    assert!(store.get_delivery(&globex, "w1", &new.id).await.unwrap().is_none());
}

/// A change made over the record as read lands; one made over a record another change
/// replaced since does not (a delivery's health never undoes an admin's rotation).
async fn an_endpoint_is_replaced_only_as_it_was_read<S: WebhookStore + ?Sized>(store: &S) {
    let read = webhook("acme", "w1");
    store.put_webhook(&read).await.unwrap();
    let rotated =
        Webhook { secrets: vec![SigningSecret { secret: "whsec_bmV3".into(), expires_at: None }], ..read.clone() };
    assert!(store.replace_webhook(&read, &rotated).await.unwrap(), "over the record as read");
    let failing = Webhook { failing_since: Some(Utc::now()), ..read.clone() };
    assert!(!store.replace_webhook(&read, &failing).await.unwrap(), "over a record replaced since");
    let kept = store.get_webhook(&tid("acme"), "w1").await.unwrap().unwrap();
    assert_eq!((kept.secrets[0].secret.as_str(), kept.failing_since), ("whsec_bmV3", None), "the rotation stays");
    let gone = webhook("acme", "w2");
    assert!(!store.replace_webhook(&gone, &gone).await.unwrap(), "nothing to replace");
    assert!(store.get_webhook(&tid("acme"), "w2").await.unwrap().is_none(), "and nothing made");
}

conforms!(
    endpoints_and_their_deliveries_are_kept_per_tenant_newest_delivery_first,
    an_endpoint_is_replaced_only_as_it_was_read
);
