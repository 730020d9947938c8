//! The use cases: what Missive does, written against the ports only.

pub mod conversations;
pub mod delivery;
pub mod emails;
pub mod groups;
pub mod identity;
pub mod messages;
pub mod notifications;
pub mod preferences;
pub mod presence;
pub mod reads;
pub mod reminders;
pub mod scheduling;
pub mod storefronts;
pub mod sync;
pub mod tenants;
pub mod typing;
pub mod users;

pub use identity::{authenticate, authenticate_platform, Identity};
