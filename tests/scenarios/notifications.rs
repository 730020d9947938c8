//! Notifications, e-mails, queues and reminders through the real server: the bell, message
//! notifications and their e-mail, retries and the dead-letter queue, quiet hours, digests,
//! reminders and header injection. E-mails are read from the local outbox (from what SES took, on the deployed backend).

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{eventually, Server, WsClient, PLATFORM_KEY};

async fn outbox(server: &Server) -> Vec<Value> {
    server.sent_emails().await
}

/// An e-mail's headers and parts, as text.
async fn eml(_server: &Server, entry: &Value) -> String {
    entry["raw"].as_str().unwrap().to_string()
}

async fn set_failures(server: &Server, failures: Value) {
    server.set_email_failures(failures).await;
}

/// A tenant with an admin and the given users, each with an e-mail address and a locale.
async fn staff(server: &Server, tenant: &str, users: &[(&str, &str)]) -> (String, Vec<String>) {
    let mut all = vec![("boss", "admin")];
    all.extend(users.iter().map(|(u, _)| (*u, "member")));
    let tokens = server.tenant_with(tenant, &all).await;
    for (user, locale) in users {
        let body =
            json!({ "tenantId": tenant, "name": user, "email": format!("{user}@example.com"), "locale": locale });
        let (status, out) =
            server.request("PUT", &format!("/v1/admin/users/{user}"), Some(PLATFORM_KEY), Some(body)).await;
        assert!(status == 200 || status == 201, "{out}");
    }
    (tokens[0].clone(), tokens[1..].to_vec())
}

async fn notify(server: &Server, admin: &str, users: &[&str], title: &str) -> Value {
    let body = json!({ "users": users, "type": "event", "title": title, "body": "Rendez-vous à la caserne", "actionUrl": "https://brigade.example/events/1", "actionLabel": "Voir" });
    let (status, out) = server.post("/v1/notifications", admin, body).await;
    assert_eq!(status, 201, "{out}");
    out
}

async fn unread_count(server: &Server, token: &str) -> u64 {
    let (status, body) = server.get("/v1/notifications/unread-count", token).await;
    assert_eq!(status, 200, "{body}");
    body["count"].as_u64().unwrap()
}

/// The e-mails queue's numbers, as the platform operator sees them.
async fn email_queue(server: &Server) -> Value {
    let (status, body) = server.get("/v1/admin/queues", PLATFORM_KEY).await;
    assert_eq!(status, 200, "{body}");
    body["queues"].as_array().unwrap().iter().find(|q| q["name"] == "emails").unwrap().clone()
}

#[tokio::test]
async fn an_offline_member_gets_a_notification_then_one_email_and_a_reader_gets_none() {
    let server = Server::start_with(&[], &[("MISSIVE_MESSAGE_EMAIL_DELAY_SECS", "2")]).await;
    let (_, t) = staff(&server, "mail1", &[("alice", "fr"), ("bob", "en"), ("carol", "fr")]).await;
    let to_bob = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "bob" })).await;
    let to_carol = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "carol" })).await;

    for body in ["Premier message", "Second message"] {
        let (status, _) =
            server.post(&format!("/v1/conversations/{to_bob}/messages"), &t[0], json!({ "body": body })).await;
        assert_eq!(status, 201);
    }
    let (_, to_read) =
        server.post(&format!("/v1/conversations/{to_carol}/messages"), &t[0], json!({ "body": "Lis-moi" })).await;
    // Carol reads in time; bob does not.
    eventually(5, "carol's notification", || async { (unread_count(&server, &t[2]).await == 1).then_some(()) }).await;
    let (status, _) =
        server.post(&format!("/v1/conversations/{to_carol}/read"), &t[2], json!({ "messageId": to_read["id"] })).await;
    assert_eq!(status, 200);

    eventually(5, "bob's two notifications", || async { (unread_count(&server, &t[1]).await == 2).then_some(()) })
        .await;
    let (_, bell) = server.get("/v1/notifications", &t[1]).await;
    let first = &bell["notifications"][0];
    assert_eq!(
        (first["type"].as_str(), first["title"].as_str(), first["body"].as_str()),
        (Some("message"), Some("Alice"), Some("Second message"))
    );
    assert_eq!(first["conversationId"].as_str(), Some(to_bob.as_str()));

    let mails =
        eventually(10, "bob's e-mail", || async { Some(outbox(&server).await).filter(|o| !o.is_empty()) }).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails_after = outbox(&server).await;
    assert_eq!(mails_after.len(), 1, "two unread messages make one e-mail, carol gets none: {mails_after:?}");
    let mail = &mails[0];
    assert_eq!(
        (mail["to"].as_str(), mail["subject"].as_str()),
        (Some("bob@example.com"), Some("2 new messages")),
        "in bob's language"
    );
    let text = eml(&server, mail).await;
    assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(text.contains("Content-Type: text/plain") && text.contains("Content-Type: text/html"));
    let unsubscribe = text
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .and_then(|l| l.strip_suffix('>'))
        .expect("a List-Unsubscribe header")
        .to_string();
    let path = unsubscribe.strip_prefix(&server.public_url).expect("the link points at this server");

    let (status, page) = server.request("GET", path, None, None).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.as_str().unwrap().contains("no longer receive"), "the page speaks bob's language: {page}");
    let (_, prefs) = server.get("/v1/settings/notifications", &t[1]).await;
    assert_eq!(prefs["emailMode"], "off");
    let (status, _) = server.request("GET", "/v1/email/unsubscribe?token=forged", None, None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_mailer_that_fails_twice_sends_exactly_one_email_on_the_third_attempt() {
    let server = Server::start_with(&[], &[("MISSIVE_RETRY_BASE_MS", "100")]).await;
    let (admin, _) = staff(&server, "mail2", &[("bob", "fr")]).await;
    set_failures(&server, json!({ "next": 2 })).await;
    notify(&server, &admin, &["bob"], "Exercice incendie").await;
    let mails = eventually(15, "the e-mail", || async { Some(outbox(&server).await).filter(|o| !o.is_empty()) }).await;
    assert_eq!(mails[0]["attempts"], 3, "two failures, then the send: {mails:?}");
    assert_eq!(mails[0]["subject"], "Exercice incendie");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(outbox(&server).await.len(), 1, "exactly one e-mail");
}

#[tokio::test]
async fn a_mailer_that_always_fails_dead_letters_the_job_and_redrive_delivers_it_once() {
    let server = Server::start_with(&[], &[("MISSIVE_RETRY_BASE_MS", "100")]).await;
    let (admin, t) = staff(&server, "mail3", &[("bob", "fr")]).await;
    set_failures(&server, json!({ "always": true })).await;
    notify(&server, &admin, &["bob"], "Formation secourisme").await;
    // On SQS the move to the dead-letter queue and the main queue's counts are separate
    // reads that settle a moment apart: wait for both.
    let queue = eventually(40, "the dead-lettered job, nothing left on the queue", || async {
        Some(email_queue(&server).await).filter(|q| q["deadLettered"] == 1 && q["visible"] == 0 && q["inFlight"] == 0)
    })
    .await;
    assert_eq!(queue["delayed"].as_u64(), Some(0), "{queue}");
    assert!(outbox(&server).await.is_empty());
    for not_the_operator in [&t[0], &admin] {
        let (status, _) = server.get("/v1/admin/queues", not_the_operator).await;
        assert_eq!(status, 401, "the platform operator's alone: queues hold every tenant's jobs");
        let (status, _) = server.post("/v1/admin/queues/emails/redrive", not_the_operator, json!({})).await;
        assert_eq!(status, 401);
    }
    let (status, _) = server.post("/v1/admin/queues/nope/redrive", PLATFORM_KEY, json!({})).await;
    assert_eq!(status, 404);

    set_failures(&server, json!({ "always": false })).await;
    let (status, moved) = server.post("/v1/admin/queues/emails/redrive", PLATFORM_KEY, json!({})).await;
    assert_eq!((status, moved["moved"].as_u64()), (200, Some(1)), "{moved}");
    let mails =
        eventually(15, "the redriven e-mail", || async { Some(outbox(&server).await).filter(|o| !o.is_empty()) }).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["subject"], "Formation secourisme");
    let queue = eventually(10, "an empty dead-letter queue", || async {
        Some(email_queue(&server).await).filter(|q| q["deadLettered"] == 0 && q["inFlight"] == 0)
    })
    .await;
    assert_eq!(queue["visible"], 0);
}

#[tokio::test]
async fn quiet_hours_defer_emails_and_digest_mode_groups_them() {
    // Digests every 10 s: the four notifications below must land in one interval, which leaves
    // them nearly ten seconds however loaded the machine (4 s was missed under load).
    let server = Server::start_with(&[], &[("MISSIVE_DIGEST_INTERVAL_SECS", "10")]).await;
    let (admin, t) = staff(&server, "mail4", &[("quiet", "fr"), ("digest", "fr")]).await;
    // Quiet from an hour ago until ten minutes from now, in UTC.
    let now = chrono::Utc::now();
    let hhmm = |d: chrono::DateTime<chrono::Utc>| d.format("%H:%M").to_string();
    let quiet = json!({ "quietHours": { "start": hhmm(now - chrono::Duration::hours(1)), "end": hhmm(now + chrono::Duration::minutes(10)), "timeZone": "UTC" } });
    let (status, body) = server.put("/v1/settings/notifications", &t[0], quiet).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server.put("/v1/settings/notifications", &t[1], json!({ "emailMode": "digest" })).await;
    assert_eq!(status, 200, "{body}");

    // Start right after a digest boundary, so that the three land in one digest.
    let interval = 10_000;
    let into = chrono::Utc::now().timestamp_millis() % interval;
    tokio::time::sleep(Duration::from_millis((interval - into + 100) as u64)).await;
    notify(&server, &admin, &["quiet"], "Pendant la nuit").await;
    for title in ["Un", "Deux", "Trois"] {
        notify(&server, &admin, &["digest"], title).await;
    }
    let mails = eventually(30, "the digest", || async { Some(outbox(&server).await).filter(|o| !o.is_empty()) }).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["to"], "digest@example.com");
    assert_eq!(mails[0]["subject"], "Votre récapitulatif mail4 : 3 notifications");
    let text = eml(&server, &mails[0]).await;
    assert!(text.contains("Content-Type: text/html"));

    // The quiet user's e-mail waits on the queue for the end of the quiet hours.
    let queue = email_queue(&server).await;
    assert_eq!(queue["delayed"], 1, "{queue}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(outbox(&server).await.len(), 1, "nothing for the quiet user yet");
}

#[tokio::test]
async fn a_reminder_fires_once_at_its_time_and_the_bell_counts_down_to_zero() {
    // Every delayed job goes through the store and the scheduler, as past SQS's 15 minutes.
    let server =
        Server::start_with(&["--scheduler-interval-ms", "200"], &[("MISSIVE_MAX_QUEUE_DELAY_SECS", "0")]).await;
    let (admin, t) = staff(&server, "remind", &[("bob", "fr")]).await;
    let mut bob = WsClient::connect(&server, &t[0]).await;
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let (status, reminder) =
        server.post("/v1/reminders", &t[0], json!({ "at": at, "title": "Garde de nuit", "users": ["bob"] })).await;
    assert_eq!(status, 201, "{reminder}");
    let (status, _) = server.post("/v1/reminders", &t[0], json!({ "at": at, "title": "x", "users": ["boss"] })).await;
    assert_eq!(status, 403, "members remind themselves only");
    let (status, err) = server
        .post("/v1/reminders", &t[0], json!({ "at": "2001-01-01T00:00:00Z", "title": "x", "users": ["bob"] }))
        .await;
    assert_eq!(status, 400, "{err}");

    let event = bob.recv().await;
    assert_eq!(
        (event["type"].as_str(), event["notification"]["type"].as_str()),
        (Some("notification.new"), Some("reminder"))
    );
    assert_eq!(event["notification"]["title"], "Garde de nuit");
    assert!(event["cursor"].is_string());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (_, bell) = server.get("/v1/notifications", &t[0]).await;
    assert_eq!(bell["notifications"].as_array().unwrap().len(), 1, "fired once: {bell}");
    let (_, list) = server.get("/v1/reminders", &t[0]).await;
    assert_eq!(list["reminders"][0]["status"], "fired", "{list}");

    // The bell: three more, one read, then all.
    for title in ["A", "B", "C"] {
        notify(&server, &admin, &["bob"], title).await;
    }
    for _ in 0..3 {
        assert_eq!(bob.recv().await["type"], "notification.new");
    }
    assert_eq!(unread_count(&server, &t[0]).await, 4);
    let (_, unread) = server.get("/v1/notifications?unread=true&limit=2", &t[0]).await;
    assert_eq!(unread["notifications"][0]["title"], "C", "newest first");
    let cursor = unread["nextCursor"].as_str().unwrap();
    let (_, older) = server.get(&format!("/v1/notifications?unread=true&limit=2&cursor={cursor}"), &t[0]).await;
    assert_eq!(older["notifications"][1]["title"], "Garde de nuit");
    let id = unread["notifications"][0]["id"].as_str().unwrap();
    let (status, one) = server.post(&format!("/v1/notifications/{id}/read"), &t[0], json!({})).await;
    assert!(status == 200 && one["readAt"].is_string(), "{one}");
    assert_eq!(unread_count(&server, &t[0]).await, 3);
    let (_, all) = server.post("/v1/notifications/read-all", &t[0], json!({})).await;
    assert_eq!(all["marked"], 3);
    assert_eq!(unread_count(&server, &t[0]).await, 0);
    let (status, _) = server.post("/v1/notifications/nope/read", &t[0], json!({})).await;
    assert_eq!(status, 404);

    // A cancelled reminder never fires.
    let at = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    let (_, cancelled) =
        server.post("/v1/reminders", &t[0], json!({ "at": at, "title": "Annulé", "users": ["bob"] })).await;
    let (status, _) = server
        .request("DELETE", &format!("/v1/reminders/{}", cancelled["id"].as_str().unwrap()), Some(&t[0]), None)
        .await;
    assert_eq!(status, 204);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(unread_count(&server, &t[0]).await, 0);
}

#[tokio::test]
async fn preferences_are_validated_and_header_injection_is_neutralised() {
    let server = Server::start().await;
    // Every way a CR/LF could reach a header is refused at the door…
    for (field, tenant) in [
        (
            "branding.displayName",
            json!({ "id": "evil", "name": "evil", "branding": { "displayName": "Pompiers\r\nBcc: victim@example.com" } }),
        ),
        ("emailFrom", json!({ "id": "evil", "name": "evil", "emailFrom": "a@example.com\r\nBcc: victim@example.com" })),
        ("name", json!({ "id": "evil", "name": "Pompiers\nBcc: victim@example.com" })),
    ] {
        let (status, err) = server.request("POST", "/v1/admin/tenants", Some(PLATFORM_KEY), Some(tenant)).await;
        assert_eq!(status, 400, "{field}: {err}");
    }
    let ok = json!({ "id": "evil", "name": "evil", "branding": { "displayName": "Pompiers \"de\" <Paris>" } });
    let (status, _) = server.request("POST", "/v1/admin/tenants", Some(PLATFORM_KEY), Some(ok)).await;
    assert_eq!(status, 201);
    let admin = crate::support::token("evil", "boss", "admin");
    let (status, _) = server.get("/v1/me", &admin).await;
    assert_eq!(status, 200);
    let body = json!({ "tenantId": "evil", "name": "Bob\r\nBcc: victim@example.com", "email": "bob@example.com" });
    let (status, _) = server.request("PUT", "/v1/admin/users/bob", Some(PLATFORM_KEY), Some(body)).await;
    assert_eq!(status, 400, "names with line breaks are refused");
    let body = json!({ "tenantId": "evil", "name": "Bob", "email": "bob@example.com\r\nBcc: victim@example.com" });
    let (status, _) = server.request("PUT", "/v1/admin/users/bob", Some(PLATFORM_KEY), Some(body)).await;
    assert_eq!(status, 400, "so are addresses");
    let body = json!({ "tenantId": "evil", "name": "Bob", "email": "bob@example.com" });
    server.request("PUT", "/v1/admin/users/bob", Some(PLATFORM_KEY), Some(body)).await;
    let (status, err) = server
        .post(
            "/v1/notifications",
            &admin,
            json!({ "users": ["bob"], "type": "event", "title": "Hi\r\nBcc: victim@example.com" }),
        )
        .await;
    assert_eq!((status, err["error"]["code"].as_str()), (400, Some("invalid_request")), "{err}");

    // …and what does get through (quotes, angle brackets in a brand) stays inside its header.
    notify(&server, &admin, &["bob"], "Alerte").await;
    let mails = eventually(10, "the e-mail", || async { Some(outbox(&server).await).filter(|o| !o.is_empty()) }).await;
    let text = eml(&server, &mails[0]).await;
    let headers = text.split("\r\n\r\n").next().unwrap();
    assert!(!headers.lines().any(|l| l.to_ascii_lowercase().starts_with("bcc")), "no injected header:\n{headers}");
    let to: Vec<&str> = headers.lines().filter(|l| l.starts_with("To:")).collect();
    assert_eq!(to, ["To: bob@example.com"], "{headers}");
    assert!(headers.lines().any(|l| l.starts_with("From:") && l.contains("no-reply@missive.local")), "{headers}");

    let bob = crate::support::token("evil", "bob", "member");
    let (status, defaults) = server.get("/v1/settings/notifications", &bob).await;
    assert_eq!(status, 200);
    assert_eq!(
        (defaults["emailMode"].as_str(), defaults["types"]["system"]["inApp"].as_bool()),
        (Some("immediate"), Some(true))
    );
    for (prefs, field) in [
        (json!({ "types": { "system": { "inApp": false, "email": true } } }), "types.system.inApp"),
        (json!({ "quietHours": { "start": "25:00", "end": "07:00", "timeZone": "UTC" } }), "quietHours.start"),
        (
            json!({ "quietHours": { "start": "22:00", "end": "07:00", "timeZone": "Mars/Olympus" } }),
            "quietHours.timeZone",
        ),
        (json!({ "emailMode": "sometimes" }), "emailMode"),
        (json!({ "types": { "gossip": { "inApp": true, "email": true } } }), "gossip"),
    ] {
        let (status, err) = server.put("/v1/settings/notifications", &bob, prefs).await;
        assert_eq!(status, 400, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains(field), "{field}: {err}");
    }
    let (status, _) =
        server.post("/v1/notifications", &bob, json!({ "users": ["bob"], "type": "event", "title": "x" })).await;
    assert_eq!(status, 403, "members do not notify others");
    for (body, field) in [
        (json!({ "users": [], "type": "event", "title": "x" }), "users"),
        (json!({ "users": ["nobody"], "type": "event", "title": "x" }), "users: unknown user nobody"),
        (json!({ "users": ["bob"], "type": "gossip", "title": "x" }), "type"),
        (json!({ "users": ["bob"], "type": "event", "title": "x", "actionUrl": "javascript:alert(1)" }), "actionUrl"),
        (json!({ "users": ["bob"], "type": "event", "title": "" }), "title"),
    ] {
        let (status, err) = server.post("/v1/notifications", &admin, body).await;
        assert_eq!(status, 400, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains(field), "{field}: {err}");
    }
    let (status, _) = server.get("/v1/notifications?cursor=not-a-cursor", &bob).await;
    assert_eq!(status, 400);
    let at = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    for (body, field) in [
        (json!({ "at": at, "title": "x" }), "users"),
        (json!({ "at": at, "title": "x", "users": ["bob"], "conversationId": "01ARZ3NDEKTSV4RRFFQ69G5FAV" }), "users"),
        (json!({ "at": "2099-01-01T00:00:00Z", "title": "x", "users": ["bob"] }), "at"),
    ] {
        let (status, err) = server.post("/v1/reminders", &bob, body).await;
        assert_eq!(status, 400, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains(field), "{field}: {err}");
    }
    let (status, _) = server.request("DELETE", "/v1/reminders/nope", Some(&bob), None).await;
    assert_eq!(status, 404);
}

/// The local runtime's queue lives in its store: after a kill -9, a reminder that was waiting on
/// the queue and an e-mail waiting for its retry both happen, once each. (On the AWS backend the
/// jobs wait on SQS, which outlives the process anyway.)
#[tokio::test]
async fn a_pending_reminder_and_a_waiting_retry_survive_a_kill_9_and_happen_once() {
    let server = Server::start_with(&[], &[("MISSIVE_RETRY_BASE_MS", "3000")]).await;
    let (admin, t) = staff(&server, "crash", &[("bob", "fr")]).await;
    set_failures(&server, json!({ "next": 1 })).await;
    notify(&server, &admin, &["bob"], "Alerte crue").await;
    eventually(20, "the e-mail's first attempt, failed", || async {
        let failures = server.email_failures().await;
        (failures["next"] == 0).then_some(())
    })
    .await;
    // Far enough ahead that it is surely still waiting when the process dies.
    let at = (chrono::Utc::now() + chrono::Duration::seconds(8)).to_rfc3339();
    let (status, reminder) =
        server.post("/v1/reminders", &t[0], json!({ "at": at, "title": "Relève de garde", "users": ["bob"] })).await;
    assert_eq!(status, 201, "{reminder}");
    let (_, list) = server.get("/v1/reminders", &t[0]).await;
    assert_eq!(list["reminders"][0]["status"], "pending", "{list}");
    assert!(outbox(&server).await.is_empty());
    let (place, temp) = server.kill9().await;

    let server = Server::start_on(place).await;
    let titles = |bell: &Value| -> Vec<String> {
        let all = bell["notifications"].as_array().cloned().unwrap_or_default();
        all.iter().map(|n| n["title"].as_str().unwrap_or_default().to_string()).collect()
    };
    eventually(40, "the reminder, fired after the restart", || async {
        let (_, bell) = server.get("/v1/notifications", &t[0]).await;
        titles(&bell).contains(&"Relève de garde".to_string()).then_some(())
    })
    .await;
    let alerts = |mails: &[Value]| mails.iter().filter(|m| m["subject"] == "Alerte crue").count();
    eventually(40, "the retried e-mail", || async { (alerts(&outbox(&server).await) > 0).then_some(()) }).await;
    // The reminder is marked fired once its notifications are out: a moment after the bell.
    eventually(20, "the reminder marked fired", || async {
        let (_, list) = server.get("/v1/reminders", &t[0]).await;
        (list["reminders"][0]["status"] == "fired").then_some(())
    })
    .await;
    // Once each: the queue is empty again, and nothing was sent twice.
    eventually(20, "empty queues", || async {
        let (_, queues) = server.get("/v1/admin/queues", PLATFORM_KEY).await;
        let all = queues["queues"].as_array().cloned().unwrap_or_default();
        all.iter().all(|q| q["visible"] == 0 && q["inFlight"] == 0 && q["delayed"] == 0).then_some(())
    })
    .await;
    assert_eq!(alerts(&outbox(&server).await), 1, "one e-mail");
    let (_, bell) = server.get("/v1/notifications", &t[0]).await;
    let fired = titles(&bell).iter().filter(|t| *t == "Relève de garde").count();
    assert_eq!(fired, 1, "one reminder: {bell}");
    drop(temp);
}
