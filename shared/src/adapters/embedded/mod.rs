//! The embedded store: redb, one ordered key-value table in a single file.
//!
//! The keys mirror the DynamoDB single-table design: every tenant-owned key starts with the
//! tenant id, and every listing is a range over one key prefix, the way a DynamoDB `Query`
//! reads one partition. Each write is ACID and answered once committed with an fsync
//! (`Durability::Immediate`, redb's default), so an acknowledged message survives a crash;
//! writes that arrive together share a commit (`group_commit`).
//! One file per port; `keys` says how records are keyed, `codec` how they are encoded and
//! read in ranges, `ops` the transactions every port runs in.

mod codec;
mod connections;
mod conversations;
mod directory;
mod documents;
mod effects;
mod events;
mod group_commit;
mod keys;
mod messages;
mod notifications;
mod offboarding;
mod ops;
mod pins;
#[cfg(feature = "local")]
mod queue_journal;
mod reactions;
mod record_cache;
mod schedule;
mod throttles;
mod usage;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use redb::Database;

use crate::domain::{Connection, UserId};
use crate::ports::{StoreHealth, StoreResult};

#[derive(Clone)]
pub struct EmbeddedStore {
    /// Declared first, so dropped first: the last clone's drop waits for the queued writes.
    writer: Arc<group_commit::Writer>,
    db: Arc<Database>,
    /// This opening of the store (a ULID): what running effects' leases name.
    instance: String,
    /// Each user's connection records, by the user's key prefix.
    connections: Arc<record_cache::RecordCache<Vec<Connection>>>,
    /// Each conversation's members' ids, by the conversation's key.
    member_ids: Arc<record_cache::RecordCache<Arc<[UserId]>>>,
}

/// The page cache's size unless told otherwise: redb's own default (1 GiB) is more than a
/// laptop's development server should take.
pub const DEFAULT_CACHE_BYTES: usize = 64 * 1024 * 1024;

impl EmbeddedStore {
    /// Opens (or creates) the store in `dir/missive.redb`, with the default cache.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        Self::open_with_cache(dir, DEFAULT_CACHE_BYTES)
    }

    /// Opens (or creates) the store in `dir/missive.redb`; redb keeps at most `cache_bytes` of
    /// pages in memory, which bounds the store's part of the process's memory.
    pub fn open_with_cache(dir: &Path, cache_bytes: usize) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join("missive.redb");
        let db = Database::builder()
            .set_cache_size(cache_bytes)
            .create(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let tx = db.begin_write()?;
        tx.open_table(ops::ITEMS)?;
        tx.commit()?;
        let db = Arc::new(db);
        let writer = Arc::new(group_commit::Writer::start(db.clone()).context("starting the store's writer")?);
        Ok(Self {
            writer,
            db,
            instance: ulid::Ulid::new().to_string(),
            connections: Default::default(),
            member_ids: Default::default(),
        })
    }
}

#[async_trait]
impl StoreHealth for EmbeddedStore {
    async fn health(&self) -> StoreResult<()> {
        self.reading(|t| {
            t.get("health")?;
            Ok(())
        })
        .await
    }
}
