//! The use cases: what Missive does, written against the ports only. Each area (a file) is
//! one struct, `<Area>UseCases`, holding just the ports, services, limits and other areas it
//! uses; `app.rs` builds them all once per process. Entry points (the WebSocket handlers, the
//! REST routes, the queue workers) call them through the `App` with typed values.

pub mod attachments;
pub mod audit;
pub mod authored;
pub mod bots;
pub mod connections;
pub mod conversations;
pub mod delivery;
pub mod devices;
pub mod effects;
pub mod email_queue;
#[cfg(feature = "email")]
pub mod email_sending;
pub mod erasure;
pub mod exports;
pub mod fanout;
pub mod groups;
pub mod guests;
pub mod hooks;
pub mod identity;
pub mod member_settings;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod offboarding;
pub mod operations;
pub mod pins;
pub mod preferences;
pub mod presence;
pub mod push_credentials;
pub mod pushes;
pub mod quotas;
pub mod reactions;
pub mod reads;
pub mod reminders;
pub mod retention;
pub mod scheduling;
pub mod seen;
pub mod signals;
pub mod storefronts;
pub mod sync;
pub mod tenants;
pub mod threads;
pub mod thumbnails;
pub mod typing;
pub mod users;
pub mod webhook_events;
pub mod webhooks;

pub use identity::Identity;
