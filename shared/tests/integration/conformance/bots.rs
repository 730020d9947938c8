//! Bots and their keys, and inbound hooks: a bot read back as written, a key found by its hash
//! and gone once deleted, a hook kept and deleted, each tenant's apart.

use chrono::Utc;
use missive::domain::*;
use missive::ports::*;

use super::*;

async fn bots_and_their_keys_are_kept_per_tenant<S: BotStore + ?Sized>(store: &S) {
    let (acme, globex) = (tid("acme"), tid("globex"));
    let bot = Bot {
        tenant_id: acme.clone(),
        id: uid("concierge"),
        key_hash: Some("ab".repeat(32)),
        created_by: uid("boss"),
        created_at: Utc::now(),
    };
    store.put_bot(&bot).await.unwrap();
    assert_eq!(store.get_bot(&acme, &uid("concierge")).await.unwrap(), Some(bot.clone()));
    assert!(store.get_bot(&globex, &uid("concierge")).await.unwrap().is_none());
    assert_eq!(store.list_bots(&acme, 10).await.unwrap(), vec![bot]);

    let key = BotKey { bot_id: uid("concierge"), created_at: Utc::now() };
    let hash = "cd".repeat(32);
    store.put_bot_key(&acme, &hash, &key).await.unwrap();
    assert_eq!(store.get_bot_key(&acme, &hash).await.unwrap(), Some(key));
    assert!(store.get_bot_key(&globex, &hash).await.unwrap().is_none(), "another tenant's key");
    assert!(store.delete_bot_key(&acme, &hash).await.unwrap());
    assert!(store.get_bot_key(&acme, &hash).await.unwrap().is_none());
    assert!(!store.delete_bot_key(&acme, &hash).await.unwrap());

    let hook = InboundHook {
        tenant_id: acme.clone(),
        id: "acme.01kdx".into(),
        conversation_id: ConversationId::parse("c1").unwrap(),
        bot_id: uid("hook-01kdx"),
        name: "Dispatch".into(),
        secret_hash: "ef".repeat(32),
        created_by: uid("boss"),
        created_at: Utc::now(),
    };
    store.put_hook(&hook).await.unwrap();
    assert_eq!(store.get_hook(&acme, "acme.01kdx").await.unwrap(), Some(hook));
    assert!(store.get_hook(&globex, "acme.01kdx").await.unwrap().is_none());
    assert!(store.delete_hook(&acme, "acme.01kdx").await.unwrap());
    assert!(store.get_hook(&acme, "acme.01kdx").await.unwrap().is_none());
}

conforms!(bots_and_their_keys_are_kept_per_tenant);
