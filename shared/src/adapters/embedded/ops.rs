//! The transactions every port runs in: a read transaction (in place) or a write transaction
//! (committed with an fsync by the store's writer thread, see `group_commit`), and the reads
//! they share.

use std::ops::Bound;

use redb::{ReadableDatabase, TableDefinition};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::codec::*;
use super::keys::prefix_end;
use super::EmbeddedStore;
use crate::error::StoreError;
use crate::ports::{Page, StoreResult};

pub(super) const ITEMS: TableDefinition<&str, &[u8]> = TableDefinition::new("items");

impl EmbeddedStore {
    pub(super) async fn reading<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&redb::ReadOnlyTable<&'static str, &'static [u8]>) -> anyhow::Result<T> + Send + 'static,
    {
        // In place: a read takes microseconds from redb's cache and never waits for a writer
        // (it reads the last committed state), where a trip to the blocking pool and back
        // costs more than the read — and under load lets the socket writers run between the
        // reads of jobs that could have pushed together.
        let read = || {
            let tx = self.db.begin_read()?;
            let table = tx.open_table(ITEMS)?;
            f(&table)
        };
        read().map_err(StoreError)
    }
    /// Runs `f` in a write transaction and returns its result once that is committed (with an
    /// fsync), maybe together with other writes (`group_commit`). `f` may run more than once:
    /// only the run that is committed counts.
    pub(super) async fn writing<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: Fn(&mut Table<'_>) -> anyhow::Result<T> + Send + 'static,
    {
        self.writer.write(f).await
    }
    pub(super) async fn get<T: DeserializeOwned + Send + 'static>(&self, k: String) -> StoreResult<Option<T>> {
        self.reading(move |t| read(t, &k)).await
    }
    pub(super) async fn put<T: Serialize + Send + Sync + 'static>(&self, k: String, value: T) -> StoreResult<()> {
        self.writing(move |t| write(t, &k, &value)).await
    }
    /// Reads the records under one prefix, in key order, after an optional cursor (the part of
    /// the key that follows the prefix).
    pub(super) async fn page<T: DeserializeOwned + Send + 'static>(
        &self,
        prefix: String,
        cursor: Option<&str>,
        limit: usize,
        reverse: bool,
    ) -> StoreResult<Page<(String, T)>> {
        let cursor = cursor.map(|c| format!("{prefix}{c}"));
        self.reading(move |t| {
            let end = prefix_end(&prefix);
            let (from, to) = match (&cursor, reverse) {
                (None, _) => (Bound::Included(prefix.as_str()), Bound::Excluded(end.as_str())),
                (Some(c), false) => (Bound::Excluded(c.as_str()), Bound::Excluded(end.as_str())),
                (Some(c), true) => (Bound::Included(prefix.as_str()), Bound::Excluded(c.as_str())),
            };
            let mut rows = scan(t, from, to, reverse, limit + 1)?;
            let more = rows.len() > limit;
            rows.truncate(limit);
            let next_cursor = if more { rows.last().map(|(k, _)| k[prefix.len()..].to_string()) } else { None };
            let items = rows
                .into_iter()
                .map(|(k, v)| Ok((k[prefix.len()..].to_string(), decode(&v)?)))
                .collect::<anyhow::Result<_>>()?;
            Ok(Page { items, next_cursor })
        })
        .await
    }
}
