//! A tenant of many people in one group, as the load-shaped tests need it.

use chrono::Utc;
use missive::domain::*;
use missive::ports::Store;
use missive::usecases::Identity;
use missive::App;
use serde_json::json;

/// The tenant `acme` with `n` members (`{prefix}{i}`, named "Member {i}"), stored, and a group
/// of all of them that the first made.
pub async fn tenant_with_group(
    app: &App,
    store: &dyn Store,
    n: usize,
    prefix: &str,
) -> (Vec<Identity>, ConversationId) {
    let members = tenant_with_people(store, n, prefix, false).await;
    let others: Vec<&str> = members[1..].iter().map(|m| m.user_id.as_str()).collect();
    let group = app
        .conversations
        .create_conversation(
            &members[0],
            serde_json::from_value(json!({ "kind": "group", "title": "brigade", "memberIds": others })).unwrap(),
        )
        .await
        .unwrap()
        .value
        .conversation
        .id;
    (members, group)
}

/// The tenant `acme` with `n` people (`{prefix}{i}`, named "Member {i}", with an e-mail
/// address `{id}@example.com` when `emails`), stored; their identities.
pub async fn tenant_with_people(store: &dyn Store, n: usize, prefix: &str, emails: bool) -> Vec<Identity> {
    let tenant = TenantId::parse("acme").unwrap();
    let now = Utc::now();
    store.create_tenant(&Tenant::new(tenant.clone(), "Acme", now)).await.unwrap();
    let people: Vec<Identity> = (0..n)
        .map(|i| Identity {
            tenant_id: tenant.clone(),
            user_id: UserId::parse(format!("{prefix}{i}")).unwrap(),
            role: Role::Member,
            name: format!("Member {i}"),
            conversation_scope: None,
        })
        .collect();
    for who in &people {
        let user = User {
            tenant_id: tenant.clone(),
            id: who.user_id.clone(),
            name: DisplayName::parse(&who.name).unwrap(),
            email: emails.then(|| format!("{}@example.com", who.user_id)),
            locale: Locale::Fr,
            role: Role::Member,
            created_at: now,
            updated_at: now,
            suspended: false,
        };
        store.put_user(&user).await.unwrap();
    }
    people
}
