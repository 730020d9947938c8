//! The DynamoDB store: one table, keys `PK`/`SK`, one global secondary index `GSI1`
//! (`GSI1PK`/`GSI1SK`) for a user's conversations by activity, unread notifications and the
//! due index. See docs/data-model.md for every access pattern and the item shapes.
//!
//! Each item keeps its domain record as JSON in `data`, so that it round-trips exactly, plus
//! the key and index attributes, `activity` where writes race on it, and `ttl` where items
//! expire. No operation scans: every read is a `GetItem`, a `BatchGetItem` or a `Query` on
//! one partition. One file per port; `keys` says how items are keyed, `codec` how records
//! become items, `ops` the table operations they share.

mod codec;
mod connections;
mod conversations;
mod directory;
mod documents;
mod effects;
mod events;
pub mod keys;
mod messages;
mod notifications;
mod offboarding;
mod ops;
mod pins;
mod reactions;
mod schedule;
mod throttles;
mod usage;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;

use crate::adapters::aws::retries;
use crate::metrics::Metrics;
use crate::ports::{StoreHealth, StoreResult};

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// The store on `table`, its client taught Missive's retries (`adapters::aws::retries`):
    /// transaction conflicts and throttles are retried with backoff, whatever `client` said.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        let config = client
            .config()
            .to_builder()
            .retry_config(retries::retry_config())
            .retry_classifier(retries::TransientFaults)
            .build();
        Self { client: Client::from_conf(config), table: table.into() }
    }

    /// The store as every process that runs on AWS wires it (the Lambda functions, the local
    /// runtime's `--backend aws`): its client from `sdk`, its retries counted in `metrics`.
    pub fn from_sdk(sdk: &aws_config::SdkConfig, table: impl Into<String>, metrics: Metrics) -> Self {
        Self::new(Client::new(sdk), table).counting_retries(metrics)
    }

    /// Counts every retried call in `metrics`.
    pub fn counting_retries(self, metrics: Metrics) -> Self {
        let config = self.client.config().to_builder().interceptor(retries::CountRetries::new(metrics)).build();
        Self { client: Client::from_conf(config), ..self }
    }
}

#[async_trait]
impl StoreHealth for DynamoStore {
    async fn health(&self) -> StoreResult<()> {
        self.get_item(codec::key("HEALTH".into(), "HEALTH")).await?;
        Ok(())
    }
}
