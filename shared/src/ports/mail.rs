//! Sending e-mails.

use async_trait::async_trait;

use crate::domain::{JobId, TenantId};

/// An e-mail ready to send: both parts rendered, the headers already safe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// The job that sends it, for tracing and support.
    pub id: JobId,
    /// The tenant it is sent for: on SES, its own SES tenant (its own reputation and pause).
    pub tenant: TenantId,
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

    /// The address of a mailbox (`Brand <noreply@example.com>` or a bare address).
    pub fn address_of(mailbox: &str) -> &str {
        match (mailbox.rfind('<'), mailbox.rfind('>')) {
            (Some(open), Some(close)) if open < close => mailbox[open + 1..close].trim(),
            _ => mailbox.trim(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The provider refused this message (bad address, unverified sender): retrying will not help.
    #[error("rejected: {0}")]
    Rejected(String),
    /// The provider pauses this tenant's sending (SES: its reputation; or the whole account's):
    /// the e-mail can go once sending resumes, and other tenants' e-mails are not affected.
    #[error("sending paused: {0}")]
    Paused(String),
    #[error("mail failure: {0:#}")]
    Failed(anyhow::Error),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends an e-mail and returns the provider's message id.
    async fn send_email(&self, email: &Email) -> Result<String, MailError>;
}
