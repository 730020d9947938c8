//! Uploads and the messages that attach them: a member gets a form for a file they declared,
//! and a message attaches an upload only when it is theirs, in that conversation, unused, of
//! its declared size, and of its declared type by its bytes. On the embedded store with the
//! local runtime's files.

use std::sync::Arc;

use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::ports::{ScheduleStore, UploadStore, Upserted};
use missive::usecases::attachments::{NewUpload, Rendition};
use missive::usecases::messages::Outgoing;
use missive::usecases::Identity;
use missive::{App, AppError};

use crate::conformance::files::{local_files, post};
use crate::fakes::{RecordingMailer, RecordingPush, RecordingQueue};

struct Fixture {
    app: App,
    store: Arc<EmbeddedStore>,
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
    Fixture { app, store, people, group, _dirs: (dir, files_dir) }
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

/// Files only, no text.
fn files(ids: &[&String]) -> Outgoing {
    Outgoing { attachments: ids.iter().map(|id| id.to_string()).collect(), ..Outgoing::default() }
}

impl Fixture {
    async fn send(&self, who: usize, outgoing: &Outgoing) -> Result<Upserted<Message>, AppError> {
        Ok(self.app.messages.send_message(&self.people[who], &self.group, outgoing, None).await?.0)
    }
}

fn refusal(result: Result<Upserted<Message>, AppError>) -> String {
    match result {
        Err(AppError::InvalidInput(why)) => why,
        other => panic!("expected a 400, got {other:?}"),
    }
}

#[tokio::test]
async fn a_message_carries_the_files_it_attaches() {
    let f = fixture().await;
    let vase = upload(&f, 0, declared("vase.png", "image/png", 200), png(200)).await;
    let quote = upload(&f, 0, declared("Devis mai.pdf", "application/pdf", 9), b"%PDF-1.7\n".to_vec()).await;
    let sent = f.send(0, &files(&[&vase, &quote])).await.unwrap().value;
    assert_eq!(sent.body, None, "files need no text");
    let carried: Vec<(&str, &str, u64)> =
        sent.attachments.iter().map(|a| (a.name.as_str(), a.content_type.as_str(), a.size)).collect();
    assert_eq!(carried, [("vase.png", "image/png", 200), ("Devis mai.pdf", "application/pdf", 9)]);

    let seen = f.app.messages.history(&f.people[1], &f.group, None, None, None).await.unwrap();
    assert_eq!(seen.messages.last().unwrap().attachments, sent.attachments, "history carries them");
    let record = f.store.get_upload(&f.people[0].tenant_id, &UploadId::parse(&vase).unwrap()).await.unwrap();
    assert_eq!(record.unwrap().message_id, Some(sent.id.clone()), "the upload knows its message");
    let list = f.app.conversations.list_conversations(&f.people[1], &Default::default(), None, 20).await.unwrap();
    let preview = list.items.iter().find(|c| c.conversation.id == f.group).unwrap();
    assert_eq!(preview.conversation.last_message.as_ref().unwrap().body, "📎 vase.png, Devis mai.pdf");

    let found = f.app.messages.search(&f.people[1], &f.group, "devis", None, None).await.unwrap();
    assert_eq!(found.messages.len(), 1, "a search finds a file by its name");

    let captioned = upload(&f, 0, declared("b.png", "image/png", 50), png(50)).await;
    let with_text = Outgoing { body: Some("Le bouquet".into()), ..files(&[&captioned]) };
    let sent = f.send(0, &with_text).await.unwrap().value;
    assert_eq!(sent.body.as_ref().map(|b| b.as_str()), Some("Le bouquet"));
    let (edited, _) = f.app.messages.edit_message(&f.people[0], &f.group, &sent.id, " ", None).await.unwrap();
    assert_eq!((edited.body, edited.attachments.len()), (None, 1), "its caption can go, its files stay");
}

#[tokio::test]
async fn a_message_needs_text_or_files() {
    let f = fixture().await;
    for empty in [Outgoing::default(), Outgoing::text("  "), Outgoing { body: Some(String::new()), ..files(&[]) }] {
        assert!(refusal(f.send(0, &empty).await).starts_with("invalid body"), "{empty:?}");
    }
}

#[tokio::test]
async fn an_upload_is_attached_once_and_a_resend_answers_the_first_message() {
    let f = fixture().await;
    let photo = upload(&f, 0, declared("p.png", "image/png", 100), png(100)).await;
    let first = f.send(0, &files(&[&photo]).resendable("c-1")).await.unwrap();
    assert!(first.created);
    let again = f.send(0, &files(&[&photo]).resendable("c-1")).await.unwrap();
    assert_eq!((again.created, &again.value), (false, &first.value), "the resend is the first message");
    assert_eq!(
        refusal(f.send(0, &files(&[&photo])).await),
        format!("attachment {photo}: already attached to a message")
    );
    assert_eq!(
        refusal(f.send(0, &files(&[&photo]).resendable("c-2")).await),
        format!("attachment {photo}: already attached to a message, or expired"),
        "another message's resend key does not take it either"
    );

    // Two messages attaching one upload at once: one has it.
    let contested = upload(&f, 0, declared("q.png", "image/png", 100), png(100)).await;
    let both = files(&[&contested]);
    let (a, b) = tokio::join!(f.send(0, &both), f.send(0, &both));
    assert_eq!([&a, &b].iter().filter(|r| r.is_ok()).count(), 1, "{a:?} {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert!(refusal(loser).starts_with(&format!("attachment {contested}: already attached")));
    let history = f.app.messages.history(&f.people[0], &f.group, None, None, None).await.unwrap();
    let holding = history.messages.iter().filter(|m| m.attachments.iter().any(|a| a.id.as_str() == contested));
    assert_eq!(holding.count(), 1);
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
async fn an_upload_that_is_not_what_was_declared_is_refused_by_name_and_nothing_is_sent() {
    let f = fixture().await;
    let f = &f;
    let check = |who: usize, ids: Vec<String>| async move {
        let outgoing = Outgoing { body: Some("voilà".into()), attachments: ids, ..Outgoing::default() };
        f.send(who, &outgoing).await
    };

    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let disguised = upload(f, 0, declared("photo.png", "image/png", html.len() as u64), html).await;
    assert_eq!(
        refusal(check(0, vec![disguised.clone()]).await),
        format!("attachment {disguised}: its bytes are not image/png")
    );

    let short = upload(f, 0, declared("photo.png", "image/png", 200), png(150)).await;
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

    let unknown = "attachment {}: no such upload of yours in this conversation (or it expired)";
    let theirs = upload(f, 1, declared("b.png", "image/png", 100), png(100)).await;
    assert_eq!(refusal(check(0, vec![theirs.clone()]).await), unknown.replace("{}", &theirs));
    let mut old = f.store.get_upload(&f.people[0].tenant_id, &UploadId::parse(&short).unwrap()).await.unwrap().unwrap();
    old.id = UploadId::parse("01EXPIRED").unwrap();
    f.store.put_upload(&old, Some(chrono::Utc::now() - chrono::Duration::minutes(1))).await.unwrap();
    assert_eq!(refusal(check(0, vec!["01EXPIRED".into()]).await), unknown.replace("{}", "01EXPIRED"));
    assert_eq!(refusal(check(0, vec!["../../etc".into()]).await), "attachment ../../etc: not an upload id");

    let good = upload(f, 0, declared("c.png", "image/png", 100), png(100)).await;
    assert_eq!(
        refusal(check(0, vec![good.clone(), good.clone()]).await),
        format!("attachment {good}: attached twice (position 2)")
    );
    assert_eq!(refusal(check(0, vec![good.clone(); 11]).await), "attachments: at most 10");
    let history = f.app.messages.history(&f.people[0], &f.group, None, None, None).await.unwrap();
    assert!(history.messages.iter().all(|m| m.body.as_ref().map(|b| b.as_str()) != Some("voilà")), "none was sent");
}

/// A real PNG, `width` × `height`.
fn picture(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([30, 90, 200]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

async fn make_thumbnail(f: &Fixture, upload: &str) {
    let job = MakeThumbnail { conversation_id: f.group.clone(), upload_id: UploadId::parse(upload).unwrap() };
    f.app.thumbnails.make_thumbnail(&f.people[0].tenant_id, &job).await.unwrap();
}

#[tokio::test]
async fn a_thumbnail_made_before_or_after_the_message_ends_up_in_it() {
    let f = fixture().await;
    let bytes = picture(400, 100);
    let early = upload(&f, 0, declared("early.png", "image/png", bytes.len() as u64), bytes.clone()).await;
    make_thumbnail(&f, &early).await;
    let sent = f.send(0, &files(&[&early])).await.unwrap().value;
    let shown = |a: &Attachment| (a.width, a.height, a.thumbnail);
    assert_eq!(shown(&sent.attachments[0]), (Some(400), Some(100), true), "made first: sent with it");

    let late = upload(&f, 0, declared("late.png", "image/png", bytes.len() as u64), bytes).await;
    let sent = f.send(0, &files(&[&late])).await.unwrap().value;
    assert_eq!(shown(&sent.attachments[0]), (None, None, false));
    make_thumbnail(&f, &late).await;
    let history = f.app.messages.history(&f.people[1], &f.group, None, None, None).await.unwrap();
    let updated = history.messages.iter().find(|m| m.id == sent.id).unwrap();
    assert_eq!(shown(&updated.attachments[0]), (Some(400), Some(100), true), "made after: updated");

    let link = f.app.attachments.link(&f.people[1], &late, Rendition::Thumbnail).await.unwrap();
    let thumbnail = reqwest::get(&link.url).await.unwrap().bytes().await.unwrap();
    let thumbnail = image::load_from_memory(&thumbnail).unwrap();
    assert_eq!((thumbnail.width(), thumbnail.height()), (320, 80));
}

#[tokio::test]
async fn a_deleted_message_s_files_go() {
    let f = fixture().await;
    let bytes = picture(8, 8);
    let photo = upload(&f, 0, declared("p.png", "image/png", bytes.len() as u64), bytes).await;
    make_thumbnail(&f, &photo).await;
    let sent = f.send(0, &files(&[&photo])).await.unwrap().value;
    let link = f.app.attachments.link(&f.people[1], &photo, Rendition::Original).await.unwrap();
    let thumbnail = f.app.attachments.link(&f.people[1], &photo, Rendition::Thumbnail).await.unwrap();
    let (tombstone, _) = f.app.messages.delete_message(&f.people[0], &f.group, &sent.id, None).await.unwrap();
    assert!(tombstone.attachments.is_empty());
    let upload_ids = vec![UploadId::parse(&photo).unwrap()];
    let job = DiscardFiles { conversation_id: f.group.clone(), upload_ids, bytes: sent.attachments[0].size };
    f.app.attachments.discard_files(&f.people[0].tenant_id, &job).await.unwrap();
    f.app.attachments.discard_files(&f.people[0].tenant_id, &job).await.unwrap();
    assert_eq!(reqwest::get(&link.url).await.unwrap().status(), 404);
    assert_eq!(reqwest::get(&thumbnail.url).await.unwrap().status(), 404);
    let gone = f.app.attachments.link(&f.people[1], &photo, Rendition::Original).await;
    assert!(matches!(gone, Err(AppError::NotFound(_))), "{gone:?}");
}

#[tokio::test]
async fn an_upload_no_message_attached_is_gone_after_its_day_and_an_attached_one_stays() {
    let f = fixture().await;
    let tenant = f.people[0].tenant_id.clone();
    let waiting = upload(&f, 0, declared("a.png", "image/png", 100), png(100)).await;
    let sent = upload(&f, 0, declared("b.png", "image/png", 100), png(100)).await;
    f.send(0, &files(&[&sent])).await.unwrap();

    // Each declaration scheduled its expiry, for just after its day.
    let day_after = chrono::Utc::now() + UNATTACHED_UPLOAD_TTL + chrono::Duration::minutes(6);
    let due = f.store.list_due_jobs(day_after, 10).await.unwrap();
    let expiring: Vec<String> = due
        .iter()
        .filter_map(|s| match &s.job.task {
            Task::ExpireUpload(e) => Some(e.upload_id.to_string()),
            _ => None,
        })
        .collect();
    assert!(expiring.contains(&waiting) && expiring.contains(&sent), "{expiring:?}");
    assert!(f.store.list_due_jobs(chrono::Utc::now() + UNATTACHED_UPLOAD_TTL, 10).await.unwrap().is_empty());

    let waiting_link = f.app.attachments.link(&f.people[0], &waiting, Rendition::Original).await.unwrap();
    let sent_link = f.app.attachments.link(&f.people[0], &sent, Rendition::Original).await.unwrap();
    for id in [&waiting, &sent] {
        let job = ExpireUpload { conversation_id: f.group.clone(), upload_id: UploadId::parse(id).unwrap() };
        f.app.attachments.expire_upload(&tenant, &job).await.unwrap();
    }
    assert_eq!(reqwest::get(&waiting_link.url).await.unwrap().status(), 404, "the unattached file is gone");
    assert!(f.store.get_upload(&tenant, &UploadId::parse(&waiting).unwrap()).await.unwrap().is_none());
    assert_eq!(reqwest::get(&sent_link.url).await.unwrap().status(), 200, "the attached one stays");
}

#[tokio::test]
async fn a_tenant_may_accept_smaller_files_and_fewer_types_than_the_platform() {
    let f = fixture().await;
    let tenant = f.people[0].tenant_id.clone();
    let patch =
        |body: serde_json::Value| serde_json::from_value::<missive::usecases::tenants::TenantPatch>(body).unwrap();
    for (bad, why) in [
        (serde_json::json!({ "maxUploadBytes": 1001 }), "maxUploadBytes: expected 1 to 1000"),
        (serde_json::json!({ "maxUploadBytes": 0 }), "maxUploadBytes: expected 1 to 1000"),
        (serde_json::json!({ "uploadTypes": [] }), "uploadTypes: at least one type"),
        (serde_json::json!({ "uploadTypes": ["image/png", "text/html"] }), "uploadTypes: text/html is not accepted"),
    ] {
        match f.app.tenants.update_tenant(&tenant, patch(bad.clone())).await {
            Err(AppError::InvalidInput(message)) => assert_eq!(message, why, "{bad}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    let limited = patch(serde_json::json!({ "maxUploadBytes": 500, "uploadTypes": ["image/png", "application/pdf"] }));
    let updated = f.app.tenants.update_tenant(&tenant, limited).await.unwrap();
    assert_eq!(updated.max_upload_bytes, Some(500));

    let ask = |d: NewUpload| f.app.attachments.create_upload(&f.people[0], &f.group, d);
    assert!(ask(declared("a.png", "image/png", 500)).await.is_ok());
    for (bad, why) in [
        (declared("a.png", "image/png", 501), "size: expected 1 to 500 bytes"),
        (declared("a.gif", "image/gif", 10), "contentType: image/gif is not accepted here"),
    ] {
        match ask(bad).await {
            Err(AppError::InvalidInput(message)) => assert_eq!(message, why),
            other => panic!("{why}: {other:?}"),
        }
    }
}
