//! Files members upload to a conversation, and what a message carries of them (its
//! attachments): the declared name, type and size, checked before anything is stored and
//! again, against the bytes, when a message attaches the file.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{ConversationId, MessageId, TenantId, UploadId, UserId};
use crate::error::AppError;

/// The most files one message carries.
pub const MAX_ATTACHMENTS: usize = 10;

/// How long an upload form is valid.
pub const UPLOAD_FORM_VALIDITY: Duration = Duration::minutes(5);

/// How long a download link is valid.
pub const DOWNLOAD_LINK_VALIDITY: Duration = Duration::minutes(5);

/// A thumbnail's longest side, in pixels.
pub const THUMBNAIL_SIZE: u32 = 320;

/// How long an upload no message attached is kept (its file then goes: S3's lifecycle rule,
/// the local runtime's sweep).
pub const UNATTACHED_UPLOAD_TTL: Duration = Duration::hours(24);

/// The types a file may have: images, PDF, office documents, plain text and CSV. Never HTML,
/// SVG or scripts, which a browser would run.
pub const ALLOWED_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/heif",
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "text/plain",
    "text/csv",
];

/// A file's name as its sender named it: 1 to 255 characters, no path separator, no control
/// character, not `.` or `..`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct FileName(String);

impl FileName {
    pub fn parse(name: impl Into<String>) -> Result<Self, AppError> {
        let name = name.into();
        let length = name.chars().count();
        if !(1..=255).contains(&length) || name == "." || name == ".." {
            return Err(AppError::invalid("name: expected 1 to 255 characters"));
        }
        if name.chars().any(|c| c == '/' || c == '\\' || c.is_control()) {
            return Err(AppError::invalid("name: no path separators or control characters"));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FileName {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::parse(s)
    }
}

impl From<FileName> for String {
    fn from(name: FileName) -> String {
        name.0
    }
}

/// A file's declared content type, lower-cased, without parameters: one Missive accepts —
/// images (JPEG, PNG, GIF, WebP, HEIC/HEIF), PDF, office documents (Word, Excel, PowerPoint,
/// OpenDocument), plain text and CSV ([`ALLOWED_TYPES`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct FileType(String);

impl FileType {
    pub fn parse(content_type: impl Into<String>) -> Result<Self, AppError> {
        let content_type = content_type.into();
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match ALLOWED_TYPES.contains(&essence.as_str()) {
            true => Ok(Self(essence)),
            false => Err(AppError::invalid(format!("contentType: {essence} is not accepted"))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_image(&self) -> bool {
        self.0.starts_with("image/")
    }

    /// Whether Missive makes a thumbnail of such a file: the images it decodes (not HEIC).
    pub fn has_thumbnail(&self) -> bool {
        matches!(self.0.as_str(), "image/jpeg" | "image/png" | "image/gif" | "image/webp")
    }

    /// Whether a file's first bytes are of this type: its signature for binary formats (the
    /// `infer` crate's table; an OOXML document is a ZIP, an older Office one an OLE file),
    /// UTF-8 text that no browser would take for markup for `text/plain` and `text/csv`.
    pub fn matches(&self, first_bytes: &[u8]) -> bool {
        if self.0.starts_with("text/") {
            return looks_like_plain_text(first_bytes);
        }
        let Some(found) = infer::get(first_bytes) else { return false };
        let found = found.mime_type();
        found == self.0
            || (self.0.contains("openxmlformats") || self.0.contains("opendocument")) && found == "application/zip"
            || self.0 == "image/heif" && found == "image/heic"
            || matches!(
                self.0.as_str(),
                "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint"
            ) && found == "application/x-ole-storage"
    }
}

/// UTF-8 (a multi-byte character cut by the prefix's end is fine), and nothing a browser
/// would sniff as HTML or SVG.
fn looks_like_plain_text(bytes: &[u8]) -> bool {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
        Err(_) => return false,
    };
    let start = text.trim_start().to_ascii_lowercase();
    let markup = ["<!doctype", "<html", "<script", "<svg", "<?xml", "<body", "<iframe", "<head"];
    !markup.iter().any(|m| start.starts_with(m)) && !text.contains('\0')
}

impl TryFrom<String> for FileType {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::parse(s)
    }
}

impl From<FileType> for String {
    fn from(t: FileType) -> String {
        t.0
    }
}

/// A file a member uploaded (or is about to) to a conversation: what they declared, and the
/// message that attached it once one has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    pub tenant_id: TenantId,
    pub conversation_id: ConversationId,
    pub id: UploadId,
    pub uploaded_by: UserId,
    pub name: FileName,
    pub content_type: FileType,
    pub size: u64,
    pub created_at: DateTime<Utc>,
    pub message_id: Option<MessageId>,
}

impl Upload {
    /// What a message that attaches this upload carries of it, with the image's size once its
    /// thumbnail is made.
    pub fn attachment(&self, image: Option<Dimensions>) -> Attachment {
        let mut attachment = Attachment {
            id: self.id.clone(),
            name: self.name.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            width: None,
            height: None,
            thumbnail: false,
        };
        if let Some(image) = image {
            attachment.show(image);
        }
        attachment
    }
}

/// An image's size in pixels, as it is shown (its EXIF orientation applied).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dimensions {
    pub width: u32,
    pub height: u32,
}

/// What a message carries of each file it attaches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: UploadId,
    pub name: FileName,
    pub content_type: FileType,
    pub size: u64,
    /// For a JPEG, PNG, GIF or WebP image, once its thumbnail is made: its width in pixels, as
    /// shown (its EXIF orientation applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// The same image's height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// `true` once the image's thumbnail is made (in the background, moments after the upload):
    /// `GET /v1/attachments/{id}/thumbnail` then has it. A message sent before it was made gets
    /// `message.updated` with it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub thumbnail: bool,
}

impl Attachment {
    /// Its image's thumbnail is made: the image's size shows.
    pub fn show(&mut self, image: Dimensions) {
        (self.width, self.height, self.thumbnail) = (Some(image.width), Some(image.height), true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_out_of_paths_and_terminals() {
        assert!(FileName::parse("Devis mai 2026.pdf").is_ok());
        assert!(FileName::parse("photo-été.jpg").is_ok());
        for bad in ["", ".", "..", "a/b.png", "a\\b.png", "a\nb.png", "x".repeat(256).as_str()] {
            assert!(FileName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_safe_types_are_accepted() {
        assert_eq!(FileType::parse("Image/PNG; charset=x").unwrap().as_str(), "image/png");
        for bad in ["text/html", "image/svg+xml", "application/javascript", "text/javascript", "application/x-sh"] {
            assert!(FileType::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_file_is_what_its_bytes_say() {
        let png = FileType::parse("image/png").unwrap();
        assert!(png.matches(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!png.matches(b"<html><script>alert(1)</script>"));
        assert!(!FileType::parse("image/jpeg").unwrap().matches(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(FileType::parse("application/pdf").unwrap().matches(b"%PDF-1.7\n"));
        let text = FileType::parse("text/plain").unwrap();
        assert!(text.matches("Liste des gardes — décembre\n".as_bytes()));
        assert!(text.matches(&"é".as_bytes()[..1]), "a character cut by the prefix");
        assert!(!text.matches(b"  <!DOCTYPE html><p>hi"));
        assert!(!text.matches(b"<svg onload=alert(1)>"));
        assert!(!text.matches(b"\xff\xfe\0binary"));
    }
}
