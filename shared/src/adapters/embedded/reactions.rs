//! Reactions: one record per person, message and emoji, and each message's totals (emoji in the
//! order they were first used, with their counts), changed together in one write transaction.

use std::ops::Bound;

use anyhow::Context;
use async_trait::async_trait;

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its reactions role: the name this file adapts the port under.
pub type EmbeddedReactions = EmbeddedStore;

/// A message's totals as kept: emoji in first-use order, each with its count (never 0).
type Totals = Vec<(Emoji, u32)>;

fn totals_key(t: &TenantId, c: &ConversationId, m: &MessageId) -> String {
    key(&["T", t.as_str(), "CONV", c.as_str(), "RXS", m.as_str()])
}

/// Keyed by the person first, then the message: a reader's reactions to a page of messages
/// are one range.
fn mine_prefix(t: &TenantId, c: &ConversationId, u: &UserId) -> String {
    prefix(&["T", t.as_str(), "CONV", c.as_str(), "RXU", u.as_str()])
}

fn mine_key(k: &ReactionKey<'_>, emoji: &Emoji) -> String {
    format!("{}{}", mine_prefix(k.tenant, k.conversation, k.user), key(&[k.message.as_str(), emoji.as_str()]))
}

fn shown(totals: &Totals) -> Vec<Reaction> {
    totals.iter().map(|(emoji, count)| Reaction { emoji: emoji.clone(), count: *count, me: false }).collect()
}

#[async_trait]
impl ReactionStore for EmbeddedReactions {
    async fn set_reaction(
        &self,
        k: &ReactionKey<'_>,
        emoji: &Emoji,
        on: bool,
    ) -> StoreResult<Result<ReactionChange, TooManyEmoji>> {
        let (mine, totals_at) = (mine_key(k, emoji), totals_key(k.tenant, k.conversation, k.message));
        let emoji = emoji.clone();
        self.writing(move |t| {
            let mut totals: Totals = read(t, &totals_at)?.unwrap_or_default();
            let had = read::<bool>(t, &mine)?.is_some();
            if had == on {
                return Ok(Ok(ReactionChange { changed: false, reactions: shown(&totals) }));
            }
            let at = totals.iter().position(|(e, _)| *e == emoji);
            match (on, at) {
                (true, Some(i)) => totals[i].1 += 1,
                (true, None) if totals.len() >= MAX_REACTIONS_PER_MESSAGE => return Ok(Err(TooManyEmoji)),
                (true, None) => totals.push((emoji.clone(), 1)),
                (false, Some(i)) => {
                    totals[i].1 = totals[i].1.saturating_sub(1);
                    if totals[i].1 == 0 {
                        totals.remove(i);
                    }
                }
                (false, None) => {}
            }
            if on {
                write(t, &mine, &true)?;
            } else {
                t.remove(mine.as_str())?;
            }
            if totals.is_empty() {
                t.remove(totals_at.as_str())?;
            } else {
                write(t, &totals_at, &totals)?;
            }
            Ok(Ok(ReactionChange { changed: true, reactions: shown(&totals) }))
        })
        .await
    }

    async fn remove_reactions_before(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        before: &MessageId,
    ) -> StoreResult<()> {
        let (tenant, conversation, before) = (tenant.clone(), conversation.clone(), before.clone());
        self.writing(move |t| {
            let totals = prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "RXS"]);
            let below = format!("{totals}{before}");
            let rows = scan(&*t, Bound::Included(totals.as_str()), Bound::Excluded(below.as_str()), false, usize::MAX)?;
            if rows.is_empty() {
                return Ok(());
            }
            for (k, _) in &rows {
                t.remove(k.as_str())?;
            }
            // Each person's: keyed person first, so the whole range is read for the messages.
            let people = prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "RXU"]);
            let end = prefix_end(&people);
            for (k, _) in scan(&*t, Bound::Included(people.as_str()), Bound::Excluded(end.as_str()), false, usize::MAX)?
            {
                let mut parts = k[people.len()..].split(SEP);
                let message = parts.nth(1).context("a reaction's key without its message")?;
                if message < before.as_str() {
                    t.remove(k.as_str())?;
                }
            }
            Ok(())
        })
        .await
    }
    async fn reactions_by(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Vec<(MessageId, Emoji)>> {
        let mine = mine_prefix(tenant, conversation, user);
        self.reading(move |t| {
            let end = prefix_end(&mine);
            let rows =
                scan(t, std::ops::Bound::Included(mine.as_str()), std::ops::Bound::Excluded(&end), false, usize::MAX)?;
            rows.into_iter()
                .map(|(k, _)| {
                    // The message and the emoji after the person's prefix, as `mine_key` joins them.
                    let rest = &k[mine.len()..];
                    let (message, emoji) = rest.split_once(SEP).context("a reaction's key without its emoji")?;
                    Ok((MessageId::parse(message)?, Emoji::parse(emoji)?))
                })
                .collect::<anyhow::Result<Vec<_>>>()
        })
        .await
    }

    async fn reactions_of(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        messages: &[MessageId],
        reader: &UserId,
    ) -> StoreResult<Vec<(MessageId, Vec<Reaction>)>> {
        let (Some(first), Some(last)) = (messages.iter().min(), messages.iter().max()) else { return Ok(vec![]) };
        let mine = mine_prefix(tenant, conversation, reader);
        let (from, to) = (format!("{mine}{first}"), prefix_end(&format!("{mine}{}", prefix(&[last.as_str()]))));
        let totals: Vec<(MessageId, String)> =
            messages.iter().map(|m| (m.clone(), totals_key(tenant, conversation, m))).collect();
        self.reading(move |t| {
            let made: Vec<String> = scan(
                t,
                std::ops::Bound::Included(from.as_str()),
                std::ops::Bound::Excluded(to.as_str()),
                false,
                usize::MAX,
            )?
            .into_iter()
            .map(|(k, _)| k[mine.len()..].to_string())
            .collect();
            let mut out = Vec::new();
            for (message, at) in totals {
                let Some(totals) = read::<Totals>(t, &at)? else { continue };
                let reactions = totals
                    .into_iter()
                    .map(|(emoji, count)| {
                        let me = made.contains(&key(&[message.as_str(), emoji.as_str()]));
                        Reaction { emoji, count, me }
                    })
                    .collect();
                out.push((message, reactions));
            }
            Ok(out)
        })
        .await
    }
}
