//! Files' bytes (attachments and their thumbnails): the browser uploads them straight to
//! storage through a signed form, the server checks them, reads them back to make a
//! thumbnail, hands them out through short-lived signed links, and deletes them. S3 on AWS;
//! the local runtime's data directory, behind its own signed URLs, locally.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{ConversationId, Dimensions, TenantId, Upload, UploadId};
use crate::error::AppError;

/// Where a file's bytes are kept: `{tenant}/{conversation}/{upload}` for an upload, with
/// `.thumbnail` after it for its thumbnail. Every part is a validated id, so a key never
/// climbs out of its tenant's prefix (nor out of the local runtime's directory).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileKey(String);

impl FileKey {
    /// The key of an upload.
    pub fn upload(tenant: &TenantId, conversation: &ConversationId, upload: &UploadId) -> Self {
        Self(format!("{tenant}/{conversation}/{upload}"))
    }

    /// The key of a person's data export (`usecases::exports`): a file name no upload can
    /// have (an upload's is an id alone), in its tenant's prefix.
    pub fn export(tenant: &TenantId, export_id: &str) -> Self {
        Self(format!("{tenant}/exports/{export_id}.jsonl"))
    }

    /// The key of this upload's thumbnail.
    pub fn thumbnail(&self) -> Self {
        Self(format!("{}.thumbnail", self.0))
    }

    /// A key read back from storage (a local URL's path): `None` unless it has the shape
    /// [`FileKey::upload`], [`FileKey::thumbnail`] or [`FileKey::export`] make.
    pub fn parse(key: &str) -> Option<Self> {
        let mut parts = key.split('/');
        let (tenant, folder, file) = (parts.next()?, parts.next()?, parts.next()?);
        let tenant = TenantId::parse(tenant).ok()?;
        if let Some(export) = file.strip_suffix(".jsonl") {
            // An export's id is a ULID.
            if export.is_empty() || !export.chars().all(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
            let key_made = Self::export(&tenant, export);
            return (parts.next().is_none() && key_made.0 == key).then_some(key_made);
        }
        let file = file.strip_suffix(".thumbnail").unwrap_or(file);
        let conversation = ConversationId::parse(folder).ok()?;
        let upload = Self::upload(&tenant, &conversation, &UploadId::parse(file).ok()?);
        (parts.next().is_none() && (upload.0 == key || upload.thumbnail().0 == key)).then(|| Self(key.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whose upload a key read back from storage is (a bucket's event): `None` for anything
    /// but an upload's key (a thumbnail's, a stranger's).
    pub fn upload_of(key: &str) -> Option<(TenantId, ConversationId, UploadId)> {
        let mut parts = key.split('/');
        let (tenant, conversation, upload) = (parts.next()?, parts.next()?, parts.next()?);
        let parsed =
            (TenantId::parse(tenant).ok()?, ConversationId::parse(conversation).ok()?, UploadId::parse(upload).ok()?);
        (parts.next().is_none() && Self::upload(&parsed.0, &parsed.1, &parsed.2).0 == key).then_some(parsed)
    }
}

/// What the browser posts a file with: `fields` as multipart form fields, then the file as
/// the last field, `file`, to `url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadForm {
    pub url: String,
    pub fields: Vec<(String, String)>,
}

/// What a signed form lets the browser store: one key, one declared type, at most
/// `max_bytes`, until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadGrant {
    pub content_type: String,
    pub max_bytes: u64,
    pub expires_at: DateTime<Utc>,
}

/// How a browser opens a download: shown in the page (images), or saved under a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    Inline,
    Attachment { file_name: String },
}

impl Disposition {
    /// The `Content-Disposition` header: a file name kept to safe characters (no quotes, path
    /// separators or control characters) in `filename`, the UTF-8 name in `filename*`.
    pub fn header(&self) -> String {
        match self {
            Self::Inline => "inline".into(),
            Self::Attachment { file_name } => {
                let ascii: String = file_name
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() || " .-_()".contains(c) { c } else { '_' })
                    .collect();
                let encoded: String = file_name
                    .bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
                        _ => format!("%{b:02X}"),
                    })
                    .collect();
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
            }
        }
    }
}

/// What one read of a file's beginning tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peek {
    /// The whole file's size, in bytes.
    pub size: u64,
    pub first_bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file is larger than the reader allowed.
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("file storage failed: {0:#}")]
    Failed(anyhow::Error),
}

/// A file too large for its reader is the caller's to hear of; a storage failure is
/// `unavailable` when transient, `internal` otherwise.
impl From<FileError> for AppError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::TooLarge(_) => AppError::TooLarge(e.to_string()),
            FileError::Failed(e) => AppError::internal(e),
        }
    }
}

#[async_trait]
pub trait FileStore: Send + Sync {
    /// A form that stores one file under `key`, as `grant` allows and nothing else.
    async fn upload_form(&self, key: &FileKey, grant: &UploadGrant) -> Result<UploadForm, FileError>;
    /// The stored file's size and its first `n` bytes (fewer if it is shorter: enough to
    /// tell its type), in one read; `None` if nothing is stored under `key`.
    async fn peek(&self, key: &FileKey, n: usize) -> Result<Option<Peek>, FileError>;
    /// The whole file, refused with `TooLarge` above `max_bytes`.
    async fn read(&self, key: &FileKey, max_bytes: u64) -> Result<Vec<u8>, FileError>;
    /// Stores bytes the server made (a thumbnail).
    async fn write(&self, key: &FileKey, bytes: Vec<u8>, content_type: &str) -> Result<(), FileError>;
    /// Stores a file the server made on its own disk (an export), streamed from `path`
    /// rather than held in memory.
    async fn write_file(&self, key: &FileKey, path: &std::path::Path, content_type: &str) -> Result<(), FileError>;
    /// A link that serves the file as `content_type` with `disposition` until `expires_at`.
    async fn download_url(
        &self,
        key: &FileKey,
        content_type: &str,
        disposition: &Disposition,
        expires_at: DateTime<Utc>,
    ) -> Result<String, FileError>;
    /// Deletes the files; a key with nothing stored is not an error.
    async fn delete(&self, keys: &[FileKey]) -> Result<(), FileError>;
    /// Deletes files of the tenant (its offboarding) — uploads, thumbnails, exports, all under
    /// its prefix —, about `limit` at most (whole pages). Answers how many went: 0 once none is
    /// left.
    async fn delete_tenant_files(&self, tenant: &TenantId, limit: usize) -> Result<u64, FileError>;
}

/// The uploads' records: what each member declared, and which message attached it.
#[async_trait]
pub trait UploadStore: Send + Sync {
    /// Creates or replaces an upload's record; one no message attached reads as gone after
    /// `expires_at`.
    async fn put_upload(&self, upload: &Upload, expires_at: Option<DateTime<Utc>>) -> StoreResult<()>;
    async fn get_upload(&self, tenant: &TenantId, id: &UploadId) -> StoreResult<Option<Upload>>;
    /// Records an image upload's size once its thumbnail is made, apart from the upload's own
    /// record (which a message's write replaces as it attaches the upload), read as gone after
    /// `expires_at`.
    async fn put_image(
        &self,
        tenant: &TenantId,
        id: &UploadId,
        image: Dimensions,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn get_image(&self, tenant: &TenantId, id: &UploadId) -> StoreResult<Option<Dimensions>>;
    /// Forgets an upload and its image's size; nothing to forget is not an error.
    async fn delete_upload(&self, tenant: &TenantId, id: &UploadId) -> StoreResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_read_back_is_one_the_server_could_have_made() {
        let upload = FileKey::upload(
            &TenantId::parse("t1").unwrap(),
            &ConversationId::parse("c1").unwrap(),
            &UploadId::parse("01K").unwrap(),
        );
        assert_eq!(upload.as_str(), "t1/c1/01K");
        assert_eq!(FileKey::parse("t1/c1/01K"), Some(upload.clone()));
        assert_eq!(FileKey::parse("t1/c1/01K.thumbnail"), Some(upload.thumbnail()));
        for bad in ["t1/c1/../01K", "../c1/01K", "t1/c1", "t1/c1/01K/x", "/t1/c1/01K", "t1/c1/01K.exe", "t1//01K"] {
            assert_eq!(FileKey::parse(bad), None, "{bad}");
            assert_eq!(FileKey::upload_of(bad), None, "{bad}");
        }
        let (tenant, conversation, upload) = FileKey::upload_of("t1/c1/01K").unwrap();
        assert_eq!((tenant.as_str(), conversation.as_str(), upload.as_str()), ("t1", "c1", "01K"));
        assert_eq!(FileKey::upload_of("t1/c1/01K.thumbnail"), None, "a thumbnail is no upload");
        let export = FileKey::export(&TenantId::parse("t1").unwrap(), "01K");
        assert_eq!(export.as_str(), "t1/exports/01K.jsonl");
        assert_eq!(FileKey::parse("t1/exports/01K.jsonl"), Some(export));
        assert_eq!(FileKey::upload_of("t1/exports/01K.jsonl"), None, "an export is no upload");
        for bad in ["t1/c1/01K.jsonl", "t1/exports/.jsonl", "t1/exports/a.b.jsonl", "t1/exports/01K.jsonl/x"] {
            assert_eq!(FileKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_saved_file_keeps_a_safe_name() {
        let named = Disposition::Attachment { file_name: "../é\r\n\"x\".pdf".into() };
        assert_eq!(
            named.header(),
            "attachment; filename=\".._____x_.pdf\"; filename*=UTF-8''..%2F%C3%A9%0D%0A%22x%22.pdf"
        );
        assert_eq!(Disposition::Inline.header(), "inline");
    }
}
