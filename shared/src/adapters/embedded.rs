//! The embedded store: redb, one ordered key-value table in a single file.
//!
//! The keys mirror the DynamoDB single-table design: every tenant-owned key starts with the
//! tenant id, and every listing is a range over one key prefix, the way a DynamoDB `Query`
//! reads one partition. Each write is one ACID transaction committed with an fsync
//! (`Durability::Immediate`, redb's default), so an acknowledged message survives a crash.

use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::*;
use crate::error::StoreError;
use crate::ports::{
    EffectClaim, HistoryRange, HistorySlice, InboxEntry, LoggedEvent, Page, ScheduledJob, Store, StoreResult, Upserted,
};

const ITEMS: TableDefinition<&str, &[u8]> = TableDefinition::new("items");
/// Separates key parts. Ids cannot contain control characters, so it never appears in one.
const SEP: char = '\u{1f}';
/// The character right after `SEP`: `prefix + END` bounds a range over `prefix`.
const END: char = '\u{20}';

fn key(parts: &[&str]) -> String {
    let mut k = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            k.push(SEP);
        }
        k.push_str(p);
    }
    k
}

/// The key prefix of every key that extends `parts`.
fn prefix(parts: &[&str]) -> String {
    let mut p = key(parts);
    p.push(SEP);
    p
}

fn prefix_end(prefix: &str) -> String {
    let mut end = prefix[..prefix.len() - SEP.len_utf8()].to_string();
    end.push(END);
    end
}

fn tenant_key(t: &TenantId) -> String {
    key(&["TENANT", t.as_str()])
}
fn user_key(t: &TenantId, u: &UserId) -> String {
    key(&["T", t.as_str(), "USER", u.as_str()])
}
fn storefront_key(t: &TenantId, s: &StorefrontId) -> String {
    key(&["T", t.as_str(), "SF", s.as_str()])
}
/// The one key without a tenant: the public guest endpoint knows only the storefront id.
fn storefront_ref_key(s: &StorefrontId) -> String {
    key(&["SFREF", s.as_str()])
}
fn conversation_key(t: &TenantId, c: &ConversationId) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str()])
}
fn member_key(t: &TenantId, c: &ConversationId, u: &UserId) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str(), "MEMBER", u.as_str()])
}
fn message_key(t: &TenantId, c: &ConversationId, m: &str) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str(), "MSG", m])
}
fn unique_key(t: &TenantId, k: &str) -> String {
    key(&["T", t.as_str(), "UNIQ", k])
}
fn client_message_key(t: &TenantId, m: &Message, cmid: &ClientMessageId) -> String {
    key(&["T", t.as_str(), "CMID", m.conversation_id.as_str(), m.sender_id.as_str(), cmid.as_str()])
}
/// A user's conversations by activity: `INBOX|user|activity|conversation`.
fn inbox_key(t: &TenantId, u: &UserId, activity: &str, c: &ConversationId) -> String {
    key(&["T", t.as_str(), "INBOX", u.as_str(), activity, c.as_str()])
}
fn event_key(t: &TenantId, u: &UserId, id: &str) -> String {
    key(&["T", t.as_str(), "EV", u.as_str(), id])
}
fn connection_key(t: &TenantId, u: &UserId, c: &ConnectionId) -> String {
    key(&["T", t.as_str(), "CONN", u.as_str(), c.as_str()])
}

fn doc_key(t: &TenantId, collection: &str, id: &str) -> String {
    key(&["T", t.as_str(), "DOC", collection, id])
}
fn notification_key(t: &TenantId, u: &UserId, id: &str) -> String {
    key(&["T", t.as_str(), "NOTIF", u.as_str(), id])
}
/// The unread index: present while the notification is unread.
fn unread_key(t: &TenantId, u: &UserId, id: &str) -> String {
    key(&["T", t.as_str(), "NUNREAD", u.as_str(), id])
}
fn scheduled_key(t: &TenantId, job: &str) -> String {
    key(&["T", t.as_str(), "SCHED", job])
}
/// The due index, across tenants, in time order: what the scheduler reads.
fn due_key(scheduled: &ScheduledJob) -> String {
    key(&["DUE", &crate::ports::due_sort_key(scheduled.due_at), scheduled.job.tenant_id.as_str(), &scheduled.job.id])
}
fn effect_key(t: &TenantId, k: &str) -> String {
    key(&["T", t.as_str(), "EFFECT", k])
}

/// A document with its optional expiry (expired ones read as absent, as DynamoDB's TTL
/// hides nothing by itself but Missive filters them the same way).
#[derive(Serialize, serde::Deserialize)]
struct StoredDoc {
    doc: String,
    expires_at: Option<DateTime<Utc>>,
}

impl StoredDoc {
    fn live(self, now: DateTime<Utc>) -> Option<String> {
        match self.expires_at {
            Some(at) if at <= now => None,
            _ => Some(self.doc),
        }
    }
}

#[derive(Serialize, serde::Deserialize)]
struct EffectRecord {
    done: bool,
    until: DateTime<Utc>,
}

fn encode<T: Serialize>(value: &T) -> anyhow::Result<Vec<u8>> {
    serde_json::to_vec(value).context("encoding a record")
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> anyhow::Result<T> {
    serde_json::from_slice(bytes).context("decoding a record")
}

fn read<T: DeserializeOwned>(table: &impl ReadableTable<&'static str, &'static [u8]>, k: &str) -> anyhow::Result<Option<T>> {
    table.get(k)?.map(|v| decode(v.value())).transpose()
}

type Table<'t> = redb::Table<'t, &'static str, &'static [u8]>;

fn write<T: Serialize>(table: &mut Table<'_>, k: &str, value: &T) -> anyhow::Result<()> {
    table.insert(k, encode(value)?.as_slice())?;
    Ok(())
}

/// The key/value pairs in `(from, to)`, forwards or backwards, at most `limit`.
fn scan(
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

#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
}

impl EmbeddedStore {
    /// Opens (or creates) the store in `dir/missive.redb`.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join("missive.redb");
        let db = Database::create(&path).with_context(|| format!("opening {}", path.display()))?;
        let tx = db.begin_write()?;
        tx.open_table(ITEMS)?;
        tx.commit()?;
        Ok(Self { db: Arc::new(db) })
    }

    async fn reading<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&redb::ReadOnlyTable<&'static str, &'static [u8]>) -> anyhow::Result<T> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let tx = db.begin_read()?;
            let table = tx.open_table(ITEMS)?;
            f(&table)
        })
        .await
        .map_err(|e| StoreError(e.into()))?
        .map_err(StoreError)
    }

    async fn writing<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Table<'_>) -> anyhow::Result<T> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let tx = db.begin_write()?;
            let result = {
                let mut table = tx.open_table(ITEMS)?;
                f(&mut table)?
            };
            tx.commit()?;
            Ok(result)
        })
        .await
        .map_err(|e| StoreError(e.into()))?
        .map_err(StoreError)
    }

    async fn get<T: DeserializeOwned + Send + 'static>(&self, k: String) -> StoreResult<Option<T>> {
        self.reading(move |t| read(t, &k)).await
    }

    async fn put<T: Serialize + Send + Sync + 'static>(&self, k: String, value: T) -> StoreResult<()> {
        self.writing(move |t| write(t, &k, &value)).await
    }

    /// Reads the records under one prefix, in key order, after an optional cursor (the part of
    /// the key that follows the prefix).
    async fn page<T: DeserializeOwned + Send + 'static>(
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

/// Which fixed window of `window` the instant `now` falls in.
pub fn window_index(window: std::time::Duration, now: DateTime<Utc>) -> i64 {
    now.timestamp_millis() / (window.as_millis().max(1) as i64)
}

/// Inbox cursors travel in URLs: the key suffix's separator becomes a '.'.
fn inbox_cursor_to_suffix(cursor: &str) -> String {
    cursor.replacen('.', &SEP.to_string(), 1)
}
fn inbox_suffix_to_cursor(suffix: &str) -> String {
    suffix.replacen(SEP, ".", 1)
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn health(&self) -> StoreResult<()> {
        self.reading(|t| {
            t.get("health")?;
            Ok(())
        })
        .await
    }

    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<Upserted<Tenant>> {
        let tenant = tenant.clone();
        self.writing(move |t| {
            let k = tenant_key(&tenant.id);
            if let Some(existing) = read(t, &k)? {
                return Ok(Upserted { value: existing, created: false });
            }
            write(t, &k, &tenant)?;
            Ok(Upserted { value: tenant, created: true })
        })
        .await
    }

    async fn put_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.put(tenant_key(&tenant.id), tenant.clone()).await
    }

    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>> {
        self.get(tenant_key(id)).await
    }

    async fn put_user(&self, user: &User) -> StoreResult<()> {
        self.put(user_key(&user.tenant_id, &user.id), user.clone()).await
    }

    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<User>> {
        self.get(user_key(tenant, id)).await
    }

    async fn get_users(&self, tenant: &TenantId, ids: &[UserId]) -> StoreResult<Vec<User>> {
        let keys: Vec<String> = ids.iter().map(|id| user_key(tenant, id)).collect();
        self.reading(move |t| {
            let mut users = Vec::with_capacity(keys.len());
            for k in &keys {
                users.extend(read::<User>(t, k)?);
            }
            Ok(users)
        })
        .await
    }

    async fn list_users(&self, tenant: &TenantId, cursor: Option<&str>, limit: usize) -> StoreResult<Page<User>> {
        let page = self.page(prefix(&["T", tenant.as_str(), "USER"]), cursor, limit, false).await?;
        Ok(Page { items: page.items.into_iter().map(|(_, u)| u).collect(), next_cursor: page.next_cursor })
    }

    async fn put_storefront(&self, storefront: &Storefront) -> StoreResult<()> {
        let storefront = storefront.clone();
        self.writing(move |t| {
            write(t, &storefront_key(&storefront.tenant_id, &storefront.id), &storefront)?;
            write(t, &storefront_ref_key(&storefront.id), &storefront.tenant_id)
        })
        .await
    }

    async fn get_storefront(&self, tenant: &TenantId, id: &StorefrontId) -> StoreResult<Option<Storefront>> {
        self.get(storefront_key(tenant, id)).await
    }

    async fn storefront_tenant(&self, id: &StorefrontId) -> StoreResult<Option<TenantId>> {
        self.get(storefront_ref_key(id)).await
    }

    async fn create_conversation(
        &self,
        conversation: &Conversation,
        members: &[Member],
        unique: Option<&str>,
    ) -> StoreResult<Upserted<Conversation>> {
        let conversation = conversation.clone();
        let members = members.to_vec();
        let unique = unique.map(|u| unique_key(&conversation.tenant_id, u));
        self.writing(move |t| {
            let tenant = &conversation.tenant_id;
            if let Some(u) = &unique {
                if let Some(existing_id) = read::<ConversationId>(t, u)? {
                    let existing = read(t, &conversation_key(tenant, &existing_id))?
                        .context("a unique key points to a missing conversation")?;
                    return Ok(Upserted { value: existing, created: false });
                }
                write(t, u, &conversation.id)?;
            }
            write(t, &conversation_key(tenant, &conversation.id), &conversation)?;
            for m in &members {
                write(t, &member_key(tenant, &conversation.id, &m.user_id), m)?;
                let inbox = inbox_key(tenant, &m.user_id, &conversation.activity, &conversation.id);
                t.insert(inbox.as_str(), &[][..])?;
            }
            Ok(Upserted { value: conversation, created: true })
        })
        .await
    }

    async fn update_conversation(&self, conversation: &Conversation) -> StoreResult<()> {
        let conversation = conversation.clone();
        self.writing(move |t| {
            let k = conversation_key(&conversation.tenant_id, &conversation.id);
            let stored: Conversation = read(t, &k)?.context("updating a missing conversation")?;
            // Activity and preview belong to the messages; only the details change here.
            let updated = Conversation { activity: stored.activity, last_activity_at: stored.last_activity_at, last_message: stored.last_message, ..conversation };
            write(t, &k, &updated)
        })
        .await
    }

    async fn put_members(&self, conversation: &Conversation, members: &[Member]) -> StoreResult<()> {
        let (tenant, id) = (conversation.tenant_id.clone(), conversation.id.clone());
        let members = members.to_vec();
        self.writing(move |t| {
            let current: Conversation = read(t, &conversation_key(&tenant, &id))?.context("members of a missing conversation")?;
            for m in &members {
                write(t, &member_key(&tenant, &id, &m.user_id), m)?;
                t.insert(inbox_key(&tenant, &m.user_id, &current.activity, &id).as_str(), &[][..])?;
            }
            Ok(())
        })
        .await
    }

    async fn remove_member(&self, conversation: &Conversation, user: &UserId) -> StoreResult<bool> {
        let (tenant, id, user) = (conversation.tenant_id.clone(), conversation.id.clone(), user.clone());
        self.writing(move |t| {
            let current: Conversation = read(t, &conversation_key(&tenant, &id))?.context("members of a missing conversation")?;
            let removed = t.remove(member_key(&tenant, &id, &user).as_str())?.is_some();
            t.remove(inbox_key(&tenant, &user, &current.activity, &id).as_str())?;
            Ok(removed)
        })
        .await
    }

    async fn get_conversation(&self, tenant: &TenantId, id: &ConversationId) -> StoreResult<Option<Conversation>> {
        self.get(conversation_key(tenant, id)).await
    }

    async fn get_member(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Option<Member>> {
        self.get(member_key(tenant, conversation, user)).await
    }

    async fn list_members(&self, tenant: &TenantId, conversation: &ConversationId) -> StoreResult<Vec<Member>> {
        let p = prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "MEMBER"]);
        self.reading(move |t| {
            let end = prefix_end(&p);
            scan(t, Bound::Included(&p), Bound::Excluded(&end), false, usize::MAX)?
                .into_iter()
                .map(|(_, v)| decode(&v))
                .collect()
        })
        .await
    }

    async fn list_user_conversations(
        &self,
        tenant: &TenantId,
        user: &UserId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<InboxEntry>> {
        let p = prefix(&["T", tenant.as_str(), "INBOX", user.as_str()]);
        let user = user.clone();
        let cursor = cursor.map(inbox_cursor_to_suffix);
        let tenant = tenant.clone();
        self.reading(move |t| {
            let end = prefix_end(&p);
            let from = format!("{p}{}", cursor.as_deref().unwrap_or_default());
            let to = if cursor.is_some() { Bound::Excluded(from.as_str()) } else { Bound::Excluded(end.as_str()) };
            let mut rows = scan(t, Bound::Included(&p), to, true, limit + 1)?;
            let more = rows.len() > limit;
            rows.truncate(limit);
            let next_cursor = if more { rows.last().map(|(k, _)| inbox_suffix_to_cursor(&k[p.len()..])) } else { None };
            let mut items = Vec::with_capacity(rows.len());
            for (k, _) in rows {
                let (_, conv) = k[p.len()..].split_once(SEP).context("malformed inbox key")?;
                let id = ConversationId::parse(conv).map_err(|e| anyhow::anyhow!("{e}"))?;
                let conversation = read(t, &conversation_key(&tenant, &id))?.context("inbox entry without conversation")?;
                let member = read(t, &member_key(&tenant, &id, &user))?.context("inbox entry without membership")?;
                items.push(InboxEntry { conversation, member });
            }
            Ok(Page { items, next_cursor })
        })
        .await
    }

    async fn append_message(&self, message: &Message) -> StoreResult<Upserted<Message>> {
        let message = message.clone();
        self.writing(move |t| {
            let tenant = &message.tenant_id;
            if let Some(cmid) = &message.client_message_id {
                let dedupe = client_message_key(tenant, &message, cmid);
                if let Some(first_id) = read::<MessageId>(t, &dedupe)? {
                    let first = read(t, &message_key(tenant, &message.conversation_id, first_id.as_str()))?
                        .context("an idempotency record points to a missing message")?;
                    return Ok(Upserted { value: first, created: false });
                }
                write(t, &dedupe, &message.id)?;
            }
            write(t, &message_key(tenant, &message.conversation_id, message.id.as_str()), &message)?;

            let conv_key = conversation_key(tenant, &message.conversation_id);
            let mut conversation: Conversation = read(t, &conv_key)?.context("message for a missing conversation")?;
            let previous_activity = std::mem::replace(&mut conversation.activity, message.id.to_string());
            conversation.last_activity_at = message.created_at;
            conversation.last_message = Some(MessagePreview::of(&message));
            write(t, &conv_key, &conversation)?;

            let p = prefix(&["T", tenant.as_str(), "CONV", message.conversation_id.as_str(), "MEMBER"]);
            let end = prefix_end(&p);
            let members: Vec<Member> = scan(t, Bound::Included(&p), Bound::Excluded(&end), false, usize::MAX)?
                .into_iter()
                .map(|(_, v)| decode(&v))
                .collect::<anyhow::Result<_>>()?;
            for mut m in members {
                t.remove(inbox_key(tenant, &m.user_id, &previous_activity, &conversation.id).as_str())?;
                let inbox = inbox_key(tenant, &m.user_id, &conversation.activity, &conversation.id);
                t.insert(inbox.as_str(), &[][..])?;
                if m.user_id == message.sender_id {
                    m.last_read_message_id = Some(message.id.clone());
                    m.last_read_at = Some(message.created_at);
                    m.unread_count = 0;
                } else {
                    m.unread_count += 1;
                }
                write(t, &member_key(tenant, &conversation.id, &m.user_id), &m)?;
            }
            Ok(Upserted { value: message, created: true })
        })
        .await
    }

    async fn update_message(&self, message: &Message) -> StoreResult<bool> {
        let message = message.clone();
        self.writing(move |t| {
            let tenant = &message.tenant_id;
            let k = message_key(tenant, &message.conversation_id, message.id.as_str());
            if t.get(k.as_str())?.is_none() {
                return Ok(false);
            }
            write(t, &k, &message)?;
            let conv_key = conversation_key(tenant, &message.conversation_id);
            let mut conversation: Conversation = read(t, &conv_key)?.context("message of a missing conversation")?;
            if conversation.last_message_id() == Some(&message.id) {
                conversation.last_message = Some(MessagePreview::of(&message));
                write(t, &conv_key, &conversation)?;
            }
            Ok(true)
        })
        .await
    }

    async fn get_message(&self, tenant: &TenantId, conversation: &ConversationId, id: &MessageId) -> StoreResult<Option<Message>> {
        self.get(message_key(tenant, conversation, id.as_str())).await
    }

    async fn mark_read(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Member>> {
        let (tenant, conversation, user, message) = (tenant.clone(), conversation.clone(), user.clone(), message.clone());
        self.writing(move |t| {
            let k = member_key(&tenant, &conversation, &user);
            let Some(mut member) = read::<Member>(t, &k)? else { return Ok(None) };
            if member.last_read_message_id.as_ref().is_some_and(|last| *last >= message) {
                return Ok(None);
            }
            let after = message_key(&tenant, &conversation, message.as_str());
            let end = prefix_end(&prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "MSG"]));
            let newer = scan(t, Bound::Excluded(after.as_str()), Bound::Excluded(end.as_str()), false, usize::MAX)?;
            let mut unread = 0;
            for (_, v) in newer {
                if decode::<Message>(&v)?.sender_id != user {
                    unread += 1;
                }
            }
            member.last_read_message_id = Some(message);
            member.last_read_at = Some(at);
            member.unread_count = unread;
            write(t, &k, &member)?;
            Ok(Some(member))
        })
        .await
    }

    async fn list_messages(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice> {
        let (cursor, reverse) = match range {
            HistoryRange::Latest => (None, true),
            HistoryRange::Before(id) => (Some(id.as_str()), true),
            HistoryRange::After(id) => (Some(id.as_str()), false),
        };
        let page = self
            .page::<Message>(prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "MSG"]), cursor, limit, reverse)
            .await?;
        let more = page.next_cursor.is_some();
        let mut messages: Vec<Message> = page.items.into_iter().map(|(_, m)| m).collect();
        if reverse {
            messages.reverse();
        }
        Ok(HistorySlice { messages, more })
    }

    async fn append_events(&self, tenant: &TenantId, users: &[UserId], event: &LoggedEvent) -> StoreResult<()> {
        let keys: Vec<String> = users.iter().map(|u| event_key(tenant, u, &event.id)).collect();
        let event = event.clone();
        self.writing(move |t| {
            for k in &keys {
                write(t, k, &event)?;
            }
            Ok(())
        })
        .await
    }

    async fn list_events(
        &self,
        tenant: &TenantId,
        user: &UserId,
        after: &str,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        let p = prefix(&["T", tenant.as_str(), "EV", user.as_str()]);
        let from = format!("{p}{after}");
        self.reading(move |t| {
            let end = prefix_end(&p);
            let mut events = Vec::new();
            let mut more = false;
            let range = t.range::<&str>((Bound::Excluded(from.as_str()), Bound::Excluded(end.as_str())))?;
            for entry in range {
                let (_, v) = entry?;
                let event: LoggedEvent = decode(v.value())?;
                if event.expires_at <= now {
                    continue;
                }
                if events.len() == limit {
                    more = true;
                    break;
                }
                events.push(event);
            }
            Ok((events, more))
        })
        .await
    }

    async fn count_hit(&self, tenant: &TenantId, key_name: &str, window: std::time::Duration, now: DateTime<Utc>) -> StoreResult<u64> {
        // One record per key, reset when a new window starts, so that nothing accumulates.
        let k = key(&["T", tenant.as_str(), "HIT", key_name]);
        let index = window_index(window, now);
        self.writing(move |t| {
            let (stored_index, count) = read::<(i64, u64)>(t, &k)?.unwrap_or((index, 0));
            let count = if stored_index == index { count + 1 } else { 1 };
            write(t, &k, &(index, count))?;
            Ok(count)
        })
        .await
    }

    async fn try_claim(&self, tenant: &TenantId, key_name: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<bool> {
        let k = key(&["T", tenant.as_str(), "CLAIM", key_name]);
        self.writing(move |t| {
            if read::<DateTime<Utc>>(t, &k)?.is_some_and(|held_until| held_until > now) {
                return Ok(false);
            }
            write(t, &k, &until)?;
            Ok(true)
        })
        .await
    }

    async fn put_last_seen(&self, tenant: &TenantId, user: &UserId, at: DateTime<Utc>) -> StoreResult<()> {
        self.put(key(&["T", tenant.as_str(), "SEEN", user.as_str()]), at).await
    }

    async fn get_last_seen(&self, tenant: &TenantId, users: &[UserId]) -> StoreResult<Vec<(UserId, DateTime<Utc>)>> {
        let keys: Vec<(UserId, String)> =
            users.iter().map(|u| (u.clone(), key(&["T", tenant.as_str(), "SEEN", u.as_str()]))).collect();
        self.reading(move |t| {
            let mut seen = Vec::new();
            for (user, k) in keys {
                if let Some(at) = read(t, &k)? {
                    seen.push((user, at));
                }
            }
            Ok(seen)
        })
        .await
    }

    async fn put_connection(&self, connection: &Connection) -> StoreResult<()> {
        let k = connection_key(&connection.tenant_id, &connection.user_id, &connection.id);
        self.put(k, connection.clone()).await
    }

    async fn delete_connection(&self, tenant: &TenantId, user: &UserId, id: &ConnectionId) -> StoreResult<()> {
        let k = connection_key(tenant, user, id);
        self.writing(move |t| {
            t.remove(k.as_str())?;
            Ok(())
        })
        .await
    }

    async fn list_user_connections(
        &self,
        tenant: &TenantId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>> {
        let p = prefix(&["T", tenant.as_str(), "CONN", user.as_str()]);
        self.reading(move |t| {
            let end = prefix_end(&p);
            let mut live = Vec::new();
            for (_, v) in scan(t, Bound::Included(&p), Bound::Excluded(&end), false, usize::MAX)? {
                let c: Connection = decode(&v)?;
                // Expired records linger until removed, as DynamoDB's TTL deletes lazily.
                if c.is_live(now) {
                    live.push(c);
                }
            }
            Ok(live)
        })
        .await
    }

    async fn put_doc(&self, tenant: &TenantId, collection: &str, id: &str, doc: &str, expires_at: Option<DateTime<Utc>>) -> StoreResult<()> {
        self.put(doc_key(tenant, collection, id), StoredDoc { doc: doc.to_string(), expires_at }).await
    }

    async fn get_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<Option<String>> {
        let stored: Option<StoredDoc> = self.get(doc_key(tenant, collection, id)).await?;
        Ok(stored.and_then(|d| d.live(Utc::now())))
    }

    async fn list_docs(&self, tenant: &TenantId, collection: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<String>> {
        let page = self.page::<StoredDoc>(prefix(&["T", tenant.as_str(), "DOC", collection]), after, limit, false).await?;
        let now = Utc::now();
        Ok(Page { items: page.items.into_iter().filter_map(|(_, d)| d.live(now)).collect(), next_cursor: page.next_cursor })
    }

    async fn delete_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<bool> {
        let k = doc_key(tenant, collection, id);
        self.writing(move |t| Ok(t.remove(k.as_str())?.is_some())).await
    }

    async fn put_notification(&self, notification: &Notification) -> StoreResult<()> {
        let n = notification.clone();
        self.writing(move |t| {
            let unread = unread_key(&n.tenant_id, &n.user_id, &n.id);
            if n.read_at.is_none() {
                t.insert(unread.as_str(), &[][..])?;
            } else {
                t.remove(unread.as_str())?;
            }
            write(t, &notification_key(&n.tenant_id, &n.user_id, &n.id), &n)
        })
        .await
    }

    async fn get_notification(&self, tenant: &TenantId, user: &UserId, id: &str) -> StoreResult<Option<Notification>> {
        self.get(notification_key(tenant, user, id)).await
    }

    async fn list_notifications(
        &self,
        tenant: &TenantId,
        user: &UserId,
        unread_only: bool,
        before: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<Notification>> {
        if !unread_only {
            let page = self.page::<Notification>(prefix(&["T", tenant.as_str(), "NOTIF", user.as_str()]), before, limit, true).await?;
            return Ok(Page { items: page.items.into_iter().map(|(_, n)| n).collect(), next_cursor: page.next_cursor });
        }
        let p = prefix(&["T", tenant.as_str(), "NUNREAD", user.as_str()]);
        let before = before.map(|b| format!("{p}{b}"));
        let (tenant, user) = (tenant.clone(), user.clone());
        self.reading(move |t| {
            let end = prefix_end(&p);
            let to = before.as_deref().map_or(Bound::Excluded(end.as_str()), Bound::Excluded);
            let rows = scan(t, Bound::Included(p.as_str()), to, true, limit + 1)?;
            let more = rows.len() > limit;
            let mut items = Vec::new();
            for (k, _) in rows.into_iter().take(limit) {
                if let Some(n) = read(t, &notification_key(&tenant, &user, &k[p.len()..]))? {
                    items.push(n);
                }
            }
            let next_cursor = if more { items.last().map(|n: &Notification| n.id.clone()) } else { None };
            Ok(Page { items, next_cursor })
        })
        .await
    }

    async fn count_unread_notifications(&self, tenant: &TenantId, user: &UserId) -> StoreResult<u64> {
        let p = prefix(&["T", tenant.as_str(), "NUNREAD", user.as_str()]);
        self.reading(move |t| {
            let end = prefix_end(&p);
            Ok(t.range::<&str>((Bound::Included(p.as_str()), Bound::Excluded(end.as_str())))?.count() as u64)
        })
        .await
    }

    async fn schedule_job(&self, scheduled: &ScheduledJob) -> StoreResult<()> {
        let scheduled = scheduled.clone();
        self.writing(move |t| {
            let k = scheduled_key(&scheduled.job.tenant_id, &scheduled.job.id);
            if let Some(previous) = read::<ScheduledJob>(t, &k)? {
                t.remove(due_key(&previous).as_str())?;
            }
            write(t, &due_key(&scheduled), &scheduled)?;
            write(t, &k, &scheduled)
        })
        .await
    }

    async fn list_due_jobs(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<ScheduledJob>> {
        let p = prefix(&["DUE"]);
        let upto = format!("{p}{}{END}", crate::ports::due_sort_key(now));
        self.reading(move |t| {
            scan(t, Bound::Included(p.as_str()), Bound::Excluded(upto.as_str()), false, limit)?
                .into_iter()
                .map(|(_, v)| decode(&v))
                .collect()
        })
        .await
    }

    async fn take_scheduled_job(&self, tenant: &TenantId, job_id: &str) -> StoreResult<bool> {
        let k = scheduled_key(tenant, job_id);
        self.writing(move |t| {
            let Some(scheduled) = read::<ScheduledJob>(t, &k)? else { return Ok(false) };
            t.remove(due_key(&scheduled).as_str())?;
            t.remove(k.as_str())?;
            Ok(true)
        })
        .await
    }

    async fn begin_effect(&self, tenant: &TenantId, key_name: &str, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> StoreResult<EffectClaim> {
        let k = effect_key(tenant, key_name);
        self.writing(move |t| {
            match read::<EffectRecord>(t, &k)? {
                Some(r) if r.done && r.until > now => return Ok(EffectClaim::Done),
                Some(r) if !r.done && r.until > now => return Ok(EffectClaim::Busy),
                _ => {}
            }
            write(t, &k, &EffectRecord { done: false, until: lease_until })?;
            Ok(EffectClaim::Acquired)
        })
        .await
    }

    async fn finish_effect(&self, tenant: &TenantId, key_name: &str, keep_until: DateTime<Utc>) -> StoreResult<()> {
        self.put(effect_key(tenant, key_name), EffectRecord { done: true, until: keep_until }).await
    }

    async fn release_effect(&self, tenant: &TenantId, key_name: &str) -> StoreResult<()> {
        let k = effect_key(tenant, key_name);
        self.writing(move |t| {
            if read::<EffectRecord>(t, &k)?.is_some_and(|r| !r.done) {
                t.remove(k.as_str())?;
            }
            Ok(())
        })
        .await
    }
}
