//! What a queue record asks for: a job, or S3's event for the files bucket — each upload
//! stored is a `makeThumbnail` job; S3's test event (sent when a bucket's notifications are
//! set) and a thumbnail's own creation are nothing to do.

use serde::Deserialize;

use crate::domain::Job;
use crate::usecases::thumbnails::thumbnail_job;

#[derive(Deserialize)]
struct Notification {
    #[serde(rename = "Records", default)]
    records: Vec<Record>,
    #[serde(rename = "Event")]
    event: Option<String>,
}

#[derive(Deserialize)]
struct Record {
    #[serde(rename = "eventSource")]
    source: String,
    #[serde(rename = "eventName")]
    name: String,
    s3: Entity,
}

#[derive(Deserialize)]
struct Entity {
    object: Object,
}

#[derive(Deserialize)]
struct Object {
    key: String,
}

/// The jobs a record's body asks for; `None` when it is neither a job nor S3's event.
pub fn jobs_of(body: &str) -> Option<Vec<Job>> {
    if let Ok(job) = serde_json::from_str::<Job>(body) {
        return Some(vec![job]);
    }
    let notification = serde_json::from_str::<Notification>(body).ok()?;
    if notification.event.as_deref() == Some("s3:TestEvent") {
        return Some(Vec::new());
    }
    let created =
        notification.records.into_iter().filter(|r| r.source == "aws:s3" && r.name.starts_with("ObjectCreated"));
    Some(created.filter_map(|record| thumbnail_job(&url_decode(&record.s3.object.key))).collect())
}

/// An S3 event's key is URL-encoded, a space as `+`.
fn url_decode(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped =
            bytes.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match (bytes[i], escaped) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (byte, _) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Task;

    fn event(name: &str, key: &str) -> String {
        serde_json::json!({ "Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-1", "eventName": name,
            "s3": { "bucket": { "name": "missive-files" }, "object": { "key": key, "size": 48213 } }
        }] })
        .to_string()
    }

    #[test]
    fn an_upload_stored_is_a_thumbnail_to_make_and_nothing_else_is() {
        let jobs = jobs_of(&event("ObjectCreated:Post", "acme/01KC/01KU")).unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!((jobs[0].tenant_id.as_str(), jobs[0].id.as_str()), ("acme", "thumbnail:01KU"));
        let Task::MakeThumbnail(make) = &jobs[0].task else { panic!("{jobs:?}") };
        assert_eq!((make.conversation_id.as_str(), make.upload_id.as_str()), ("01KC", "01KU"));
        assert_eq!(jobs_of(&event("ObjectCreated:Put", "acme/01KC/01KU.thumbnail")).unwrap(), vec![]);
        assert_eq!(jobs_of(&event("ObjectRemoved:Delete", "acme/01KC/01KU")).unwrap(), vec![]);
        assert_eq!(jobs_of(&event("ObjectCreated:Post", "elsewhere/x")).unwrap(), vec![]);
        let test = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-12-06T10:00:00Z","Bucket":"b"}"#;
        assert_eq!(jobs_of(test).unwrap(), vec![]);
        assert!(jobs_of("not json").is_none());
        assert_eq!(url_decode("a%2Fb+c%zz%4"), "a/b c%zz%4");
    }
}
