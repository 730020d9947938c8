//! Files: a member declares a photo and gets a form that stores it straight to storage (the
//! local runtime's own URLs, S3 on AWS) — the file never goes through the API — then sends it
//! in a message the other member receives. A declaration outside the rules gets a 400 naming
//! what is wrong, with no form; an attachment that is not what was declared, not the sender's
//! or already sent, a 400 naming it, with nothing sent.

use serde_json::{json, Value};

use crate::support::{Server, WsClient};

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

/// Declares a file, stores `bytes` with its form, and answers the upload's id.
async fn upload(server: &Server, token: &str, chat: &str, declared: Value, bytes: Vec<u8>) -> String {
    let (status, ticket) = server.post(&format!("/v1/conversations/{chat}/uploads"), token, declared).await;
    assert_eq!(status, 201, "{ticket}");
    assert!((200..300).contains(&post_file(&ticket, bytes).await));
    ticket["uploadId"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_photo_sent_in_a_message_reaches_the_other_member_and_bad_attachments_send_nothing() {
    let server = Server::start().await;
    let t = server.tenant_with("attach", &[("ann", "member"), ("ben", "member")]).await;
    let (ann, ben) = (&t[0], &t[1]);
    let chat = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let vase = json!({ "name": "vase.png", "contentType": "image/png", "size": 300 });
    let photo_id = upload(&server, ann, &chat, vase.clone(), photo()).await;

    let mut ann_ws = WsClient::connect(&server, ann).await;
    let mut ben_ws = WsClient::connect(&server, ben).await;
    let send =
        json!({ "action": "sendMessage", "conversationId": chat, "attachments": [photo_id], "clientMessageId": "p1" });
    let ack = ann_ws.request(send.clone(), "r1").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let expected = json!([{ "id": photo_id, "name": "vase.png", "contentType": "image/png", "size": 300 }]);
    assert_eq!(ack["message"]["attachments"], expected, "{ack}");
    assert_eq!(ack["message"]["body"], Value::Null, "a photo needs no text");
    let pushed = ben_ws.recv().await;
    assert_eq!((&pushed["type"], &pushed["message"]["attachments"]), (&json!("message.new"), &expected), "{pushed}");
    let again = ann_ws.request(send, "r2").await;
    assert_eq!(again["message"]["id"], ack["message"]["id"], "a resend is the same message: {again}");
    let history = server.full_history(ben, &chat).await;
    assert_eq!(history.last().unwrap()["attachments"], expected);

    // Bad attachments over REST: each a 400 naming the upload, and nothing sent.
    let messages = format!("/v1/conversations/{chat}/messages");
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let disguised = json!({ "name": "x.png", "contentType": "image/png", "size": html.len() });
    let disguised = upload(&server, ann, &chat, disguised, html).await;
    let bens = upload(&server, ben, &chat, vase.clone(), photo()).await;
    let short = upload(&server, ann, &chat, vase.clone(), photo()[..200].to_vec()).await;
    for (attachments, why) in [
        (json!([photo_id]), format!("attachment {photo_id}: already attached to a message")),
        (json!([disguised]), format!("attachment {disguised}: its bytes are not image/png")),
        (json!([bens]), format!("attachment {bens}: no such upload of yours in this conversation (or it expired)")),
        (json!([short]), format!("attachment {short}: 200 bytes stored, 300 declared")),
        (json!(vec!["01ZZZZZZZZZZZZZZZZZZZZZZZZ"; 11]), "attachments: at most 10".to_string()),
    ] {
        let (status, answer) =
            server.post(&messages, ann, json!({ "body": "voilà", "attachments": attachments })).await;
        assert_eq!((status, answer["error"]["message"].as_str().unwrap()), (400, why.as_str()), "{answer}");
    }
    let (status, answer) = server.post(&messages, ann, json!({ "attachments": [] })).await;
    assert_eq!(status, 400, "no text and no files: {answer}");
    assert_eq!(server.full_history(ben, &chat).await.len(), history.len(), "nothing was sent");

    // Another tenant's member cannot attach ann's upload, even knowing its id.
    let other = server.tenant_with("attach-other", &[("ann", "member"), ("ben", "member")]).await;
    let theirs = server.create_conversation(&other[0], json!({ "kind": "direct", "userId": "ben" })).await;
    let (status, answer) = server
        .post(&format!("/v1/conversations/{theirs}/messages"), &other[0], json!({ "attachments": [short] }))
        .await;
    assert_eq!(status, 400, "{answer}");
}
