//! The local runtime's file storage: files under `<data dir>/files/<key>`, uploaded and read
//! through the runtime's own URLs, each signed (HMAC-SHA256 with a key made at start) with
//! what it allows — S3's presigned POST and GET, same shape, same checks: one key, one
//! declared type, a size limit, an expiry.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::adapters::signing::{hex, hmac_sha256, verify_hex};
use crate::domain::TenantId;
use crate::ports::{Disposition, FileError, FileKey, FileStore, Peek, UploadForm, UploadGrant};

/// Files in a directory, served at `base_url` + `/local/files`.
pub struct LocalFiles {
    dir: PathBuf,
    base_url: String,
    key: Vec<u8>,
    /// What S3's event notification is on AWS: told of each upload stored.
    on_upload: std::sync::OnceLock<UploadHook>,
}

/// Called with the key of each upload stored.
pub type UploadHook = Box<dyn Fn(&FileKey) + Send + Sync>;

/// Why the local runtime refused an upload or a download.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the signature does not match")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
    #[error("the file is larger than the form allows")]
    TooLarge,
    #[error("the form is missing `{0}`")]
    Missing(&'static str),
    #[error("no such file")]
    NotFound,
}

/// An upload's signed fields, as the form carries them.
pub struct UploadFields<'a> {
    pub key: &'a str,
    pub content_type: &'a str,
    pub max_bytes: &'a str,
    pub expires: &'a str,
    pub signature: &'a str,
}

/// A download link's signed query.
pub struct DownloadQuery<'a> {
    pub content_type: &'a str,
    pub disposition: &'a str,
    pub expires: &'a str,
    pub signature: &'a str,
}

fn failed(e: impl Into<anyhow::Error>) -> FileError {
    FileError::Failed(e.into())
}

impl LocalFiles {
    /// Files under `dir`, links to `base_url` (the runtime's public address); a new signing
    /// key each start, so links do not outlive the process that made them.
    pub fn open(dir: impl Into<PathBuf>, base_url: impl Into<String>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        let key = format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new()).into_bytes();
        Ok(Self { dir, base_url: base_url.into(), key, on_upload: std::sync::OnceLock::new() })
    }

    /// Has `hook` told of every upload stored from now on (once per process: the first hook
    /// stays).
    pub fn when_uploaded(&self, hook: UploadHook) {
        let _already_set = self.on_upload.set(hook);
    }

    fn path(&self, key: &FileKey) -> PathBuf {
        self.dir.join(key.as_str())
    }

    fn upload_payload(key: &str, content_type: &str, max_bytes: &str, expires: &str) -> String {
        format!("upload\n{key}\n{content_type}\n{max_bytes}\n{expires}")
    }

    fn download_payload(key: &str, content_type: &str, disposition: &str, expires: &str) -> String {
        format!("download\n{key}\n{content_type}\n{disposition}\n{expires}")
    }

    fn check(&self, payload: &str, signature: &str, expires: &str, now: DateTime<Utc>) -> Result<(), Refusal> {
        if !verify_hex(&self.key, payload.as_bytes(), signature) {
            return Err(Refusal::BadSignature);
        }
        match expires.parse::<i64>() {
            Ok(expires) if now.timestamp() <= expires => Ok(()),
            _ => Err(Refusal::Expired),
        }
    }

    /// Checks an upload's signed fields at `now`: the key to store under and the most bytes
    /// it may have.
    pub fn accept_upload(&self, fields: &UploadFields<'_>, now: DateTime<Utc>) -> Result<(FileKey, u64), Refusal> {
        let payload = Self::upload_payload(fields.key, fields.content_type, fields.max_bytes, fields.expires);
        self.check(&payload, fields.signature, fields.expires, now)?;
        let key = FileKey::parse(fields.key).ok_or(Refusal::BadSignature)?;
        let max = fields.max_bytes.parse().map_err(|_| Refusal::BadSignature)?;
        Ok((key, max))
    }

    /// Stores an accepted upload's bytes.
    pub fn store(&self, key: &FileKey, bytes: &[u8]) -> Result<(), FileError> {
        self.put_in_place(key, |partial| std::fs::write(partial, bytes))
    }

    /// Writes a file under `key` with `write`, aside first, then moved in place: a reader
    /// never sees half a file.
    fn put_in_place(&self, key: &FileKey, write: impl FnOnce(&Path) -> std::io::Result<()>) -> Result<(), FileError> {
        let path = self.path(key);
        let parent = path.parent().ok_or_else(|| failed(anyhow::anyhow!("a key without a folder")))?;
        std::fs::create_dir_all(parent).map_err(failed)?;
        let partial = path.with_extension(format!("{}.partial", ulid::Ulid::new()));
        write(&partial).map_err(failed)?;
        std::fs::rename(&partial, &path).map_err(failed)
    }

    /// Checks a download link at `now`: the file's path.
    pub fn accept_download(
        &self,
        key: &str,
        query: &DownloadQuery<'_>,
        now: DateTime<Utc>,
    ) -> Result<PathBuf, Refusal> {
        let payload = Self::download_payload(key, query.content_type, query.disposition, query.expires);
        self.check(&payload, query.signature, query.expires, now)?;
        let key = FileKey::parse(key).ok_or(Refusal::NotFound)?;
        let path = self.path(&key);
        path.is_file().then_some(path).ok_or(Refusal::NotFound)
    }
}

fn read_prefix(path: &Path, n: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(n);
    std::fs::File::open(path)?.take(n as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[async_trait]
impl FileStore for LocalFiles {
    async fn upload_form(&self, key: &FileKey, grant: &UploadGrant) -> Result<UploadForm, FileError> {
        let (max, expires) = (grant.max_bytes.to_string(), grant.expires_at.timestamp().to_string());
        let payload = Self::upload_payload(key.as_str(), &grant.content_type, &max, &expires);
        let signature = hex(&hmac_sha256(&self.key, payload.as_bytes()));
        let fields = [
            ("key", key.as_str().to_string()),
            ("Content-Type", grant.content_type.clone()),
            ("x-missive-max-bytes", max),
            ("x-missive-expires", expires),
            ("x-missive-signature", signature),
        ];
        Ok(UploadForm {
            url: format!("{}/local/files", self.base_url),
            fields: fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        })
    }

    async fn peek(&self, key: &FileKey, n: usize) -> Result<Option<Peek>, FileError> {
        let path = self.path(key);
        let size = match std::fs::metadata(&path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(failed(e)),
        };
        Ok(Some(Peek { size, first_bytes: read_prefix(&path, n).map_err(failed)? }))
    }

    async fn read(&self, key: &FileKey, max_bytes: u64) -> Result<Vec<u8>, FileError> {
        let bytes = read_prefix(&self.path(key), max_bytes as usize + 1).map_err(failed)?;
        if bytes.len() as u64 > max_bytes {
            return Err(FileError::TooLarge(max_bytes));
        }
        Ok(bytes)
    }

    async fn write(&self, key: &FileKey, bytes: Vec<u8>, _content_type: &str) -> Result<(), FileError> {
        self.store(key, &bytes)
    }

    async fn write_file(&self, key: &FileKey, path: &Path, _content_type: &str) -> Result<(), FileError> {
        self.put_in_place(key, |partial| std::fs::copy(path, partial).map(|_| ()))
    }

    async fn download_url(
        &self,
        key: &FileKey,
        content_type: &str,
        disposition: &Disposition,
        expires_at: DateTime<Utc>,
    ) -> Result<String, FileError> {
        let (disposition, expires) = (disposition.header(), expires_at.timestamp().to_string());
        let payload = Self::download_payload(key.as_str(), content_type, &disposition, &expires);
        let signature = hex(&hmac_sha256(&self.key, payload.as_bytes()));
        Ok(format!(
            "{}/local/files/{}?type={}&disposition={}&expires={expires}&signature={signature}",
            self.base_url,
            key.as_str(),
            url_encode(content_type),
            url_encode(&disposition),
        ))
    }

    async fn delete(&self, keys: &[FileKey]) -> Result<(), FileError> {
        for key in keys {
            match std::fs::remove_file(self.path(key)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(failed(e)),
            }
        }
        Ok(())
    }

    async fn delete_tenant_files(&self, tenant: &TenantId, limit: usize) -> Result<u64, FileError> {
        let dir = self.dir.join(tenant.as_str());
        tokio::task::spawn_blocking(move || {
            let mut files = Vec::new();
            collect_files(&dir, limit, &mut files);
            for file in &files {
                std::fs::remove_file(file).map_err(failed)?;
            }
            if files.is_empty() {
                // Only empty folders are left.
                match std::fs::remove_dir_all(&dir) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(failed(e)),
                }
            }
            Ok(files.len() as u64)
        })
        .await
        .map_err(failed)?
    }
}

/// Up to `limit` files under a directory, at any depth.
fn collect_files(dir: &Path, limit: usize, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if found.len() >= limit {
            return;
        }
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => collect_files(&entry.path(), limit, found),
            Ok(_) => found.push(entry.path()),
            Err(_) => {}
        }
    }
}

/// The runtime's routes for its files: `POST /local/files` (a multipart form as
/// [`FileStore::upload_form`] makes it, the file last) and `GET /local/files/{key}` (a link as
/// [`FileStore::download_url`] makes it).
#[cfg(feature = "http")]
pub fn routes(files: std::sync::Arc<LocalFiles>) -> axum::Router {
    use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    use std::collections::HashMap;
    use std::sync::Arc;

    /// The longest form field but the file (a key, a type, a signature: well under this).
    const MAX_FIELD_BYTES: usize = 4096;

    fn refuse(refusal: Refusal) -> Response {
        let status = match refusal {
            Refusal::BadSignature | Refusal::Expired => StatusCode::FORBIDDEN,
            Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Missing(_) => StatusCode::BAD_REQUEST,
            Refusal::NotFound => StatusCode::NOT_FOUND,
        };
        (status, refusal.to_string()).into_response()
    }

    async fn upload(State(files): State<Arc<LocalFiles>>, mut form: Multipart) -> Response {
        let mut fields = HashMap::new();
        loop {
            let field = match form.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => return refuse(Refusal::Missing("file")),
                Err(e) => return (StatusCode::BAD_REQUEST, e.body_text()).into_response(),
            };
            let name = field.name().unwrap_or_default().to_string();
            if name != "file" {
                // The form's own fields are short: a larger one is no form of ours, and is not
                // read into memory (the route takes requests before any signature is checked).
                let mut text = Vec::new();
                let mut field = field;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if text.len() + chunk.len() > MAX_FIELD_BYTES => {
                            return (StatusCode::BAD_REQUEST, format!("form field `{name}` is too long"))
                                .into_response();
                        }
                        Ok(Some(chunk)) => text.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(e) => return (StatusCode::BAD_REQUEST, e.body_text()).into_response(),
                    }
                }
                match String::from_utf8(text) {
                    Ok(text) => fields.insert(name, text),
                    Err(_) => {
                        return (StatusCode::BAD_REQUEST, format!("form field `{name}` is not text")).into_response()
                    }
                };
                continue;
            }
            let get = |name: &'static str| fields.get(name).map(String::as_str).ok_or(Refusal::Missing(name));
            let signed = (|| {
                Ok::<_, Refusal>(UploadFields {
                    key: get("key")?,
                    content_type: get("Content-Type")?,
                    max_bytes: get("x-missive-max-bytes")?,
                    expires: get("x-missive-expires")?,
                    signature: get("x-missive-signature")?,
                })
            })();
            let (key, max) = match signed.and_then(|fields| files.accept_upload(&fields, Utc::now())) {
                Ok(accepted) => accepted,
                Err(refusal) => return refuse(refusal),
            };
            // Read at most one byte past the limit: a larger file is refused, never kept.
            let mut bytes = Vec::new();
            let mut field = field;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) if (bytes.len() + chunk.len()) as u64 > max => return refuse(Refusal::TooLarge),
                    Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(e) => return (StatusCode::BAD_REQUEST, e.body_text()).into_response(),
                }
            }
            return match files.store(&key, &bytes) {
                Ok(()) => {
                    if let Some(hook) = files.on_upload.get() {
                        hook(&key);
                    }
                    StatusCode::NO_CONTENT.into_response()
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not store an upload");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            };
        }
    }

    async fn download(
        State(files): State<Arc<LocalFiles>>,
        Path(key): Path<String>,
        Query(query): Query<HashMap<String, String>>,
    ) -> Response {
        let get = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
        let signed = DownloadQuery {
            content_type: get("type"),
            disposition: get("disposition"),
            expires: get("expires"),
            signature: get("signature"),
        };
        let path = match files.accept_download(&key, &signed, Utc::now()) {
            Ok(path) => path,
            Err(refusal) => return refuse(refusal),
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => (
                [
                    (header::CONTENT_TYPE, signed.content_type.to_string()),
                    (header::CONTENT_DISPOSITION, signed.disposition.to_string()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                    (header::CACHE_CONTROL, "private, max-age=300".to_string()),
                ],
                bytes,
            )
                .into_response(),
            Err(_) => refuse(Refusal::NotFound),
        }
    }

    axum::Router::new()
        .route("/local/files", post(upload))
        .route("/local/files/{*key}", get(download))
        // The form's own limit is checked as the file streams in; this only bounds the request.
        .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
        .with_state(files)
}
