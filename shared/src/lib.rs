//! Missive's library: the domain, the use cases, the ports and their adapters, the WebSocket
//! protocol and handlers, the REST router and the queue workers. The Lambda functions and the
//! local runtime are thin shells around it.
//!
//! Layers point one way: entry points (`ws`, `http`, `workers`; the function crates and the
//! local runtime above them) → `usecases` → `ports` → `domain`; `adapters` → `ports`.
//! Cargo features choose the adapters and entry points a binary links (see Cargo.toml).

pub mod adapters;
pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod faults;
#[cfg(feature = "http")]
pub mod http;
pub mod i18n;
#[cfg(feature = "jwks")]
pub mod jwks;
#[cfg(feature = "dynamodb")]
pub mod lambda;
pub mod metrics;
pub mod ports;
pub mod protocol;
pub mod runtime;
pub mod usecases;
pub mod vapid;
pub mod workers;
pub mod ws;

pub use app::App;
pub use error::AppError;
