//! The runtime services a process keeps in memory beside its ports: what it remembers between
//! requests to spare the store (the directory cache) and what it counts per connection (the
//! frame budget). Neither is the domain's: they are this process's, and lost with it.

mod directory_cache;
mod frame_rate;

pub use directory_cache::{DirectoryCache, WebhookFilters};
pub use frame_rate::FrameRate;
