//! Missive's library: the domain, the use cases, the ports and their adapters, the WebSocket
//! protocol and handlers, and the REST router. The Lambda functions and the local runtime are
//! thin shells around it.

pub mod adapters;
pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod ports;
pub mod protocol;
pub mod usecases;
pub mod ws;

pub use app::App;
pub use error::AppError;
