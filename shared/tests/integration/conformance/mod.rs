//! The ports' contracts, each written once and run against every adapter. A suite is generic
//! over its port's trait, so it reads what that port promises. The storage ports' suites run
//! on the embedded store and on DynamoDB on moto (a fresh table each), through `conforms!`;
//! the job queue, push, mailer and file suites (`queues`, `push`, `mail`, `files`) on the
//! local runtime's adapters and on SQS, API Gateway's management API, SES and S3.

mod audit;
mod bots;
mod connections;
mod conversations;
mod directory;
mod documents;
mod effects;
mod events;
pub mod files;
mod mail;
mod messages;
mod notifications;
mod offboarding;
mod pins;
mod push;
mod push_credentials;
mod queues;
mod reactions;
mod retention;

mod schedule;
mod threads;
mod throttles;
mod usage;
mod webhooks;

use std::sync::Arc;

use chrono::Utc;
use missive::adapters::dynamo::DynamoStore;
use missive::adapters::embedded::EmbeddedStore;
use missive::domain::*;
use missive::ports::{AttachmentTaken, ConversationStore, MessageStore, Store, StoreResult, Upserted};

/// A fresh embedded store; its directory lives as long as the store is used.
pub fn embedded() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (Arc::new(EmbeddedStore::open(dir.path()).unwrap()), dir)
}

/// A fresh DynamoDB table on moto.
pub async fn dynamodb() -> Arc<dyn Store> {
    let sdk = crate::aws_support::sdk_config().await;
    let table = crate::aws_support::unique_name("conformance");
    assert!(missive::adapters::aws::provision::create_table(&sdk, &table).await.unwrap());
    assert!(!missive::adapters::aws::provision::create_table(&sdk, &table).await.unwrap(), "setup is idempotent");
    let store: Arc<dyn Store> = Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table));
    store.health().await.unwrap();
    store
}

/// `conforms!(suite)` runs `suite(&store)` on both adapters, as two tests.
macro_rules! conforms {
    ($($suite:ident),* $(,)?) => {
        $(
            mod $suite {
                #[tokio::test]
                async fn on_the_embedded_store() {
                    let (store, _dir) = crate::conformance::embedded();
                    store.health().await.unwrap();
                    super::$suite(store.as_ref()).await;
                }

                #[tokio::test]
                async fn on_dynamodb() {
                    let store = crate::conformance::dynamodb().await;
                    super::$suite(store.as_ref()).await;
                }
            }
        )*
    };
}
pub(crate) use conforms;

pub fn tid(s: &str) -> TenantId {
    TenantId::parse(s).unwrap()
}

pub fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

pub fn tenant(id: &str) -> Tenant {
    Tenant::new(tid(id), id, Utc::now())
}

pub fn user(t: &str, id: &str) -> User {
    User {
        tenant_id: tid(t),
        id: uid(id),
        name: DisplayName::parse(id).unwrap(),
        email: None,
        locale: Locale::Fr,
        role: Role::Member,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        suspended: false,
    }
}

pub fn conversation(t: &str, id: &str) -> Conversation {
    Conversation::new(
        tid(t),
        ConversationId::parse(id).unwrap(),
        ConversationKind::Group,
        Some(id.into()),
        None,
        uid("u1"),
        Utc::now(),
        vec![],
    )
}

pub fn members(ids: &[&str]) -> Vec<Member> {
    ids.iter().map(|u| Member::new(uid(u), MemberRole::Member, Utc::now())).collect()
}

pub fn message(c: &Conversation, id: &str, sender: &str, cmid: Option<&str>) -> Message {
    Message {
        tenant_id: c.tenant_id.clone(),
        conversation_id: c.id.clone(),
        id: MessageId::parse(id).unwrap(),
        sender_id: uid(sender),
        sender_name: sender.into(),
        sender_bot: false,
        mentions: Vec::new(),
        body: Some(MessageBody::parse(format!("body of {id}")).unwrap()),
        attachments: Vec::new(),
        client_message_id: cmid.map(|c| ClientMessageId::parse(c).unwrap()),
        kind: MessageKind::User,
        system: None,
        created_at: Utc::now(),
        edited_at: None,
        deleted_at: None,
        reactions: Vec::new(),
        parent_id: None,
        also_in_conversation: false,
        reply_count: 0,
        last_reply_at: None,
        reply_user_ids: Vec::new(),
    }
}

/// Appends a message with its `message.new` event, whose cursor is the message's id, to the
/// conversation as it is stored.
pub async fn append<S: ConversationStore + MessageStore + ?Sized>(
    store: &S,
    m: &Message,
) -> StoreResult<Upserted<Message>> {
    Ok(append_attaching(store, m, &[]).await?.expect("nothing attached, nothing taken"))
}

/// [`append`], the message attaching `uploads`.
pub async fn append_attaching<S: ConversationStore + MessageStore + ?Sized>(
    store: &S,
    m: &Message,
    uploads: &[Upload],
) -> StoreResult<Result<Upserted<Message>, AttachmentTaken>> {
    let event = LoggedEvent {
        id: EventId::parse(m.id.as_str()).unwrap(),
        frame: format!(r#"{{"type":"message.new","cursor":"{}"}}"#, m.id),
        expires_at: Utc::now() + chrono::Duration::hours(1),
    };
    let conversation = store.get_conversation(&m.tenant_id, &m.conversation_id).await?.expect("the conversation");
    store.append_message(&conversation, m, &event, uploads).await
}
