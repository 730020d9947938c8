//! The AWS-compatible server the tests talk to: moto's server mode on loopback, started by
//! ./scripts/test, which exports its address as MISSIVE_TEST_AWS_ENDPOINT.

use aws_sdk_dynamodb::config::{Credentials, Region};

pub fn endpoint() -> String {
    std::env::var("MISSIVE_TEST_AWS_ENDPOINT")
        .expect("MISSIVE_TEST_AWS_ENDPOINT is not set: run the tests with ./scripts/test, which starts moto")
}

/// An SDK configuration for the emulator: its endpoint, a region, throwaway credentials.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .load()
        .await
}

/// A table name no other test uses.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", ulid::Ulid::new().to_string().to_lowercase())
}
