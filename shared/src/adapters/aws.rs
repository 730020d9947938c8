//! Wiring for AWS: the SDK configuration, the settings the functions need, and the setup
//! step that creates the table and its index on an account or an emulator. Endpoints come
//! from the standard AWS configuration (`AWS_ENDPOINT_URL` and friends), so the same binary
//! talks to AWS or to a local emulator.

use anyhow::Context;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, PointInTimeRecoverySpecification,
    Projection, ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use crate::config::ConfigError;

/// Where the AWS resources are, read from the environment once per cold start.
#[derive(Clone, Debug)]
pub struct AwsSettings {
    /// `MISSIVE_TABLE`: the DynamoDB table.
    pub table: String,
    /// `MISSIVE_WS_ENDPOINT`: the WebSocket API's management endpoint, for pushes.
    pub ws_endpoint: Option<String>,
    /// `MISSIVE_NOTIFICATIONS_QUEUE_URL`, `MISSIVE_EMAILS_QUEUE_URL`.
    pub queue_urls: std::collections::HashMap<crate::ports::QueueName, String>,
}

impl AwsSettings {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        Ok(Self {
            table: non_empty("MISSIVE_TABLE").ok_or(ConfigError::Missing("MISSIVE_TABLE"))?,
            ws_endpoint: non_empty("MISSIVE_WS_ENDPOINT"),
            queue_urls: [
                (crate::ports::QueueName::Notifications, non_empty("MISSIVE_NOTIFICATIONS_QUEUE_URL")),
                (crate::ports::QueueName::Emails, non_empty("MISSIVE_EMAILS_QUEUE_URL")),
            ]
            .into_iter()
            .filter_map(|(name, url)| url.map(|u| (name, u)))
            .collect(),
        })
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn require_ws_endpoint(&self) -> Result<&str, ConfigError> {
        self.ws_endpoint.as_deref().ok_or(ConfigError::Missing("MISSIVE_WS_ENDPOINT"))
    }
}

/// The standard AWS configuration chain: environment, profile, container or instance role.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

/// Creates the table with its index, TTL and point-in-time recovery, unless it exists. For
/// emulators and first deployments without CloudFormation; `template.yaml` declares the same.
pub async fn create_table(sdk: &aws_config::SdkConfig, table: &str) -> anyhow::Result<bool> {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let exists = client.describe_table().table_name(table).send().await;
    if exists.is_ok() {
        return Ok(false);
    }
    let attribute = |name: &str| {
        AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build()
    };
    let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("PK")?)
        .attribute_definitions(attribute("SK")?)
        .attribute_definitions(attribute("GSI1PK")?)
        .attribute_definitions(attribute("GSI1SK")?)
        .key_schema(key("PK", KeyType::Hash)?)
        .key_schema(key("SK", KeyType::Range)?)
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("GSI1")
                .key_schema(key("GSI1PK", KeyType::Hash)?)
                .key_schema(key("GSI1SK", KeyType::Range)?)
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()?,
        )
        .send()
        .await
        .with_context(|| format!("creating table {table}"))?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(TimeToLiveSpecification::builder().enabled(true).attribute_name("ttl").build()?)
        .send()
        .await
        .context("enabling TTL")?;
    client
        .update_continuous_backups()
        .table_name(table)
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder().point_in_time_recovery_enabled(true).build()?,
        )
        .send()
        .await
        .context("enabling point-in-time recovery")?;
    Ok(true)
}

/// Everything a Lambda function needs, built once per cold start from the environment:
/// the configuration (failing fast on a missing variable), the SDK clients and the adapters.
pub async fn lambda_app() -> anyhow::Result<std::sync::Arc<crate::App>> {
    let config = crate::config::Config::from_env()?;
    let settings = AwsSettings::from_env()?;
    let sdk = sdk_config().await;
    let store = super::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &settings.table);
    let push = super::apigw_push::ApiGatewayPush::new(&sdk, settings.require_ws_endpoint()?);
    for (queue, variable) in [
        (crate::ports::QueueName::Notifications, "MISSIVE_NOTIFICATIONS_QUEUE_URL"),
        (crate::ports::QueueName::Emails, "MISSIVE_EMAILS_QUEUE_URL"),
    ] {
        if !settings.queue_urls.contains_key(&queue) {
            return Err(ConfigError::Missing(variable).into());
        }
    }
    let jobs = super::sqs_queue::SqsQueue::new(aws_sdk_sqs::Client::new(&sdk), settings.queue_urls.clone());
    let mailer = super::ses_mailer::SesMailer::new(aws_sdk_sesv2::Client::new(&sdk));
    Ok(std::sync::Arc::new(crate::App::new(
        config,
        std::sync::Arc::new(store),
        std::sync::Arc::new(push),
        std::sync::Arc::new(jobs),
        std::sync::Arc::new(mailer),
    )))
}

/// The URLs of the queues `create_queues` made for `prefix`.
pub async fn queue_urls(
    sdk: &aws_config::SdkConfig,
    prefix: &str,
) -> anyhow::Result<std::collections::HashMap<crate::ports::QueueName, String>> {
    let client = aws_sdk_sqs::Client::new(sdk);
    let mut urls = std::collections::HashMap::new();
    for queue in crate::ports::QueueName::ALL {
        let name = format!("{prefix}-{}", queue.as_str());
        let out = client.get_queue_url().queue_name(&name).send().await.with_context(|| format!("finding queue {name} (run setup-aws)"))?;
        urls.insert(queue, out.queue_url().context("no queue URL")?.to_string());
    }
    Ok(urls)
}

/// How many times SQS delivers a job before moving it to its dead-letter queue.
pub const MAX_RECEIVES: u32 = 5;

/// Creates the queues (`{prefix}-notifications`, `{prefix}-emails`), each with its dead-letter
/// queue and redrive policy, unless they exist; returns their URLs. For emulators and
/// first deployments; `template.yaml` declares the same.
pub async fn create_queues(
    sdk: &aws_config::SdkConfig,
    prefix: &str,
) -> anyhow::Result<std::collections::HashMap<crate::ports::QueueName, String>> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let client = aws_sdk_sqs::Client::new(sdk);
    let mut urls = std::collections::HashMap::new();
    for queue in crate::ports::QueueName::ALL {
        let dlq_name = format!("{prefix}-{}-dlq", queue.as_str());
        let dlq = client
            .create_queue()
            .queue_name(&dlq_name)
            .attributes(QueueAttributeName::MessageRetentionPeriod, (14 * 24 * 3600).to_string())
            .send()
            .await
            .with_context(|| format!("creating {dlq_name}"))?;
        let dlq_url = dlq.queue_url().context("no dead-letter queue URL")?;
        let dlq_arn = client
            .get_queue_attributes()
            .queue_url(dlq_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await?
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .context("no dead-letter queue ARN")?;
        let name = format!("{prefix}-{}", queue.as_str());
        let redrive = serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES }).to_string();
        let created = client
            .create_queue()
            .queue_name(&name)
            .attributes(QueueAttributeName::VisibilityTimeout, "60")
            .attributes(QueueAttributeName::RedrivePolicy, redrive)
            .send()
            .await
            .with_context(|| format!("creating {name}"))?;
        urls.insert(queue, created.queue_url().context("no queue URL")?.to_string());
    }
    Ok(urls)
}
