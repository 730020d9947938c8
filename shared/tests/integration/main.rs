//! The library's integration tests, in one binary: handlers fed captured API Gateway events,
//! every port's conformance suite on the local adapters and the AWS ones, the AWS adapters
//! against a real AWS-compatible server (moto, started by ./scripts/test), the workers and
//! the DynamoDB call counts, and the faults of real DynamoDB injected in front of moto.

mod attachments;
mod aws_support;
mod call_counts;
mod conformance;
mod delivery;
mod device_pushes;
mod documents;
mod fakes;
mod faults;
mod handlers;
mod jobs;
mod jwks;
mod metrics;
mod people;
mod push;
mod push_counts;
mod queue_and_mail;
mod quotas;
mod secrets;
mod sync;
mod workers;
