//! Tenants, users and last-seen times, storefronts.

use chrono::{Duration, Utc};
use missive::domain::*;
use missive::ports::*;

use super::*;

async fn tenants_and_users<S: TenantStore + UserStore + ?Sized>(store: &S) {
    assert!(store.create_tenant(&tenant("t1")).await.unwrap().created);
    let again = store.create_tenant(&Tenant { name: "other".into(), ..tenant("t1") }).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.value.name, "t1", "the first tenant is kept");
    assert!(store.get_tenant(&tid("nope")).await.unwrap().is_none());

    for u in ["b", "a", "c"] {
        store.put_user(&user("t1", u)).await.unwrap();
    }
    store.put_user(&user("t2", "z")).await.unwrap();
    let first = store.list_users(&tid("t1"), None, 2).await.unwrap();
    assert_eq!(first.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    let after = uid(first.next_cursor.as_deref().unwrap());
    let rest = store.list_users(&tid("t1"), Some(&after), 2).await.unwrap();
    assert_eq!(rest.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["c"]);
    assert!(rest.next_cursor.is_none());
    assert!(store.get_user(&tid("t2"), &uid("a")).await.unwrap().is_none(), "tenants are apart");
    let some = store.get_users(&tid("t1"), &[uid("c"), uid("nobody"), uid("a")]).await.unwrap();
    let mut names: Vec<_> = some.iter().map(|u| u.id.as_str()).collect();
    names.sort();
    assert_eq!(names, ["a", "c"]);
    assert!(store.get_users(&tid("t2"), &[uid("a")]).await.unwrap().is_empty());
}

async fn last_seen_times_are_kept_per_user<S: UserStore + ?Sized>(store: &S) {
    let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    store.put_last_seen(&tid("t1"), &uid("u1"), at).await.unwrap();
    store.put_last_seen(&tid("t1"), &uid("u1"), at + Duration::seconds(5)).await.unwrap();
    store.put_last_seen(&tid("t1"), &uid("u2"), at).await.unwrap();
    let mut seen = store.get_last_seen(&tid("t1"), &[uid("u1"), uid("u2"), uid("never")]).await.unwrap();
    seen.sort();
    assert_eq!(seen, vec![(uid("u1"), at + Duration::seconds(5)), (uid("u2"), at)]);
    assert!(store.get_last_seen(&tid("t2"), &[uid("u1")]).await.unwrap().is_empty());
}

async fn storefronts_are_found_from_their_id_alone<S: StorefrontStore + ?Sized>(store: &S) {
    let sf = Storefront {
        tenant_id: tid("t1"),
        id: StorefrontId::parse("sf1").unwrap(),
        title: "Fleurs".into(),
        partner_ids: vec![uid("p1")],
        created_at: Utc::now(),
    };
    store.put_storefront(&sf).await.unwrap();
    assert_eq!(store.storefront_tenant(&sf.id).await.unwrap(), Some(tid("t1")));
    assert_eq!(store.get_storefront(&tid("t1"), &sf.id).await.unwrap(), Some(sf.clone()));
    assert!(store.get_storefront(&tid("t2"), &sf.id).await.unwrap().is_none());
}

/// A browser's preflight names no tenant: the origins tenants allow are indexed, and the index
/// follows each tenant's changes.
async fn origins_are_allowed_while_a_tenant_lists_them<S: TenantStore + ?Sized>(store: &S) {
    let shop = "https://shop.example";
    assert!(!store.origin_allowed(shop).await.unwrap());
    let with = |id: &str, origins: &[&str]| Tenant {
        allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
        ..tenant(id)
    };
    assert!(store.create_tenant(&with("t1", &[shop])).await.unwrap().created);
    assert!(store.create_tenant(&with("t2", &[shop, "http://localhost:5173"])).await.unwrap().created);
    assert!(store.origin_allowed(shop).await.unwrap());
    assert!(store.origin_allowed("http://localhost:5173").await.unwrap());
    assert!(!store.origin_allowed("https://shop.example.evil").await.unwrap(), "exact origins only");

    store.put_tenant(&with("t1", &[])).await.unwrap();
    assert!(store.origin_allowed(shop).await.unwrap(), "t2 still lists it");
    store.put_tenant(&with("t2", &["https://new.example"])).await.unwrap();
    assert!(!store.origin_allowed(shop).await.unwrap(), "nobody lists it any more");
    assert!(!store.origin_allowed("http://localhost:5173").await.unwrap());
    assert!(store.origin_allowed("https://new.example").await.unwrap());
    assert_eq!(store.get_tenant(&tid("t2")).await.unwrap().unwrap().allowed_origins, ["https://new.example"]);
}

/// A tenant's moderation policy: none until set, then the last one set, apart per tenant.
async fn moderation_policies_are_kept_per_tenant<S: TenantStore + ?Sized>(store: &S) {
    assert!(store.get_moderation(&tid("t1")).await.unwrap().is_none());
    let policy = ModerationPolicy {
        tenant_id: tid("t1"),
        rules: vec![ModerationRule {
            kinds: vec![ConversationKind::Storefront],
            words: vec!["arnaque".into()],
            patterns: vec![r"(?i)whats?app".into()],
            contacts: vec![ContactKind::Phone, ContactKind::Email],
            action: ModerationAction::Mask,
        }],
        pre_send_hook: Some(PreSendHook { url: "https://hooks.example/presend".into(), failure: HookFailure::Closed }),
        hook_secret: Some("whsec_c2VjcmV0".into()),
        updated_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
    };
    store.put_moderation(&policy).await.unwrap();
    assert_eq!(store.get_moderation(&tid("t1")).await.unwrap(), Some(policy.clone()));
    assert!(store.get_moderation(&tid("t2")).await.unwrap().is_none(), "tenants are apart");
    let cleared = ModerationPolicy { rules: vec![], pre_send_hook: None, hook_secret: None, ..policy };
    store.put_moderation(&cleared).await.unwrap();
    assert_eq!(store.get_moderation(&tid("t1")).await.unwrap(), Some(cleared));
}

/// An erasure's first step: the user's record, last-seen time, connections and feed go; the
/// others' stay; a marker (named by no one) keeps them from coming back until unmarked.
async fn a_user_is_forgotten_with_what_is_kept_under_them<
    S: UserStore + ConnectionStore + EventFeed + ErasedUserStore + ?Sized,
>(
    store: &S,
) {
    let (t, now) = (tid("t1"), Utc::now());
    for u in ["gone", "stays"] {
        store.put_user(&user("t1", u)).await.unwrap();
        store.put_last_seen(&t, &uid(u), now).await.unwrap();
        let connection = Connection {
            tenant_id: t.clone(),
            user_id: uid(u),
            id: ConnectionId::parse(format!("conn-{u}")).unwrap(),
            connected_at: now,
            last_seen_at: now,
            expires_at: now + Duration::hours(2),
        };
        store.put_connection(&connection).await.unwrap();
        let event = LoggedEvent {
            id: EventId::parse("01EV").unwrap(),
            frame: r#"{"type":"notification.new"}"#.into(),
            expires_at: now + Duration::days(7),
        };
        store.append_user_events(&t, &[uid(u)], &event).await.unwrap();
    }
    store.delete_user(&t, &uid("gone")).await.unwrap();
    store.delete_user(&t, &uid("never-was")).await.unwrap();
    for (u, kept) in [("gone", false), ("stays", true)] {
        assert_eq!(store.get_user(&t, &uid(u)).await.unwrap().is_some(), kept, "{u}'s record");
        assert_eq!(store.get_last_seen(&t, &[uid(u)]).await.unwrap().len(), usize::from(kept), "{u} last seen");
        assert_eq!(store.list_user_connections(&t, &uid(u), now).await.unwrap().len(), usize::from(kept), "{u}");
        let (feed, _) = store.list_user_events(&t, &uid(u), None, 10, now).await.unwrap();
        assert_eq!(feed.len(), usize::from(kept), "{u}'s feed");
    }

    assert!(!store.is_erased(&t, &uid("gone")).await.unwrap());
    store.mark_erased(&t, &uid("gone"), now).await.unwrap();
    assert!(store.is_erased(&t, &uid("gone")).await.unwrap());
    assert!(!store.is_erased(&tid("t2"), &uid("gone")).await.unwrap(), "tenants are apart");
    assert!(!store.is_erased(&t, &uid("stays")).await.unwrap());
    assert!(store.unmark_erased(&t, &uid("gone")).await.unwrap());
    assert!(!store.is_erased(&t, &uid("gone")).await.unwrap());
    assert!(!store.unmark_erased(&t, &uid("gone")).await.unwrap());
}

conforms!(
    a_user_is_forgotten_with_what_is_kept_under_them,
    moderation_policies_are_kept_per_tenant,
    tenants_and_users,
    last_seen_times_are_kept_per_user,
    storefronts_are_found_from_their_id_alone,
    origins_are_allowed_while_a_tenant_lists_them
);
