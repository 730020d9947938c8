//! Adapters: implementations of the ports. `embedded` is the local runtime's durable store.

pub mod embedded;
