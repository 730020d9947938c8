//! A person's data export: an admin asks for it, a background job makes it, the admin
//! downloads it through the link the export answers once ready. It holds what the person can
//! see of their own — their record, their reminder, their conversation with their own place
//! in it, the messages they sent (a reply in a thread included) — and nothing of another's:
//! no other member, no other's words. Only admins ask, each in their own tenant; the act is
//! audited.

use serde_json::{json, Value};

use crate::support::{eventually, Server, PLATFORM_KEY};

fn of_type<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["type"] == kind).map(|l| &l["data"]).collect()
}

#[tokio::test]
async fn an_admin_exports_what_a_person_can_see_of_their_own_and_nothing_of_others() {
    let server = Server::start().await;
    let people = [("boss", "admin"), ("ann", "member"), ("ben", "member")];
    let t = server.tenant_with("export1", &people).await;
    let (boss, ann, ben) = (&t[0], &t[1], &t[2]);
    let other = server.tenant_with("export2", &[("chief", "admin")]).await;
    let group =
        server.create_conversation(ann, json!({ "kind": "group", "title": "Garde", "memberIds": ["ben"] })).await;
    let messages = format!("/v1/conversations/{group}/messages");
    let (_, root) = server.post(&messages, ann, json!({ "body": "Ann propose samedi" })).await;
    let root_id = root["id"].as_str().unwrap();
    let (status, _) = server.post(&messages, ben, json!({ "body": "Ben répond non", "parentId": root_id })).await;
    assert_eq!(status, 201);
    let (status, _) = server.post(&messages, ann, json!({ "body": "Ann insiste", "parentId": root_id })).await;
    assert_eq!(status, 201);
    let (status, _) = server.post(&messages, ben, json!({ "body": "Ben ailleurs" })).await;
    assert_eq!(status, 201);
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let reminder = json!({ "at": tomorrow, "title": "Ann's own reminder", "users": ["ann"] });
    let (status, made) = server.post("/v1/reminders", ann, reminder).await;
    assert_eq!(status, 201, "{made}");

    // Admins only, each in their tenant; an unknown person is a 404.
    assert_eq!(server.request("POST", "/v1/admin/users/ann/export", Some(ann), None).await.0, 403);
    let (status, _) =
        server.request("POST", "/v1/admin/users/ann/export?tenantId=export1", Some(&other[0]), None).await;
    assert_eq!(status, 403, "another tenant's admin");
    assert_eq!(server.request("POST", "/v1/admin/users/nobody/export", Some(boss), None).await.0, 404);
    assert_eq!(server.request("POST", "/v1/admin/users/ann/export", Some(PLATFORM_KEY), None).await.0, 400);

    let (status, asked) = server.request("POST", "/v1/admin/users/ann/export", Some(boss), None).await;
    assert_eq!((status, &asked["status"], &asked["userId"]), (202, &json!("pending"), &json!("ann")), "{asked}");
    let path = format!("/v1/admin/exports/{}", asked["id"].as_str().unwrap());
    let ready = eventually(30, "the export made", || async {
        let (status, export) = server.get(&path, boss).await;
        assert_eq!(status, 200, "{export}");
        (export["status"] == "ready").then_some(export)
    })
    .await;
    assert_eq!(server.get(&format!("{path}?tenantId=export1"), PLATFORM_KEY).await.0, 200, "the platform names it");
    assert_eq!(server.get(&path, &other[0]).await.0, 404, "another tenant has no such export");
    assert_eq!(server.get(&path, ann).await.0, 403);
    assert_eq!(server.get("/v1/admin/exports/01NOSUCHEXPORT", boss).await.0, 404);

    let download = reqwest::get(ready["url"].as_str().expect("a link")).await.unwrap();
    assert_eq!(download.status(), 200);
    let disposition = download.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment; filename=\"missive-export-ann-"), "{disposition}");
    let text = download.text().await.unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((ready["lines"].as_u64(), ready["bytes"].as_u64()), (Some(lines.len() as u64), Some(text.len() as u64)));
    assert_eq!(lines[0]["type"], "export");
    assert_eq!(of_type(&lines, "user")[0]["id"], "ann");
    assert_eq!(of_type(&lines, "reminder")[0]["title"], "Ann's own reminder");
    let conversations = of_type(&lines, "conversation");
    assert_eq!(conversations.len(), 1);
    assert_eq!((&conversations[0]["id"], &conversations[0]["membership"]["userId"]), (&json!(group), &json!("ann")));
    let mut bodies: Vec<&str> = of_type(&lines, "message").iter().map(|m| m["body"].as_str().unwrap()).collect();
    bodies.sort();
    assert_eq!(bodies, ["Ann insiste", "Ann propose samedi"], "her messages, her reply in the thread");
    assert!(!text.contains("Ben") && !text.contains("\"ben\""), "nothing of another's: {text}");

    let (_, log) = server.get("/v1/admin/audit", boss).await;
    let act = &log["entries"][0];
    assert_eq!((&act["action"], &act["target"]), (&json!("user.exported"), &json!("ann")), "{log}");
    assert_eq!(act["details"]["exportId"], asked["id"]);
}
