//! The runtime services a process keeps in memory beside its ports: what it remembers between
//! requests to spare the store (the directory cache), what it counts per connection (the
//! frame budget) and what it leased of tenants' quotas. None is the domain's: they are this
//! process's, and lost with it.

mod directory_cache;
mod frame_rate;
mod quota_leases;

pub use directory_cache::{DirectoryCache, WebhookFilters};
pub use frame_rate::FrameRate;
pub use quota_leases::QuotaLeases;
