//! Where the AWS resources are, read from the environment once per cold start.

use std::collections::HashMap;

use crate::config::ConfigError;
use crate::domain::QueueName;

/// The variable that holds a queue's URL.
pub fn queue_url_variable(queue: QueueName) -> &'static str {
    match queue {
        QueueName::Fanout => "MISSIVE_FANOUT_QUEUE_URL",
        QueueName::Notifications => "MISSIVE_NOTIFICATIONS_QUEUE_URL",
        QueueName::Emails => "MISSIVE_EMAILS_QUEUE_URL",
    }
}

/// Where the AWS resources are, read from the environment once per cold start.
#[derive(Clone, Debug)]
pub struct AwsSettings {
    /// `MISSIVE_TABLE`: the DynamoDB table.
    pub table: String,
    /// `MISSIVE_WS_ENDPOINT`: the WebSocket API's management endpoint, for pushes.
    pub ws_endpoint: Option<String>,
    /// `MISSIVE_FANOUT_QUEUE_URL`, `MISSIVE_NOTIFICATIONS_QUEUE_URL`, `MISSIVE_EMAILS_QUEUE_URL`.
    pub queue_urls: HashMap<QueueName, String>,
    /// `MISSIVE_STACK_NAME`: the `Stack` dimension of the functions' metrics (`missive` when unset).
    pub stack_name: String,
    /// `MISSIVE_SES_CONFIGURATION_SET`: the configuration set e-mails are sent with.
    pub ses_configuration_set: Option<String>,
    /// `MISSIVE_SES_TENANT_PREFIX`: what each tenant's SES tenant is named after (the stack's
    /// name in template.yaml); unset, the account's SES reputation is every tenant's.
    pub ses_tenant_prefix: Option<String>,
    /// `MISSIVE_FILES_BUCKET`: the S3 bucket of attachments.
    pub files_bucket: Option<String>,
    /// `MISSIVE_FILES_PUBLIC_ENDPOINT`: where browsers reach an S3-compatible store that is not
    /// AWS's (an emulator's address); unset on AWS, where they reach the bucket's own address.
    pub files_public_endpoint: Option<String>,
}

impl AwsSettings {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        Ok(Self {
            table: non_empty("MISSIVE_TABLE").ok_or(ConfigError::Missing("MISSIVE_TABLE"))?,
            ws_endpoint: non_empty("MISSIVE_WS_ENDPOINT"),
            queue_urls: QueueName::ALL
                .into_iter()
                .filter_map(|queue| non_empty(queue_url_variable(queue)).map(|url| (queue, url)))
                .collect(),
            stack_name: non_empty("MISSIVE_STACK_NAME").unwrap_or_else(|| "missive".into()),
            ses_configuration_set: non_empty("MISSIVE_SES_CONFIGURATION_SET"),
            ses_tenant_prefix: non_empty("MISSIVE_SES_TENANT_PREFIX"),
            files_bucket: non_empty("MISSIVE_FILES_BUCKET"),
            files_public_endpoint: non_empty("MISSIVE_FILES_PUBLIC_ENDPOINT"),
        })
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn require_files_bucket(&self) -> Result<&str, ConfigError> {
        self.files_bucket.as_deref().ok_or(ConfigError::Missing("MISSIVE_FILES_BUCKET"))
    }

    pub fn require_ws_endpoint(&self) -> Result<&str, ConfigError> {
        self.ws_endpoint.as_deref().ok_or(ConfigError::Missing("MISSIVE_WS_ENDPOINT"))
    }
}

impl AwsSettings {
    /// Every queue's URL, or the name of the first variable missing.
    pub fn require_queue_urls(&self) -> Result<HashMap<QueueName, String>, ConfigError> {
        for queue in QueueName::ALL {
            if !self.queue_urls.contains_key(&queue) {
                return Err(ConfigError::Missing(queue_url_variable(queue)));
            }
        }
        Ok(self.queue_urls.clone())
    }
}
