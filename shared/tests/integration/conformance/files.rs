//! Files: a signed form stores one file, which reads back whole and in part; a signed link
//! serves it; the server writes a thumbnail beside it; deleting removes both (and deleting
//! nothing is no error). Run on the local runtime's files (its routes on a loopback port) and
//! on S3 (moto). What only the local runtime checks itself — moto takes any form, real S3
//! checks its policy — is tested on the local adapter alone: a file over the form's limit, a
//! tampered or expired form or link, the download's headers.

use std::sync::Arc;

use chrono::{Duration, Utc};
use missive::adapters::aws::s3_files::S3Files;
use missive::adapters::local::files::routes;
use missive::adapters::local::LocalFiles;
use missive::domain::{ConversationId, UploadId};
use missive::ports::{Disposition, FileError, FileKey, FileStore, UploadForm, UploadGrant};

use super::tid;

fn new_key() -> FileKey {
    let upload = UploadId::parse(ulid::Ulid::new().to_string()).unwrap();
    FileKey::upload(&tid("t1"), &ConversationId::parse("c1").unwrap(), &upload)
}

/// 200 bytes that start as a PNG does.
fn photo() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(200, 7);
    bytes
}

fn grant(max_bytes: u64) -> UploadGrant {
    UploadGrant { content_type: "image/png".into(), max_bytes, expires_at: Utc::now() + Duration::minutes(5) }
}

/// Posts `bytes` with `form` as a browser does: the form's fields, then the file.
pub async fn post(form: &UploadForm, bytes: Vec<u8>) -> reqwest::StatusCode {
    let mut multipart = reqwest::multipart::Form::new();
    for (name, value) in &form.fields {
        multipart = multipart.text(name.clone(), value.clone());
    }
    let file = reqwest::multipart::Part::bytes(bytes).file_name("photo.png").mime_str("image/png").unwrap();
    let client = reqwest::Client::new();
    client.post(&form.url).multipart(multipart.part("file", file)).send().await.unwrap().status()
}

async fn a_file_goes_up_reads_back_and_goes_away<F: FileStore + ?Sized>(files: &F) {
    let key = new_key();
    let form = files.upload_form(&key, &grant(1000)).await.unwrap();
    let status = post(&form, photo()).await;
    assert!(status.is_success(), "the upload: {status}");
    let peek = files.peek(&key, 8).await.unwrap().expect("the file");
    assert_eq!((peek.size, &peek.first_bytes[..]), (200, &photo()[..8]));
    assert_eq!(files.peek(&key, 1000).await.unwrap().unwrap().first_bytes, photo(), "a short file, whole");
    assert_eq!(files.read(&key, 1000).await.unwrap(), photo());
    assert!(matches!(files.read(&key, 100).await, Err(FileError::TooLarge(100))));

    let named = Disposition::Attachment { file_name: "devis \"mai\"/2026.png".into() };
    let url = files.download_url(&key, "image/png", &named, Utc::now() + Duration::minutes(5)).await.unwrap();
    let got = reqwest::get(url).await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().to_vec(), photo());

    let thumbnail = key.thumbnail();
    files.write(&thumbnail, vec![1, 2, 3], "image/jpeg").await.unwrap();
    assert_eq!(files.peek(&thumbnail, 8).await.unwrap().map(|p| p.size), Some(3));
    files.delete(&[key.clone(), thumbnail.clone()]).await.unwrap();
    assert_eq!(files.peek(&key, 8).await.unwrap(), None);
    assert_eq!(files.peek(&thumbnail, 8).await.unwrap(), None);
    files.delete(&[key]).await.unwrap();

    // A file the server made on its disk (an export) is streamed in, and served as any other.
    let made = tempfile::NamedTempFile::new().unwrap();
    let lines = "{\"type\":\"export\"}\n".repeat(5000);
    std::fs::write(made.path(), &lines).unwrap();
    let export = FileKey::export(&tid("t1"), &ulid::Ulid::new().to_string());
    files.write_file(&export, made.path(), "application/x-ndjson").await.unwrap();
    assert_eq!(files.peek(&export, 8).await.unwrap().map(|p| p.size), Some(lines.len() as u64));
    let saved = Disposition::Attachment { file_name: "export.jsonl".into() };
    let url = files.download_url(&export, "application/x-ndjson", &saved, Utc::now() + Duration::minutes(5)).await;
    let got = reqwest::get(url.unwrap()).await.unwrap();
    assert_eq!((got.status(), got.text().await.unwrap() == lines), (reqwest::StatusCode::OK, true));
    files.delete(std::slice::from_ref(&export)).await.unwrap();
    assert_eq!(files.peek(&export, 8).await.unwrap(), None);

    // An offboarded tenant's files go all at once; another tenant's stay.
    let gone = tid(&format!("gone-{}", ulid::Ulid::new().to_string().to_lowercase()));
    let upload = FileKey::upload(&gone, &ConversationId::parse("c1").unwrap(), &UploadId::parse("u1").unwrap());
    files.write(&upload, vec![1, 2, 3], "image/png").await.unwrap();
    files.write(&upload.thumbnail(), vec![4], "image/jpeg").await.unwrap();
    files.write_file(&FileKey::export(&gone, "01KEXPORT"), made.path(), "application/x-ndjson").await.unwrap();
    let kept = new_key();
    files.write(&kept, vec![5], "image/png").await.unwrap();
    assert_eq!(files.delete_tenant_files(&gone, 1000).await.unwrap(), 3);
    assert_eq!(files.peek(&upload, 8).await.unwrap(), None);
    assert_eq!(files.delete_tenant_files(&gone, 1000).await.unwrap(), 0, "nothing left");
    assert!(files.peek(&kept, 8).await.unwrap().is_some(), "another tenant's stay");
    files.delete(&[kept]).await.unwrap();
}

/// The local runtime's files, served on a loopback port as the runtime serves them.
pub async fn local_files() -> (Arc<LocalFiles>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let files = Arc::new(LocalFiles::open(dir.path().join("files"), base).unwrap());
    let app = routes(files.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (files, dir)
}

mod a_file_goes_up_reads_back_and_goes_away {
    use super::*;

    #[tokio::test]
    async fn on_the_local_runtime() {
        let (files, _dir) = local_files().await;
        a_file_goes_up_reads_back_and_goes_away(files.as_ref()).await;
    }

    #[tokio::test]
    async fn on_s3() {
        let sdk = crate::aws_support::sdk_config().await;
        let bucket = crate::aws_support::unique_name("files");
        let files = S3Files::from_sdk(&sdk, &bucket, None).unwrap();
        let location = aws_sdk_s3::types::CreateBucketConfiguration::builder()
            .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
            .build();
        files.client().create_bucket().bucket(&bucket).create_bucket_configuration(location).send().await.unwrap();
        a_file_goes_up_reads_back_and_goes_away(&files).await;
    }
}

#[tokio::test]
async fn the_local_runtime_keeps_nothing_a_form_does_not_allow() {
    let (files, _dir) = local_files().await;
    let key = new_key();

    let small = files.upload_form(&key, &grant(100)).await.unwrap();
    assert_eq!(post(&small, photo()).await, 413, "200 bytes on a form for 100");

    let mut tampered = files.upload_form(&key, &grant(100)).await.unwrap();
    for (name, value) in &mut tampered.fields {
        if name == "x-missive-max-bytes" {
            *value = "1000".into();
        }
    }
    assert_eq!(post(&tampered, photo()).await, 403, "a limit raised by the browser");

    let late = UploadGrant { expires_at: Utc::now() - Duration::seconds(1), ..grant(1000) };
    let expired = files.upload_form(&key, &late).await.unwrap();
    assert_eq!(post(&expired, photo()).await, 403, "an expired form");
    let mut padded = files.upload_form(&key, &grant(1000)).await.unwrap();
    padded.fields.insert(0, ("padding".into(), "x".repeat(10_000)));
    assert_eq!(post(&padded, photo()).await, 400, "a field no form of ours has");
    assert_eq!(files.peek(&key, 8).await.unwrap(), None, "nothing was kept");

    let form = files.upload_form(&key, &grant(1000)).await.unwrap();
    assert_eq!(post(&form, photo()).await, 204);
    let named = Disposition::Attachment { file_name: "devis \"mai\"/2026.png".into() };
    let url = files.download_url(&key, "application/pdf", &named, Utc::now() + Duration::minutes(5)).await.unwrap();
    let got = reqwest::get(&url).await.unwrap();
    assert_eq!(got.status(), 200);
    let header = |name: &str| got.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"devis _mai__2026.png\"; filename*=UTF-8''devis%20%22mai%22%2F2026.png"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(reqwest::get(url.replace("type=application", "type=text")).await.unwrap().status(), 403);
    let past = Utc::now() - Duration::seconds(1);
    let stale = files.download_url(&key, "image/png", &Disposition::Inline, past).await.unwrap();
    assert_eq!(reqwest::get(stale).await.unwrap().status(), 403, "an expired link");
}
