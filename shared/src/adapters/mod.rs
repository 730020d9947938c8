//! Adapters: implementations of the ports. `embedded` is the local runtime's durable store;
//! `dynamo`, `apigw_push`, `sqs_queue`, `ses_mailer` (and `aws` for wiring and setup) are the
//! AWS ones.

pub mod apigw_push;
pub mod aws;
pub mod dynamo;
pub mod embedded;
pub mod ses_mailer;
pub mod sqs_queue;
