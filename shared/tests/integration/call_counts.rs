//! What each main use case costs in DynamoDB calls, counted by an SDK interceptor on a real
//! client talking to moto. docs/data-model.md states these numbers; a change that makes a
//! use case cost more calls fails here and must update both.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use chrono::{DurationRound, Utc};
use missive::adapters::dynamo::DynamoStore;
use missive::config::Config;
use missive::domain::*;
use missive::ports::*;

use crate::fakes::{RecordingPush, RecordingQueue};
use missive::usecases::messages::Outgoing;
use missive::usecases::Identity;
use missive::{ws, App};
use serde_json::json;

/// Counts calls by operation, and the sequential round trips they made: a call's round trip
/// is one after the latest of those that had finished when it started — calls made at the
/// same time share one.
#[derive(Debug, Default, Clone)]
struct CallCounter(Arc<Mutex<Calls>>);

#[derive(Debug, Default)]
struct Calls {
    names: Vec<String>,
    /// The latest round trip of the calls finished so far.
    finished: usize,
    /// The latest round trip of any call so far.
    deepest: usize,
}

/// A call's round trip, kept in its own config bag from its start to its end.
#[derive(Debug, Clone)]
struct RoundTrip(usize);

impl Storable for RoundTrip {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg.load::<Metadata>().map_or("?", |m| m.name()).to_string();
        let mut calls = self.0.lock().unwrap();
        calls.names.push(name);
        let round_trip = calls.finished + 1;
        calls.deepest = calls.deepest.max(round_trip);
        cfg.interceptor_state().store_put(RoundTrip(round_trip));
        Ok(())
    }
    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let round_trip = cfg.load::<RoundTrip>().map_or(0, |r| r.0);
        let mut calls = self.0.lock().unwrap();
        calls.finished = calls.finished.max(round_trip);
        Ok(())
    }
}

impl CallCounter {
    /// The calls made since the last take, by operation.
    fn take(&self) -> BTreeMap<String, usize> {
        self.take_with_round_trips().0
    }

    /// The calls made since the last take, by operation, and how many round trips they made
    /// one after another.
    fn take_with_round_trips(&self) -> (BTreeMap<String, usize>, usize) {
        let mut calls = self.0.lock().unwrap();
        let mut counts = BTreeMap::new();
        for op in calls.names.drain(..) {
            *counts.entry(op).or_insert(0) += 1;
        }
        let round_trips = calls.deepest;
        (calls.finished, calls.deepest) = (0, 0);
        (counts, round_trips)
    }
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

pub(crate) fn ws_event(
    route: &str,
    connection: &str,
    who: &Identity,
    body: Option<serde_json::Value>,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = ApiGatewayWebsocketProxyRequest::default();
    event.request_context.route_key = Some(route.into());
    event.request_context.connection_id = Some(connection.into());
    event.request_context.authorizer.fields = missive::ws::api_gateway::authorizer_context(who).into_iter().collect();
    event.body = body.map(|b| b.to_string());
    event
}

#[tokio::test]
async fn each_use_case_costs_a_fixed_number_of_dynamodb_calls() {
    let sdk = crate::aws_support::sdk_config().await;
    let table = crate::aws_support::unique_name("calls");
    missive::adapters::aws::provision::create_table(&sdk, &table).await.unwrap();
    let counter = CallCounter::default();
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk).interceptor(counter.clone()).build(),
    );
    let store = Arc::new(DynamoStore::new(client, table));
    let mut config = Config::new("call-count-secret-0123", "pk");
    // Long enough that the second authentication below is served from memory however slow
    // the machine is.
    config.limits.directory_cache_ttl = std::time::Duration::from_secs(3600);
    let (files, _files_dir) = crate::conformance::files::local_files().await;
    // The clock stands still within a minute, so that the tenant's quota of messages is one
    // window throughout (its lease's cost is measured apart, below).
    let minute = Utc::now().duration_trunc(chrono::Duration::minutes(1)).unwrap() + chrono::Duration::seconds(1);
    let clock = Arc::new(crate::fakes::ManualClock::at(minute));
    let app = App::new(
        config,
        store.clone(),
        Arc::new(RecordingPush::default()),
        Arc::new(RecordingQueue::default()),
        Arc::new(crate::fakes::RecordingMailer::default()),
    )
    .with_files(files)
    .with_clock(clock.clone());
    let tenant = TenantId::parse("acme").unwrap();
    store.create_tenant(&Tenant::new(tenant.clone(), "Acme", Utc::now())).await.unwrap();
    let identity = |user: &str| Identity {
        tenant_id: tenant.clone(),
        user_id: UserId::parse(user).unwrap(),
        role: Role::Member,
        name: user.into(),
        conversation_scope: None,
    };
    for u in ["alice", "bob"] {
        let now = Utc::now();
        store
            .put_user(&User {
                tenant_id: tenant.clone(),
                id: UserId::parse(u).unwrap(),
                name: DisplayName::parse(u).unwrap(),
                email: None,
                locale: Locale::Fr,
                role: Role::Member,
                created_at: now,
                updated_at: now,
                suspended: false,
            })
            .await
            .unwrap();
    }
    let (alice, bob) = (identity("alice"), identity("bob"));
    let conversation = app
        .conversations
        .create_conversation(&alice, serde_json::from_value(json!({ "kind": "direct", "userId": "bob" })).unwrap())
        .await
        .unwrap()
        .value
        .conversation
        .id;
    // Some history, and other conversations in the tenant, which must not change the costs.
    for i in 0..30 {
        app.messages.send_message(&bob, &conversation, &Outgoing::text(format!("m{i}")), None).await.unwrap();
    }
    for other in ["carol", "dave", "erin"] {
        store
            .put_user(&User {
                id: UserId::parse(other).unwrap(),
                ..store.get_user(&tenant, &alice.user_id).await.unwrap().unwrap()
            })
            .await
            .unwrap();
        app.conversations
            .create_conversation(
                &identity(other),
                serde_json::from_value(json!({ "kind": "direct", "userId": "bob" })).unwrap(),
            )
            .await
            .unwrap();
    }
    counter.take();

    // This process holds a lease of the tenant's messages for the minute: a send asks the store
    // nothing for its quota (a lease that runs out is measured below).
    app.services.quota_leases.keep(&tenant, minute.duration_trunc(chrono::Duration::minutes(1)).unwrap(), 10_000);
    // As in a fresh ws-connect environment: the tenant not in the directory cache.
    app.services.directory.forget_tenant(&tenant);
    assert_eq!(ws::api_gateway::connect(&app, &ws_event("$connect", "alice-1=", &alice, None)).await.status_code, 200);
    assert_eq!(
        counter.take(),
        counts(&[("BatchGetItem", 1), ("GetItem", 1), ("UpdateItem", 2)]),
        "connect: the tenant's connections quota (its own limit, if it has one; the earlier slots' counts read, \
         the current slot's added to within the limit), then the connection, into her connections item, which answers with all of them (her \
         first: its presence announcement is queued)"
    );
    ws::api_gateway::connect(&app, &ws_event("$connect", "bob-1=", &bob, None)).await;
    counter.take();

    let token = missive::auth::mint_platform_token(
        b"call-count-secret-0123",
        &missive::auth::Claims {
            sub: "alice".into(),
            tid: "acme".into(),
            role: Some("member".into()),
            name: Some("alice".into()),
            email: None,
            locale: Some("fr".into()),
            exp: Utc::now().timestamp() + 60,
            nbf: None,
            iss: None,
            aud: None,
            cid: None,
        },
    )
    .unwrap();
    app.services.directory.forget_tenant(&tenant);
    app.identity.authenticate(&token).await.unwrap();
    assert_eq!(counter.take(), counts(&[("GetItem", 2)]), "authenticating a known user: the tenant and the user");
    app.identity.authenticate(&token).await.unwrap();
    assert_eq!(counter.take(), counts(&[]), "authenticating them again within the directory cache's time: no call");

    let send =
        json!({ "action": "sendMessage", "conversationId": conversation, "body": "hello", "clientMessageId": "c1" });
    assert_eq!(
        ws::api_gateway::message(&app, &ws_event("sendMessage", "alice-1=", &alice, Some(send))).await.status_code,
        200
    );
    let one_send = counts(&[("BatchGetItem", 1), ("Query", 1), ("TransactWriteItems", 1)]);
    assert_eq!(
        counter.take_with_round_trips(),
        (one_send.clone(), 3),
        "sending in a direct conversation (two members, one connection each): the conversation with its members; \
         then the message with its idempotency record and log entry, the conversation's head and the sender's read \
         marker in one transaction; then, the message stored, the members' connections"
    );
    // A new minute: the process has no lease of the tenant's quota left, and takes one from the
    // store while it reads the conversation.
    let next_minute = minute + chrono::Duration::minutes(1);
    clock.set(next_minute);
    let send = json!({ "action": "sendMessage", "conversationId": conversation, "body": "new minute" });
    assert_eq!(
        ws::api_gateway::message(&app, &ws_event("sendMessage", "alice-1=", &alice, Some(send))).await.status_code,
        200
    );
    let mut leased = one_send.clone();
    leased.insert("UpdateItem".into(), 1);
    assert_eq!(counter.take_with_round_trips(), (leased, 3), "a send that takes a lease of the tenant's quota");
    app.services.quota_leases.keep(&tenant, next_minute.duration_trunc(chrono::Duration::minutes(1)).unwrap(), 10_000);

    // The same in groups: nothing grows with the group, up to the fan-out threshold (the
    // members' connections are one call per hundred), and above it, where queue workers
    // look the connections up.
    for size in [40_usize, 120] {
        let mut member_ids = Vec::new();
        for i in 0..size {
            let id = format!("member-{size}-{i}");
            store
                .put_user(&User {
                    id: UserId::parse(&id).unwrap(),
                    ..store.get_user(&tenant, &alice.user_id).await.unwrap().unwrap()
                })
                .await
                .unwrap();
            member_ids.push(id);
        }
        counter.take();
        let group = app
            .conversations
            .create_conversation(
                &alice,
                serde_json::from_value(json!({ "kind": "group", "title": "crew", "memberIds": member_ids })).unwrap(),
            )
            .await
            .unwrap()
            .value
            .conversation
            .id;
        // The members are checked and named in batches of a hundred, never one read each.
        let created = counter.take();
        assert_eq!(created.get("GetItem").copied().unwrap_or(0), 0, "creating a group of {}: {created:?}", size + 1);
        let batches = created.get("BatchGetItem").copied().unwrap_or(0);
        assert!(batches <= 3 * size.div_ceil(100) + 2, "creating a group of {}: {created:?}", size + 1);
        let send = json!({ "action": "sendMessage", "conversationId": group, "body": "all", "clientMessageId": "g1" });
        assert_eq!(
            ws::api_gateway::message(&app, &ws_event("sendMessage", "alice-1=", &alice, Some(send))).await.status_code,
            200
        );
        let expected = if size <= app.config.limits.fan_out_threshold {
            (one_send.clone(), 3)
        } else {
            (counts(&[("Query", 1), ("TransactWriteItems", 1)]), 2)
        };
        assert_eq!(counter.take_with_round_trips(), expected, "sending in a group of {}", size + 1);
    }

    let repeat =
        json!({ "action": "sendMessage", "conversationId": conversation, "body": "hello", "clientMessageId": "c1" });
    assert_eq!(
        ws::api_gateway::message(&app, &ws_event("sendMessage", "alice-1=", &alice, Some(repeat))).await.status_code,
        200
    );
    assert_eq!(
        counter.take(),
        counts(&[("BatchGetItem", 1), ("GetItem", 2), ("Query", 1), ("TransactWriteItems", 1)]),
        "a repeated send: the transaction refused, the first message found through its idempotency record, \
         and pushed again (the members' connections)"
    );

    let mut uploads = Vec::new();
    for name in ["a.pdf", "b.pdf"] {
        let declared = serde_json::from_value(json!({ "name": name, "contentType": "application/pdf", "size": 9 }));
        let ticket = app.attachments.create_upload(&alice, &conversation, declared.unwrap()).await.unwrap();
        let form = UploadForm { url: ticket.url, fields: ticket.fields.into_iter().collect() };
        assert_eq!(crate::conformance::files::post(&form, b"%PDF-1.7\n".to_vec()).await, 204);
        uploads.push(ticket.upload_id);
    }
    counter.take();
    let with_files = json!({ "action": "sendMessage", "conversationId": conversation, "attachments": uploads });
    assert_eq!(
        ws::api_gateway::message(&app, &ws_event("sendMessage", "alice-1=", &alice, Some(with_files)))
            .await
            .status_code,
        200
    );
    assert_eq!(
        counter.take_with_round_trips(),
        (counts(&[("BatchGetItem", 1), ("GetItem", 4), ("Query", 1), ("TransactWriteItems", 1)]), 3),
        "sending two files: a send, and each upload's record and its image's size, read with the conversation; \
         the uploads are taken in the message's transaction"
    );

    app.conversations.list_conversations(&bob, &Default::default(), None, 20).await.unwrap();
    assert_eq!(
        counter.take(),
        counts(&[("BatchGetItem", 1), ("Query", 1)]),
        "one page of conversations: bob's memberships, then their conversations (up to 100 a call)"
    );

    app.messages.history(&alice, &conversation, None, None, Some(20)).await.unwrap();
    assert_eq!(
        counter.take_with_round_trips(),
        (counts(&[("BatchGetItem", 1), ("Query", 3)]), 2),
        "one page of history: the membership check and the page, at the same time; then the page's \
         reactions — their totals and the reader's own — at the same time"
    );

    let first = app.messages.history(&bob, &conversation, None, None, Some(1)).await.unwrap().messages[0].id.clone();
    counter.take();
    app.reactions.react(&bob, &conversation, first.as_str(), "👍", true, None).await.unwrap();
    assert_eq!(
        counter.take_with_round_trips(),
        (
            counts(&[
                ("BatchGetItem", 1),
                ("GetItem", 2),
                ("PutItem", 1),
                ("Query", 1),
                ("TransactWriteItems", 1),
                ("UpdateItem", 1)
            ]),
            5
        ),
        "a reaction, whatever the group: the conversation with its members and the message at once; the \
         reaction with its message's counts (one transaction); the counts read; the event logged; the \
         members' connections"
    );

    for (also, expected, why) in [
        (
            false,
            (
                counts(&[
                    ("BatchGetItem", 1),
                    ("GetItem", 1),
                    ("Query", 1),
                    ("TransactWriteItems", 1),
                    ("UpdateItem", 1),
                ]),
                4,
            ),
            "a reply in its thread only, whatever the group: the conversation with its members and the parent at \
             once; the reply, its thread entry, its log entry and the parent's count in one transaction; then the \
             conversation's latest event moved; then the members' connections",
        ),
        (
            true,
            (counts(&[("BatchGetItem", 1), ("GetItem", 1), ("Query", 1), ("TransactWriteItems", 1)]), 3),
            "a reply also in the conversation: a send's, the parent read with the conversation, its thread entry \
             and count in the send's transaction",
        ),
    ] {
        let reply = json!({
            "action": "sendMessage", "conversationId": conversation, "body": "re", "parentId": first,
            "alsoInConversation": also,
        });
        counter.take();
        let answer = ws::api_gateway::message(&app, &ws_event("sendMessage", "alice-1=", &alice, Some(reply))).await;
        assert_eq!(answer.status_code, 200);
        assert_eq!(counter.take_with_round_trips(), expected, "{why}");
    }
    app.messages.replies(&bob, &conversation, &first, None, None, Some(20)).await.unwrap();
    assert_eq!(
        counter.take_with_round_trips(),
        (counts(&[("BatchGetItem", 2), ("GetItem", 1), ("Query", 3)]), 3),
        "one page of a thread: the membership check, the message named and the thread's entries under it, at the \
         same time; the replies; then their reactions"
    );

    let latest = app.messages.history(&bob, &conversation, None, None, Some(1)).await.unwrap().messages[0].id.clone();
    counter.take();
    app.reads.mark_read(&bob, &conversation, &latest, None).await.unwrap();
    assert_eq!(
        counter.take(),
        counts(&[("BatchGetItem", 1 + 1 + 1), ("GetItem", 1), ("PutItem", 1), ("Query", 1 + 1), ("UpdateItem", 1 + 1)]),
        "marking read: membership, the message, the count after it and the conversation's count, the marker, then \
         the read event: the conversation's log and latest event, the members and their connections"
    );

    app.sync.sync(&bob, "0").await.unwrap();
    assert_eq!(
        counter.take(),
        counts(&[("BatchGetItem", 1), ("Query", 1 + 1 + 2 * 4)]),
        "one sync page: bob's feed, his memberships, their conversations' latest events, the log of each of the 4 \
         that changed (its events and its messages, at the same time)"
    );

    assert_eq!(
        ws::api_gateway::disconnect(&app, &ws_event("$disconnect", "alice-1=", &alice, None)).await.status_code,
        200
    );
    assert_eq!(
        counter.take(),
        counts(&[("PutItem", 1), ("UpdateItem", 2)]),
        "disconnect: the connection out of her connections item, which answers with it and those left (none), \
         given back to the tenant's connections quota, then her last seen; the announcement is queued"
    );
}
