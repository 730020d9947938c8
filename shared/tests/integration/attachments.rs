//! Uploads and what a message may attach: a member gets a form for a file they declared, and
//! an upload is attachable only when it is theirs, in that conversation, unused, of its
//! declared size, and of its declared type by its bytes. On the embedded store with the local
//! runtime's files.

use std::sync::Arc;

use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::usecases::attachments::NewUpload;
use missive::usecases::Identity;
use missive::{App, AppError};

use crate::conformance::files::{local_files, post};
use crate::fakes::{RecordingMailer, RecordingPush, RecordingQueue};

struct Fixture {
    app: App,
    people: Vec<Identity>,
    group: ConversationId,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let mut config = Config::new("attachments-test-secret", "pk");
    config.limits.max_upload_bytes = 1000;
    let (files, files_dir) = local_files().await;
    let app = App::new(
        config,
        store.clone(),
        Arc::new(RecordingPush::default()),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingMailer::default()),
    )
    .with_files(files);
    let (people, group) = crate::people::tenant_with_group(&app, store.as_ref(), 3, "m").await;
    Fixture { app, people, group, _dirs: (dir, files_dir) }
}

fn declared(name: &str, content_type: &str, size: u64) -> NewUpload {
    NewUpload { name: name.into(), content_type: content_type.into(), size }
}

fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.resize(size, 0);
    bytes
}

/// Declares a file, uploads `bytes` with the form, and answers the upload's id.
async fn upload(f: &Fixture, who: usize, declared: NewUpload, bytes: Vec<u8>) -> String {
    let ticket = f.app.attachments.create_upload(&f.people[who], &f.group, declared).await.unwrap();
    let form = missive::ports::UploadForm { url: ticket.url, fields: ticket.fields.into_iter().collect() };
    assert_eq!(post(&form, bytes).await, 204);
    ticket.upload_id.to_string()
}

fn refusal(result: Result<Vec<Upload>, AppError>) -> String {
    match result {
        Err(AppError::InvalidInput(why)) => why,
        other => panic!("expected a 400, got {other:?}"),
    }
}

#[tokio::test]
async fn a_member_s_upload_of_the_declared_file_is_attachable() {
    let f = fixture().await;
    let id = upload(&f, 0, declared("vase.png", "image/png", 200), png(200)).await;
    let checked = f.app.attachments.check_attachments(&f.people[0], &f.group, std::slice::from_ref(&id)).await.unwrap();
    assert_eq!(checked.len(), 1);
    assert_eq!((checked[0].name.as_str(), checked[0].size), ("vase.png", 200));
    assert_eq!(checked[0].content_type.as_str(), "image/png");
}

#[tokio::test]
async fn a_declaration_outside_the_rules_gets_no_form() {
    let f = fixture().await;
    let ask = |d: NewUpload| f.app.attachments.create_upload(&f.people[0], &f.group, d);
    for (bad, why) in [
        (declared("x.svg", "image/svg+xml", 10), "contentType"),
        (declared("x.html", "text/html", 10), "contentType"),
        (declared("x.png", "image/png", 0), "size"),
        (declared("x.png", "image/png", 1001), "size"),
        (declared("../x.png", "image/png", 10), "name"),
    ] {
        match ask(bad).await {
            Err(AppError::InvalidInput(message)) => assert!(message.starts_with(why), "{message}"),
            other => panic!("expected a 400 about {why}, got {other:?}"),
        }
    }
    let elsewhere = ConversationId::parse("not-theirs").unwrap();
    let outsider = f.app.attachments.create_upload(&f.people[0], &elsewhere, declared("x.png", "image/png", 10)).await;
    assert!(matches!(outsider, Err(AppError::NotFound(_))), "{outsider:?}");
}

#[tokio::test]
async fn an_upload_that_is_not_what_was_declared_is_refused_by_name() {
    let f = fixture().await;
    let check = |who: usize, ids: Vec<String>| {
        let app = &f.app;
        let (who, group) = (&f.people[who], &f.group);
        async move { app.attachments.check_attachments(who, group, &ids).await }
    };

    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let disguised = upload(&f, 0, declared("photo.png", "image/png", html.len() as u64), html).await;
    assert_eq!(
        refusal(check(0, vec![disguised.clone()]).await),
        format!("attachment {disguised}: its bytes are not image/png")
    );

    let short = upload(&f, 0, declared("photo.png", "image/png", 200), png(150)).await;
    assert_eq!(
        refusal(check(0, vec![short.clone()]).await),
        format!("attachment {short}: 150 bytes stored, 200 declared")
    );

    let ticket = f.app.attachments.create_upload(&f.people[0], &f.group, declared("a.png", "image/png", 20)).await;
    let never_sent = ticket.unwrap().upload_id.to_string();
    assert_eq!(
        refusal(check(0, vec![never_sent.clone()]).await),
        format!("attachment {never_sent}: the file was not uploaded")
    );

    let theirs = upload(&f, 1, declared("b.png", "image/png", 100), png(100)).await;
    assert_eq!(
        refusal(check(0, vec![theirs.clone()]).await),
        format!("attachment {theirs}: no such upload of yours in this conversation")
    );
    assert_eq!(refusal(check(0, vec!["../../etc".into()]).await), "attachment ../../etc: not an upload id");

    let good = upload(&f, 0, declared("c.png", "image/png", 100), png(100)).await;
    assert_eq!(
        refusal(check(0, vec![good.clone(), good.clone()]).await),
        format!("attachment {good}: attached twice (position 2)")
    );
    assert_eq!(refusal(check(0, vec![good.clone(); 11]).await), "attachments: at most 10");
}
