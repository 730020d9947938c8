//! Files: a member declares a photo and gets a form that stores it straight to storage (the
//! local runtime's own URLs, S3 on AWS) — the file never goes through the API — and a
//! declaration outside the rules gets a 400 naming what is wrong, with no form.

use serde_json::{json, Value};

use crate::support::Server;

/// 300 bytes that start as a PNG does.
fn photo() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.resize(300, 0);
    bytes
}

/// Posts `bytes` with the form an upload answered, as a browser does: its fields, the file last.
async fn post_file(ticket: &Value, bytes: Vec<u8>) -> u16 {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in ticket["fields"].as_object().expect("the form's fields") {
        form = form.text(name.clone(), value.as_str().unwrap().to_string());
    }
    let file = reqwest::multipart::Part::bytes(bytes).file_name("vase.png").mime_str("image/png").unwrap();
    let url = ticket["url"].as_str().unwrap();
    let answer = reqwest::Client::new().post(url).multipart(form.part("file", file)).send().await.unwrap();
    answer.status().as_u16()
}

#[tokio::test]
async fn a_member_uploads_a_photo_straight_to_storage_and_bad_declarations_get_no_form() {
    let server = Server::start().await;
    let t = server.tenant_with("files", &[("ann", "member"), ("ben", "member"), ("eve", "member")]).await;
    let (ann, eve) = (&t[0], &t[2]);
    let chat = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let uploads = format!("/v1/conversations/{chat}/uploads");

    let declared = json!({ "name": "vase.png", "contentType": "image/png", "size": 300 });
    let (status, ticket) = server.post(&uploads, ann, declared.clone()).await;
    assert_eq!(status, 201, "{ticket}");
    assert!(ticket["uploadId"].as_str().is_some_and(|id| !id.is_empty()), "{ticket}");
    assert!(ticket["expiresAt"].is_string(), "{ticket}");
    let stored = post_file(&ticket, photo()).await;
    assert!((200..300).contains(&stored), "storage took the file: {stored}");

    for (bad, why) in [
        (json!({ "name": "x.svg", "contentType": "image/svg+xml", "size": 10 }), "contentType"),
        (json!({ "name": "x.html", "contentType": "text/html", "size": 10 }), "contentType"),
        (json!({ "name": "x.png", "contentType": "image/png", "size": 26_000_000 }), "size"),
        (json!({ "name": "../x.png", "contentType": "image/png", "size": 10 }), "name"),
    ] {
        let (status, answer) = server.post(&uploads, ann, bad).await;
        assert_eq!(status, 400, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(why), "{message}");
    }
    let (status, _) = server.post(&uploads, eve, declared).await;
    assert_eq!(status, 404, "not a conversation of eve's");
}
