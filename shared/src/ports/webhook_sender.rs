//! Posting a signed webhook to a tenant's endpoint.

use async_trait::async_trait;

/// A request ready to go: its URL, headers (the signature among them) and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookSendError {
    /// Not sent: the URL names an address webhooks may not reach, or is not one at all.
    #[error("refused: {0}")]
    Refused(String),
    /// Sent, or tried, without an answer: a timeout, a connection refused, a name that did not
    /// resolve.
    #[error("{0}")]
    NoAnswer(String),
}

/// What a receiver answered: its status and (at most 16 KB of) its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookAnswer {
    pub status: u16,
    pub body: String,
}

#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// POSTs the request (no redirect followed); answers the status code the receiver gave.
    async fn post(&self, request: &WebhookRequest) -> Result<u16, WebhookSendError>;
    /// POSTs the request and reads the answer, all within `timeout`: a question whose answer
    /// matters (the pre-send hook's verdict).
    async fn ask(
        &self,
        request: &WebhookRequest,
        timeout: std::time::Duration,
    ) -> Result<WebhookAnswer, WebhookSendError>;
}
