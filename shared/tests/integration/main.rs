//! The library's integration tests, in one binary: handlers fed captured API Gateway events,
//! the storage conformance suite on both stores, and the AWS adapters against a real
//! AWS-compatible server (moto, started by ./scripts/test).

mod aws_support;
mod call_counts;
mod conformance;
mod fakes;
mod handlers;
mod jobs;
mod push;
mod queue_and_mail;
mod workers;
