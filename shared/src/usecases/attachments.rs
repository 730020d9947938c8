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
use super::identity::{Identity, IdentityUseCases};
use super::quotas::QuotaUseCases;
use super::scheduling::SchedulingUseCases;
use crate::config::Limits;
use crate::domain::*;
use crate::metrics::{Metric, Metrics};
use crate::ports::{Clock, Disposition, FileKey, FileStore, Ids, JobQueue, UploadGrant, UploadStore};
use crate::AppError;

/// How long after an upload expires its file is deleted: past the expiry, no message can
/// attach it any more (the store checks the expiry as the message takes it).
const EXPIRY_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// What every thumbnail is.
const THUMBNAIL_TYPE: &str = "image/jpeg";

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

/// An upload a message may attach, and what the message carries of it.
#[derive(Clone, Debug)]
pub struct Attachable {
    pub upload: Upload,
    pub attachment: Attachment,
}

/// Which of an attachment's files to hand out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rendition {
    /// The file as uploaded.
    Original,
    /// Its thumbnail (images only): a JPEG at most [`THUMBNAIL_SIZE`] pixels wide and high.
    Thumbnail,
}

/// A short-lived link to a file: a browser opens it without credentials until `expiresAt`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// The attachments use cases, with the ports they use.
#[derive(Clone)]
pub struct AttachmentsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) uploads: Arc<dyn UploadStore>,
    pub(crate) files: Arc<dyn FileStore>,
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) metrics: Metrics,
    pub(crate) limits: Limits,
    pub(crate) conversation_cases: ConversationsUseCases,
    pub(crate) identity: IdentityUseCases,
    pub(crate) scheduling: SchedulingUseCases,
    pub(crate) quotas: QuotaUseCases,
}

impl AttachmentsUseCases {
    /// Records what `who` declares and answers a form that stores exactly that file (its key
    /// bound to the tenant, the conversation and the upload; its type; its size) for
    /// [`UPLOAD_FORM_VALIDITY`]. The tenant may accept fewer types and smaller files than the
    /// platform. A file no message attaches is gone after a day.
    pub async fn create_upload(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        new: NewUpload,
    ) -> Result<UploadTicket, AppError> {
        let (membership, tenant) = tokio::join!(
            self.conversation_cases.require_member(who, conversation_id),
            self.identity.tenant_of(&who.tenant_id)
        );
        let ((conversation, _), tenant) = (membership?, tenant?.ok_or_else(|| AppError::not_found("tenant"))?);
        let name = FileName::parse(new.name)?;
        let content_type = FileType::parse(new.content_type)?;
        if tenant.upload_types.as_ref().is_some_and(|types| !types.contains(&content_type)) {
            return Err(AppError::invalid(format!("contentType: {} is not accepted here", content_type.as_str())));
        }
        let max = tenant.max_upload_bytes.unwrap_or(self.limits.max_upload_bytes).min(self.limits.max_upload_bytes);
        if new.size == 0 || new.size > max {
            return Err(AppError::invalid(format!("size: expected 1 to {max} bytes")));
        }
        self.quotas.take(&who.tenant_id, Quota::UploadBytesPerDay, new.size).await?;
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
        // Its file goes with it unless a message attaches it; scheduled before the form is
        // answered, so that no file is stored that nothing would delete.
        let expire = ExpireUpload { conversation_id: upload.conversation_id.clone(), upload_id: upload.id.clone() };
        let job = Job::new(&upload.tenant_id, JobId::of("expire", &[upload.id.as_str()]), Task::ExpireUpload(expire));
        self.scheduling.enqueue_at(job, now + UNATTACHED_UPLOAD_TTL + EXPIRY_MARGIN).await?;
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
    /// the upload otherwise. Two record reads (the upload, its image's size) and one file read
    /// per upload, all at once.
    pub async fn check_attachments(
        &self,
        who: &Identity,
        conversation: &ConversationId,
        ids: &[String],
        resend: bool,
    ) -> Result<Vec<Attachable>, AppError> {
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
    ) -> Result<Attachable, AppError> {
        let refuse = |why: &str| AppError::invalid(format!("attachment {raw}: {why}"));
        let id = UploadId::parse(raw).map_err(|_| refuse("not an upload id"))?;
        let (upload, image) =
            tokio::join!(self.uploads.get_upload(&who.tenant_id, &id), self.uploads.get_image(&who.tenant_id, &id));
        let (upload, image) = (upload?, image?);
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
        Ok(Attachable { attachment: upload.attachment(image), upload })
    }

    /// The images of a new message whose thumbnails were made while it was being sent (after
    /// its uploads were checked). The thumbnail maker records an image's size before it looks
    /// for the message to update, and this reads the sizes after the message took its uploads:
    /// whichever runs last sees the other, so no message misses its thumbnails. No read for a
    /// message whose images all had theirs.
    pub async fn images_made_meanwhile(&self, message: &Message) -> Result<Vec<(UploadId, Dimensions)>, AppError> {
        let waiting = message.attachments.iter().filter(|a| !a.thumbnail && a.content_type.has_thumbnail());
        let reads = waiting.map(|a| async move {
            Ok::<_, AppError>((a.id.clone(), self.uploads.get_image(&message.tenant_id, &a.id).await?))
        });
        Ok(try_join_all(reads).await?.into_iter().filter_map(|(id, image)| Some((id, image?))).collect())
    }

    /// A link to an attachment's file (or its thumbnail) valid [`DOWNLOAD_LINK_VALIDITY`]:
    /// images open in the page, every other file is saved under its (made safe) name. An
    /// attachment is its conversation's members'; an upload no message attached yet is its
    /// uploader's alone. Anyone else — another tenant, a non-member, a guest scoped to another
    /// conversation — is told it does not exist, as for an id that never did.
    pub async fn link(&self, who: &Identity, raw_id: &str, rendition: Rendition) -> Result<FileLink, AppError> {
        let not_found = || AppError::not_found("attachment");
        let id = UploadId::parse(raw_id).map_err(|_| not_found())?;
        let upload = self.uploads.get_upload(&who.tenant_id, &id).await?.ok_or_else(not_found)?;
        if upload.message_id.is_none() && upload.uploaded_by != who.user_id {
            return Err(not_found());
        }
        match self.conversation_cases.require_member(who, &upload.conversation_id).await {
            Ok(_) => {}
            Err(AppError::NotFound(_) | AppError::Forbidden(_)) => return Err(not_found()),
            Err(e) => return Err(e),
        }
        let key = FileKey::upload(&upload.tenant_id, &upload.conversation_id, &upload.id);
        let (key, content_type, disposition) = match rendition {
            Rendition::Original if upload.content_type.is_image() => {
                (key, upload.content_type.as_str(), Disposition::Inline)
            }
            Rendition::Original => {
                let named = Disposition::Attachment { file_name: upload.name.as_str().to_string() };
                (key, upload.content_type.as_str(), named)
            }
            Rendition::Thumbnail if upload.content_type.has_thumbnail() => {
                (key.thumbnail(), THUMBNAIL_TYPE, Disposition::Inline)
            }
            Rendition::Thumbnail => return Err(AppError::not_found("thumbnail")),
        };
        let expires_at = self.clock.now() + DOWNLOAD_LINK_VALIDITY;
        let url = self.files.download_url(&key, content_type, &disposition, expires_at).await?;
        Ok(FileLink { url, expires_at })
    }

    /// A deleted message's files go in the background (`discardFiles`, retried until done).
    /// Were the job not queued, they would stay until an operator deletes them: logged as an
    /// error, never the caller's (the message is deleted).
    pub async fn discard(&self, conversation: &Conversation, message: &MessageId, attachments: &[Attachment]) {
        let upload_ids: Vec<UploadId> = attachments.iter().map(|a| a.id.clone()).collect();
        let id = JobId::of("discard", &[message.as_str()]);
        let bytes = attachments.iter().map(|a| a.size).sum();
        let task = Task::DiscardFiles(DiscardFiles { conversation_id: conversation.id.clone(), upload_ids, bytes });
        if let Err(e) = self.jobs.enqueue(&Job::new(&conversation.tenant_id, id, task), None).await {
            tracing::error!(tenant = %conversation.tenant_id, conversation = %conversation.id, error = %e, "could not queue a deleted message's files for deletion");
        }
    }

    /// The `discardFiles` job: the files and their thumbnails, then their records.
    pub async fn discard_files(&self, tenant: &TenantId, job: &DiscardFiles) -> Result<(), AppError> {
        let keys: Vec<FileKey> = job
            .upload_ids
            .iter()
            .map(|id| FileKey::upload(tenant, &job.conversation_id, id))
            .flat_map(|key| [key.thumbnail(), key])
            .collect();
        self.files.delete(&keys).await?;
        try_join_all(job.upload_ids.iter().map(|id| self.uploads.delete_upload(tenant, id))).await?;
        if job.bytes > 0 {
            self.metrics.count(Metric::FileBytesDeleted, job.bytes, Some(tenant), self.clock.now());
        }
        Ok(())
    }

    /// The `expireUpload` job: an upload no message attached (its record expired, or it never
    /// was attached) leaves nothing behind — its file, its thumbnail, its records.
    pub async fn expire_upload(&self, tenant: &TenantId, job: &ExpireUpload) -> Result<(), AppError> {
        let upload = self.uploads.get_upload(tenant, &job.upload_id).await?;
        if upload.is_some_and(|u| u.message_id.is_some()) {
            return Ok(());
        }
        let upload_ids = vec![job.upload_id.clone()];
        let discard = DiscardFiles { conversation_id: job.conversation_id.clone(), upload_ids, bytes: 0 };
        self.discard_files(tenant, &discard).await
    }
}
