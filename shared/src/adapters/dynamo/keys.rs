//! Key formats. Tenant ids and Missive's own ids cannot contain `#`; user ids can, so
//! they only ever end a key, or come length-prefixed.
use crate::domain::*;

pub fn tenant_pk(t: &TenantId) -> String {
    format!("T#{t}")
}
pub const TENANT_SK: &str = "TENANT";
pub const MODERATION_SK: &str = "MODERATION";
/// The origin index: an origin's partition holds one item per tenant that allows it (CORS
/// preflights name no tenant); its sort key is the tenant's partition key.
pub fn origin_pk(origin: &str) -> String {
    format!("ORIGIN#{origin}")
}
pub fn user_sk(u: &UserId) -> String {
    format!("USER#{u}")
}
pub fn storefront_sk(s: &StorefrontId) -> String {
    format!("SF#{s}")
}
/// The one partition without a tenant: the public guest endpoint knows only this id.
pub fn storefront_ref_pk(s: &StorefrontId) -> String {
    format!("SFREF#{s}")
}
pub fn conversation_pk(t: &TenantId, c: &ConversationId) -> String {
    format!("T#{t}#C#{c}")
}
/// The tenant's conversation index: one item per conversation (`C#{id}`), written with it.
pub fn tenant_conversations_pk(t: &TenantId) -> String {
    format!("T#{t}#CONVS")
}
pub fn tenant_conversation_sk(c: &ConversationId) -> String {
    format!("C#{c}")
}
/// A conversation's details (title, participants): written when they change.
pub const META_SK: &str = "META";
/// A conversation's head (activity, preview, message count, latest event): written by every
/// message, and small whatever the group's size. `HEAD` < `M#…` < `META`: one Query between
/// them reads a conversation with all its members.
pub const HEAD_SK: &str = "HEAD";
pub fn member_sk(u: &UserId) -> String {
    format!("M#{u}")
}
pub fn message_sk(m: &str) -> String {
    format!("MSG#{m}")
}
/// A reply in its thread only: kept out of the `MSG#` range that history and the log read.
pub fn reply_sk(m: &str) -> String {
    format!("RPL#{m}")
}
/// Where a message is kept.
pub fn stored_message_sk(m: &Message) -> String {
    if m.in_thread_only() {
        reply_sk(m.id.as_str())
    } else {
        message_sk(m.id.as_str())
    }
}
/// A thread's index: one item per reply, `THR#{root}#{reply}`, its `at` the reply's sort key.
pub fn thread_sk(root: &MessageId, reply: &str) -> String {
    format!("THR#{root}#{reply}")
}
pub fn client_message_sk(sender: &UserId, cmid: &ClientMessageId) -> String {
    format!("CMID#{}:{sender}#{}", sender.as_str().len(), cmid.as_str())
}
pub fn unique_pk(t: &TenantId, key: &str) -> String {
    format!("T#{t}#UNIQ#{key}")
}
pub fn user_pk(t: &TenantId, u: &UserId) -> String {
    format!("T#{t}#U#{u}")
}
pub fn event_sk(id: &str) -> String {
    format!("EV#{id}")
}
/// The one item under a user that holds all their live connections, one attribute each.
pub const CONNECTIONS_SK: &str = "CONNS";
/// The attribute of one connection in the user's connections item.
pub fn connection_attribute(c: &ConnectionId) -> String {
    format!("c#{c}")
}
/// A collection of documents: the collection name is the rest of the key.
pub fn doc_pk(t: &TenantId, collection: &str) -> String {
    format!("T#{t}#D#{collection}")
}
/// A user's notifications, by id (time).
pub fn notifications_pk(t: &TenantId, u: &UserId) -> String {
    format!("T#{t}#N#{u}")
}
/// GSI1: a user's unread notifications (a sparse index: read ones leave it).
pub fn unread_pk(t: &TenantId, u: &UserId) -> String {
    format!("T#{t}#NU#{u}")
}
pub fn scheduled_pk(t: &TenantId) -> String {
    format!("T#{t}#SCHED")
}
/// GSI1: jobs due, spread over `DUE_SHARDS` partitions so that no one partition takes
/// every write; the scheduler queries each.
pub fn due_pk(shard: u32) -> String {
    format!("DUE#{shard}")
}
/// A job's effect record (`EffectStore`): spread over `SHARDS` partitions per tenant, so that
/// no one partition takes every job's write and an offboarding finds them all.
pub(super) fn effect_key(t: &TenantId, name: &str) -> (String, String) {
    (format!("T#{t}#EFFECT#{}", shard(name)), format!("EFFECT#{name}"))
}
/// A throttle's claim (`ThrottleStore`), spread as effects are.
pub(super) fn claim_key(t: &TenantId, name: &str) -> (String, String) {
    (format!("T#{t}#CLAIM#{}", shard(name)), format!("CLAIM#{name}"))
}
/// Every partition effects and claims are spread over.
pub(super) fn spread_pks(t: &TenantId) -> Vec<String> {
    (0..SHARDS).flat_map(|i| [format!("T#{t}#EFFECT#{i}"), format!("T#{t}#CLAIM#{i}")]).collect()
}
/// A tenant's usage counters (quotas).
pub fn usage_pk(t: &TenantId) -> String {
    format!("T#{t}#USAGE")
}
/// The offboarding's record: a partition of its own, outside the tenant's (it outlives them).
pub fn offboarding_pk(t: &TenantId) -> String {
    format!("OFFBOARD#{t}")
}

/// How many partitions the due index is spread over.
pub const DUE_SHARDS: u32 = 8;
/// How many partitions a tenant's effects (and claims) are spread over.
pub const SHARDS: u32 = 8;

pub(super) fn due_shard(job_id: &str) -> u32 {
    shard(job_id) % DUE_SHARDS
}

fn shard(text: &str) -> u32 {
    // FNV-1a: stable across processes and releases, unlike std's hasher.
    text.bytes().fold(0x811c9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x01000193)) % SHARDS
}
