//! Creating the AWS resources on an account or an emulator, for the local runtime's
//! `setup-aws` and the tests (a deployment gets them from template.yaml, which declares the
//! same): the table with its index, TTL and point-in-time recovery, the queues with their
//! dead-letter queues, and the bucket of attachments.

use anyhow::Context;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    PointInTimeRecoverySpecification, Projection, ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use std::collections::HashMap;

use crate::domain::QueueName;

use crate::ports::MAX_RECEIVES;

/// Creates the table with its index, TTL and point-in-time recovery, unless it exists. For
/// emulators and first deployments without CloudFormation; `template.yaml` declares the same.
pub async fn create_table(sdk: &aws_config::SdkConfig, table: &str) -> anyhow::Result<bool> {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let exists = client.describe_table().table_name(table).send().await;
    if exists.is_ok() {
        return Ok(false);
    }
    let attribute =
        |name: &str| AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build();
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

/// The URLs of the queues `create_queues` made for `prefix`.
pub async fn queue_urls(sdk: &aws_config::SdkConfig, prefix: &str) -> anyhow::Result<HashMap<QueueName, String>> {
    let client = aws_sdk_sqs::Client::new(sdk);
    let mut urls = HashMap::new();
    for queue in QueueName::ALL {
        let name = format!("{prefix}-{}", queue.as_str());
        let out = client
            .get_queue_url()
            .queue_name(&name)
            .send()
            .await
            .with_context(|| format!("finding queue {name} (run setup-aws)"))?;
        urls.insert(queue, out.queue_url().context("no queue URL")?.to_string());
    }
    Ok(urls)
}

/// Creates the queues (`{prefix}-fanout`, `{prefix}-notifications`, `{prefix}-emails`), each with its dead-letter
/// queue and redrive policy, unless they exist; returns their URLs. For emulators and
/// first deployments; `template.yaml` declares the same.
pub async fn create_queues(sdk: &aws_config::SdkConfig, prefix: &str) -> anyhow::Result<HashMap<QueueName, String>> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let client = aws_sdk_sqs::Client::new(sdk);
    let mut urls = HashMap::new();
    for queue in QueueName::ALL {
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
        let redrive =
            serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES }).to_string();
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

/// The bucket of attachments that goes with a table (`{table}-files`), for `setup-aws` and
/// the local runtime's `--backend aws`; a deployment names its own (`FilesBucket`).
pub fn files_bucket(table: &str) -> String {
    format!("{table}-files")
}

/// Creates the bucket in the configuration's region unless it exists (`false` then).
pub async fn create_bucket(sdk: &aws_config::SdkConfig, bucket: &str) -> anyhow::Result<bool> {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let client = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).force_path_style(true).build());
    let region = sdk.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into());
    let mut create = client.create_bucket().bucket(bucket);
    if region != "us-east-1" {
        let location = BucketLocationConstraint::from(region.as_str());
        create = create
            .create_bucket_configuration(CreateBucketConfiguration::builder().location_constraint(location).build());
    }
    match create.send().await {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()) =>
        {
            Ok(false)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("creating bucket {bucket}"))),
    }
}

/// Has S3 tell the queue at `queue_url` of every object created in `bucket` (the notifications
/// queue: each upload stored is a thumbnail to make), as `template.yaml` declares.
pub async fn notify_uploads(sdk: &aws_config::SdkConfig, bucket: &str, queue_url: &str) -> anyhow::Result<()> {
    use aws_sdk_s3::types::{Event, NotificationConfiguration, QueueConfiguration};
    use aws_sdk_sqs::types::QueueAttributeName;
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let attributes = sqs.get_queue_attributes().queue_url(queue_url).attribute_names(QueueAttributeName::QueueArn);
    let arn = attributes
        .send()
        .await?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .context("no queue ARN")?;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).force_path_style(true).build());
    let created = QueueConfiguration::builder().queue_arn(arn).events(Event::S3ObjectCreated).build()?;
    let configuration = NotificationConfiguration::builder().queue_configurations(created).build();
    s3.put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(configuration)
        .send()
        .await
        .with_context(|| format!("having {bucket} tell its uploads"))?;
    Ok(())
}
