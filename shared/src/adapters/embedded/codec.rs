//! How records are encoded (JSON bytes) and read, one key or one range at a time.

use std::ops::Bound;

use anyhow::Context;
use redb::ReadableTable;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub(super) type Table<'t> = redb::Table<'t, &'static str, &'static [u8]>;

pub(super) fn encode<T: Serialize>(value: &T) -> anyhow::Result<Vec<u8>> {
    serde_json::to_vec(value).context("encoding a record")
}

pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> anyhow::Result<T> {
    serde_json::from_slice(bytes).context("decoding a record")
}

pub(super) fn read<T: DeserializeOwned>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    k: &str,
) -> anyhow::Result<Option<T>> {
    table.get(k)?.map(|v| decode(v.value())).transpose()
}

pub(super) fn write<T: Serialize>(table: &mut Table<'_>, k: &str, value: &T) -> anyhow::Result<()> {
    table.insert(k, encode(value)?.as_slice())?;
    Ok(())
}

/// The key/value pairs in `(from, to)`, forwards or backwards, at most `limit`.
/// Removes every record whose key starts with `prefix`.
pub(super) fn remove_prefix(table: &mut Table<'_>, prefix: &str) -> anyhow::Result<()> {
    let end = super::keys::prefix_end(prefix);
    let keys = scan(table, Bound::Included(prefix), Bound::Excluded(&end), false, usize::MAX)?;
    for (k, _) in keys {
        table.remove(k.as_str())?;
    }
    Ok(())
}

pub(super) fn scan(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    from: Bound<&str>,
    to: Bound<&str>,
    reverse: bool,
    limit: usize,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let range = table.range::<&str>((from, to))?;
    let mut out = Vec::new();
    let mut push = |entry: Result<(redb::AccessGuard<&str>, redb::AccessGuard<&[u8]>), redb::StorageError>| {
        let (k, v) = entry?;
        out.push((k.value().to_string(), v.value().to_vec()));
        Ok::<_, anyhow::Error>(())
    };
    if reverse {
        for entry in range.rev().take(limit) {
            push(entry)?;
        }
    } else {
        for entry in range.take(limit) {
            push(entry)?;
        }
    }
    Ok(out)
}
