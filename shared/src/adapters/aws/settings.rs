//! Where the AWS resources are, read from the environment once per cold start.

use std::collections::HashMap;

use crate::config::ConfigError;
use crate::domain::QueueName;

/// Where the AWS resources are, read from the environment once per cold start.
#[derive(Clone, Debug)]
pub struct AwsSettings {
    /// `MISSIVE_TABLE`: the DynamoDB table.
    pub table: String,
    /// `MISSIVE_WS_ENDPOINT`: the WebSocket API's management endpoint, for pushes.
    pub ws_endpoint: Option<String>,
    /// `MISSIVE_NOTIFICATIONS_QUEUE_URL`, `MISSIVE_EMAILS_QUEUE_URL`.
    pub queue_urls: HashMap<QueueName, String>,
    /// `MISSIVE_STACK_NAME`: the `Stack` dimension of the functions' metrics (`missive` when unset).
    pub stack_name: String,
    /// `MISSIVE_SES_CONFIGURATION_SET`: the configuration set e-mails are sent with.
    pub ses_configuration_set: Option<String>,
}

impl AwsSettings {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        Ok(Self {
            table: non_empty("MISSIVE_TABLE").ok_or(ConfigError::Missing("MISSIVE_TABLE"))?,
            ws_endpoint: non_empty("MISSIVE_WS_ENDPOINT"),
            queue_urls: [
                (QueueName::Notifications, non_empty("MISSIVE_NOTIFICATIONS_QUEUE_URL")),
                (QueueName::Emails, non_empty("MISSIVE_EMAILS_QUEUE_URL")),
            ]
            .into_iter()
            .filter_map(|(name, url)| url.map(|u| (name, u)))
            .collect(),
            stack_name: non_empty("MISSIVE_STACK_NAME").unwrap_or_else(|| "missive".into()),
            ses_configuration_set: non_empty("MISSIVE_SES_CONFIGURATION_SET"),
        })
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn require_ws_endpoint(&self) -> Result<&str, ConfigError> {
        self.ws_endpoint.as_deref().ok_or(ConfigError::Missing("MISSIVE_WS_ENDPOINT"))
    }
}

impl AwsSettings {
    /// Both queues' URLs, or the name of the first variable missing.
    pub fn require_queue_urls(&self) -> Result<HashMap<QueueName, String>, ConfigError> {
        for (queue, variable) in [
            (QueueName::Notifications, "MISSIVE_NOTIFICATIONS_QUEUE_URL"),
            (QueueName::Emails, "MISSIVE_EMAILS_QUEUE_URL"),
        ] {
            if !self.queue_urls.contains_key(&queue) {
                return Err(ConfigError::Missing(variable));
            }
        }
        Ok(self.queue_urls.clone())
    }
}
