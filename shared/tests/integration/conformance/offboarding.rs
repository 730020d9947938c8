//! A tenant's removal: step after step until nothing is left — its record, origins, moderation,
//! people, storefronts, conversations (and the pair keys they were created under), messages,
//! notifications, preferences, scheduled jobs, effects and claims — and another tenant keeps
//! all of its own. The offboarding's record outlives the tenant.

use chrono::{Duration, Utc};
use missive::domain::*;
use missive::ports::*;

use super::*;

/// A tenant with a little of everything, all of it named after the tenant.
async fn populate<S: Store + ?Sized>(store: &S, t: &str) -> Tenant {
    let mut tenant = Tenant::new(tid(t), t, Utc::now());
    tenant.allowed_origins = vec![format!("https://{t}.example")];
    assert!(store.create_tenant(&tenant).await.unwrap().created);
    store.put_tenant(&tenant).await.unwrap();
    let policy = ModerationPolicy {
        tenant_id: tid(t),
        rules: vec![],
        pre_send_hook: None,
        hook_secret: None,
        updated_at: Utc::now(),
    };
    store.put_moderation(&policy).await.unwrap();
    for u in ["u1", "u2"] {
        store.put_user(&user(t, u)).await.unwrap();
        store.put_last_seen(&tid(t), &uid(u), Utc::now()).await.unwrap();
        store.put_preferences(&tid(t), &uid(u), &Preferences::default()).await.unwrap();
    }
    let storefront = Storefront {
        tenant_id: tid(t),
        id: StorefrontId::parse(format!("sf-{t}")).unwrap(),
        title: "Fleurs".into(),
        partner_ids: vec![uid("u1")],
        created_at: Utc::now(),
    };
    store.put_storefront(&storefront).await.unwrap();
    let group = conversation(t, "0OA");
    store.create_conversation(&group, &members(&["u1", "u2"]), Some("pair")).await.unwrap();
    for i in 0..30 {
        append(store, &message(&group, &format!("0OB{i:02}"), "u1", Some(&format!("k{i}")))).await.unwrap();
    }
    store.create_conversation(&conversation(t, "0OC"), &members(&["u2"]), None).await.unwrap();
    let notification = super::notifications::notification_of(t, "u2", "0ON");
    store.put_notification(&notification).await.unwrap();
    let job = Job::new(
        &tid(t),
        JobId::parse("later").unwrap(),
        Task::SendEmails(SendEmails { user_id: uid("u1"), digest: true }),
    );
    store.schedule_job(&ScheduledJob { job, due_at: Utc::now() - Duration::minutes(1) }).await.unwrap();
    let now = Utc::now();
    store.begin_effect(&tid(t), "job-1", now, now + Duration::minutes(1)).await.unwrap();
    store.finish_effect(&tid(t), "job-1", now + Duration::days(1)).await.unwrap();
    assert!(store.try_claim(&tid(t), "mailcheck:u1", now, now + Duration::hours(1)).await.unwrap());
    tenant
}

async fn an_offboarded_tenant_leaves_nothing_and_another_keeps_everything<S: Store + ?Sized>(store: &S) {
    let gone = populate(store, "o1").await;
    populate(store, "o2").await;
    let mut removed = 0;
    let mut steps = 0;
    loop {
        // A small budget: a conversation's records go over several steps.
        let went = store.remove_tenant_records(&gone, 7).await.unwrap();
        assert!(went <= 9, "a step stays near its budget: {went}");
        removed += went;
        steps += 1;
        if went == 0 {
            break;
        }
        assert!(steps < 200, "the removal ends");
    }
    assert!(removed > 40, "{removed} records");
    assert_eq!(store.remove_tenant_records(&gone, 7).await.unwrap(), 0, "nothing left: nothing more to do");

    let (o1, o2) = (tid("o1"), tid("o2"));
    assert_eq!(store.get_tenant(&o1).await.unwrap(), None);
    assert!(!store.origin_allowed("https://o1.example").await.unwrap());
    assert_eq!(store.get_moderation(&o1).await.unwrap(), None);
    assert_eq!(store.get_user(&o1, &uid("u1")).await.unwrap(), None);
    assert!(store.list_users(&o1, None, 10).await.unwrap().items.is_empty());
    assert!(store.get_last_seen(&o1, &[uid("u1")]).await.unwrap().is_empty());
    assert_eq!(store.get_preferences(&o1, &uid("u1")).await.unwrap(), None);
    assert_eq!(store.storefront_tenant(&StorefrontId::parse("sf-o1").unwrap()).await.unwrap(), None);
    assert!(store.list_tenant_conversations(&o1, None, 10).await.unwrap().items.is_empty());
    assert_eq!(store.get_conversation(&o1, &ConversationId::parse("0OA").unwrap()).await.unwrap(), None);
    assert!(store.list_user_conversation_ids(&o1, &uid("u1")).await.unwrap().is_empty());
    assert!(store.list_notifications(&o1, &uid("u2"), false, None, 10).await.unwrap().items.is_empty());
    let due: Vec<TenantId> =
        store.list_due_jobs(Utc::now(), 50).await.unwrap().into_iter().map(|d| d.job.tenant_id).collect();
    assert_eq!(due, std::slice::from_ref(&o2), "only the other tenant's job is due");
    let now = Utc::now();
    assert_eq!(store.begin_effect(&o1, "job-1", now, now + Duration::minutes(1)).await.unwrap(), EffectClaim::Acquired);
    assert!(store.try_claim(&o1, "mailcheck:u1", now, now + Duration::hours(1)).await.unwrap());
    // The pair's key is free: created again, a new conversation.
    let again = conversation("o1", "0OD");
    assert!(store.create_conversation(&again, &members(&["u1"]), Some("pair")).await.unwrap().created);

    // The other tenant keeps everything.
    assert!(store.get_tenant(&o2).await.unwrap().is_some());
    assert!(store.origin_allowed("https://o2.example").await.unwrap());
    assert_eq!(store.list_users(&o2, None, 10).await.unwrap().items.len(), 2);
    assert_eq!(store.storefront_tenant(&StorefrontId::parse("sf-o2").unwrap()).await.unwrap(), Some(o2.clone()));
    assert_eq!(store.list_tenant_conversations(&o2, None, 10).await.unwrap().items.len(), 2);
    let history =
        store.list_messages(&o2, &ConversationId::parse("0OA").unwrap(), &HistoryRange::Latest, 50).await.unwrap();
    assert_eq!(history.messages.len(), 30);
    assert_eq!(store.list_notifications(&o2, &uid("u2"), false, None, 10).await.unwrap().items.len(), 1);
    assert_eq!(store.begin_effect(&o2, "job-1", now, now + Duration::minutes(1)).await.unwrap(), EffectClaim::Done);
    assert!(!store.try_claim(&o2, "mailcheck:u1", now, now + Duration::hours(1)).await.unwrap());

    // The offboarding's record is kept apart.
    let record = Offboarding {
        tenant_id: o1.clone(),
        requested_at: now,
        records_removed: removed,
        files_removed: 0,
        completed_at: Some(now),
    };
    store.put_offboarding(&record).await.unwrap();
    assert_eq!(store.get_offboarding(&o1).await.unwrap(), Some(record));
    assert_eq!(store.get_offboarding(&o2).await.unwrap(), None);
}

conforms!(an_offboarded_tenant_leaves_nothing_and_another_keeps_everything);
