//! Files: a member declares a photo and gets a form that stores it straight to storage (the
//! local runtime's own URLs, S3 on AWS) — the file never goes through the API — then sends it
//! in a message the other member receives. A declaration outside the rules gets a 400 naming
//! what is wrong, with no form; an attachment that is not what was declared, not the sender's
//! or already sent, a 400 naming it, with nothing sent.

use serde_json::{json, Value};

use crate::support::{Server, WsClient};

/// 300 bytes that start as a PNG does.
pub(crate) fn photo() -> Vec<u8> {
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
pub(crate) async fn upload(server: &Server, token: &str, chat: &str, declared: Value, bytes: Vec<u8>) -> String {
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
    // An upload to another conversation of ann's is not this one's to attach.
    let group =
        server.create_conversation(ann, json!({ "kind": "group", "title": "Équipe", "memberIds": ["ben"] })).await;
    let elsewhere = upload(&server, ann, &group, vase.clone(), photo()).await;
    let (status, answer) = server.post(&messages, ann, json!({ "attachments": [elsewhere] })).await;
    let why = format!("attachment {elsewhere}: no such upload of yours in this conversation (or it expired)");
    assert_eq!((status, answer["error"]["message"].as_str().unwrap()), (400, why.as_str()), "{answer}");
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

/// A 2×1 PNG (a red pixel, a transparent one), as a phone or a browser would make it.
fn tiny_png() -> Vec<u8> {
    let hex = "89504e470d0a1a0a0000000d4948445200000002000000010806000000f4227f8a0000000f49444154789c63\
               f8cfc000440c0c000cfc01ff5cfd14950000000049454e44ae426082";
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

/// `GET {path}` as a page does to show a file: the short-lived link, from JSON.
async fn link(server: &Server, token: &str, path: &str) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .bearer_auth(token)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// Reads `path` until `done` says what it answered is what was awaited: background work
/// (a thumbnail, a deletion) has no end to wait on but its outcome.
async fn eventually(server: &Server, token: &str, path: &str, done: impl Fn(u16, &Value) -> bool) -> (u16, Value) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (status, answer) = link(server, token, path).await;
        if done(status, &answer) || tokio::time::Instant::now() > deadline {
            return (status, answer);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_photo_s_thumbnail_appears_members_download_it_and_deleting_the_message_removes_the_files() {
    let server = Server::start().await;
    let t = server.tenant_with("thumbs", &[("ann", "member"), ("ben", "member"), ("eve", "member")]).await;
    let (ann, ben, eve) = (&t[0], &t[1], &t[2]);
    let chat = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let png = tiny_png();
    let declared = json!({ "name": "pixel.png", "contentType": "image/png", "size": png.len() });
    let photo_id = upload(&server, ann, &chat, declared, png.clone()).await;
    let pdf = b"%PDF-1.7\n%\xe2\xe3\n".to_vec();
    let declared = json!({ "name": "Devis \"mai\".pdf", "contentType": "application/pdf", "size": pdf.len() });
    let quote_id = upload(&server, ann, &chat, declared, pdf.clone()).await;

    let mut ben_ws = WsClient::connect(&server, ben).await;
    let (status, sent) = server
        .post(&format!("/v1/conversations/{chat}/messages"), ann, json!({ "attachments": [photo_id, quote_id] }))
        .await;
    assert_eq!(status, 201, "{sent}");

    // The thumbnail is made in the background: the message has the image's size once it is,
    // and a member who was there hears of it (`message.updated`) unless it was made first.
    let pushed = ben_ws.recv().await;
    assert_eq!(pushed["type"], "message.new", "{pushed}");
    let mut photo = pushed["message"]["attachments"][0].clone();
    while photo.get("thumbnail").is_none() {
        let update = ben_ws.recv().await;
        assert_eq!((&update["type"], &update["message"]["id"]), (&json!("message.updated"), &sent["id"]), "{update}");
        photo = update["message"]["attachments"][0].clone();
    }
    assert_eq!((&photo["width"], &photo["height"], &photo["thumbnail"]), (&json!(2), &json!(1), &json!(true)));
    assert_eq!(server.full_history(ben, &chat).await.last().unwrap()["attachments"][0], photo);

    // Members download: the photo shown in the page, the PDF saved under a safe name.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let photo = client.get(format!("{}/v1/attachments/{photo_id}", server.base)).bearer_auth(ben).send().await.unwrap();
    assert_eq!(photo.status(), 302);
    assert_eq!(photo.headers()["x-content-type-options"], "nosniff");
    let location = photo.headers()["location"].to_str().unwrap().to_string();
    let stored = reqwest::get(&location).await.unwrap();
    assert_eq!(stored.status(), 200);
    assert_eq!(stored.headers()["content-type"], "image/png");
    assert!(stored.headers()["content-disposition"].to_str().unwrap().starts_with("inline"));
    assert_eq!(stored.bytes().await.unwrap().to_vec(), png);
    let (status, quote) = link(&server, ben, &format!("/v1/attachments/{quote_id}")).await;
    assert_eq!(status, 200, "{quote}");
    let saved = reqwest::get(quote["url"].as_str().unwrap()).await.unwrap();
    let disposition = saved.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment; filename=\"Devis _mai_.pdf\""), "{disposition}");
    assert_eq!(saved.bytes().await.unwrap().to_vec(), pdf);
    let (status, thumbnail) = link(&server, ben, &format!("/v1/attachments/{photo_id}/thumbnail")).await;
    assert_eq!(status, 200, "{thumbnail}");
    let thumbnail = reqwest::get(thumbnail["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(thumbnail.headers()["content-type"], "image/jpeg");
    assert!(thumbnail.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]), "a JPEG");
    assert_eq!(link(&server, ben, &format!("/v1/attachments/{quote_id}/thumbnail")).await.0, 404, "not an image");

    // Not a member, another tenant, a made-up id: no such attachment.
    assert_eq!(link(&server, eve, &format!("/v1/attachments/{photo_id}")).await.0, 404);
    let stranger = server.tenant_with("thumbs-other", &[("ann", "member")]).await;
    assert_eq!(link(&server, &stranger[0], &format!("/v1/attachments/{photo_id}")).await.0, 404);
    assert_eq!(link(&server, ben, "/v1/attachments/01ZZZZZZZZZZZZZZZZZZZZZZZZ").await.0, 404);

    // Deleting the message deletes its files (in the background), and its tombstone shows none.
    let (status, tombstone) = server
        .request(
            "DELETE",
            &format!("/v1/conversations/{chat}/messages/{}", sent["id"].as_str().unwrap()),
            Some(ann),
            None,
        )
        .await;
    assert_eq!(status, 200, "{tombstone}");
    assert!(tombstone.get("attachments").is_none(), "{tombstone}");
    let (status, _) = eventually(&server, ann, &format!("/v1/attachments/{photo_id}"), |s, _| s == 404).await;
    assert_eq!(status, 404, "the attachment is gone");
    let gone = eventually_gone(&location).await;
    assert!(gone, "the file itself is gone");
}

/// Whether a download link stops answering the file (its file deleted in the background).
async fn eventually_gone(url: &str) -> bool {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    while tokio::time::Instant::now() < deadline {
        if !reqwest::get(url).await.unwrap().status().is_success() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}
