//! Adapters: implementations of the ports, each behind the Cargo feature of what it links.
//!
//! - `embedded`: the local runtime's durable store, on redb (feature `embedded`);
//! - `dynamo`: the store on DynamoDB (feature `dynamodb`);
//! - `aws`: API Gateway push, SQS queues, SES mailer, the Lambda wiring and provisioning;
//! - `system`: the real clock and ids; `unwired`: a port a process does not use.

#[cfg(any(feature = "dynamodb", feature = "apigw", feature = "sqs", feature = "ses"))]
pub mod aws;
#[cfg(feature = "dynamodb")]
pub mod dynamo;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod system;
pub mod unwired;
