//! Reactions on DynamoDB: one item per person, message and emoji (`RXU#…`, the condition that
//! makes a reaction set twice count once), and one totals item per message (`RXS#{messageId}`)
//! whose counts are atomic `ADD`s — exact however many react at once, with no write per member.
//! The totals item holds the set of emoji in use (`e`, bounded to 20 by the update's condition),
//! and per emoji its count (`n#{emoji}`) and first use (`f#{emoji}`, which orders them).

use std::collections::HashMap;

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};

use super::codec::*;
use super::keys::*;
use super::ops::all_pages;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

/// The DynamoDB store in its reactions role: the name this file adapts the port under.
pub type DynamoReactions = DynamoStore;

/// A reader's reactions, by message then emoji: a page's are one range. The user id's length
/// keeps ids that extend one another apart.
fn mine_prefix(u: &UserId) -> String {
    format!("RXU#{}:{u}#", u.as_str().len())
}

/// The message of a person's reaction key (`RXU#{length}:{user}#{message}#{emoji}`).
fn reaction_message(sk: &str) -> Option<&str> {
    let rest = sk.strip_prefix("RXU#")?;
    let (length, rest) = rest.split_once(':')?;
    let rest = rest.get(length.parse::<usize>().ok()?..)?.strip_prefix('#')?;
    rest.split_once('#').map(|(message, _)| message)
}

fn totals_sk(m: &MessageId) -> String {
    format!("RXS#{m}")
}

fn count_name(emoji: &Emoji) -> String {
    format!("n#{emoji}")
}

fn first_use_name(emoji: &Emoji) -> String {
    format!("f#{emoji}")
}

/// A totals item as reactions: the emoji in use with a count above 0, in first-use order.
fn totals_from(item: &Item) -> anyhow::Result<Vec<Reaction>> {
    let Some(AttributeValue::Ss(emoji)) = item.get("e") else { return Ok(vec![]) };
    let mut found = Vec::new();
    for e in emoji {
        let emoji = Emoji::parse(e).map_err(|err| anyhow::anyhow!("a stored emoji: {err}"))?;
        let count = number(item, &count_name(&emoji)).unwrap_or(0);
        let first = number(item, &first_use_name(&emoji)).unwrap_or(0);
        if count > 0 {
            found.push((first, Reaction { emoji, count: u32::try_from(count).unwrap_or(u32::MAX), me: false }));
        }
    }
    found.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.emoji.cmp(&y.emoji)));
    Ok(found.into_iter().map(|(_, r)| r).collect())
}

impl DynamoStore {
    async fn totals(&self, pk: &str, message: &MessageId) -> anyhow::Result<Vec<Reaction>> {
        let item = self.read_item(key(pk.to_string(), totals_sk(message)), true).await?;
        item.as_ref().map(totals_from).transpose().map(Option::unwrap_or_default)
    }
}

#[async_trait]
impl ReactionStore for DynamoReactions {
    async fn set_reaction(
        &self,
        k: &ReactionKey<'_>,
        emoji: &Emoji,
        on: bool,
    ) -> StoreResult<Result<ReactionChange, TooManyEmoji>> {
        let pk = conversation_pk(k.tenant, k.conversation);
        let mine = key(pk.clone(), format!("{}{}#{emoji}", mine_prefix(k.user), k.message));
        let totals = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk.clone(), totals_sk(k.message))))
            .expression_attribute_names("#n", count_name(emoji));
        let (mark, totals) = if on {
            let mark = self.put(mine, Some("attribute_not_exists(PK)"))?;
            let totals = totals
                .update_expression("SET #f = if_not_exists(#f, :now) ADD #n :one, e :set")
                // A twenty-first emoji is refused; one in use is always taken.
                .condition_expression("attribute_not_exists(e) OR contains(e, :emoji) OR size(e) < :max")
                .expression_attribute_names("#f", first_use_name(emoji))
                .expression_attribute_values(":now", AttributeValue::N(k.at.timestamp_millis().to_string()))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":set", AttributeValue::Ss(vec![emoji.to_string()]))
                .expression_attribute_values(":emoji", s(emoji.as_str()))
                .expression_attribute_values(":max", n(MAX_REACTIONS_PER_MESSAGE as u64));
            (mark, totals)
        } else {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(mine))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map_err(anyhow::Error::from)?;
            let totals = totals
                .update_expression("ADD #n :minus")
                .expression_attribute_values(":minus", AttributeValue::N("-1".into()));
            (TransactWriteItem::builder().delete(delete).build(), totals)
        };
        let totals = TransactWriteItem::builder().update(totals.build().map_err(anyhow::Error::from)?).build();
        let written = self.client.transact_write_items().transact_items(mark).transact_items(totals).send().await;
        let changed = match written {
            Ok(_) => true,
            Err(e) => match failed_conditions(&e).as_deref() {
                // Set already (or not set): nothing to change.
                Some([true, ..]) => false,
                Some([false, true]) => return Ok(Err(TooManyEmoji)),
                _ => return Err(StoreError(e.into())),
            },
        };
        let reactions = self.totals(&pk, k.message).await?;
        if changed && !on && !reactions.iter().any(|r| r.emoji == *emoji) {
            // The last of that emoji went: out of the set, unless someone used it meanwhile.
            let cleared = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(pk, totals_sk(k.message))))
                .update_expression("DELETE e :set REMOVE #n, #f")
                .condition_expression("#n = :zero")
                .expression_attribute_names("#n", count_name(emoji))
                .expression_attribute_names("#f", first_use_name(emoji))
                .expression_attribute_values(":set", AttributeValue::Ss(vec![emoji.to_string()]))
                .expression_attribute_values(":zero", n(0))
                .send()
                .await;
            match cleared {
                Ok(_) => {}
                Err(e) if is_condition_failure(&e) => {}
                Err(e) => return Err(StoreError(e.into())),
            }
        }
        Ok(Ok(ReactionChange { changed, reactions }))
    }

    async fn reactions_by(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Vec<(MessageId, Emoji)>> {
        let mine = mine_prefix(user);
        let items = self.query_all(conversation_pk(tenant, conversation), &mine).await?;
        let made = items.iter().map(|item| {
            let sk = text(item, "SK")?;
            let (message, emoji) = sk[mine.len()..].split_once('#').context("a reaction's key without its emoji")?;
            Ok((MessageId::parse(message)?, Emoji::parse(emoji)?))
        });
        Ok(made.collect::<anyhow::Result<Vec<_>>>()?)
    }

    async fn remove_reactions_before(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        before: &MessageId,
    ) -> StoreResult<()> {
        let pk = conversation_pk(tenant, conversation);
        let totals = all_pages(
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
                .expression_attribute_values(":pk", s(pk.clone()))
                .expression_attribute_values(":lo", s("RXS#"))
                .expression_attribute_values(":hi", s(totals_sk(before)))
                .projection_expression("PK, SK"),
        )
        .await?;
        // BETWEEN is inclusive: `before`'s own totals stay.
        let below = totals_sk(before);
        let totals: Vec<Item> =
            totals.into_iter().filter(|item| text(item, "SK").is_ok_and(|sk| sk < below.as_str())).collect();
        if totals.is_empty() {
            return Ok(());
        }
        // Each person's reactions are keyed person first: the whole range is read for the messages.
        let people = self.query_all(pk.clone(), "RXU#").await?;
        let mut keys = Vec::new();
        for item in people {
            let sk = text(&item, "SK")?;
            if reaction_message(sk).is_some_and(|m| m < before.as_str()) {
                keys.push(key(pk.clone(), sk));
            }
        }
        // Read with only their keys: each item is its own key.
        keys.extend(totals);
        Ok(self.batch_delete(keys).await?)
    }

    async fn reactions_of(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        messages: &[MessageId],
        reader: &UserId,
    ) -> StoreResult<Vec<(MessageId, Vec<Reaction>)>> {
        let (Some(first), Some(last)) = (messages.iter().min(), messages.iter().max()) else { return Ok(vec![]) };
        let pk = conversation_pk(tenant, conversation);
        let between = |from: String, to: String| {
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND SK BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(pk.clone()))
                .expression_attribute_values(":from", s(from))
                .expression_attribute_values(":to", s(to))
                .consistent_read(true)
        };
        let mine = mine_prefix(reader);
        // `$` follows `#`: the last message's reactions, whatever their emoji, come before it.
        let (totals, made) = tokio::join!(
            all_pages(between(totals_sk(first), totals_sk(last))),
            all_pages(between(format!("{mine}{first}"), format!("{mine}{last}$")))
        );
        let made: Vec<String> =
            made?.iter().filter_map(|i| text(i, "SK").ok().map(|sk| sk[mine.len()..].to_string())).collect();
        let mut by_message: HashMap<String, Vec<Reaction>> = HashMap::new();
        for item in totals? {
            let sk = text(&item, "SK")?;
            by_message.insert(sk.trim_start_matches("RXS#").to_string(), totals_from(&item)?);
        }
        let mut out = Vec::new();
        for message in messages {
            let Some(mut reactions) = by_message.remove(message.as_str()) else { continue };
            if reactions.is_empty() {
                continue;
            }
            for r in &mut reactions {
                r.me = made.contains(&format!("{message}#{}", r.emoji));
            }
            out.push((message.clone(), reactions));
        }
        Ok(out)
    }
}
