//! Adapters: implementations of the ports. `embedded` is the local runtime's durable store;
//! `dynamo`, `apigw_push` (and `aws` for wiring) are the AWS ones.

pub mod apigw_push;
pub mod aws;
pub mod dynamo;
pub mod embedded;
