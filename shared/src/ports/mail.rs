//! Sending e-mails.

use async_trait::async_trait;

use crate::domain::JobId;

/// An e-mail ready to send: both parts rendered, the headers already safe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// The job that sends it, for tracing and support.
    pub id: JobId,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// The one-click unsubscribe URL (`List-Unsubscribe`, RFC 8058), when there is one.
    pub unsubscribe_url: Option<String>,
}

impl Email {
    /// Removes what could break out of a header: CR, LF and every other control character.
    pub fn header_safe(value: &str) -> String {
        value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The provider refused this message (bad address, unverified sender): retrying will not help.
    #[error("rejected: {0}")]
    Rejected(String),
    #[error("mail failure: {0:#}")]
    Failed(anyhow::Error),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends an e-mail and returns the provider's message id.
    async fn send_email(&self, email: &Email) -> Result<String, MailError>;
}
