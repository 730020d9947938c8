//! The embedded store's document collections (see [`crate::adapters::documents`]): each document a record under `T|{tenant}|DOC|{name}|{id}` with its optional expiry.

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::codec::{read, write, Table};
use super::keys::{doc_key, prefix};
use super::EmbeddedStore;
use crate::adapters::documents::{Documents, UPLOADS};
use crate::domain::{TenantId, Upload, UploadId};
use crate::ports::{Page, StoreResult};

/// A document (its JSON text) with its optional expiry.
#[derive(Serialize, serde::Deserialize)]
struct StoredDoc {
    doc: String,
    expires_at: Option<DateTime<Utc>>,
}

impl StoredDoc {
    fn live<T: DeserializeOwned>(self, now: DateTime<Utc>) -> anyhow::Result<Option<T>> {
        match self.expires_at {
            Some(at) if at <= now => Ok(None),
            _ => Ok(Some(serde_json::from_str(&self.doc).context("decoding a document")?)),
        }
    }
}

/// The embedded store in its documents role: the name this file adapts the port under.
pub type EmbeddedDocuments = EmbeddedStore;

#[async_trait]
impl Documents for EmbeddedDocuments {
    async fn put_doc<T: Serialize + Sync>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
        doc: &T,
        expires_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        let doc = serde_json::to_string(doc).context("encoding a document")?;
        self.put(doc_key(tenant, collection, id), StoredDoc { doc, expires_at }).await
    }

    async fn get_doc<T: DeserializeOwned>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
    ) -> StoreResult<Option<T>> {
        let stored: Option<StoredDoc> = self.get(doc_key(tenant, collection, id)).await?;
        Ok(stored.map(|d| d.live(Utc::now())).transpose()?.flatten())
    }

    async fn list_docs<T: DeserializeOwned + Send>(
        &self,
        tenant: &TenantId,
        collection: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<T>> {
        let page =
            self.page::<StoredDoc>(prefix(&["T", tenant.as_str(), "DOC", collection]), after, limit, false).await?;
        let now = Utc::now();
        let mut items = Vec::with_capacity(page.items.len());
        for (_, doc) in page.items {
            items.extend(doc.live(now)?);
        }
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    async fn replace_doc<T: Serialize + Sync>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
        previous: &T,
        doc: &T,
    ) -> StoreResult<bool> {
        let previous = serde_json::to_string(previous).context("encoding a document")?;
        let doc = serde_json::to_string(doc).context("encoding a document")?;
        let k = doc_key(tenant, collection, id);
        self.writing(move |t| {
            let stored: Option<StoredDoc> = read(t, &k)?;
            if stored.is_none_or(|s| s.doc != previous) {
                return Ok(false);
            }
            write(t, &k, &StoredDoc { doc: doc.clone(), expires_at: None })?;
            Ok(true)
        })
        .await
    }

    async fn delete_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<bool> {
        let k = doc_key(tenant, collection, id);
        self.writing(move |t| Ok(t.remove(k.as_str())?.is_some())).await
    }
}

/// Inside a new message's write: stores each upload attached, without expiry — unless one of
/// them no longer waits for a message (a message attached it first, or it expired), whose id
/// comes back with nothing written.
pub(super) fn attach_uploads(
    t: &mut Table<'_>,
    uploads: &[Upload],
    now: DateTime<Utc>,
) -> anyhow::Result<Option<UploadId>> {
    for upload in uploads {
        let stored: Option<StoredDoc> = read(t, &doc_key(&upload.tenant_id, UPLOADS, upload.id.as_str()))?;
        // Waiting for a message means having an expiry, not yet past.
        if stored.is_none_or(|d| d.expires_at.is_none_or(|at| at <= now)) {
            return Ok(Some(upload.id.clone()));
        }
    }
    for upload in uploads {
        let doc = serde_json::to_string(upload).context("encoding a document")?;
        write(t, &doc_key(&upload.tenant_id, UPLOADS, upload.id.as_str()), &StoredDoc { doc, expires_at: None })?;
    }
    Ok(None)
}
