//! Key formats: parts joined by a separator that no id can contain, tenant first.

use crate::domain::*;
use crate::ports::{due_sort_key, ScheduledJob};

/// Separates key parts. Ids cannot contain control characters, so it never appears in one.
pub(super) const SEP: char = '\u{1f}';
/// The character right after `SEP`: `prefix + END` bounds a range over `prefix`.
pub(super) const END: char = '\u{20}';

pub(super) fn key(parts: &[&str]) -> String {
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
pub(super) fn prefix(parts: &[&str]) -> String {
    let mut p = key(parts);
    p.push(SEP);
    p
}

pub(super) fn prefix_end(prefix: &str) -> String {
    let mut end = prefix[..prefix.len() - SEP.len_utf8()].to_string();
    end.push(END);
    end
}

pub(super) fn tenant_key(t: &TenantId) -> String {
    key(&["TENANT", t.as_str()])
}

/// The origin index: one key per origin a tenant allows (CORS preflights name no tenant).
pub(super) fn origin_key(origin: &str, t: &TenantId) -> String {
    key(&["ORIGIN", origin, t.as_str()])
}

pub(super) fn user_key(t: &TenantId, u: &UserId) -> String {
    key(&["T", t.as_str(), "USER", u.as_str()])
}

pub(super) fn storefront_key(t: &TenantId, s: &StorefrontId) -> String {
    key(&["T", t.as_str(), "SF", s.as_str()])
}

/// The one key without a tenant: the public guest endpoint knows only the storefront id.
pub(super) fn storefront_ref_key(s: &StorefrontId) -> String {
    key(&["SFREF", s.as_str()])
}

pub(super) fn conversation_key(t: &TenantId, c: &ConversationId) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str()])
}

/// The tenant's conversation index: one key per conversation, holding its id.
pub(super) fn tenant_conversation_key(t: &TenantId, c: &ConversationId) -> String {
    key(&["T", t.as_str(), "CONVS", c.as_str()])
}

pub(super) fn member_key(t: &TenantId, c: &ConversationId, u: &UserId) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str(), "MEMBER", u.as_str()])
}

pub(super) fn message_key(t: &TenantId, c: &ConversationId, m: &str) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str(), "MSG", m])
}

/// Where a message is kept: a reply in its thread only under `RPL`, out of the history's range.
pub(super) fn stored_message_key(m: &Message) -> String {
    let place = if m.in_thread_only() { "RPL" } else { "MSG" };
    key(&["T", m.tenant_id.as_str(), "CONV", m.conversation_id.as_str(), place, m.id.as_str()])
}

pub(super) fn reply_key(t: &TenantId, c: &ConversationId, m: &str) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str(), "RPL", m])
}

/// A thread's index: one key per reply, `THR|root|reply`, holding where the reply is kept.
pub(super) fn thread_prefix(t: &TenantId, c: &ConversationId, root: &MessageId) -> String {
    prefix(&["T", t.as_str(), "CONV", c.as_str(), "THR", root.as_str()])
}

/// A thread's summary (replies, latest, who), apart from its first message.
pub(super) fn thread_summary_key(t: &TenantId, c: &ConversationId, root: &MessageId) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str(), "THRSUM", root.as_str()])
}

pub(super) fn unique_key(t: &TenantId, k: &str) -> String {
    key(&["T", t.as_str(), "UNIQ", k])
}

pub(super) fn client_message_key(t: &TenantId, m: &Message, cmid: &ClientMessageId) -> String {
    key(&["T", t.as_str(), "CMID", m.conversation_id.as_str(), m.sender_id.as_str(), cmid.as_str()])
}

/// A user's memberships: `MEMBERSHIP|user|conversation` (their list is computed from them).
pub(super) fn membership_key(t: &TenantId, u: &UserId, c: &ConversationId) -> String {
    key(&["T", t.as_str(), "MEMBERSHIP", u.as_str(), c.as_str()])
}

/// An event in a conversation's log.
pub(super) fn conversation_event_key(t: &TenantId, c: &ConversationId, id: &EventId) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str(), "EV", id.as_str()])
}
pub(super) fn connection_key(t: &TenantId, u: &UserId, c: &ConnectionId) -> String {
    key(&["T", t.as_str(), "CONN", u.as_str(), c.as_str()])
}

pub(super) fn doc_key(t: &TenantId, collection: &str, id: &str) -> String {
    key(&["T", t.as_str(), "DOC", collection, id])
}

pub(super) fn notification_key(t: &TenantId, u: &UserId, id: &str) -> String {
    key(&["T", t.as_str(), "NOTIF", u.as_str(), id])
}

/// The unread index: present while the notification is unread.
pub(super) fn unread_key(t: &TenantId, u: &UserId, id: &str) -> String {
    key(&["T", t.as_str(), "NUNREAD", u.as_str(), id])
}

pub(super) fn scheduled_key(t: &TenantId, job: &str) -> String {
    key(&["T", t.as_str(), "SCHED", job])
}

/// The due index, across tenants, in time order: what the scheduler reads.
pub(super) fn due_key(scheduled: &ScheduledJob) -> String {
    key(&["DUE", &due_sort_key(scheduled.due_at), scheduled.job.tenant_id.as_str(), scheduled.job.id.as_str()])
}

pub(super) fn effect_key(t: &TenantId, k: &str) -> String {
    key(&["T", t.as_str(), "EFFECT", k])
}
