//! The adapter of a port that a process does not use: a Lambda function wires only what it
//! needs (the authorizer pushes nothing, the scheduler sends no e-mail). A call reaching it
//! is a wiring mistake, answered with an error that names the port rather than a
//! permission error from AWS.

use std::time::Duration;

use anyhow::anyhow;
use async_trait::async_trait;

use crate::domain::{ConnectionId, Device, Job, PushCredentials, QueueName, TenantId};
use crate::ports::{
    DevicePush, Disposition, Email, FileError, FileKey, FileStore, JobQueue, MailError, Mailer, Peek, Push,
    PushCredentialStore, PushError, PushService, PushServiceError, QueueError, QueueStats, UploadForm, UploadGrant,
    WebhookAnswer, WebhookRequest, WebhookSendError, WebhookSender,
};

pub struct Unwired;

fn unwired(port: &str) -> anyhow::Error {
    anyhow!("this process has no {port}: its entry point does not wire one")
}

#[async_trait]
impl Push for Unwired {
    async fn push_to_connection(&self, _: &ConnectionId, _: &str) -> Result<(), PushError> {
        Err(PushError::Failed(unwired("push adapter")))
    }
}

#[async_trait]
impl JobQueue for Unwired {
    async fn enqueue(&self, _: &Job, _: Option<Duration>) -> Result<(), QueueError> {
        Err(QueueError(unwired("job queue")))
    }
    async fn enqueue_batch(&self, _: &[Job]) -> Result<(), QueueError> {
        Err(QueueError(unwired("job queue")))
    }
    async fn stats(&self, _: QueueName) -> Result<QueueStats, QueueError> {
        Err(QueueError(unwired("job queue")))
    }
    async fn redrive(&self, _: QueueName) -> Result<u64, QueueError> {
        Err(QueueError(unwired("job queue")))
    }
    async fn retry_later(&self, _: QueueName, _: &str, _: Duration) -> Result<(), QueueError> {
        Err(QueueError(unwired("job queue")))
    }
}

#[async_trait]
impl Mailer for Unwired {
    async fn send_email(&self, _: &Email) -> Result<String, MailError> {
        Err(MailError::Failed(unwired("mailer")))
    }
}

#[async_trait]
impl PushService for Unwired {
    async fn send(&self, _: &TenantId, _: &Device, _: &DevicePush) -> Result<(), PushServiceError> {
        Err(PushServiceError::Failed(unwired("push service")))
    }
}

#[async_trait]
impl WebhookSender for Unwired {
    async fn post(&self, _: &WebhookRequest) -> Result<u16, WebhookSendError> {
        Err(WebhookSendError::NoAnswer(unwired("webhook sender").to_string()))
    }
    async fn ask(&self, _: &WebhookRequest, _: Duration) -> Result<WebhookAnswer, WebhookSendError> {
        Err(WebhookSendError::NoAnswer(unwired("webhook sender").to_string()))
    }
}

#[async_trait]
impl PushCredentialStore for Unwired {
    async fn get_push_credentials(&self, _: &TenantId) -> Result<Option<PushCredentials>, anyhow::Error> {
        Err(unwired("push credentials"))
    }
    async fn put_push_credentials(&self, _: &TenantId, _: &PushCredentials) -> Result<(), anyhow::Error> {
        Err(unwired("push credentials"))
    }
    async fn delete_push_credentials(&self, _: &TenantId) -> Result<(), anyhow::Error> {
        Err(unwired("push credentials"))
    }
}

#[async_trait]
impl FileStore for Unwired {
    async fn upload_form(&self, _: &FileKey, _: &UploadGrant) -> Result<UploadForm, FileError> {
        Err(FileError::Failed(unwired("file storage")))
    }
    async fn peek(&self, _: &FileKey, _: usize) -> Result<Option<Peek>, FileError> {
        Err(FileError::Failed(unwired("file storage")))
    }
    async fn read(&self, _: &FileKey, _: u64) -> Result<Vec<u8>, FileError> {
        Err(FileError::Failed(unwired("file storage")))
    }
    async fn write(&self, _: &FileKey, _: Vec<u8>, _: &str) -> Result<(), FileError> {
        Err(FileError::Failed(unwired("file storage")))
    }
    async fn write_file(&self, _: &FileKey, _: &std::path::Path, _: &str) -> Result<(), FileError> {
        Err(FileError::Failed(unwired("file storage")))
    }
    async fn download_url(
        &self,
        _: &FileKey,
        _: &str,
        _: &Disposition,
        _: chrono::DateTime<chrono::Utc>,
    ) -> Result<String, FileError> {
        Err(FileError::Failed(unwired("file storage")))
    }
    async fn delete(&self, _: &[FileKey]) -> Result<(), FileError> {
        Err(FileError::Failed(unwired("file storage")))
    }
    async fn delete_tenant_files(&self, _: &TenantId, _: usize) -> Result<u64, FileError> {
        Err(FileError::Failed(unwired("file storage")))
    }
}
