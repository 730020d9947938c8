//! Adapters: implementations of the ports, each behind the Cargo feature of what it links.
//!
//! - `embedded`: the local runtime's durable store, on redb (feature `embedded`);
//! - `dynamo`: the store on DynamoDB (feature `dynamodb`);
//! - `local`: the local runtime's push, in-process queue and outbox mailer (feature `local`);
//! - `aws`: API Gateway push, SQS queues, SES mailer, settings and provisioning;
//! - `documents`: the preference, pending e-mail and reminder ports, for any store of
//!   JSON document collections;
//! - `push`: the push services devices are reached through (feature `webpush`);
//! - `signing`: HMAC-SHA256 for file storage's signed forms and links (features `local`, `s3`);
//! - `webhooks`: posting webhooks, every address checked as it is resolved (feature `webhooks`);
//! - `system`: the real clock and ids; `unwired`: a port a process does not use.

#[cfg(any(feature = "dynamodb", feature = "apigw", feature = "sqs", feature = "ses", feature = "s3"))]
pub mod aws;
#[cfg(any(feature = "dynamodb", feature = "embedded"))]
mod documents;
#[cfg(feature = "dynamodb")]
pub mod dynamo;
#[cfg(feature = "embedded")]
pub mod embedded;
#[cfg(feature = "local")]
pub mod local;
#[cfg(feature = "webpush")]
pub mod push;
mod signing;
pub mod system;
pub mod unwired;
#[cfg(feature = "webhooks")]
pub mod webhooks;
