//! The AWS adapters and their wiring. Endpoints come from the standard AWS configuration
//! (`AWS_ENDPOINT_URL` and friends), so the same binary talks to AWS or to an emulator.
//!
//! - `apigw_push`: pushes through API Gateway's management API (feature `apigw`);
//! - `sqs_queue`: the job queues on SQS (feature `sqs`);
//! - `ses_mailer`: e-mails through SES v2 (feature `ses`);
//! - `s3_files`: attachments' bytes in an S3 bucket (feature `s3`);
//! - the store is [`super::dynamo`] (feature `dynamodb`);
//! - `retries`: how every client retries transient faults, and counts it;
//! - `secrets`: the functions' secrets from Secrets Manager, and `push_credentials` tenants'
//!   FCM and APNs credentials there (feature `secrets`);
//! - `settings`: where the resources are (the functions' composition root is
//!   [`crate::lambda`]);
//! - `provision`: creates the table and queues (feature `provision`, the local runtime's
//!   `setup-aws` and the tests only).

#[cfg(feature = "apigw")]
pub mod apigw_push;
#[cfg(feature = "provision")]
pub mod provision;
#[cfg(feature = "secrets")]
pub mod push_credentials;
pub mod retries;
#[cfg(feature = "s3")]
pub mod s3_files;
#[cfg(feature = "secrets")]
pub mod secrets;
#[cfg(feature = "ses")]
pub mod ses_mailer;
pub mod settings;
#[cfg(feature = "sqs")]
pub mod sqs_queue;

/// The standard AWS configuration chain (environment, profile, container or instance role),
/// with Missive's retry budget for every client ([`retries`]).
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).retry_config(retries::retry_config()).load().await
}
