//! Files in conversations: a member asks for an upload form (the file then goes straight to
//! storage, never through Missive), and a message attaches uploads only once each is checked
//! against what was declared — its sender, its conversation, its size, and its type as its
//! bytes tell it.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::future::try_join_all;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::conversations::ConversationsUseCases;
use super::identity::Identity;
use crate::config::Limits;
use crate::domain::*;
use crate::ports::{Clock, FileKey, FileStore, Ids, UploadGrant, UploadStore};
use crate::AppError;

/// How many of a file's first bytes tell its type.
const SNIFFED_BYTES: usize = 512;

/// What a member declares of a file before uploading it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUpload {
    pub name: String,
    pub content_type: String,
    /// In bytes: the file must be exactly this long.
    pub size: u64,
}

/// Where and how to post the file: `fields` as form fields, then the file as `file`, to
/// `url`, before `expiresAt`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadTicket {
    pub upload_id: UploadId,
    pub url: String,
    pub fields: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// The attachments use cases, with the ports they use.
#[derive(Clone)]
pub struct AttachmentsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) uploads: Arc<dyn UploadStore>,
    pub(crate) files: Arc<dyn FileStore>,
    pub(crate) limits: Limits,
    pub(crate) conversation_cases: ConversationsUseCases,
}

impl AttachmentsUseCases {
    /// Records what `who` declares and answers a form that stores exactly that file (its key
    /// bound to the tenant, the conversation and the upload; its type; its size) for
    /// [`UPLOAD_FORM_VALIDITY`]. A file no message attaches is gone after a day.
    pub async fn create_upload(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        new: NewUpload,
    ) -> Result<UploadTicket, AppError> {
        let (conversation, _) = self.conversation_cases.require_member(who, conversation_id).await?;
        let name = FileName::parse(new.name)?;
        let content_type = FileType::parse(new.content_type)?;
        let max = self.limits.max_upload_bytes;
        if new.size == 0 || new.size > max {
            return Err(AppError::invalid(format!("size: expected 1 to {max} bytes")));
        }
        let now = self.clock.now();
        let upload = Upload {
            tenant_id: who.tenant_id.clone(),
            conversation_id: conversation.id.clone(),
            id: UploadId::parse(self.ids.ulid())?,
            uploaded_by: who.user_id.clone(),
            name,
            content_type,
            size: new.size,
            created_at: now,
            message_id: None,
        };
        self.uploads.put_upload(&upload, Some(now + UNATTACHED_UPLOAD_TTL)).await?;
        let key = FileKey::upload(&upload.tenant_id, &upload.conversation_id, &upload.id);
        let grant = UploadGrant {
            content_type: upload.content_type.as_str().to_string(),
            max_bytes: upload.size,
            expires_at: now + UPLOAD_FORM_VALIDITY,
        };
        let form = self.files.upload_form(&key, &grant).await?;
        Ok(UploadTicket {
            upload_id: upload.id,
            url: form.url,
            fields: form.fields.into_iter().collect(),
            expires_at: grant.expires_at,
        })
    }

    /// The uploads a message of `who` in `conversation` may attach: at most
    /// [`MAX_ATTACHMENTS`], each uploaded by `who` to that conversation, attached to no other
    /// message, stored at its declared size, and of its declared type by its bytes. Anything
    /// else is a 400 that names the attachment; another member's or another conversation's
    /// upload reads as unknown. For a `resend` (a send with a `clientMessageId`), an attached
    /// upload passes: the store answers the first message if it is that send's, and refuses
    /// the upload otherwise. One record read and one file read per upload, all at once.
    pub async fn check_attachments(
        &self,
        who: &Identity,
        conversation: &ConversationId,
        ids: &[String],
        resend: bool,
    ) -> Result<Vec<Upload>, AppError> {
        if ids.len() > MAX_ATTACHMENTS {
            return Err(AppError::invalid(format!("attachments: at most {MAX_ATTACHMENTS}")));
        }
        if let Some((i, id)) = ids.iter().enumerate().find(|(i, id)| ids[..*i].contains(id)) {
            return Err(AppError::invalid(format!("attachment {id}: attached twice (position {})", i + 1)));
        }
        try_join_all(ids.iter().map(|id| self.check_one(who, conversation, id, resend))).await
    }

    async fn check_one(
        &self,
        who: &Identity,
        conversation: &ConversationId,
        raw: &str,
        resend: bool,
    ) -> Result<Upload, AppError> {
        let refuse = |why: &str| AppError::invalid(format!("attachment {raw}: {why}"));
        let id = UploadId::parse(raw).map_err(|_| refuse("not an upload id"))?;
        let upload = self.uploads.get_upload(&who.tenant_id, &id).await?;
        let upload = upload
            .filter(|u| u.uploaded_by == who.user_id && &u.conversation_id == conversation)
            .ok_or_else(|| refuse("no such upload of yours in this conversation (or it expired)"))?;
        if upload.message_id.is_some() && !resend {
            return Err(refuse("already attached to a message"));
        }
        let key = FileKey::upload(&upload.tenant_id, &upload.conversation_id, &upload.id);
        let Some(peek) = self.files.peek(&key, SNIFFED_BYTES).await? else {
            return Err(refuse("the file was not uploaded"));
        };
        if peek.size != upload.size {
            return Err(refuse(&format!("{} bytes stored, {} declared", peek.size, upload.size)));
        }
        if !upload.content_type.matches(&peek.first_bytes) {
            return Err(refuse(&format!("its bytes are not {}", upload.content_type.as_str())));
        }
        Ok(upload)
    }
}
